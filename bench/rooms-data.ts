/**
 * The rooms the listing and store benches fill their stores with, the same
 * at every run (a seeded PRNG), so each bench compares like with like.
 */
import type { RoomPermission } from "../src/index.js";
import type { RoomData } from "../src/rooms/types.js";

/** A user in ~1% of the rooms of {@link makeRooms}. */
export const TARGET_USER = "user-target";
/** A group in ~1% of the rooms of {@link makeRooms}. */
export const TARGET_GROUP = "group-target";
const WRITE: RoomPermission = ["*:write"];
const ROOM_WRITE: RoomPermission = ["room:write"];
const ROOM_READ: RoomPermission = ["room:read"];

/** Deterministic PRNG (mulberry32), so every run works on the same inputs. */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` rooms, one per second: three random users among 5000 and the
 * target user in ~1%; two random groups among 500 and the target group in
 * ~1%; `status: "open"` in ~1%, two tags of 50.
 */
export function makeRooms(count: number): RoomData[] {
  const next = random(count);
  const pick = (n: number) => Math.floor(next() * n);
  return Array.from({ length: count }, (_, i) => {
    const usersAccesses: Record<string, RoomPermission> = Object.create(null);
    for (let k = 0; k < 3; k++) usersAccesses[`user-${pick(5000)}`] = WRITE;
    if (next() < 0.01) usersAccesses[TARGET_USER] = WRITE;
    const groupsAccesses: Record<string, RoomPermission> = Object.create(null);
    for (let k = 0; k < 2; k++) groupsAccesses[`group-${pick(500)}`] = WRITE;
    if (next() < 0.01) groupsAccesses[TARGET_GROUP] = WRITE;
    const metadata: Record<string, string | string[]> = Object.create(null);
    metadata["status"] = next() < 0.01 ? "open" : `status-${pick(20)}`;
    metadata["tags"] = [`tag-${pick(50)}`, `tag-${pick(50)}`];
    return {
      type: "room",
      id: `room-${i}`,
      createdAt: new Date(Date.UTC(2024, 0, 1) + i * 1000),
      organizationId: "default",
      defaultAccesses: [],
      usersAccesses,
      groupsAccesses,
      metadata,
    };
  });
}

/**
 * The rooms of issue 12's table: `count` rooms, one per second, each with
 * 5 users (of 5000), 2 groups (of 500) and 2 metadata keys. About 1% have `user-target`, 1%
 * `group-target`, 1% `status: "open"`. `user-overlap` (1%) and
 * `kind: "rare"` (1%) share exactly 5 rooms at every size (rare overlap).
 * Exactly 10 rooms have ids starting with `special:`.
 */
export function makeIssueRooms(count: number): RoomData[] {
  const next = random(count);
  const pick = (n: number) => Math.floor(next() * n);
  const specials = new Set(Array.from({ length: 10 }, (_, k) => Math.floor(((k + 0.5) * count) / 10)));
  const overlap = new Set(Array.from({ length: 5 }, (_, k) => Math.floor(((k + 0.25) * count) / 5)));
  return Array.from({ length: count }, (_, i) => {
    const usersAccesses: Record<string, RoomPermission> = {};
    while (Object.keys(usersAccesses).length < 5) usersAccesses[`user-${pick(5000)}`] = ROOM_WRITE;
    if (next() < 0.01) usersAccesses["user-target"] = ROOM_WRITE;
    const groupsAccesses: Record<string, RoomPermission> = {};
    while (Object.keys(groupsAccesses).length < 2) groupsAccesses[`group-${pick(500)}`] = ROOM_READ;
    if (next() < 0.01) groupsAccesses["group-target"] = ROOM_READ;
    const metadata: Record<string, string> = { status: next() < 0.01 ? "open" : `status-${pick(20)}`, kind: `kind-${pick(50)}` };
    // user-overlap and kind "rare" on disjoint 1% slices, plus both on the overlap rooms.
    const slice = next();
    if (overlap.has(i)) {
      usersAccesses["user-overlap"] = ROOM_WRITE;
      metadata["kind"] = "rare";
    } else if (slice < 0.01) usersAccesses["user-overlap"] = ROOM_WRITE;
    else if (slice < 0.02) metadata["kind"] = "rare";
    return {
      type: "room",
      id: specials.has(i) ? `special:${i}` : `room-${i}`,
      createdAt: new Date(Date.UTC(2024, 0, 1) + i * 1000),
      organizationId: "default",
      defaultAccesses: [],
      usersAccesses,
      groupsAccesses,
      metadata,
    };
  });
}
