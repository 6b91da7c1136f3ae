import { afterEach, describe, expect, it } from "vitest";
import { makeLiveblocks } from "../liveblocks/helpers.js";
import { type TestServer, startServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** `depth` arrays nested around one scope, as JSON text (a structure this deep would overflow the stack if walked recursively). */
const nested = (depth: number) => `${"[".repeat(depth)}"room:write"${"]".repeat(depth)}`;

describe("deeply nested input", () => {
  it("POST /v2/rooms - a permission list holding an array nested 300,000 deep answers 422, not 500 (regression: describing the bad value overflowed the stack)", async () => {
    const { liveblocks } = makeLiveblocks();
    server = await startServer(liveblocks, { maxBodyBytes: 2 * 1024 * 1024 });
    for (const body of [
      `{"id":"r","defaultAccesses":["room:write",${nested(300_000)}]}`,
      `{"id":"r","defaultAccesses":[],"usersAccesses":{"ada":[${nested(300_000)}]}}`,
    ]) {
      const response = await server.call("POST", "/v2/rooms", body);
      expect(response.status).toBe(422);
      expect(((await response.json()) as { message: string }).message).toMatch(/Not a valid permission: an array/);
    }
    expect(await liveblocks.getRooms()).toMatchObject({ data: [] });
  });
});
