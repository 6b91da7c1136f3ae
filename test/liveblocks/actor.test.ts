/**
 * The actor of a write, from the caller to the store's journal: through the
 * facade (`{ actor }` on every write method), and over REST (`RestStore`
 * sends `X-Roomgate-Actor`, `roomgate/http` reads it), validated the same way.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Liveblocks } from "../../src/liveblocks/index.js";
import type { JournalEntry } from "../../src/rooms/journal.js";
import { MemoryStore } from "../../src/stores/memory/store.js";
import { RestStore } from "../../src/stores/rest/store.js";
import { checkActor, MAX_ACTOR_LENGTH } from "../../src/liveblocks/actor.js";
import { isStorableText } from "../../src/rooms/text.js";
import { SECRET, startServer, type TestServer } from "../http/helpers.js";

function journaled(): { store: MemoryStore; entries: JournalEntry[] } {
  const store = new MemoryStore();
  const entries: JournalEntry[] = [];
  store.registerJournalWriter((entry) => entries.push(entry));
  return { store, entries };
}

/** Every write method of the facade, each with the options it is given. */
async function everyWrite(liveblocks: Liveblocks, options: { actor?: string }): Promise<void> {
  await liveblocks.createRoom("r", { defaultAccesses: [] }, options);
  await liveblocks.getOrCreateRoom("r2", { defaultAccesses: [] }, options);
  await liveblocks.updateRoom("r", { metadata: { a: "1" } }, options);
  await liveblocks.upsertRoom("r", { update: { metadata: { a: "2" } } }, options);
  await liveblocks.updateRoomId({ currentRoomId: "r", newRoomId: "r3" }, options);
  await liveblocks.deleteRoom("r3", options);
  await liveblocks.revokeTokens({ userId: "u" }, options);
  await liveblocks.clearTokenRevocation({ userId: "u" }, options);
  await liveblocks.createGroup({ groupId: "g", memberIds: ["a"] }, options);
  await liveblocks.addGroupMembers({ groupId: "g", memberIds: ["b"] }, options);
  await liveblocks.removeGroupMembers({ groupId: "g", memberIds: ["a"] }, options);
  await liveblocks.deleteGroup({ groupId: "g" }, options);
}

const WRITE_TYPES = [
  "roomCreated",
  "roomCreated",
  "roomUpdated",
  "roomUpdated",
  "roomIdUpdated",
  "roomDeleted",
  "tokensRevoked",
  "tokenRevocationCleared",
  "groupCreated",
  "groupMembersAdded",
  "groupMembersRemoved",
  "groupDeleted",
];

describe("actor", () => {
  it("facade - every write method records the caller's actor, or api without one", async () => {
    const { store, entries } = journaled();
    const liveblocks = new Liveblocks({ secret: SECRET, store });
    await everyWrite(liveblocks, { actor: "admin:ada" });
    expect(entries.map((entry) => entry.type)).toEqual(WRITE_TYPES);
    expect(new Set(entries.map((entry) => entry.actor))).toEqual(new Set(["admin:ada"]));
    entries.length = 0;
    await liveblocks.createRoom("x", { defaultAccesses: [] });
    expect(entries.map((entry) => entry.actor)).toEqual(["api"]);
  });

  it("facade - a bad actor is refused with 422 naming actor, before the store changes", async () => {
    const { store, entries } = journaled();
    const liveblocks = new Liveblocks({ secret: SECRET, store });
    for (const actor of ["", "x".repeat(MAX_ACTOR_LENGTH + 1), "a\0b", "\ud800", 7 as unknown as string]) {
      const error = await liveblocks.createRoom("r", { defaultAccesses: [] }, { actor }).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 422, code: "UNPROCESSABLE_ENTITY" });
      expect((error as Error).message).toMatch(/'actor'/);
      await expect(liveblocks.deleteGroup({ groupId: "g" }, { actor })).rejects.toMatchObject({ status: 422 });
    }
    expect(await store.get("r")).toBeNull();
    expect(entries).toEqual([]);
  });

  it("checkActor - accepts exactly the non-empty storable strings up to the bound", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: MAX_ACTOR_LENGTH + 8 }), (actor) => {
        const ok = actor.length > 0 && actor.length <= MAX_ACTOR_LENGTH && isStorableText(actor);
        if (ok) expect(checkActor(actor)).toBe(actor);
        else expect(() => checkActor(actor)).toThrow(/Invalid value for field 'actor'/);
      }),
    );
  });

  describe("over REST", () => {
    let server: TestServer;
    const { store, entries } = journaled();
    beforeAll(async () => {
      server = await startServer(new Liveblocks({ secret: SECRET, store }));
    });
    afterAll(() => server.close());

    it("RestStore - sends the actor of every write, non-ASCII included; roomgate/http records it", async () => {
      entries.length = 0;
      const client = new Liveblocks({ secret: SECRET, store: new RestStore({ baseUrl: server.url, secret: SECRET }) });
      await everyWrite(client, { actor: "Zoë ✓ %41" });
      expect(entries.map((entry) => entry.type)).toEqual(WRITE_TYPES);
      expect(new Set(entries.map((entry) => entry.actor))).toEqual(new Set(["Zoë ✓ %41"]));
    });

    it("roomgate/http - a malformed or empty X-Roomgate-Actor is 422 naming the header; nothing changes", async () => {
      entries.length = 0;
      for (const value of ["%zz", "", "%00", encodeURIComponent("x".repeat(MAX_ACTOR_LENGTH + 1))]) {
        const response = await server.call("POST", "/v2/rooms", { id: "h", defaultAccesses: [] }, { "x-roomgate-actor": value });
        expect(response.status).toBe(422);
        expect(((await response.json()) as { message: string }).message).toMatch(/X-Roomgate-Actor/);
      }
      expect(await store.get("h")).toBeNull();
      expect(entries).toEqual([]);
      const ok = await server.call("DELETE", "/v2/rooms/none", undefined, { "x-roomgate-actor": "ops" });
      expect(ok.status).toBe(204);
    });
  });
});
