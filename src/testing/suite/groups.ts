/**
 * groups: the optional `GroupStore` part behind `createGroup` and the other
 * group methods: creation once per id, members in the order added, listing
 * by id with keyset paging, per-user and per-organization listings,
 * reserved ids, copies, the member-limit assert, concurrency.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { GroupData, GroupListQuery, GroupStore, RoomStore } from "../../rooms/types.js";
import { at, makeGroup, RESERVED_IDS, shuffledIndexes } from "./helpers.js";
import type { StoreCapabilities } from "./helpers.js";

const MISDECLARED = "capabilities.groups is declared, but the store has no group methods";

function groupsOf(store: RoomStore): GroupStore {
  if (store.createGroup === undefined || store.listGroups === undefined) throw new Error(MISDECLARED);
  return store as GroupStore;
}

/** Every group of `query`, page by page, checking each page's size. */
async function collectGroups(store: GroupStore, query: Omit<GroupListQuery, "limit" | "cursor">, limit = 100): Promise<GroupData[]> {
  const out: GroupData[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.listGroups({ ...query, limit, ...(cursor !== undefined && { cursor }) });
    expect(page.groups.length).toBeLessThanOrEqual(limit);
    out.push(...page.groups);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error("collectGroups: more than 10000 pages, is the cursor stuck?");
}

const member = (id: string, seconds: number) => ({ id, addedAt: at(seconds) });

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describeGroups(getStore: () => RoomStore, capabilities: StoreCapabilities): void {
  let store: GroupStore;
  beforeEach(() => {
    const current = getStore();
    if (capabilities.groups) store = groupsOf(current);
  });
  const test = it.skipIf(!capabilities.groups);

  describe("groups (optional: createGroup and the group methods)", () => {
    test("createGroup - stores the group once; a second create returns the existing one unchanged", async () => {
      const group = makeGroup("eng", { organizationId: "acme", members: [member("alice", 0), member("bob", 0)] });
      expect(await store.createGroup(group)).toEqual({ group, created: true });
      expect(await store.getGroup("eng")).toEqual(group);
      const again = await store.createGroup(makeGroup("eng", { createdAt: at(9), scopes: {} }));
      expect(again).toEqual({ group, created: false });
      expect(await store.getGroup("missing")).toBeNull();
    });

    test("addGroupMembers - appends new members in order, keeps addedAt of existing ones, moves updatedAt", async () => {
      await store.createGroup(makeGroup("eng", { members: [member("alice", 0)] }));
      const added = await store.addGroupMembers("eng", ["carol", "alice", "bob", "carol"], at(5));
      expect(added?.members).toEqual([member("alice", 0), member("carol", 5), member("bob", 5)]);
      expect(added?.updatedAt).toEqual(at(5));
      expect(added?.createdAt).toEqual(at(0));
      const none = await store.addGroupMembers("eng", ["alice"], at(7));
      expect(none?.updatedAt).toEqual(at(5));
      expect(await store.addGroupMembers("missing", ["x"], at(1))).toBeNull();
      expect(await store.getGroup("missing")).toBeNull();
    });

    test("removeGroupMembers - removes the listed members, ignores others, moves updatedAt only on a change", async () => {
      await store.createGroup(makeGroup("eng", { members: [member("alice", 0), member("bob", 0), member("carol", 0)] }));
      const removed = await store.removeGroupMembers("eng", ["bob", "nobody"], at(3));
      expect(removed?.members).toEqual([member("alice", 0), member("carol", 0)]);
      expect(removed?.updatedAt).toEqual(at(3));
      expect((await store.removeGroupMembers("eng", ["nobody"], at(4)))?.updatedAt).toEqual(at(3));
      expect(await store.removeGroupMembers("missing", ["alice"], at(1))).toBeNull();
      // Re-added: a new addedAt, at the end.
      expect((await store.addGroupMembers("eng", ["bob"], at(6)))?.members.map((m) => m.id)).toEqual(["alice", "carol", "bob"]);
    });

    test("deleteGroup - removes the group and its memberships; false if there was none", async () => {
      await store.createGroup(makeGroup("eng", { members: [member("alice", 0)] }));
      expect(await store.deleteGroup("eng")).toBe(true);
      expect(await store.deleteGroup("eng")).toBe(false);
      expect(await store.getGroup("eng")).toBeNull();
      expect(await collectGroups(store, { userId: "alice" })).toEqual([]);
      // The id is free again, with no members left over.
      await store.createGroup(makeGroup("eng"));
      expect((await store.getGroup("eng"))?.members).toEqual([]);
    });

    test("listGroups - by id in code point order, paged without skips or repeats, filtered by user and organization", async () => {
      const ids = ["b", "a", "é", "😀", "\uFFFF", "c-1", "c", "Z"];
      for (const i of shuffledIndexes(ids.length)) {
        const id = ids[i]!;
        await store.createGroup(
          makeGroup(id, { organizationId: i % 2 === 0 ? "even" : "odd", members: i % 3 === 0 ? [member("alice", 0)] : [] }),
        );
      }
      const sorted = ["Z", "a", "b", "c", "c-1", "é", "\uFFFF", "😀"];
      for (const limit of [1, 2, 3, 100]) {
        expect((await collectGroups(store, {}, limit)).map((g) => g.id)).toEqual(sorted);
      }
      const alice = ids.filter((_, i) => i % 3 === 0);
      expect((await collectGroups(store, { userId: "alice" }, 1)).map((g) => g.id)).toEqual(sorted.filter((id) => alice.includes(id)));
      const even = ids.filter((_, i) => i % 2 === 0);
      expect((await collectGroups(store, { organizationId: "even" }, 2)).map((g) => g.id)).toEqual(
        sorted.filter((id) => even.includes(id)),
      );
      expect((await collectGroups(store, { organizationId: "even", userId: "alice" }, 1)).map((g) => g.id)).toEqual(
        sorted.filter((id) => even.includes(id) && alice.includes(id)),
      );
      expect(await collectGroups(store, { userId: "nobody" })).toEqual([]);
    });

    test("listGroups - a page resumes after its cursor's group even if that group was deleted", async () => {
      for (const id of ["a", "b", "c", "d"]) await store.createGroup(makeGroup(id));
      const first = await store.listGroups({ limit: 2 });
      expect(first.groups.map((g) => g.id)).toEqual(["a", "b"]);
      await store.deleteGroup("b");
      await store.createGroup(makeGroup("aa"));
      const second = await store.listGroups({ limit: 2, cursor: first.nextCursor! });
      expect(second.groups.map((g) => g.id)).toEqual(["c", "d"]);
      expect(second.nextCursor).toBeNull();
    });

    test("listGroups - a cursor the store did not issue is rejected with ERR_INVALID_CURSOR", async () => {
      await expect(store.listGroups({ limit: 10, cursor: "not-a-cursor" })).rejects.toMatchObject({ code: "ERR_INVALID_CURSOR" });
    });

    test("listGroups - a limit below 1 or not an integer is refused, as list refuses it", async () => {
      for (const limit of [0, -1, 1.5, Number.NaN]) await expect(store.listGroups({ limit })).rejects.toThrow();
    });

    test("reserved ids - __proto__ and friends are ordinary group and member ids", async () => {
      for (const id of RESERVED_IDS) {
        await store.createGroup(makeGroup(id, { members: RESERVED_IDS.map((m) => member(m, 0)) }));
      }
      const got = await store.getGroup("__proto__");
      expect(got?.members.map((m) => m.id)).toEqual([...RESERVED_IDS]);
      expect((await collectGroups(store, { userId: "constructor" })).length).toBe(RESERVED_IDS.length);
      expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    });

    test("copies - mutating a returned group never changes the store", async () => {
      const created = await store.createGroup(makeGroup("eng", { members: [member("alice", 0)] }));
      created.group.members.push(member("mallory", 1));
      created.group.createdAt.setTime(0);
      const read = await store.getGroup("eng");
      read!.members[0]!.id = "mallory";
      expect(await store.getGroup("eng")).toEqual(makeGroup("eng", { members: [member("alice", 0)] }));
    });

    test("assert - a failing member-limit check writes nothing", async () => {
      const refuse = (count: number) => {
        if (count > 2) throw new Error(`too many: ${count}`);
      };
      await expect(
        store.createGroup(makeGroup("big", { members: [member("a", 0), member("b", 0), member("c", 0)] }), { assert: refuse }),
      ).rejects.toThrow("too many: 3");
      expect(await store.getGroup("big")).toBeNull();
      await store.createGroup(makeGroup("eng", { members: [member("a", 0)] }), { assert: refuse });
      await expect(store.addGroupMembers("eng", ["b", "c"], at(1), { assert: refuse })).rejects.toThrow("too many: 3");
      expect((await store.getGroup("eng"))?.members).toEqual([member("a", 0)]);
      expect((await store.addGroupMembers("eng", ["a", "b"], at(1), { assert: refuse }))?.members.length).toBe(2);
    });

    test("concurrency - concurrent additions of different members to one group never lose each other", async () => {
      await store.createGroup(makeGroup("eng"));
      const ids = Array.from({ length: 20 }, (_, i) => `u${i}`);
      await Promise.all(ids.map((id, i) => store.addGroupMembers("eng", [id], at(i))));
      const members = (await store.getGroup("eng"))!.members.map((m) => m.id);
      expect([...members].sort()).toEqual([...ids].sort());
    });
  });
}
