/**
 * `RoomStore.list` as one SQL statement: the meaning of the test oracle `matchesFilter`
 * (`matchesFilter`) and the order of `rooms/order.ts`, with every filter on
 * an index. Statements differ only by the filter's shape (which conditions,
 * how many groups), so the store caches them by their text.
 */
import type { SortKey } from "../../rooms/order.js";
import type { RoomFilter } from "../../rooms/types.js";

/** A list statement and its parameters. */
type ListStatement = { sql: string; params: unknown[] };

/**
 * The statement selecting up to `limit` rooms matching `filter` strictly
 * after `after` in newest-first order (`created_at DESC, id DESC`, ids
 * compared as UTF-8 bytes).
 *
 * - `userId` alone (or one group alone): the rooms are read from that
 *   user's index, newest first, joined to `rooms`; the walk stops at `limit`.
 * - `userId` / `groupIds` otherwise: `id IN (user's rooms UNION ALL groups'
 *   rooms)`, read from the `room_users` / `room_groups` indexes.
 * - metadata pairs: one `id IN (…)` each on the `(key, value)` index (a
 *   string value is one row, an array one row per element).
 * - `roomIdPrefix`: a range on the primary key, `prefix <= id < successor`.
 *   Not `LIKE`, which ignores case and gives `%` and `_` a meaning.
 *
 * @example
 * ```ts
 * db.prepare(listStatement(filter, after, limit + 1).sql);
 * ```
 */
export function listStatement(filter: RoomFilter, after: SortKey | undefined, limit: number): ListStatement {
  const params: unknown[] = [];
  const where = roomConditions(filter, params);
  const groupIds = [...new Set(filter.groupIds ?? [])];
  // One user or one group alone: walk its index newest first and stop at `limit`.
  let from = "rooms r";
  let order = "r.created_at DESC, r.id DESC";
  let key = "(r.created_at, r.id)";
  const single =
    filter.userId !== undefined && groupIds.length === 0
      ? { table: "room_users", column: "user_id", value: filter.userId }
      : filter.userId === undefined && groupIds.length === 1
        ? { table: "room_groups", column: "group_id", value: groupIds[0] as string }
        : undefined;
  if (filter.roomId === undefined && single !== undefined) {
    from = `${single.table} d JOIN rooms r ON r.id = d.room_id`;
    where.unshift(`d.${single.column} = ?`);
    params.unshift(single.value);
    order = "d.created_at DESC, d.room_id DESC";
    key = "(d.created_at, d.room_id)";
  } else if (filter.userId !== undefined || groupIds.length > 0) {
    const sources: string[] = [];
    if (filter.userId !== undefined) {
      sources.push("SELECT room_id FROM room_users WHERE user_id = ?");
      params.push(filter.userId);
    }
    if (groupIds.length > 0) {
      sources.push(`SELECT room_id FROM room_groups WHERE group_id IN (${groupIds.map(() => "?").join(", ")})`);
      params.push(...groupIds);
    }
    where.push(`r.id IN (${sources.join(" UNION ALL ")})`);
  }
  for (const [key, value] of filter.metadata ?? []) {
    where.push("r.id IN (SELECT room_id FROM room_metadata WHERE key = ? AND value = ?)");
    params.push(key, value);
  }
  if (after !== undefined) {
    where.push(`${key} < (?, ?)`);
    params.push(after.ms, after.id);
  }
  const sql =
    `SELECT r.id, r.created_at, r.last_connection_at, r.organization_id, r.default_accesses FROM ${from}` +
    (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
    ` ORDER BY ${order} LIMIT ?`;
  params.push(limit);
  return { sql, params };
}

/**
 * The conditions of `filter` on the room row itself (`rooms r`: id, id
 * prefix, organization), their values appended to `params`; every listing
 * statement starts from these.
 */
export function roomConditions(filter: RoomFilter, params: unknown[]): string[] {
  const where: string[] = [];
  if (filter.roomId !== undefined) {
    where.push("r.id = ?");
    params.push(filter.roomId);
  }
  if (filter.roomIdPrefix !== undefined && filter.roomIdPrefix !== "") {
    where.push("r.id >= ?");
    params.push(filter.roomIdPrefix);
    const end = prefixSuccessor(filter.roomIdPrefix);
    if (end !== null) {
      where.push("r.id < ?");
      params.push(end);
    }
  }
  if (filter.organizationId !== undefined) {
    where.push("r.organization_id = ?");
    params.push(filter.organizationId);
  }
  return where;
}

/**
 * The smallest string greater than every string starting with `prefix`, in
 * code point order, or `null` if there is none (a prefix made only of
 * U+10FFFF): the last code point plus one, skipping the surrogate range,
 * after dropping trailing U+10FFFF.
 *
 * @example
 * ```ts
 * prefixSuccessor("org:"); // "org;"
 * ```
 */
export function prefixSuccessor(prefix: string): string | null {
  const points = [...prefix].map((char) => char.codePointAt(0) as number);
  while (points.length > 0) {
    const last = points.pop() as number;
    if (last === 0x10ffff) continue;
    points.push(last === 0xd7ff ? 0xe000 : last + 1);
    return String.fromCodePoint(...points);
  }
  return null;
}
