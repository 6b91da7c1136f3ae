/**
 * The audit trail of `MemoryStore`: a bounded ring of the newest entries
 * (`audit.maxEntries`, default 10,000), written by the store's journal in
 * each write's atomic section. Not durable: it goes with the process.
 */
import {
  type AuditDetails,
  type AuditOption,
  auditSettings,
  type AuditPage,
  type AuditQuery,
  auditAfter,
  auditCursor,
  auditDetailsOf,
  auditEntryOf,
  auditRecordOf,
  matchesAuditQuery,
} from "../../rooms/audit.js";
import { assertPageLimit } from "../../rooms/cursor.js";
import type { JournalEntry } from "../../rooms/journal.js";
import type { StoreReadOptions } from "../../rooms/types.js";

/** Default size of the memory store's ring. */
const DEFAULT_MAX_ENTRIES = 10_000;

type Slot = {
  seq: number;
  at: number;
  actor: string;
  type: string;
  roomId: string | null;
  newRoomId: string | null;
  userId: string | null;
  groupId: string | null;
  /** Kept as JSON: a caller's entry is parsed anew, so nobody shares the stored one. */
  details: string;
};

/**
 * The ring. `append` is the store's journal writer; `getAuditLog` reads it
 * newest first, skipping entries older than `maxAgeMs`.
 *
 * @example
 * ```ts
 * const audit = new MemoryAuditLog({ maxEntries: 1000 }, Date.now);
 * store.registerJournalWriter(audit.append);
 * ```
 */
export class MemoryAuditLog {
  readonly #ring: (Slot | undefined)[];
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #seq = 0;

  constructor(settings: { maxEntries?: number; maxAgeMs?: number }, now: () => number) {
    this.#ring = new Array<Slot | undefined>(settings.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.#maxAgeMs = settings.maxAgeMs ?? Infinity;
    this.#now = now;
  }

  /** Appends the audit entry of `entry`, overwriting the oldest once the ring is full. */
  readonly append = (entry: JournalEntry): void => {
    const record = auditRecordOf(entry);
    const seq = ++this.#seq;
    this.#ring[(seq - 1) % this.#ring.length] = {
      seq,
      at: record.at.getTime(),
      actor: record.actor,
      type: record.type,
      roomId: record.roomId ?? null,
      newRoomId: record.newRoomId ?? null,
      userId: record.userId ?? null,
      groupId: record.groupId ?? null,
      details: JSON.stringify(auditDetailsOf(record)),
    };
  };

  /** One page of entries matching `query`, newest first. */
  async getAuditLog(query: AuditQuery, options?: StoreReadOptions): Promise<AuditPage> {
    options?.signal?.throwIfAborted();
    assertPageLimit(query.limit);
    const after = auditAfter(query.cursor);
    const oldestKept = this.#now() - this.#maxAgeMs;
    const entries: AuditPage["entries"] = [];
    const first = Math.max(1, this.#seq - this.#ring.length + 1);
    for (let seq = Math.min(this.#seq, (after ?? Infinity) - 1); seq >= first; seq--) {
      const slot = this.#ring[(seq - 1) % this.#ring.length] as Slot;
      if (slot.at < oldestKept) continue;
      const entry = auditEntryOf(slot.seq, slot, JSON.parse(slot.details) as AuditDetails);
      if (!matchesAuditQuery(entry, query)) continue;
      // One match beyond the page proves there is a next page.
      if (entries.length === query.limit) return { entries, nextCursor: auditCursor(Number(entries[entries.length - 1]!.id)) };
      entries.push(entry);
    }
    return { entries, nextCursor: null };
  }
}
