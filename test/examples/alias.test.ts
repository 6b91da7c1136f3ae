import { describe, expect, it } from "vitest";

describe("the examples' import of roomgate", () => {
  it("resolves roomgate and its subpaths to the sources", async () => {
    const root = await import("roomgate");
    const direct = await import("../../src/index.js");
    expect(root.resolveAccess).toBe(direct.resolveAccess);
    const http = await import("roomgate/http");
    expect(http.createRequestHandler).toBe((await import("../../src/http/index.js")).createRequestHandler);
    const sqlite = await import("roomgate/sqlite");
    expect(sqlite.SqliteStore).toBe((await import("../../src/sqlite.js")).SqliteStore);
  });
});
