/**
 * The entry reads of {@link PostgresStore} (a subject's rules, a room's
 * whole rules) and its opt-in entry cache: access rules per room and
 * revocation cutoffs per user, kept in process and dropped by the change
 * feed. It answers only while the feed is live (connected and caught up);
 * when the feed drops, everything is forgotten and reads go to the database.
 */
import type { PoolClient } from "pg";
import type { RoomEntryRules } from "../../rooms/types.js";
import { type RoomRow, toAccesses } from "./rows.js";
import type { Tables } from "./schema.js";

/** One bounded map, least recently used first out. `null` caches "none". */
class Lru<V> {
  readonly #map = new Map<string, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as string);
  }

  delete(key: string): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }
}

/**
 * Cached room entry data. A fill is stored only if no invalidation happened
 * since its query started (`epoch`), so a read that raced a write never
 * caches the state before it.
 */
export class EntryCache {
  readonly rooms: Lru<RoomEntryRules | null>;
  readonly revocations: Lru<number | null>;
  #epoch = 0;
  #live = false;

  constructor(maxEntries: number) {
    this.rooms = new Lru(maxEntries);
    this.revocations = new Lru(maxEntries);
  }

  /** Whether cached answers may be used (the feed is live). */
  get live(): boolean {
    return this.#live;
  }

  set live(live: boolean) {
    // Whatever changed while the feed was away is unknown: start empty.
    this.clear();
    this.#live = live;
  }

  get epoch(): number {
    return this.#epoch;
  }

  invalidateRoom(roomId: string): void {
    this.#epoch++;
    this.rooms.delete(roomId);
  }

  invalidateRevocation(userId: string): void {
    this.#epoch++;
    this.revocations.delete(userId);
  }

  clear(): void {
    this.#epoch++;
    this.rooms.clear();
    this.revocations.clear();
  }
}

/** The whole access rules of a room, deeply frozen to be cached and shared, or `null` if there is no such room. */
export async function loadRoomRules(client: PoolClient, t: Tables, roomId: string): Promise<RoomEntryRules | null> {
  const { rows } = await client.query<{ doc: RoomRow["doc"]; organization_id: string }>(
    `SELECT doc, organization_id FROM ${t.rooms} WHERE id = $1`,
    [roomId],
  );
  const doc = rows[0]?.doc;
  if (doc === undefined) return null;
  const freezeAll = (accesses: Record<string, string[]>) => {
    const map = toAccesses(accesses);
    for (const key of Object.keys(map)) Object.freeze(map[key]);
    return Object.freeze(map);
  };
  return Object.freeze({
    defaultAccesses: Object.freeze(doc.defaultAccesses),
    usersAccesses: freezeAll(doc.usersAccesses),
    groupsAccesses: freezeAll(doc.groupsAccesses),
    organizationId: rows[0]!.organization_id,
  });
}

/**
 * The room's `defaultAccesses` and only the entries of `subject`'s user id
 * and group ids, in one query that never reads the whole room; `null` for a
 * missing room. Frozen: room entry may share it.
 */
export async function loadSubjectRules(
  client: PoolClient,
  t: Tables,
  roomId: string,
  subject: { userId: string; groupIds: readonly string[] },
): Promise<RoomEntryRules | null> {
  const { rows } = await client.query<{
    default_accesses: string[];
    organization_id: string;
    user_entry: string[] | null;
    group_entries: Record<string, string[]> | null;
  }>(
    `SELECT default_accesses, organization_id,
            users_accesses -> $2::text AS user_entry,
            (SELECT jsonb_object_agg(g, groups_accesses -> g)
               FROM unnest($3::text[]) AS g WHERE groups_accesses ? g) AS group_entries
       FROM ${t.rooms} WHERE id = $1`,
    [roomId, subject.userId, [...new Set(subject.groupIds)]],
  );
  const row = rows[0];
  if (row === undefined) return null;
  const usersAccesses: Record<string, readonly string[]> = Object.create(null);
  if (row.user_entry !== null) usersAccesses[subject.userId] = Object.freeze(row.user_entry);
  const groupsAccesses = toAccesses(row.group_entries ?? {});
  return Object.freeze({
    defaultAccesses: Object.freeze(row.default_accesses),
    usersAccesses: Object.freeze(usersAccesses),
    groupsAccesses: Object.freeze(groupsAccesses),
    organizationId: row.organization_id,
  });
}
