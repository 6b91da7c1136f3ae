/**
 * `PostgresStore.listAccessible` as one SQL statement: the union of three
 * walks, each with the other filters and stopped at the page size: rooms
 * whose default grants entry (the partial index `rooms_public`, read newest
 * first), rooms where the user's entry does, rooms where one of the
 * groups' entries does (both through the GIN indexes of the access maps,
 * so these two cost the user's and the groups' rooms, never all rooms);
 * then the newest of their union. A walk keeps a room only if its list
 * holds a base scope (`?|`), so the answer is exactly what `resolveAccess`
 * lets the identity enter.
 */
import { BASE_SCOPES } from "../../permissions/enterable.js";
import type { SortKey } from "../../rooms/order.js";
import type { AccessibleBy, RoomFilter } from "../../rooms/types.js";
import { ROOM_COLUMNS, filterSql } from "./rows.js";

/** The base scopes as a text[] literal: the same expression in the index and the query, so the planner matches them. */
const BASES = `'{${BASE_SCOPES.map((scope) => `"${scope}"`).join(",")}}'::text[]`;

/** The schema change the statement needs, for `rooms` of schema `s` (quoted). */
export function publicRoomsIndex(s: string): string {
  return `CREATE INDEX rooms_public ON ${s}.rooms (created_at DESC, id DESC) WHERE default_accesses ?| ${BASES}`;
}

/**
 * The statement selecting up to `limit` rooms of `rooms` (a quoted table
 * name) matching `filter` that `who` may enter, strictly after `after`,
 * newest first.
 *
 * @example
 * ```ts
 * const { sql, params } = accessibleStatement(tables.rooms, filter, who, after, limit + 1);
 * ```
 */
export function accessibleStatement(
  rooms: string,
  filter: RoomFilter,
  who: AccessibleBy,
  after: SortKey | undefined,
  limit: number,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const arm = (own: string) => {
    const where = [own, ...filterSql(filter, params)];
    if (after !== undefined) where.push(`(created_at, id) < (${param(after.ms)}::bigint, ${param(after.id)}::text COLLATE "C")`);
    return `(SELECT id FROM ${rooms} WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ${param(limit)})`;
  };
  const arms = [arm(`default_accesses ?| ${BASES}`)];
  const user = param(who.userId);
  arms.push(arm(`users_accesses ? ${user}::text AND (users_accesses -> ${user}::text) ?| ${BASES}`));
  const groupIds = [...new Set(who.groupIds)];
  if (groupIds.length > 0) {
    const groups = param(groupIds);
    arms.push(
      arm(
        `groups_accesses ?| ${groups}::text[] AND EXISTS (SELECT 1 FROM unnest(${groups}::text[]) AS g(id) WHERE (groups_accesses -> g.id) ?| ${BASES})`,
      ),
    );
  }
  const sql =
    `SELECT ${ROOM_COLUMNS} FROM ${rooms} WHERE id IN (${arms.join(" UNION ALL ")})` +
    ` ORDER BY created_at DESC, id DESC LIMIT ${param(limit)}`;
  return { sql, params };
}
