/**
 * The meaning of a {@link RoomFilter}, as one predicate: what every store
 * must return, whatever index or SQL it uses to find it. Stores that filter
 * elsewhere (SQL) are tested against the same cases.
 */
import type { RoomData, RoomFilter } from "../../src/rooms/types.js";

/**
 * Does `room` match `filter`? Conditions are ANDed, except `userId` /
 * `groupIds`: the room's `usersAccesses` has the user OR its
 * `groupsAccesses` has one of the groups. A metadata condition matches a
 * string value equal to it, or an array value containing it.
 *
 * @example
 * ```ts
 * matchesFilter(room, { userId: "alice", metadata: [["status", "open"]] });
 * ```
 */
export function matchesFilter(room: RoomData, filter: RoomFilter): boolean {
  if (filter.roomId !== undefined && room.id !== filter.roomId) return false;
  if (filter.roomIdPrefix !== undefined && !room.id.startsWith(filter.roomIdPrefix)) return false;
  if (filter.organizationId !== undefined && room.organizationId !== filter.organizationId) {
    return false;
  }
  const groupIds = filter.groupIds ?? [];
  if (filter.userId !== undefined || groupIds.length > 0) {
    const byUser = filter.userId !== undefined && Object.hasOwn(room.usersAccesses, filter.userId);
    if (!byUser && !groupIds.some((groupId) => Object.hasOwn(room.groupsAccesses, groupId))) {
      return false;
    }
  }
  for (const [key, expected] of filter.metadata ?? []) {
    if (!Object.hasOwn(room.metadata, key)) return false;
    const value = room.metadata[key];
    if (value !== expected && !(Array.isArray(value) && value.includes(expected))) return false;
  }
  return true;
}
