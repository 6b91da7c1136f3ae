/**
 * The cross-instance change feed of {@link PostgresStore}: every write logs a
 * row in `changes` and `NOTIFY`s its sequence number in the same transaction;
 * one dedicated listening connection per store (not from the pool) reads the
 * rows it has not delivered yet, in order. When that connection drops it
 * reconnects with backoff and catches up from the log, so nothing committed
 * meanwhile is lost.
 */
import pg from "pg";
import type { ClientConfig, Pool, PoolClient } from "pg";
import type { RoomChangeEvent, RoomData } from "../../rooms/types.js";
import { type RoomRow, rowToRoom } from "./rows.js";
import type { Tables } from "./schema.js";

/**
 * A row of `changes`, with the room as it is stored now (absent if gone);
 * `own` when this store made the change (and so already emitted it).
 */
type ChangeRow = {
  seq: number;
  /** `revoked`: a revocation cutoff moved; `roomId` is then the user id. */
  type: RoomChangeEvent["type"] | "revoked";
  roomId: string;
  room: RoomData | null;
  /** For `revoked`: the user's cutoff as stored now (epoch ms). */
  cutoff?: number;
  own: boolean;
};

/**
 * How long a missing sequence number is waited for. Sequence numbers are
 * taken at insert time but become visible at commit, so a later number can
 * be seen first; a number still missing after this long belongs to a
 * transaction that rolled back (or a pruned row) and is skipped.
 */
const GAP_WAIT_MS = 5_000;
const MAX_BACKOFF_MS = 2_000;

/** What the listener needs from its store. */
type ChangeLogListenerOptions = {
  /** Connection settings of the listening client. */
  config: ClientConfig;
  channel: string;
  /** Rows with `seq > after`, oldest first, read on the listening client. */
  read: (client: pg.Client, after: number) => Promise<ChangeRow[]>;
  /** The sequence number events start after, for a feed started at `since` (epoch ms). */
  head: (client: pg.Client, since: number) => Promise<number>;
  emit: (event: RoomChangeEvent) => void;
  /** Every row read, own ones included, before its event (cache invalidation). */
  onRow?: (row: ChangeRow) => void;
  /**
   * `true` once connected and caught up, `false` as soon as the connection
   * drops: while it is `false`, changes of other instances may go unseen.
   */
  onLive?: (live: boolean) => void;
};

/**
 * Delivers each logged change of other stores once, in sequence order,
 * while started. A store emits its own writes itself, at commit; the feed
 * recognises their rows by origin rather than by timing, since a
 * notification can be read before the write's own reply.
 */
export class ChangeLogListener {
  readonly #options: ChangeLogListenerOptions;
  #client: pg.Client | null = null;
  #running = false;
  /** Every sequence number up to here is delivered or given up. */
  #watermark: number | null = null;
  /** Numbers above the watermark already read (delivered, or own and skipped). */
  readonly #delivered = new Set<number>();
  /** When each missing number above the watermark was first noticed. */
  readonly #gaps = new Map<number, number>();
  #polling: Promise<void> | null = null;
  #pollAgain = false;
  #backoff = 50;
  #timer: NodeJS.Timeout | null = null;
  /** Increments on each connection, so callbacks of a dropped one do nothing. */
  #generation = 0;
  #startedAt = 0;

  constructor(options: ChangeLogListenerOptions) {
    this.#options = options;
  }

  /** Starts listening; returns at once, connecting in the background. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#startedAt = Date.now();
    void this.#connect();
  }

  /** Stops listening and closes the connection. Idempotent. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#generation++;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#watermark = null;
    this.#delivered.clear();
    this.#gaps.clear();
    const client = this.#client;
    this.#client = null;
    this.#options.onLive?.(false);
    if (client !== null) await client.end().catch(() => undefined);
  }

  /** The backend pid of the listening connection (for diagnostics and tests), or `null`. */
  get processId(): number | null {
    return (this.#client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    const client = new pg.Client(this.#options.config);
    // A dropped connection emits "error" and/or "end"; either one reconnects.
    const onDrop = () => this.#dropped(generation, client);
    client.on("error", onDrop);
    client.on("end", onDrop);
    client.on("notification", () => {
      if (generation === this.#generation) this.#poll();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#options.channel}"`);
      if (this.#watermark === null) {
        this.#watermark = await this.#options.head(client, this.#startedAt);
      }
    } catch {
      onDrop();
      return;
    }
    if (generation !== this.#generation) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#backoff = 50;
    // Catch up on whatever was committed while there was no listener.
    this.#poll();
    await this.#polling;
    if (generation === this.#generation && this.#client === client) this.#options.onLive?.(true);
  }

  #dropped(generation: number, client: pg.Client): void {
    if (generation !== this.#generation) return;
    this.#generation++;
    if (this.#client === client) this.#client = null;
    this.#options.onLive?.(false);
    client.end().catch(() => undefined);
    if (!this.#running) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#running) void this.#connect();
    }, delay);
    this.#timer.unref?.();
  }

  /** Reads and emits undelivered rows; one read at a time, coalescing requests. */
  #poll(): void {
    if (this.#polling !== null) {
      this.#pollAgain = true;
      return;
    }
    this.#polling = this.#readOnce()
      .catch(() => {
        // A failed read leaves the watermark alone: the reconnect re-reads.
      })
      .finally(() => {
        this.#polling = null;
        if (this.#pollAgain && this.#running) {
          this.#pollAgain = false;
          this.#poll();
        }
      });
  }

  async #readOnce(): Promise<void> {
    const client = this.#client;
    const after = this.#watermark;
    if (client === null || after === null) return;
    const rows = await this.#options.read(client, after);
    if (client !== this.#client) return;
    for (const row of rows) {
      if (this.#delivered.has(row.seq) || row.seq <= (this.#watermark ?? 0)) continue;
      this.#delivered.add(row.seq);
      this.#gaps.delete(row.seq);
      this.#options.onRow?.(row);
      if (row.own || row.type === "revoked") continue;
      // A room created or updated and then deleted before we read it: its
      // own "deleted" row follows, which is the state listeners need.
      if (row.type === "deleted") this.#options.emit({ type: "deleted", roomId: row.roomId, room: null });
      else if (row.room !== null) this.#options.emit({ type: row.type, roomId: row.roomId, room: row.room });
    }
    this.#advance(rows.length > 0 ? (rows[rows.length - 1] as ChangeRow).seq : after);
  }

  /** Moves the watermark over delivered numbers and expired gaps up to `seen`. */
  #advance(seen: number): void {
    let watermark = this.#watermark as number;
    const now = Date.now();
    while (watermark < seen || this.#delivered.has(watermark + 1)) {
      const next = watermark + 1;
      if (this.#delivered.delete(next)) {
        watermark = next;
        continue;
      }
      const since = this.#gaps.get(next);
      if (since === undefined) this.#gaps.set(next, now);
      if (since === undefined || now - since < GAP_WAIT_MS) break;
      this.#gaps.delete(next);
      watermark = next;
    }
    this.#watermark = watermark;
    // Gaps are re-read later even if no notification comes.
    if (this.#gaps.size > 0 && this.#timer === null && this.#running) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#poll();
      }, GAP_WAIT_MS);
      this.#timer.unref?.();
    }
  }
}

// --- The change log's SQL ----------------------------------------------------

/**
 * Logs `changes` in the current transaction and notifies `channel` of each
 * (delivered at commit); returns their sequence numbers, in order.
 */
export async function logChanges(
  client: PoolClient,
  t: Tables,
  channel: string,
  origin: string,
  changes: readonly [roomId: string, type: RoomChangeEvent["type"]][],
): Promise<number[]> {
  const params: unknown[] = [Date.now(), channel, origin];
  const values = changes.map(([roomId, type]) => {
    params.push(roomId, type);
    return `($${params.length - 1}, $${params.length}, $1::bigint, $3)`;
  });
  const { rows } = await client.query<{ seq: string }>(
    `WITH logged AS (INSERT INTO ${t.changes} (room_id, type, at, origin) VALUES ${values.join(", ")} RETURNING seq)
     SELECT seq, pg_notify($2, seq::text) FROM logged ORDER BY seq`,
    params,
  );
  return rows.map((row) => Number(row.seq));
}

/** The sequence number a listener started at `since` (epoch ms) delivers after. */
export async function changeHead(client: pg.Client, t: Tables, since: number): Promise<number> {
  // Start before the first change logged since subscribe(), so another
  // instance's write made while this connection was being set up is
  // still delivered (within the instances' clock skew).
  const { rows } = await client.query<{ seq: string }>(
    `SELECT coalesce((SELECT min(seq) - 1 FROM ${t.changes} WHERE at >= $1),
                     (SELECT max(seq) FROM ${t.changes}), 0) AS seq`,
    [since],
  );
  return Number(rows[0]?.seq ?? 0);
}

/** Up to 1000 logged changes after `after`, oldest first, each with the room or cutoff as stored now. */
export async function readChanges(client: pg.Client, t: Tables, after: number, origin: string): Promise<ChangeRow[]> {
  const { rows } = await client.query<RoomRow & { seq: string; type: string; room_id: string; origin: string; cutoff: string | null }>(
    `SELECT c.seq, c.type, c.room_id, c.origin, r.id, r.created_at, r.last_connection_at, r.organization_id, r.doc,
            v.issued_before AS cutoff
       FROM ${t.changes} c
       LEFT JOIN ${t.rooms} r ON c.type <> 'revoked' AND r.id = c.room_id
       LEFT JOIN ${t.revocations} v ON c.type = 'revoked' AND v.user_id = c.room_id
      WHERE c.seq > $1 ORDER BY c.seq LIMIT 1000`,
    [after],
  );
  return rows.map((row): ChangeRow => ({
    seq: Number(row.seq),
    type: row.type as ChangeRow["type"],
    roomId: row.room_id,
    room: row.id === null ? null : rowToRoom(row),
    ...(row.cutoff !== null && { cutoff: Number(row.cutoff) }),
    own: row.origin === origin,
  }));
}

/** Deletes log rows older than `before` (epoch ms), in the background: a failure only delays it. */
export function pruneChanges(pool: Pool, t: Tables, before: number): void {
  pool.query(`DELETE FROM ${t.changes} WHERE at < $1`, [before]).catch(() => undefined);
}
