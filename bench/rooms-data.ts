/**
 * The rooms the listing and store benches fill their stores with, the same
 * at every run (a seeded PRNG), so each bench compares like with like.
 */
import type { RoomPermission } from "../src/index.js";
import type { RoomData } from "../src/storage/types.js";

/** A user in ~1% of the rooms of {@link makeRooms}. */
export const TARGET_USER = "user-target";
/** A group in ~1% of the rooms of {@link makeRooms}. */
export const TARGET_GROUP = "group-target";
const WRITE: RoomPermission = ["*:write"];

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
