/**
 * `getAuditLog` of the facade and `GET /v2/audit-log`: validated like every
 * listing, newest first with a cursor, filters passed through, 501 for a
 * store without a trail; and the same answers through a `RestStore`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Liveblocks } from "../../src/liveblocks/index.js";
import { MemoryStore } from "../../src/stores/memory/store.js";
import { RestStore } from "../../src/stores/rest/store.js";
import type { RoomStore } from "../../src/rooms/types.js";
import { SECRET, startServer, type TestServer } from "../http/helpers.js";

let clock = Date.UTC(2026, 11, 7, 12, 0, 0);
const now = () => clock;

async function seeded(): Promise<Liveblocks> {
  const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore({ now }), now });
  await liveblocks.createRoom("a", { defaultAccesses: ["room:read"] }, { actor: "ada" });
  clock += 1000;
  await liveblocks.updateRoom("a", { usersAccesses: { bob: ["room:write"] } }, { actor: "bob" });
  clock += 1000;
  await liveblocks.updateRoomId({ currentRoomId: "a", newRoomId: "b" }, { actor: "ada" });
  clock += 1000;
  await liveblocks.revokeTokens({ userId: "carol" }, { actor: "ops" });
  return liveblocks;
}

describe("getAuditLog", () => {
  it("getAuditLog - newest first, paged by nextCursor, filtered by room, actor and time", async () => {
    const liveblocks = await seeded();
    const all = await liveblocks.getAuditLog();
    expect(all.data.map((entry) => entry.type)).toEqual(["tokensRevoked", "roomIdUpdated", "roomUpdated", "roomCreated"]);
    const first = await liveblocks.getAuditLog({ limit: 3 });
    expect(first.data).toEqual(all.data.slice(0, 3));
    expect(await liveblocks.getAuditLog({ limit: 3, startingAfter: first.nextCursor! })).toEqual({
      nextCursor: null,
      data: all.data.slice(3),
    });
    expect((await liveblocks.getAuditLog({ roomId: "b" })).data.map((entry) => entry.type)).toEqual(["roomIdUpdated"]);
    expect((await liveblocks.getAuditLog({ roomId: "a", actor: "ada" })).data.map((entry) => entry.type)).toEqual([
      "roomIdUpdated",
      "roomCreated",
    ]);
    const start = all.data[3]!.at;
    expect((await liveblocks.getAuditLog({ since: new Date(start.getTime() + 1000) })).data).toHaveLength(3);
    expect((await liveblocks.getAuditLog({ until: start.getTime() + 1000 })).data).toEqual([all.data[3]]);
    expect((await liveblocks.getAuditLog({ since: new Date(start.getTime() + 2000).toISOString() })).data).toHaveLength(2);
  });

  it("getAuditLog - bad parameters are 422 naming the field; a foreign cursor is INVALID_CURSOR", async () => {
    const liveblocks = await seeded();
    const cases: [unknown, RegExp][] = [
      [{ limit: 0 }, /'limit'/],
      [{ limit: 101 }, /'limit'/],
      [{ limit: "5" }, /'limit'/],
      [{ since: "yesterday" }, /'since'/],
      [{ until: 1.5 }, /'until'/],
      [{ roomId: "" }, /'roomId'/],
      [{ actor: "a\0" }, /'actor'/],
      [{ colour: "red" }, /'colour'/],
    ];
    for (const [params, field] of cases) {
      const error = await liveblocks.getAuditLog(params as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(params)).toMatchObject({ status: 422 });
      expect((error as Error).message).toMatch(field);
    }
    await expect(liveblocks.getAuditLog({ startingAfter: "WzEsImEiXQ" })).rejects.toMatchObject({ status: 422, code: "INVALID_CURSOR" });
  });

  it("getAuditLog - a store without a trail is 501", async () => {
    const inner = new MemoryStore();
    const store: RoomStore = {
      get: (id, o) => inner.get(id, o),
      create: (room, o) => inner.create(room, o),
      update: (id, patch, o) => inner.update(id, patch, o),
      delete: (id, o) => inner.delete(id, o),
      list: (query, o) => inner.list(query, o),
      revokeTokens: (user, cutoff, o) => inner.revokeTokens(user, cutoff, o),
      getRevocation: (user, o) => inner.getRevocation(user, o),
      subscribe: (listener) => inner.subscribe(listener),
    };
    await expect(new Liveblocks({ secret: SECRET, store }).getAuditLog()).rejects.toMatchObject({ status: 501 });
  });

  describe("over REST", () => {
    let server: TestServer;
    let served: Liveblocks;
    beforeAll(async () => {
      served = await seeded();
      server = await startServer(served);
    });
    afterAll(() => server.close());

    it("GET /v2/audit-log - answers the facade's page as JSON; RestStore reads the same entries", async () => {
      const response = await server.call("GET", "/v2/audit-log?limit=2&actor=ada");
      expect(response.status).toBe(200);
      const body = (await response.json()) as { nextCursor: string | null; data: { type: string; at: string; roomId?: string }[] };
      expect(body.data.map((entry) => entry.type)).toEqual(["roomIdUpdated", "roomCreated"]);
      expect(body.data[1]).toMatchObject({
        roomId: "a",
        actor: "ada",
        changes: { defaultAccesses: { before: null, after: ["room:read"] } },
      });
      expect(body.data[1]!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const client = new Liveblocks({ secret: SECRET, store: new RestStore({ baseUrl: server.url, secret: SECRET }) });
      expect(await client.getAuditLog({ limit: 3 })).toEqual(await served.getAuditLog({ limit: 3 }));
      const page = await client.getAuditLog({ limit: 1, since: 0, roomId: "a" });
      expect(await client.getAuditLog({ limit: 5, since: 0, roomId: "a", startingAfter: page.nextCursor! })).toEqual(
        await served.getAuditLog({ limit: 5, since: 0, roomId: "a", startingAfter: page.nextCursor! }),
      );
    });

    it("GET /v2/audit-log - bad query is 422 naming the field; no route changes an entry", async () => {
      for (const [query, field] of [
        ["limit=abc", "limit"],
        ["since=tomorrow", "since"],
        ["startingAfter=nope", "startingAfter"],
      ]) {
        const response = await server.call("GET", `/v2/audit-log?${query}`);
        expect(response.status).toBe(422);
        expect(((await response.json()) as { message: string }).message).toContain(`'${field}'`);
      }
      for (const method of ["POST", "DELETE", "PUT"]) {
        expect((await server.call(method, "/v2/audit-log", method === "DELETE" ? undefined : {})).status).toBe(405);
      }
    });
  });
});
