/**
 * The SQLite store's webhook outbox, in the store's own file: one
 * `webhook_events` row per event, written by the journal writer inside the
 * write's `BEGIN IMMEDIATE` transaction (so it commits or rolls back with
 * the change); deliveries fanned out from it per endpoint by the engine.
 * Every operation is one immediate transaction, so engines in several
 * processes sharing the file never lease the same delivery. The tables are
 * schema migration 5 (`schema.ts`).
 */
import type { Database as Connection, Statement } from "better-sqlite3";
import type { JournalEntry } from "../../rooms/journal.js";
import { type OutboxEvent, type WebhookEventType, journalWebhookEvent } from "../../webhooks/events.js";
import {
  type ClaimedDelivery,
  type DeliveryListQuery,
  type SettledDelivery,
  type StoredWebhookEndpoint,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookOutbox,
  receives,
} from "../../webhooks/outbox.js";
import type { PruneCutoffs } from "../../webhooks/retention.js";

type EndpointRow = {
  id: string;
  url: string;
  events: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  created_at: number;
  updated_at: number;
};

type DeliveryRow = {
  rid: number;
  id: string;
  endpoint_id: string;
  event_seq: number;
  event_type: string;
  order_key: string;
  event_data: string;
  event_at: number;
  status: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: number | null;
};

const date = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

function toEndpoint(row: EndpointRow): StoredWebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events === null ? null : (JSON.parse(row.events) as WebhookEventType[]),
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretExpiresAt: date(row.previous_secret_expires_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventType: row.event_type as WebhookEventType,
    status: row.status as WebhookDeliveryStatus,
    attempts: row.attempts,
    createdAt: new Date(row.created_at),
    nextAttemptAt: date(row.next_attempt_at),
    lastAttemptAt: date(row.last_attempt_at),
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    deliveredAt: date(row.delivered_at),
  };
}

function endpointParams(e: StoredWebhookEndpoint): unknown[] {
  return [
    e.id,
    e.url,
    e.events === null ? null : JSON.stringify(e.events),
    e.secret,
    e.previousSecret,
    e.previousSecretExpiresAt?.getTime() ?? null,
    e.createdAt.getTime(),
    e.updatedAt.getTime(),
  ];
}

/** Runs synchronous work on the store's connection, with the store's busy handling (retries on timers). */
export type SqliteRunner = <T>(work: (db: Connection) => T) => Promise<T>;

/** One statement, no read first: with no endpoint the event is not kept. */
const INSERT_EVENT =
  "INSERT INTO webhook_events (type, order_key, data, at) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhook_endpoints)";

/** A {@link WebhookOutbox} in a SQLite file; `append` is the store's journal writer. */
export class SqliteWebhookOutbox implements WebhookOutbox {
  readonly #run: SqliteRunner;
  #db: Connection | null = null;
  #insertEvent: Statement | null = null;

  /** @param run Runs work on the store's connection (opened, its pragmas, its busy handling). */
  constructor(run: SqliteRunner) {
    this.#run = run;
  }

  /** The hot statement, prepared once per connection (the tables are the store's migration 5). */
  #ready(db: Connection): Statement {
    if (this.#db !== db || this.#insertEvent === null) {
      this.#db = db;
      this.#insertEvent = db.prepare(INSERT_EVENT);
    }
    return this.#insertEvent;
  }

  /** Runs `work` in an immediate transaction on the store's connection. */
  #tx<T>(work: (db: Connection) => T): Promise<T> {
    return this.#run((db) => {
      this.#ready(db);
      return db.transaction(() => work(db)).immediate();
    });
  }

  /**
   * The journal writer: the event of `entry` into `db`, inside the write's
   * transaction.
   */
  append(db: Connection, entry: JournalEntry): void {
    const event = journalWebhookEvent(entry);
    if (event === null) return;
    this.#ready(db).run(event.type, event.orderKey, JSON.stringify(event.data), event.at.getTime());
  }

  async enqueue(events: readonly OutboxEvent[]): Promise<void> {
    await this.#tx((db) => {
      const insert = this.#ready(db);
      for (const event of events) insert.run(event.type, event.orderKey, JSON.stringify(event.data), event.at.getTime());
    });
  }

  async createEndpoint(endpoint: StoredWebhookEndpoint): Promise<void> {
    await this.#tx((db) => db.prepare("INSERT INTO webhook_endpoints VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(...endpointParams(endpoint)));
  }

  async getEndpoint(id: string): Promise<StoredWebhookEndpoint | null> {
    const row = await this.#tx((db) => db.prepare("SELECT * FROM webhook_endpoints WHERE id = ?").get(id) as EndpointRow | undefined);
    return row === undefined ? null : toEndpoint(row);
  }

  async listEndpoints(): Promise<StoredWebhookEndpoint[]> {
    return (await this.#tx((db) => db.prepare("SELECT * FROM webhook_endpoints").all() as EndpointRow[])).map(toEndpoint);
  }

  async replaceEndpoint(endpoint: StoredWebhookEndpoint): Promise<boolean> {
    const [id, ...rest] = endpointParams(endpoint);
    const result = await this.#tx((db) =>
      db
        .prepare(
          `UPDATE webhook_endpoints SET url = ?, events = ?, secret = ?, previous_secret = ?, previous_secret_expires_at = ?,
           created_at = ?, updated_at = ? WHERE id = ?`,
        )
        .run(...rest, id),
    );
    return result.changes > 0;
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    return this.#tx((db) => {
      db.prepare("DELETE FROM webhook_deliveries WHERE endpoint_id = ?").run(id);
      return db.prepare("DELETE FROM webhook_endpoints WHERE id = ?").run(id).changes > 0;
    });
  }

  /** Is there anything for `sql` to find? A read, so an idle engine never takes the write lock. */
  #any(sql: string, ...params: unknown[]): Promise<boolean> {
    return this.#run((db) => {
      this.#ready(db);
      return db.prepare(sql).get(...params) !== undefined;
    });
  }

  async fanOut(now: Date, limit: number, newDeliveryId: () => string): Promise<number> {
    if (!(await this.#any("SELECT 1 FROM webhook_events LIMIT 1"))) return 0;
    return this.#tx((db) => {
      const events = db.prepare("SELECT * FROM webhook_events ORDER BY seq LIMIT ?").all(limit) as {
        seq: number;
        type: WebhookEventType;
        order_key: string;
        data: string;
        at: number;
      }[];
      if (events.length === 0) return 0;
      const endpoints = (db.prepare("SELECT * FROM webhook_endpoints").all() as EndpointRow[]).map(toEndpoint);
      const insert = db.prepare(
        `INSERT INTO webhook_deliveries (id, endpoint_id, event_seq, event_type, order_key, event_data, event_at, status, attempts, created_at, next_attempt_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      );
      for (const event of events) {
        for (const endpoint of endpoints) {
          if (!receives(endpoint, event.type)) continue;
          insert.run(
            newDeliveryId(),
            endpoint.id,
            event.seq,
            event.type,
            event.order_key,
            event.data,
            event.at,
            now.getTime(),
            now.getTime(),
          );
        }
      }
      db.prepare("DELETE FROM webhook_events WHERE seq <= ?").run((events.at(-1) as { seq: number }).seq);
      return events.length;
    });
  }

  async claim(owner: string, now: Date, leaseUntil: Date, limit: number, skip: ReadonlySet<string>): Promise<ClaimedDelivery[]> {
    const at = now.getTime();
    const due = "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ? LIMIT 1";
    if (!(await this.#any(due, at, at))) return [];
    return this.#tx((db) => {
      // The head of each (endpoint, order key) queue only: a room's next event waits for the one before.
      const rows = db
        .prepare(
          `SELECT d.* FROM webhook_deliveries d
              WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND d.lease_until <= ?
                AND d.endpoint_id NOT IN (SELECT value FROM json_each(?))
                AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                                 WHERE p.status = 'pending' AND p.endpoint_id = d.endpoint_id
                                   AND p.order_key = d.order_key AND p.event_seq < d.event_seq)
              ORDER BY d.next_attempt_at, d.event_seq LIMIT ?`,
        )
        .all(at, at, JSON.stringify([...skip]), limit) as DeliveryRow[];
      const lease = db.prepare("UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ? WHERE rid = ?");
      for (const row of rows) lease.run(owner, leaseUntil.getTime(), row.rid);
      return rows.map((row) => ({
        ...toDelivery(row),
        event: {
          type: row.event_type as WebhookEventType,
          orderKey: row.order_key,
          data: JSON.parse(row.event_data) as Record<string, unknown>,
          at: new Date(row.event_at),
        },
      }));
    });
  }

  async settle(owner: string, outcomes: readonly SettledDelivery[]): Promise<number> {
    if (outcomes.length === 0) return 0;
    return this.#tx((db) => {
      const update = db.prepare(
        `UPDATE webhook_deliveries
            SET status = ?, attempts = ?, last_attempt_at = ?, next_attempt_at = ?, last_status_code = ?, last_error = ?,
                delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END, lease_owner = NULL, lease_until = 0
          WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
      );
      let recorded = 0;
      for (const { id, outcome: o } of outcomes) {
        const at = o.at.getTime();
        recorded += update.run(
          o.status,
          o.attempts,
          at,
          o.nextAttemptAt?.getTime() ?? null,
          o.lastStatusCode,
          o.lastError,
          o.status,
          at,
          id,
          owner,
        ).changes;
      }
      return recorded;
    });
  }

  async release(id: string, owner: string, nextAttemptAt: Date): Promise<void> {
    await this.#tx((db) =>
      db
        .prepare("UPDATE webhook_deliveries SET next_attempt_at = ?, lease_owner = NULL, lease_until = 0 WHERE id = ? AND lease_owner = ?")
        .run(nextAttemptAt.getTime(), id, owner),
    );
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const row = await this.#tx((db) => db.prepare("SELECT * FROM webhook_deliveries WHERE id = ?").get(id) as DeliveryRow | undefined);
    return row === undefined ? null : toDelivery(row);
  }

  async listDeliveries(query: DeliveryListQuery): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
    const rows = await this.#tx((db) => {
      let before = Number.MAX_SAFE_INTEGER;
      if (query.startingAfter !== undefined) {
        const row = db.prepare("SELECT rid FROM webhook_deliveries WHERE id = ?").get(query.startingAfter) as { rid: number } | undefined;
        before = row?.rid ?? 0;
      }
      return db
        .prepare(
          `SELECT * FROM webhook_deliveries WHERE endpoint_id = ? AND rid < ? AND (? IS NULL OR status = ?)
          ORDER BY rid DESC LIMIT ?`,
        )
        .all(query.endpointId, before, query.status ?? null, query.status ?? null, query.limit + 1) as DeliveryRow[];
    });
    const page = rows.slice(0, query.limit);
    return { deliveries: page.map(toDelivery), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
  }

  async replay(id: string, now: Date): Promise<WebhookDelivery | null> {
    const row = await this.#tx(
      (db) =>
        db
          .prepare(
            `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, delivered_at = NULL, lease_owner = NULL, lease_until = 0
          WHERE id = ? RETURNING *`,
          )
          .get(now.getTime(), id) as DeliveryRow | undefined,
    );
    return row === undefined ? null : toDelivery(row);
  }

  async prune(cutoffs: PruneCutoffs, limit: number): Promise<number> {
    const delivered = "SELECT 1 FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < ? LIMIT 1";
    const failed = "SELECT 1 FROM webhook_deliveries WHERE status = 'failed' AND last_attempt_at < ? LIMIT 1";
    const deliveredBefore = cutoffs.deliveredBefore.getTime();
    const failedBefore = cutoffs.failedBefore.getTime();
    // A read first, so an engine with nothing to prune never takes the write lock.
    if (!(await this.#any(delivered, deliveredBefore)) && !(await this.#any(failed, failedBefore))) return 0;
    return this.#tx((db) => {
      // Oldest first, through the partial indexes of migration 5; `limit` rows at most per statement.
      const byStatus = (status: string, column: string, before: number, max: number) =>
        db
          .prepare(
            `DELETE FROM webhook_deliveries WHERE rid IN (
               SELECT rid FROM webhook_deliveries WHERE status = '${status}' AND ${column} < ? ORDER BY ${column} LIMIT ?)`,
          )
          .run(before, max).changes;
      const deleted = byStatus("delivered", "delivered_at", deliveredBefore, limit);
      return deleted + (deleted < limit ? byStatus("failed", "last_attempt_at", failedBefore, limit - deleted) : 0);
    });
  }
}
