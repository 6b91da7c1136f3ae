/**
 * The audit trail against a model, over random write sequences: every write
 * that changed something leaves exactly one entry, with its actor and what
 * it was about, in commit order; writes that change nothing, find nothing or
 * fail (assert throws) leave none. Memory, SQLite and (if reachable)
 * Postgres.
 */
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AuditEntry, AuditLogStore } from "../../../src/rooms/audit.js";
import type { GroupStore, RoomStore } from "../../../src/rooms/types.js";
import { MemoryStore } from "../../../src/stores/memory/store.js";
import { SqliteStore } from "../../../src/stores/sqlite/store.js";
import { PostgresStore } from "../../../src/stores/postgres/store.js";
import { makeGroup, makeRoom } from "../../../src/testing/index.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../postgres/helpers.js";

type Store = RoomStore & GroupStore & AuditLogStore;

const dir = mkdtempSync(join(tmpdir(), "roomgate-audit-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const unreachable = await probePostgres();

const ROOMS = ["r1", "r2", "r3"];
const USERS = ["u1", "u2"];
const GROUPS = ["g1", "g2"];
const ACTORS = ["ada", "bob", undefined];
const VALUES = ["a", "b"];

type Command =
  | { kind: "create"; room: string }
  | { kind: "update"; room: string; key: string; value: string | null; fail: boolean }
  | { kind: "grant"; room: string; user: string; grant: boolean }
  | { kind: "rename"; room: string; to: string }
  | { kind: "delete"; room: string }
  | { kind: "revoke"; user: string; cutoff: number }
  | { kind: "clear"; user: string }
  | { kind: "createGroup"; group: string }
  | { kind: "deleteGroup"; group: string }
  | { kind: "add" | "remove"; group: string; members: string[] };

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), room: pick(ROOMS) }),
  fc.record({
    kind: fc.constant("update" as const),
    room: pick(ROOMS),
    key: pick(["k1", "k2"]),
    value: pick([...VALUES, null]),
    fail: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("grant" as const), room: pick(ROOMS), user: pick(USERS), grant: fc.boolean() }),
  fc.record({ kind: fc.constant("rename" as const), room: pick(ROOMS), to: pick(ROOMS) }),
  fc.record({ kind: fc.constant("delete" as const), room: pick(ROOMS) }),
  fc.record({ kind: fc.constant("revoke" as const), user: pick(USERS), cutoff: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant("clear" as const), user: pick(USERS) }),
  fc.record({ kind: fc.constant("createGroup" as const), group: pick(GROUPS) }),
  fc.record({ kind: fc.constant("deleteGroup" as const), group: pick(GROUPS) }),
  fc.record({ kind: pick(["add", "remove"] as const), group: pick(GROUPS), members: fc.array(pick(USERS), { maxLength: 3 }) }),
);
const step = fc.record({ command, actor: pick(ACTORS) });

/** What the model expects an entry to say; `undefined` fields are not compared. */
type Expected = Pick<AuditEntry, "type" | "actor"> & Partial<Pick<AuditEntry, "roomId" | "newRoomId" | "userId" | "groupId" | "memberIds">>;

/** The stores' state as far as "did this write change anything" goes. */
class Model {
  rooms = new Map<string, { metadata: Map<string, string>; users: Set<string> }>();
  revocations = new Map<string, number>();
  groups = new Map<string, Set<string>>();

  /** The entry `command` leaves, or `null`, updating the model. */
  apply(c: Command, actor: string): Expected | null {
    const at = (e: Omit<Expected, "actor">): Expected => ({ ...e, actor });
    switch (c.kind) {
      case "create":
        if (this.rooms.has(c.room)) return null;
        this.rooms.set(c.room, { metadata: new Map(), users: new Set() });
        return at({ type: "roomCreated", roomId: c.room });
      case "update": {
        const room = this.rooms.get(c.room);
        if (room === undefined || c.fail || (room.metadata.get(c.key) ?? null) === c.value) return null;
        if (c.value === null) room.metadata.delete(c.key);
        else room.metadata.set(c.key, c.value);
        return at({ type: "roomUpdated", roomId: c.room });
      }
      case "grant": {
        const room = this.rooms.get(c.room);
        if (room === undefined || room.users.has(c.user) === c.grant) return null;
        if (c.grant) room.users.add(c.user);
        else room.users.delete(c.user);
        return at({ type: "roomUpdated", roomId: c.room });
      }
      case "rename": {
        const room = this.rooms.get(c.room);
        if (room === undefined || this.rooms.has(c.to)) return null;
        this.rooms.delete(c.room);
        this.rooms.set(c.to, room);
        return at({ type: "roomIdUpdated", roomId: c.room, newRoomId: c.to });
      }
      case "delete":
        if (!this.rooms.delete(c.room)) return null;
        return at({ type: "roomDeleted", roomId: c.room });
      case "revoke":
        if ((this.revocations.get(c.user) ?? -1) >= c.cutoff) return null;
        this.revocations.set(c.user, c.cutoff);
        return at({ type: "tokensRevoked", userId: c.user });
      case "clear":
        if (!this.revocations.delete(c.user)) return null;
        return at({ type: "tokenRevocationCleared", userId: c.user });
      case "createGroup":
        if (this.groups.has(c.group)) return null;
        this.groups.set(c.group, new Set());
        return at({ type: "groupCreated", groupId: c.group });
      case "deleteGroup":
        if (!this.groups.delete(c.group)) return null;
        return at({ type: "groupDeleted", groupId: c.group });
      case "add":
      case "remove": {
        const members = this.groups.get(c.group);
        if (members === undefined) return null;
        const changed = [...new Set(c.members)].filter((m) => members.has(m) === (c.kind === "remove"));
        if (changed.length === 0) return null;
        for (const m of changed) c.kind === "add" ? members.add(m) : members.delete(m);
        return at({ type: c.kind === "add" ? "groupMembersAdded" : "groupMembersRemoved", groupId: c.group, memberIds: changed });
      }
    }
  }
}

async function run(store: Store, c: Command, actor: string | undefined): Promise<void> {
  const options = actor === undefined ? {} : { actor };
  const now = new Date(1_700_000_000_000);
  switch (c.kind) {
    case "create":
      return void (await store.create(makeRoom(c.room), options));
    case "update": {
      const assert = c.fail
        ? () => {
            throw new Error("refused");
          }
        : undefined;
      const write = store.update(c.room, { metadata: { [c.key]: c.value } }, { ...options, ...(assert && { assert }) });
      if (c.fail) return void (await write.catch(() => undefined));
      return void (await write);
    }
    case "grant":
      return void (await store.update(c.room, { usersAccesses: { [c.user]: c.grant ? ["room:write"] : null } }, options));
    case "rename":
      if (c.room === c.to) return;
      return void (await store.rename!(c.room, c.to, options));
    case "delete":
      return void (await store.delete(c.room, options));
    case "revoke":
      return store.revokeTokens(c.user, c.cutoff, options);
    case "clear":
      return store.clearRevocation!(c.user, options);
    case "createGroup":
      return void (await store.createGroup(makeGroup(c.group), options));
    case "deleteGroup":
      return void (await store.deleteGroup(c.group, options));
    case "add":
      return void (await store.addGroupMembers(c.group, c.members, now, options));
    case "remove":
      return void (await store.removeGroupMembers(c.group, c.members, now, options));
  }
}

async function everyEntry(store: Store): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await store.getAuditLog({ limit: 7, ...(cursor !== undefined && { cursor }) });
    out.push(...result.entries);
    if (result.nextCursor === null) break;
    cursor = result.nextCursor;
  }
  return out.reverse();
}

const kinds: { name: string; skip?: string | null; runs: number; store(): Promise<{ store: Store; done(): Promise<void> }> }[] = [
  { name: "MemoryStore", runs: 150, store: async () => ({ store: new MemoryStore() as Store, done: async () => undefined }) },
  {
    name: "SqliteStore",
    runs: 25,
    store: async () => {
      const store = new SqliteStore({ filename: join(dir, `${files++}.db`) }) as Store;
      return { store, done: () => store.close!() };
    },
  },
  {
    name: "PostgresStore",
    skip: unreachable,
    runs: 6,
    store: async () => {
      const schema = testSchema("audit_model");
      const store = new PostgresStore({ connectionString: DATABASE_URL, schema }) as Store;
      return {
        store,
        done: async () => {
          await store.close!();
          await dropSchema(schema);
        },
      };
    },
  },
];

describe("audit trail model", () => {
  for (const kind of kinds) {
    it.skipIf(kind.skip != null)(
      `getAuditLog - ${kind.name}: one entry per write that changed something, with its actor, in order`,
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
            const { store, done } = await kind.store();
            try {
              const model = new Model();
              const expected: Expected[] = [];
              for (const { command, actor } of steps) {
                await run(store, command, actor);
                const entry = model.apply(command, actor ?? "api");
                if (entry !== null) expected.push(entry);
              }
              const entries = await everyEntry(store);
              expect(entries.map(pickKeys)).toEqual(expected);
              expect(new Set(entries.map((entry) => entry.id)).size).toBe(entries.length);
            } finally {
              await done();
            }
          }),
          { numRuns: kind.runs },
        );
      },
      60_000,
    );
  }
});

/** `entry` reduced to the fields the model states for entries of its type. */
function pickKeys(entry: AuditEntry): Expected {
  const out: Expected = { type: entry.type, actor: entry.actor };
  for (const key of ["roomId", "newRoomId", "userId", "groupId", "memberIds"] as const) {
    if (entry[key] !== undefined) (out as Record<string, unknown>)[key] = entry[key];
  }
  return out;
}
