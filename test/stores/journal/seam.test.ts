/**
 * The journal seam of the memory, SQLite and Postgres stores: every write
 * that changes something hands exactly one entry, with its actor and the
 * store's clock, to each registered writer inside its transaction; a write
 * that changes nothing or throws hands none; a writer that throws refuses
 * the write.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JournalEntry } from "../../../src/rooms/journal.js";
import type { GroupStore, RoomStore } from "../../../src/rooms/types.js";
import { MemoryStore } from "../../../src/stores/memory/store.js";
import { SqliteStore } from "../../../src/stores/sqlite/store.js";
import { PostgresStore } from "../../../src/stores/postgres/store.js";
import { makeGroup, makeRoom } from "../../../src/testing/index.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../postgres/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "roomgate-journal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const unreachable = await probePostgres();

const NOW = 1_700_000_000_000;

/** A store of one kind with a writer that records what it is handed, and one that can be told to throw. */
type Subject = { store: RoomStore & GroupStore; entries: JournalEntry[]; failOn: { type?: string }; close(): Promise<void> };

const kinds: { name: string; skip?: string | null; make(): Promise<Subject> }[] = [
  {
    name: "MemoryStore",
    async make() {
      const store = new MemoryStore({ now: () => NOW });
      const entries: JournalEntry[] = [];
      const failOn: { type?: string } = {};
      store.registerJournalWriter((entry) => {
        if (entry.type === failOn.type) throw new Error("writer failed");
        entries.push(entry);
      });
      return { store: store as RoomStore & GroupStore, entries, failOn, close: () => store.close() };
    },
  },
  {
    name: "SqliteStore",
    async make() {
      const store = new SqliteStore({ filename: join(dir, `${files++}.db`), now: () => NOW });
      const entries: JournalEntry[] = [];
      const failOn: { type?: string } = {};
      store.registerJournalWriter({
        append(db, entry) {
          // Proves it runs inside the write's transaction.
          expect(db.inTransaction).toBe(true);
          if (entry.type === failOn.type) throw new Error("writer failed");
          entries.push(entry);
        },
      });
      return { store: store as RoomStore & GroupStore, entries, failOn, close: () => store.close() };
    },
  },
  {
    name: "PostgresStore",
    skip: unreachable,
    async make() {
      const schema = testSchema("journal");
      const store = new PostgresStore({ connectionString: DATABASE_URL, schema, now: () => NOW });
      const entries: JournalEntry[] = [];
      const failOn: { type?: string } = {};
      store.registerJournalWriter({
        async append(client, entry) {
          // Inside the write's transaction: it has written, so it has a transaction id.
          const { rows } = await client.query<{ open: boolean }>("SELECT txid_current_if_assigned() IS NOT NULL AS open");
          expect(rows[0]!.open).toBe(true);
          if (entry.type === failOn.type) throw new Error("writer failed");
          entries.push(entry);
        },
      });
      return {
        store: store as RoomStore & GroupStore,
        entries,
        failOn,
        close: async () => {
          await store.close();
          await dropSchema(schema);
        },
      };
    },
  },
];

for (const kind of kinds) {
  describe.skipIf(kind.skip != null)(kind.skip ?? `journal seam - ${kind.name}`, () => {
    it("writes - each write that changes something journals one entry with its actor; no-ops and failures journal none", async () => {
      const { store, entries, close } = await kind.make();
      try {
        const as = { actor: "ada" };
        await store.create(makeRoom("r1", { usersAccesses: { alice: ["room:write"] } }), as);
        expect((await store.create(makeRoom("r1"), as)).created).toBe(false);
        await store.update("r1", { metadata: { a: "1" }, usersAccesses: { alice: null } }, as);
        await store.update("r1", { metadata: { a: "1" } }, as); // no change
        expect(await store.update("missing", { metadata: { a: "1" } }, as)).toBeNull();
        await expect(
          store.update(
            "r1",
            { metadata: { b: "2" } },
            {
              ...as,
              assert: () => {
                throw new Error("refused");
              },
            },
          ),
        ).rejects.toThrow("refused");
        await store.create(makeRoom("other"));
        expect(await store.rename!("r1", "other", as)).toBe("exists");
        expect(await store.rename!("missing", "x", as)).toBe("not-found");
        await store.rename!("r1", "r2", as);
        await store.revokeTokens("u", 1000, as);
        await store.revokeTokens("u", 500, as); // does not move the cutoff
        await store.clearRevocation!("u", as);
        await store.clearRevocation!("u", as); // none left
        await store.createGroup(
          makeGroup("g", {
            members: [
              { id: "a", addedAt: new Date(NOW) },
              { id: "b", addedAt: new Date(NOW) },
            ],
          }),
          as,
        );
        expect((await store.createGroup(makeGroup("g"), as)).created).toBe(false);
        await store.addGroupMembers("g", ["b", "c", "c"], new Date(NOW), as);
        await store.addGroupMembers("g", ["c"], new Date(NOW), as);
        await store.removeGroupMembers("g", ["zz", "a", "a"], new Date(NOW), as);
        await store.removeGroupMembers("g", ["zz"], new Date(NOW), as);
        expect(await store.addGroupMembers("nope", ["x"], new Date(NOW), as)).toBeNull();
        await store.deleteGroup("g", as);
        expect(await store.deleteGroup("g", as)).toBe(false);
        await store.delete("r2");
        expect(await store.delete("r2", as)).toBe(false);

        expect(entries.map((entry) => [entry.type, entry.actor])).toEqual([
          ["roomCreated", "ada"],
          ["roomUpdated", "ada"],
          ["roomCreated", "api"],
          ["roomIdUpdated", "ada"],
          ["tokensRevoked", "ada"],
          ["tokenRevocationCleared", "ada"],
          ["groupCreated", "ada"],
          ["groupMembersAdded", "ada"],
          ["groupMembersRemoved", "ada"],
          ["groupDeleted", "ada"],
          ["roomDeleted", "api"],
        ]);
        for (const entry of entries) expect(entry.at).toEqual(new Date(NOW));
        const [created, updated, , renamed, revoked, , group, added, removed, deleted] = entries;
        expect(created).toMatchObject({ roomId: "r1", room: { id: "r1", usersAccesses: { alice: ["room:write"] } } });
        expect(JSON.parse(JSON.stringify((updated as { changes: unknown }).changes))).toEqual({
          usersAccesses: { alice: { before: ["room:write"], after: null } },
          metadata: { a: { before: null, after: "1" } },
        });
        expect(renamed).toMatchObject({ roomId: "r1", newRoomId: "r2" });
        expect(revoked).toMatchObject({ userId: "u", issuedBefore: 1000 });
        expect(group).toMatchObject({ groupId: "g", organizationId: "default" });
        expect(added).toMatchObject({ groupId: "g", memberIds: ["c"] });
        expect(removed).toMatchObject({ groupId: "g", memberIds: ["a"] });
        expect(deleted).toMatchObject({ groupId: "g", organizationId: "default" });
      } finally {
        await close();
      }
    });

    it("writes - a writer that throws refuses the write: nothing changes", async () => {
      const { store, entries, failOn, close } = await kind.make();
      try {
        await store.create(makeRoom("r", { metadata: { a: "1" } }));
        failOn.type = "roomUpdated";
        await expect(store.update("r", { metadata: { a: "2" } })).rejects.toThrow("writer failed");
        expect((await store.get("r"))!.metadata).toEqual({ a: "1" });
        failOn.type = "roomDeleted";
        await expect(store.delete("r")).rejects.toThrow("writer failed");
        expect(await store.get("r")).not.toBeNull();
        failOn.type = "tokensRevoked";
        await expect(store.revokeTokens("u", 10)).rejects.toThrow("writer failed");
        expect(await store.getRevocation("u")).toBeNull();
        failOn.type = "groupCreated";
        await expect(store.createGroup(makeGroup("g"))).rejects.toThrow("writer failed");
        expect(await store.getGroup("g")).toBeNull();
        expect(entries.map((entry) => entry.type)).toEqual(["roomCreated"]);
      } finally {
        await close();
      }
    });

    it("writes - an actor a store cannot hold is refused, naming actor, and changes nothing", async () => {
      const { store, entries, close } = await kind.make();
      try {
        await expect(store.create(makeRoom("r"), { actor: "a\0b" })).rejects.toThrow(/actor/);
        await expect(store.create(makeRoom("r"), { actor: "" })).rejects.toThrow(/actor must not be empty/);
        expect(await store.get("r")).toBeNull();
        expect(entries).toEqual([]);
      } finally {
        await close();
      }
    });
  });
}
