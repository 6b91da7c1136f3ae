/**
 * `RoomStore.list` as one SQL statement: the meaning of `storage/filter.ts`
 * (`matchesFilter`) and the order of `storage/order.ts`, with every filter on
 * an index. Statements differ only by the filter's shape (which conditions,
 * how many groups), so the store caches them by their text.
 */
import type { SortKey } from "./order.js";
import type { RoomFilter } from "./types.js";

/**
 * A list statement and its parameters.
 *
 * @example
 * ```ts
 * const { sql, params } = listStatement({ userId: "alice" }, undefined, 21);
 * ```
 */
export type ListStatement = { sql: string; params: unknown[] };

/**
 * The statement selecting up to `limit` rooms matching `filter` strictly
 * after `after` in newest-first order (`created_at DESC, id DESC`, ids
 * compared as UTF-8 bytes).
 *
 * - `userId` / `groupIds`: `id IN (user's rooms UNION ALL groups' rooms)`,
 *   read from the `room_users` / `room_groups` indexes by user or group id.
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
  const where: string[] = [];
  const params: unknown[] = [];
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
  const groupIds = [...new Set(filter.groupIds ?? [])];
  if (filter.userId !== undefined || groupIds.length > 0) {
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
    where.push("(r.created_at, r.id) < (?, ?)");
    params.push(after.ms, after.id);
  }
  const sql =
    `SELECT r.id, r.created_at, r.last_connection_at, r.organization_id, r.default_accesses FROM rooms r` +
    (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
    ` ORDER BY r.created_at DESC, r.id DESC LIMIT ?`;
  params.push(limit);
  return { sql, params };
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
