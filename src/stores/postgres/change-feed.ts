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
 * A sequence number is taken when its row is inserted but becomes visible at
 * commit, so a later number can be seen first. A missing number is never
 * skipped on a timer: it is read again until the transaction that took it
 * has provably ended (every transaction id assigned when it was first missed
 * has finished: a snapshot's oldest running id has passed the next id as of
 * then); only then is it known to have rolled back, or to be a pruned row.
 * While missing, numbers are re-read this often.
 */
const GAP_RECHECK_MS = 250;
/** A number missing this long puts the store in doubt: its entry cache is not trusted until the number resolves. */
const GAP_DOUBT_MS = 2_000;
/** Most missing numbers followed at once; past it the oldest are given up (and the store is in doubt). */
const MAX_GAPS = 10_000;
const MAX_BACKOFF_MS = 2_000;
/** Default heartbeat of the listening connection. */
export const DEFAULT_HEARTBEAT_MS = 5_000;

/** What one read of the log saw: rows and the snapshot they were read in. */
export type ChangeRead = {
  rows: ChangeRow[];
  /** The snapshot's oldest running transaction id: every transaction below it has ended. */
  xmin: bigint;
  /** The snapshot's newest finished transaction id + 1 (a running one may be above it). */
  xmax: bigint;
};

/** What the listener needs from its store. */
type ChangeLogListenerOptions = {
  /** Connection settings of the listening client. */
  config: ClientConfig;
  channel: string;
  /** Rows with `seq > after` or in `missing`, oldest first, read on the listening client. */
  read: (client: pg.Client, after: number, missing: readonly number[]) => Promise<ChangeRead>;
  /** The sequence number events start after, for a feed started at `since` (epoch ms). */
  head: (client: pg.Client, since: number) => Promise<number>;
  /** An event of another store's change, with the change's sequence number. */
  emit: (event: RoomChangeEvent, seq: number) => void;
  /** Every row read, own ones included, before its event (cache invalidation). */
  onRow?: (row: ChangeRow) => void;
  /**
   * `true` once connected, caught up and sure of what it read; `false` as
   * soon as the connection drops or goes silent, or a missing number stays
   * unresolved for {@link GAP_DOUBT_MS}: while it is `false`, changes of
   * other instances may not have been seen yet.
   */
  onLive?: (live: boolean) => void;
  /**
   * How often the listening connection must answer a query (default
   * {@link DEFAULT_HEARTBEAT_MS}); one that does not answer within the same
   * time is taken as dead: a flow silently dropped by a NAT or firewall is
   * noticed within twice this, then replaced and caught up from the log.
   */
  heartbeatMs?: number;
};

/** A sequence number read as missing, and what must end before it is known to be absent. */
type Gap = { horizon: bigint; since: number };

/**
 * Delivers each logged change of other stores once, in commit order,
 * while started. A store emits its own writes itself, at commit; the feed
 * recognises their rows by origin rather than by timing, since a
 * notification can be read before the write's own reply.
 */
export class ChangeLogListener {
  readonly #options: ChangeLogListenerOptions;
  readonly #heartbeatMs: number;
  #client: pg.Client | null = null;
  #running = false;
  /** The highest sequence number read (or the head the feed started after). */
  #high: number | null = null;
  /** Numbers at or below `#high` not read yet, each with its horizon. */
  readonly #gaps = new Map<number, Gap>();
  /** Whether the last report to `onLive` was `true`. */
  #live = false;
  #polling: Promise<void> | null = null;
  #pollAgain = false;
  #backoff = 50;
  #timer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  /** Increments on each connection, so callbacks of a dropped one do nothing. */
  #generation = 0;
  #startedAt = 0;

  constructor(options: ChangeLogListenerOptions) {
    this.#options = options;
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (!(this.#heartbeatMs > 0) || !Number.isFinite(this.#heartbeatMs)) throw new RangeError("feedHeartbeatMs must be a positive number");
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
    this.#clearTimers();
    this.#high = null;
    this.#gaps.clear();
    const client = this.#client;
    this.#client = null;
    this.#report(false);
    if (client !== null) await client.end().catch(() => undefined);
  }

  /** Every row numbered at or below this has been read (0 while not started). */
  get floor(): number {
    let floor = this.#high ?? 0;
    for (const seq of this.#gaps.keys()) floor = Math.min(floor, seq - 1);
    return floor;
  }

  /** The backend pid of the listening connection (for diagnostics and tests), or `null`. */
  get processId(): number | null {
    return (this.#client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  async #connect(): Promise<void> {
    const generation = ++this.#generation;
    // TCP keepalive as well: the kernel gives up on a dead peer even when the heartbeat cannot run.
    const client = new pg.Client({ ...this.#options.config, keepAlive: true, keepAliveInitialDelayMillis: this.#heartbeatMs });
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
      if (this.#high === null) {
        this.#high = await this.#options.head(client, this.#startedAt);
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
    this.#beat(generation, client);
    // Catch up on whatever was committed while there was no listener.
    this.#poll();
    await this.#polling;
    if (generation === this.#generation && this.#client === client) this.#report(this.#sure());
  }

  /** Every heartbeat, the connection must answer within the next one, or it is destroyed and replaced. */
  #beat(generation: number, client: pg.Client): void {
    this.#heartbeat = setTimeout(() => {
      this.#heartbeat = null;
      if (generation !== this.#generation) return;
      const deadline = setTimeout(() => destroy(client), this.#heartbeatMs);
      deadline.unref?.();
      client.query("SELECT 1").then(
        () => {
          clearTimeout(deadline);
          if (generation === this.#generation) this.#beat(generation, client);
        },
        () => clearTimeout(deadline), // the "error"/"end" handlers reconnect
      );
    }, this.#heartbeatMs);
    this.#heartbeat.unref?.();
  }

  #dropped(generation: number, client: pg.Client): void {
    if (generation !== this.#generation) return;
    this.#generation++;
    if (this.#client === client) this.#client = null;
    this.#report(false);
    destroy(client);
    if (!this.#running) return;
    this.#clearTimers();
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#running) void this.#connect();
    }, delay);
    this.#timer.unref?.();
  }

  #clearTimers(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#heartbeat !== null) clearTimeout(this.#heartbeat);
    this.#timer = null;
    this.#heartbeat = null;
  }

  /** Reads and emits undelivered rows; one read at a time, coalescing requests. */
  #poll(): void {
    if (this.#polling !== null) {
      this.#pollAgain = true;
      return;
    }
    this.#polling = this.#readOnce()
      .catch(() => {
        // A failed read changes nothing: the next notification, recheck or reconnect reads again.
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
    const high = this.#high;
    if (client === null || high === null) return;
    const { rows, xmin, xmax } = await this.#options.read(client, high, [...this.#gaps.keys()]);
    if (client !== this.#client) return;
    // The horizon of numbers first missed in this read: not the snapshot's xmax, which is only the newest
    // finished id + 1 (a writer that got its id later but took its number earlier runs above it, and would
    // be taken as ended at once: its change was lost), but an id assigned after the read, above every id
    // the writers of the missing numbers hold (each takes its id before its number: it writes a row first).
    const horizon = opensGap(high, rows) ? await nextTransactionId(client) : xmax;
    if (client !== this.#client) return;
    const now = Date.now();
    let top = high;
    for (const row of rows) {
      if (row.seq > top) {
        // Every number between the last one read and this one is missing as of this snapshot.
        for (let seq = top + 1; seq < row.seq; seq++) this.#gaps.set(seq, { horizon, since: now });
        top = row.seq;
      } else if (!this.#gaps.delete(row.seq)) {
        continue; // read before (a concurrent read's row)
      }
      this.#deliver(row);
    }
    this.#high = top;
    // A number still missing once every transaction that could hold it has ended was rolled back (or pruned).
    for (const [seq, gap] of this.#gaps) if (xmin >= gap.horizon) this.#gaps.delete(seq);
    if (this.#gaps.size > MAX_GAPS) {
      for (const seq of [...this.#gaps.keys()].sort((a, b) => a - b).slice(0, this.#gaps.size - MAX_GAPS)) this.#gaps.delete(seq);
      this.#report(false);
    }
    if (rows.length >= 1000) this.#pollAgain = true;
    this.#report(this.#sure(now));
    if (this.#gaps.size > 0 && this.#timer === null && this.#running) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#poll();
      }, GAP_RECHECK_MS);
      this.#timer.unref?.();
    }
  }

  #deliver(row: ChangeRow): void {
    this.#options.onRow?.(row);
    if (row.own || row.type === "revoked") return;
    // A room created or updated and then deleted before we read it: its
    // own "deleted" row follows, which is the state listeners need.
    if (row.type === "deleted") this.#options.emit({ type: "deleted", roomId: row.roomId, room: null }, row.seq);
    else if (row.room !== null) this.#options.emit({ type: row.type, roomId: row.roomId, room: row.room }, row.seq);
  }

  /** Connected, and no number has been missing for {@link GAP_DOUBT_MS}. */
  #sure(now = Date.now()): boolean {
    if (this.#client === null) return false;
    for (const gap of this.#gaps.values()) if (now - gap.since >= GAP_DOUBT_MS) return false;
    return true;
  }

  /** Tells `onLive` of a change only, so a steady state does not clear the entry cache again. */
  #report(live: boolean): void {
    if (live === this.#live) return;
    this.#live = live;
    this.#options.onLive?.(live);
  }
}

/** Whether reading `rows` after `high` leaves a number between them unread. */
function opensGap(high: number, rows: readonly ChangeRow[]): boolean {
  let top = high;
  for (const row of rows) {
    if (row.seq > top + 1) return true;
    if (row.seq > top) top = row.seq;
  }
  return false;
}

/** A transaction id assigned now (by a transaction of its own that ends at once): every id assigned before is below it. */
async function nextTransactionId(client: pg.Client): Promise<bigint> {
  const { rows } = await client.query<{ xid: string }>("SELECT txid_current()::text AS xid");
  return BigInt(rows[0]!.xid);
}

/** Ends a client's socket at once, whether or not its peer still answers. */
function destroy(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  stream?.destroy();
  client.end().catch(() => undefined);
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

/**
 * Up to 1000 logged changes after `after` or among `missing`, oldest first,
 * each with the room or cutoff as stored now, and the snapshot they were
 * read in (one statement, so one snapshot for both).
 */
export async function readChanges(
  client: pg.Client,
  t: Tables,
  after: number,
  missing: readonly number[],
  origin: string,
): Promise<ChangeRead> {
  const { rows } = await client.query<
    Partial<RoomRow> & {
      xmin: string;
      xmax: string;
      seq: string | null;
      type: string;
      room_id: string;
      origin: string;
      cutoff: string | null;
    }
  >(
    `WITH snap AS (SELECT txid_snapshot_xmin(s)::text AS xmin, txid_snapshot_xmax(s)::text AS xmax FROM txid_current_snapshot() s),
          logged AS (
            SELECT c.seq, c.type, c.room_id, c.origin, r.id, r.created_at, r.last_connection_at, r.organization_id, r.doc,
                   v.issued_before AS cutoff
              FROM ${t.changes} c
              LEFT JOIN ${t.rooms} r ON c.type <> 'revoked' AND r.id = c.room_id
              LEFT JOIN ${t.revocations} v ON c.type = 'revoked' AND v.user_id = c.room_id
             WHERE c.seq > $1 OR c.seq = ANY($2::bigint[]) ORDER BY c.seq LIMIT 1000)
     SELECT snap.xmin, snap.xmax, logged.* FROM snap LEFT JOIN logged ON true ORDER BY logged.seq`,
    [after, missing],
  );
  const first = rows[0];
  if (first === undefined) throw new Error("the change log read returned no snapshot");
  return {
    xmin: BigInt(first.xmin),
    xmax: BigInt(first.xmax),
    rows: rows.flatMap((row): ChangeRow[] =>
      row.seq === null
        ? []
        : [
            {
              seq: Number(row.seq),
              type: row.type as ChangeRow["type"],
              roomId: row.room_id,
              room: row.id === null || row.id === undefined ? null : rowToRoom(row as RoomRow),
              ...(row.cutoff !== null && { cutoff: Number(row.cutoff) }),
              own: row.origin === origin,
            },
          ],
    ),
  };
}

/** Deletes log rows older than `before` (epoch ms), in the background: a failure only delays it. */
export function pruneChanges(pool: Pool, t: Tables, before: number): void {
  pool.query(`DELETE FROM ${t.changes} WHERE at < $1`, [before]).catch(() => undefined);
}
