/**
 * Security review "hardening, round two", item 12 on PostgreSQL: text that
 * unescapes to NUL or a lone surrogate is a 422 before it reaches Postgres
 * (which throws for NUL, and turns a lone surrogate into U+FFFD).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresStore } from "../../../src/postgres.js";
import { Liveblocks } from "../../../src/liveblocks/index.js";
import { encodeCursor } from "../../../src/rooms/cursor.js";
import { SECRET, startServer, type TestServer } from "../../http/helpers.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "./helpers.js";

const unreachable = await probePostgres();
const describeIfPostgres = unreachable === null ? describe : describe.skip;

describeIfPostgres(unreachable ?? `item 12 on PostgresStore (${DATABASE_URL})`, () => {
  const schema = testSchema("h2");
  let store: PostgresStore;
  let liveblocks: Liveblocks;
  let server: TestServer;
  beforeAll(async () => {
    store = new PostgresStore({ connectionString: DATABASE_URL, schema });
    liveblocks = new Liveblocks({ secret: SECRET, store });
    server = await startServer(liveblocks);
    await liveblocks.createRoom("\ufffd", { defaultAccesses: [] });
  });
  afterAll(async () => {
    await server.close();
    await store.close();
    await dropSchema(schema);
  });

  it("getRooms - a \\u0000 escape in a query value is a 422 INVALID_QUERY, not a Postgres error", async () => {
    await expect(liveblocks.getRooms({ query: 'roomId:"a\\u0000"' })).rejects.toMatchObject({ status: 422, code: "INVALID_QUERY" });
    await expect(liveblocks.getRooms({ query: 'metadata["k"]:"\\u0000"' })).rejects.toMatchObject({ status: 422, code: "INVALID_QUERY" });
  });

  it("getRooms - a lone-surrogate escape does not match the room named U+FFFD", async () => {
    await expect(liveblocks.getRooms({ query: 'roomId:"\\ud800"' })).rejects.toMatchObject({ status: 422, code: "INVALID_QUERY" });
    expect((await liveblocks.getRooms({ query: 'roomId:"\\ufffd"' })).data.map((room) => room.id)).toEqual(["\ufffd"]);
  });

  it("getRooms - a cursor whose id holds NUL is a 422 INVALID_CURSOR", async () => {
    await expect(liveblocks.getRooms({ startingAfter: encodeCursor({ ms: 1, id: "a\0b" }) })).rejects.toMatchObject({
      status: 422,
      code: "INVALID_CURSOR",
    });
  });

  it("HTTP - NUL in a query escape, a cursor or /v2/users/:userId answers 422, never 500", async () => {
    const paths = [
      `/v2/rooms?query=${encodeURIComponent('roomId:"\\u0000"')}`,
      `/v2/rooms?startingAfter=${encodeCursor({ ms: 1, id: "\0" })}`,
      "/v2/users/a%00b/revocation",
    ];
    for (const path of paths) expect((await server.call("GET", path)).status, path).toBe(422);
    expect((await server.call("DELETE", "/v2/users/a%00b/revocation")).status).toBe(422);
  });
});
