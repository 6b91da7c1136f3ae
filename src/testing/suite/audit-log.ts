/**
 * auditLog: the optional audit trail (`getAuditLog`). Each test writes as an
 * actor of its own and reads by it, so a store shared between tests (a
 * server behind a `RestStore`) is read as if it were fresh.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { AuditEntry, AuditLogStore, AuditQuery } from "../../rooms/audit.js";
import { InvalidCursorError, type GroupStore, type RoomStore } from "../../rooms/types.js";
import { makeGroup, makeRoom } from "./helpers.js";
import type { StoreCapabilities } from "./helpers.js";

const MISDECLARED = "capabilities.auditLog is declared, but the store has no getAuditLog";

type AuditedStore = RoomStore & AuditLogStore & Partial<GroupStore>;

let actors = 0;
/** An actor no other test writes as. */
function freshActor(): string {
  return `suite-${Date.now().toString(36)}-${++actors}`;
}

/** Every entry of `query`, newest first, paging `limit` at a time (bounded). */
async function collect(store: AuditLogStore, query: Omit<AuditQuery, "limit">, limit = 2): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const result = await store.getAuditLog({ ...query, limit, ...(cursor !== undefined && { cursor }) });
    expect(result.entries.length).toBeLessThanOrEqual(limit);
    out.push(...result.entries);
    if (result.nextCursor === null) return out;
    cursor = result.nextCursor;
  }
  throw new Error("getAuditLog kept answering a next page");
}

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeAuditLog(getStore: () => RoomStore, capabilities: StoreCapabilities): void {
  let store: AuditedStore;
  beforeEach(() => {
    store = getStore() as AuditedStore;
  });
  const test = it.skipIf(!capabilities.auditLog);

  describe("auditLog (optional: getAuditLog)", () => {
    test("getAuditLog - each write that changed something leaves one entry with its actor, newest first", async () => {
      if (typeof store.getAuditLog !== "function") throw new Error(MISDECLARED);
      const actor = freshActor();
      const room = `audit-${actor}`;
      await store.create(makeRoom(room, { defaultAccesses: ["room:read"], usersAccesses: { ada: ["room:write"] }, metadata: { m: "1" } }), {
        actor,
      });
      await store.update(room, { usersAccesses: { ada: null, bob: ["room:read"] }, metadata: { m: "2" } }, { actor });
      await store.update(room, { metadata: { m: "2" } }, { actor }); // changes nothing
      await store.revokeTokens(`u-${actor}`, 1_000, { actor });
      await store.delete(room, { actor });
      const entries = await collect(store, { actor });
      expect(entries.map((entry) => entry.type)).toEqual(["roomDeleted", "tokensRevoked", "roomUpdated", "roomCreated"]);
      expect(new Set(entries.map((entry) => entry.actor))).toEqual(new Set([actor]));
      expect(new Set(entries.map((entry) => entry.id)).size).toBe(4);
      const [, revoked, updated, created] = entries;
      expect(revoked).toMatchObject({ userId: `u-${actor}`, issuedBefore: 1_000 });
      // Only what changed, and a created room as its permissions, never its metadata.
      expect(JSON.parse(JSON.stringify(updated!.changes))).toEqual({
        usersAccesses: { ada: { before: ["room:write"], after: null }, bob: { before: null, after: ["room:read"] } },
        metadata: { m: { before: "1", after: "2" } },
      });
      expect(JSON.parse(JSON.stringify(created!.changes))).toEqual({
        defaultAccesses: { before: null, after: ["room:read"] },
        usersAccesses: { ada: { before: null, after: ["room:write"] } },
      });
      expect(created).toMatchObject({ roomId: room, organizationId: "default" });
      for (const entry of entries) expect(entry.at).toBeInstanceOf(Date);
      // Mutating an answer never changes the trail.
      (entries[0] as { actor: string }).actor = "someone else";
      expect((await collect(store, { actor }))[0]!.actor).toBe(actor);
    });

    test("getAuditLog - a write that fails (assert throws) or finds nothing leaves no entry", async () => {
      if (typeof store.getAuditLog !== "function") throw new Error(MISDECLARED);
      const actor = freshActor();
      const room = `audit-${actor}`;
      await store.create(makeRoom(room), { actor });
      const refuse = () => {
        throw new Error("refused by assert");
      };
      await expect(store.update(room, { metadata: { a: "1" } }, { actor, assert: refuse })).rejects.toThrow();
      await expect(store.create(makeRoom(`${room}-2`), { actor, assert: refuse })).rejects.toThrow();
      expect(await store.update(`${room}-missing`, { metadata: { a: "1" } }, { actor })).toBeNull();
      expect(await store.delete(`${room}-missing`, { actor })).toBe(false);
      expect((await store.create(makeRoom(room), { actor })).created).toBe(false);
      if (store.rename !== undefined) expect(await store.rename(`${room}-missing`, `${room}-x`, { actor })).toBe("not-found");
      if (store.deleteGroup !== undefined) expect(await store.deleteGroup(`g-${actor}`, { actor })).toBe(false);
      expect((await collect(store, { actor })).map((entry) => entry.type)).toEqual(["roomCreated"]);
    });

    test("getAuditLog - filters by room (both ids of a rename), actor and time; pages never skip or repeat", async () => {
      if (typeof store.getAuditLog !== "function") throw new Error(MISDECLARED);
      const actor = freshActor();
      const other = freshActor();
      const a = `audit-a-${actor}`;
      const b = `audit-b-${actor}`;
      await store.create(makeRoom(a), { actor });
      await store.create(makeRoom(b), { actor: other });
      for (let i = 0; i < 5; i++) await store.update(a, { metadata: { n: String(i) } }, { actor: i % 2 === 0 ? actor : other });
      if (store.rename !== undefined) await store.rename(a, `${a}-moved`, { actor });
      const mine = await collect(store, { actor }, 100);
      expect(await collect(store, { actor }, 1)).toEqual(mine);
      expect(await collect(store, { actor }, 3)).toEqual(mine);
      expect(mine.map((entry) => entry.type)).toEqual([
        ...(store.rename ? ["roomIdUpdated"] : []),
        "roomUpdated",
        "roomUpdated",
        "roomUpdated",
        "roomCreated",
      ]);
      const ofA = await collect(store, { roomId: a }, 100);
      expect(ofA.filter((entry) => entry.actor === actor || entry.actor === other)).toEqual(ofA);
      expect(ofA.map((entry) => entry.type)).toEqual([
        ...(store.rename ? ["roomIdUpdated"] : []),
        ...Array(5).fill("roomUpdated"),
        "roomCreated",
      ]);
      if (store.rename !== undefined) expect(await collect(store, { roomId: `${a}-moved` }, 100)).toEqual([ofA[0]]);
      expect(await collect(store, { roomId: a, actor: other })).toEqual(ofA.filter((entry) => entry.actor === other));
      // Time bounds: since inclusive, until exclusive, on the entries' own times.
      const middle = ofA[3]!.at.getTime();
      expect(await collect(store, { roomId: a, since: middle })).toEqual(ofA.filter((entry) => entry.at.getTime() >= middle));
      expect(await collect(store, { roomId: a, until: middle })).toEqual(ofA.filter((entry) => entry.at.getTime() < middle));
    });

    test("getAuditLog - groups and revocations are recorded by user and group", async () => {
      if (typeof store.getAuditLog !== "function") throw new Error(MISDECLARED);
      if (store.createGroup === undefined || store.addGroupMembers === undefined || store.removeGroupMembers === undefined) return;
      const actor = freshActor();
      const group = `g-${actor}`;
      const now = new Date();
      await store.createGroup(makeGroup(group, { members: [{ id: "a", addedAt: now }] }), { actor });
      await store.addGroupMembers(group, ["a", "b", "c"], now, { actor });
      await store.removeGroupMembers(group, ["c", "zz"], now, { actor });
      await store.deleteGroup!(group, { actor });
      if (store.clearRevocation !== undefined) {
        await store.revokeTokens(`u-${actor}`, 5, { actor });
        await store.clearRevocation(`u-${actor}`, { actor });
      }
      const entries = (await collect(store, { actor }, 100)).reverse();
      expect(entries.slice(0, 4)).toMatchObject([
        { type: "groupCreated", groupId: group, organizationId: "default" },
        { type: "groupMembersAdded", groupId: group, memberIds: ["b", "c"] },
        { type: "groupMembersRemoved", groupId: group, memberIds: ["c"] },
        { type: "groupDeleted", groupId: group },
      ]);
      if (store.clearRevocation !== undefined) {
        expect(entries.slice(4)).toMatchObject([
          { type: "tokensRevoked", userId: `u-${actor}`, issuedBefore: 5 },
          { type: "tokenRevocationCleared", userId: `u-${actor}` },
        ]);
      }
    });

    test("getAuditLog - a cursor it did not issue rejects with InvalidCursorError", async () => {
      if (typeof store.getAuditLog !== "function") throw new Error(MISDECLARED);
      for (const cursor of ["nope", "WzEsImEiXQ", ""]) {
        await expect(store.getAuditLog({ limit: 5, cursor })).rejects.toSatisfy(
          (error: unknown) => error instanceof InvalidCursorError || (error as { code?: unknown }).code === "ERR_INVALID_CURSOR",
        );
      }
    });
  });
}
