/**
 * list: newest-first order and keyset pagination that skips and repeats nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { RoomData, RoomStore } from "../../rooms/types.js";
import { compareIds } from "../../rooms/order.js";
import { at, ids, makeRoom, newestFirst, shuffledIndexes } from "./helpers.js";

/** Registers these conformance tests over `getStore()`, the store of the current test. */
export function describePaging(getStore: () => RoomStore): void {
  let store: RoomStore;
  beforeEach(() => {
    store = getStore();
  });

  describe("list - ordering and pagination", () => {
    it("list - an empty store resolves to an empty last page", async () => {
      expect(await store.list({ filter: {}, limit: 20 })).toEqual({ rooms: [], nextCursor: null });
    });

    it("list - returns rooms newest first", async () => {
      for (const [id, second] of [
        ["b", 2],
        ["a", 3],
        ["c", 1],
      ] as const) {
        await store.create(makeRoom(id, { createdAt: at(second) }));
      }
      expect(await ids(store, {})).toEqual(["a", "b", "c"]);
    });

    it("list - breaks createdAt ties by id descending", async () => {
      for (const id of ["b", "a", "c", "B", "ab"]) await store.create(makeRoom(id, { createdAt: at(1) }));
      await store.create(makeRoom("z", { createdAt: at(0) }));
      expect(await ids(store, {})).toEqual(["c", "b", "ab", "a", "B", "z"]);
    });

    it("list - breaks ties among non-ASCII ids in code point order, also across pages", async () => {
      // UTF-16 order would put "😀" (a surrogate pair) before U+E000 and U+FFFF.
      const tied = ["a", "\uE000", "\uFFFF", "😀", "é", "\uD7FF", "a😀", "a\uFFFF"];
      for (const id of tied) await store.create(makeRoom(id, { createdAt: at(1) }));
      const expected = [...tied].sort((a, b) => compareIds(b, a));
      expect(expected.slice(0, 3)).toEqual(["😀", "\uFFFF", "\uE000"]);
      expect(await ids(store, {})).toEqual(expected);
      expect(await ids(store, {}, 1)).toEqual(expected);
      expect(await ids(store, { roomIdPrefix: "a" }, 1)).toEqual(["a😀", "a\uFFFF", "a"]);
    });

    it("list - pages of 10 over 57 rooms skip and repeat nothing", async () => {
      const rooms = Array.from({ length: 57 }, (_, i) =>
        makeRoom(`room-${String(i).padStart(2, "0")}`, { createdAt: at(Math.floor(i / 3)) }),
      );
      // Created in a shuffled order: the order must come from the data.
      for (const i of shuffledIndexes(rooms.length)) await store.create(rooms[i] as RoomData);
      const sizes: number[] = [];
      let cursor: string | undefined;
      const seen: string[] = [];
      for (;;) {
        const page = await store.list({ filter: {}, limit: 10, ...(cursor === undefined ? {} : { cursor }) });
        sizes.push(page.rooms.length);
        seen.push(...page.rooms.map((room) => room.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(sizes).toEqual([10, 10, 10, 10, 10, 7]);
      expect(seen).toEqual([...rooms].sort(newestFirst).map((room) => room.id));
    });

    it("list - the last full page has no nextCursor", async () => {
      for (let i = 0; i < 20; i++) await store.create(makeRoom(`r${i}`, { createdAt: at(i) }));
      const first = await store.list({ filter: {}, limit: 10 });
      expect(first.nextCursor).not.toBeNull();
      const second = await store.list({ filter: {}, limit: 10, cursor: first.nextCursor as string });
      expect(second.rooms).toHaveLength(10);
      expect(second.nextCursor).toBeNull();
    });

    it("list - limit 1 walks every room", async () => {
      for (let i = 0; i < 7; i++) await store.create(makeRoom(`r${i}`, { createdAt: at(i % 2) }));
      expect(await ids(store, {}, 1)).toEqual(["r5", "r3", "r1", "r6", "r4", "r2", "r0"]);
    });

    it("list - rooms created and deleted between pages are neither skipped nor repeated", async () => {
      const rooms = Array.from({ length: 57 }, (_, i) =>
        makeRoom(`room-${String(i).padStart(2, "0")}`, { createdAt: at(100 + Math.floor(i / 2)) }),
      );
      for (const room of rooms) await store.create(room);
      const ordered = [...rooms].sort(newestFirst).map((room) => room.id);

      const seen: string[] = [];
      const first = await store.list({ filter: {}, limit: 10 });
      seen.push(...first.rooms.map((room) => room.id));
      expect(seen).toEqual(ordered.slice(0, 10));

      // The cursor's own room goes away, as do two rooms not seen yet.
      const deletedUnseen = [ordered[20] as string, ordered[45] as string];
      await store.delete(ordered[9] as string);
      for (const id of deletedUnseen) await store.delete(id);
      // Rooms sorting before the cursor (newer, or same time and a greater
      // id) are not part of this walk; rooms after it must show up.
      const cursorTime = (rooms.find((room) => room.id === ordered[9]) as RoomData).createdAt;
      const before = [makeRoom("newer-1", { createdAt: at(1000) }), makeRoom(`${ordered[9]}z`, { createdAt: cursorTime })];
      const after = [
        makeRoom("older-1", { createdAt: at(1) }),
        makeRoom("middle-1", { createdAt: at(115) }),
        makeRoom(`${ordered[10]}a`, { createdAt: cursorTime }),
      ];
      for (const room of [...before, ...after]) await store.create(room);

      let cursor = first.nextCursor;
      while (cursor !== null) {
        const page = await store.list({ filter: {}, limit: 10, cursor });
        seen.push(...page.rooms.map((room) => room.id));
        cursor = page.nextCursor;
        // Keep changing things while paging.
        await store.create(makeRoom(`late-newer-${seen.length}`, { createdAt: at(2000) }));
      }

      const firstPage = new Set(ordered.slice(0, 10));
      const rest = [...rooms, ...after]
        .filter((room) => !firstPage.has(room.id) && !deletedUnseen.includes(room.id))
        .sort(newestFirst)
        .map((room) => room.id);
      expect(seen).toEqual([...ordered.slice(0, 10), ...rest]);
    });

    it("list - a malformed cursor rejects with InvalidCursorError", async () => {
      await store.create(makeRoom("r"));
      for (const cursor of ["not a cursor!", "%%%", "eyJ4IjoxfQ", "null"]) {
        // By code, not instanceof: a store may come from another copy of roomgate.
        await expect(store.list({ filter: {}, limit: 10, cursor })).rejects.toMatchObject({
          code: "ERR_INVALID_CURSOR",
          message: "Invalid cursor",
        });
      }
    });

    it("list - a cursor of one filter keeps its position under another", async () => {
      for (let i = 0; i < 6; i++) {
        const usersAccesses: RoomData["usersAccesses"] = i % 2 === 0 ? { alice: ["*:read"] } : {};
        await store.create(makeRoom(`r${i}`, { createdAt: at(i), usersAccesses }));
      }
      const first = await store.list({ filter: {}, limit: 2 });
      expect(first.rooms.map((room) => room.id)).toEqual(["r5", "r4"]);
      const cursor = first.nextCursor as string;
      const next = await store.list({ filter: { userId: "alice" }, limit: 10, cursor });
      expect(next.rooms.map((room) => room.id)).toEqual(["r2", "r0"]);
    });
  });
}
