/**
 * `SqliteStore.listAccessible` as one SQL statement: the union of ordered
 * walks, each stopped at the page size, over the three kinds of rooms an
 * identity may enter (rooms whose default is not empty, on the partial
 * index `rooms_public`; the user's entries; each group's entries, on their
 * `(id, created_at, room_id)` indexes), with the other filters inside each
 * walk; then the newest of their union. A page reads at most
 * `(groups + 2) × (limit + 1)` index entries past the cursor, whatever the
 * number of rooms. A walk keeps a row only if its list holds a base scope,
 * so the answer is exactly what `resolveAccess` lets the identity enter.
 */
import { BASE_SCOPES } from "../../permissions/enterable.js";
import type { SortKey } from "../../rooms/order.js";
import type { AccessibleBy, RoomFilter } from "../../rooms/types.js";
import { roomConditions } from "./query.js";

/** The schema change the statement needs: the rooms whose default is not empty, in listing order. */
export const PUBLIC_ROOMS_INDEX = "CREATE INDEX rooms_public ON rooms (created_at, id) WHERE default_accesses <> '[]'";

/** `list` holds a base scope (scopes are stored as JSON arrays of strings). */
const GRANTS = (list: string) =>
  `EXISTS (SELECT 1 FROM json_each(${list}) WHERE value IN (${BASE_SCOPES.map((s) => `'${s}'`).join(", ")}))`;

/**
 * The statement selecting up to `limit` rooms matching `filter` that
 * `who` may enter, strictly after `after`, newest first; the same columns
 * as `listStatement`.
 *
 * @example
 * ```ts
 * const { sql, params } = accessibleStatement(filter, who, after, limit + 1);
 * ```
 */
export function accessibleStatement(
  filter: RoomFilter,
  who: AccessibleBy,
  after: SortKey | undefined,
  limit: number,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const arms: string[] = [];
  // Rooms whose default grants entry: the partial index, walked newest first.
  arms.push(
    arm("rooms r", ["r.default_accesses <> '[]'", GRANTS("r.default_accesses")], [], "r.created_at", "r.id", filter, after, limit, params),
  );
  arms.push(
    arm(
      "room_users d JOIN rooms r ON r.id = d.room_id",
      ["d.user_id = ?", GRANTS("d.scopes")],
      [who.userId],
      "d.created_at",
      "d.room_id",
      filter,
      after,
      limit,
      params,
    ),
  );
  for (const groupId of new Set(who.groupIds)) {
    arms.push(
      arm(
        "room_groups d JOIN rooms r ON r.id = d.room_id",
        ["d.group_id = ?", GRANTS("d.scopes")],
        [groupId],
        "d.created_at",
        "d.room_id",
        filter,
        after,
        limit,
        params,
      ),
    );
  }
  params.push(limit);
  const sql =
    "SELECT r.id, r.created_at, r.last_connection_at, r.organization_id, r.default_accesses " +
    // UNION drops a room reached by two walks.
    `FROM (${arms.join(" UNION ")}) c JOIN rooms r ON r.id = c.id ORDER BY c.created_at DESC, c.id DESC LIMIT ?`;
  return { sql, params };
}

/** One walk: `from` filtered by `own` (with `ownParams`) and `filter`, after the cursor, newest first, at most `limit`. */
function arm(
  from: string,
  own: readonly string[],
  ownParams: readonly unknown[],
  time: string,
  id: string,
  filter: RoomFilter,
  after: SortKey | undefined,
  limit: number,
  params: unknown[],
): string {
  const where = [...own];
  params.push(...ownParams);
  where.push(...filterConditions(filter, params));
  if (after !== undefined) {
    where.push(`(${time}, ${id}) < (?, ?)`);
    params.push(after.ms, after.id);
  }
  params.push(limit);
  return `SELECT * FROM (SELECT ${time} AS created_at, ${id} AS id FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${time} DESC, ${id} DESC LIMIT ?)`;
}

/** The conditions of `filter` on `rooms r`, as `listStatement` has them. */
function filterConditions(filter: RoomFilter, params: unknown[]): string[] {
  const where = roomConditions(filter, params);
  const groupIds = [...new Set(filter.groupIds ?? [])];
  if (filter.userId !== undefined || groupIds.length > 0) {
    const either: string[] = [];
    if (filter.userId !== undefined) {
      either.push("EXISTS (SELECT 1 FROM room_users u WHERE u.room_id = r.id AND u.user_id = ?)");
      params.push(filter.userId);
    }
    if (groupIds.length > 0) {
      either.push(`EXISTS (SELECT 1 FROM room_groups g WHERE g.room_id = r.id AND g.group_id IN (${groupIds.map(() => "?").join(", ")}))`);
      params.push(...groupIds);
    }
    where.push(`(${either.join(" OR ")})`);
  }
  for (const [key, value] of filter.metadata ?? []) {
    where.push("EXISTS (SELECT 1 FROM room_metadata m WHERE m.room_id = r.id AND m.key = ? AND m.value = ?)");
    params.push(key, value);
  }
  return where;
}
