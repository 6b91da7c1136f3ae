/**
 * MemoryStore listing cost: a filtered page should cost what it returns, not
 * the number of rooms (target: 100k rooms ≤ 1.5× the time of 10k rooms).
 * Baselines filter a plain newest-first array of the same rooms linearly.
 *
 *   npx vitest bench --run bench/rooms.bench.ts
 */
import { bench, describe } from "vitest";
import { Liveblocks } from "../src/liveblocks/index.js";
import { MemoryStore } from "../src/stores/memory/store.js";
import type { RoomData, RoomFilter } from "../src/rooms/types.js";
import { TARGET_GROUP, TARGET_USER, makeRooms } from "./rooms-data.js";

const LIMIT = 20;

type Fixture = { store: MemoryStore; newestFirst: RoomData[]; middleCursor: Record<string, string> };

const filters: Record<string, RoomFilter> = {
  userId: { userId: TARGET_USER },
  groupIds: { groupIds: [TARGET_GROUP, "group-1"] },
  metadata: { metadata: [["status", "open"]] },
};

async function fixture(count: number): Promise<Fixture> {
  const rooms = makeRooms(count);
  const store = new MemoryStore();
  for (const room of rooms) await store.create(room);
  // A cursor halfway through each filter's matches, for "deep page" runs.
  const middleCursor: Record<string, string> = {};
  for (const [name, filter] of Object.entries(filters)) {
    let cursor: string | undefined;
    let pages = 0;
    const total = rooms.filter((room) => matches(room, filter)).length;
    while (pages * LIMIT < total / 2) {
      const page = await store.list(cursor === undefined ? { filter, limit: LIMIT } : { filter, limit: LIMIT, cursor });
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
      pages++;
    }
    if (cursor !== undefined) middleCursor[name] = cursor;
  }
  return { store, newestFirst: [...rooms].reverse(), middleCursor };
}

/** What a store without indexes does: test every room, then take a page. */
function matches(room: RoomData, filter: RoomFilter): boolean {
  if (filter.userId !== undefined || filter.groupIds !== undefined) {
    const byUser = filter.userId !== undefined && Object.hasOwn(room.usersAccesses, filter.userId);
    if (!byUser && !(filter.groupIds ?? []).some((g) => Object.hasOwn(room.groupsAccesses, g))) return false;
  }
  for (const [key, value] of filter.metadata ?? []) {
    const actual = room.metadata[key];
    if (actual !== value && !(Array.isArray(actual) && actual.includes(value))) return false;
  }
  return true;
}

/** Long enough runs and warm-up that JIT and GC noise stay below the 1.5× target. */
const options = { time: 1500, warmupTime: 300, warmupIterations: 500 };

const small = await fixture(10_000);
const large = await fixture(100_000);

for (const [name, filter] of Object.entries(filters)) {
  describe(`list ${name}, first page of ${LIMIT}`, () => {
    bench(
      "MemoryStore, 10k rooms",
      async () => {
        await small.store.list({ filter, limit: LIMIT });
      },
      options,
    );
    bench(
      "MemoryStore, 100k rooms",
      async () => {
        await large.store.list({ filter, limit: LIMIT });
      },
      options,
    );
    bench("linear array filter, 10k rooms", () => {
      small.newestFirst.filter((room) => matches(room, filter)).slice(0, LIMIT);
    });
    bench("linear array filter, 100k rooms", () => {
      large.newestFirst.filter((room) => matches(room, filter)).slice(0, LIMIT);
    });
  });

  describe(`list ${name}, a page halfway through the matches`, () => {
    bench(
      "MemoryStore, 10k rooms",
      async () => {
        await small.store.list({ filter, limit: LIMIT, cursor: small.middleCursor[name] as string });
      },
      options,
    );
    bench(
      "MemoryStore, 100k rooms",
      async () => {
        await large.store.list({ filter, limit: LIMIT, cursor: large.middleCursor[name] as string });
      },
      options,
    );
  });
}

// The same stores behind the facade: what an application's getRooms costs,
// validation and filter building included.
const smallFacade = new Liveblocks({ secret: "sk_bench_rooms_0123456789abcdefghij", store: small.store });
const largeFacade = new Liveblocks({ secret: "sk_bench_rooms_0123456789abcdefghij", store: large.store });

describe(`Liveblocks.getRooms({ userId }), page of ${LIMIT}`, () => {
  bench(
    "getRooms, MemoryStore, 10k rooms",
    async () => {
      await smallFacade.getRooms({ userId: TARGET_USER, limit: LIMIT });
    },
    options,
  );
  bench(
    "getRooms, MemoryStore, 100k rooms",
    async () => {
      await largeFacade.getRooms({ userId: TARGET_USER, limit: LIMIT });
    },
    options,
  );
  bench("linear array filter, 100k rooms", () => {
    large.newestFirst.filter((room) => matches(room, filters.userId!)).slice(0, LIMIT);
  });
});
