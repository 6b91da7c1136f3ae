/**
 * The Postgres store's webhook outbox, in the store's schema: one
 * `webhook_events` row per event, written by the journal writer inside the
 * write's transaction; fan-out to deliveries by one engine at a time (a
 * transaction-scoped advisory lock); deliveries leased with
 * `FOR UPDATE SKIP LOCKED`, so engines on several instances never take the
 * same one, and a lease that expires (its engine died) is taken again.
 * The tables are the store's schema migration 5 (`schema.ts`).
 */
import type { PoolClient } from "pg";
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
import type { Connections } from "./connection.js";

/** The advisory lock key of fan-out ("rgwh" in ASCII, then the purpose). */
const FAN_OUT_LOCK = 0x72677768_01n;

type EndpointRow = {
  id: string;
  url: string;
  events: WebhookEventType[] | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  created_at: string;
  updated_at: string;
};

type DeliveryRow = {
  rid: string;
  id: string;
  endpoint_id: string;
  event_seq: string;
  event_type: string;
  order_key: string;
  event_data: string;
  event_at: string;
  status: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
};

const date = (ms: string | null): Date | null => (ms === null ? null : new Date(Number(ms)));

function toEndpoint(row: EndpointRow): StoredWebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretExpiresAt: date(row.previous_secret_expires_at),
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventType: row.event_type as WebhookEventType,
    status: row.status as WebhookDeliveryStatus,
    attempts: row.attempts,
    createdAt: new Date(Number(row.created_at)),
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

/** A {@link WebhookOutbox} in a Postgres schema; `append` is the store's journal writer. */
export class PostgresWebhookOutbox implements WebhookOutbox {
  readonly #connections: Connections;
  readonly #s: string;
  readonly #insertEvent: string;

  /**
   * @param connections The store's pool.
   * @param schema The store's schema (validated by the store).
   */
  constructor(connections: Connections, schema: string) {
    this.#connections = connections;
    this.#s = `"${schema}"`;
    // With no endpoint the event is not kept: one statement either way.
    this.#insertEvent = `INSERT INTO ${this.#s}.webhook_events (type, order_key, data, at)
                         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM ${this.#s}.webhook_endpoints)`;
  }

  /** The schema migrated (the outbox tables are migration 5), once per pool. */
  ready(): Promise<void> {
    return this.#connections.init();
  }

  /** The journal writer: the event of `entry`, on the write's transaction `client`. */
  async append(client: PoolClient, entry: JournalEntry): Promise<void> {
    const event = journalWebhookEvent(entry);
    if (event === null) return;
    await this.ready();
    await client.query(this.#insertEvent, [event.type, event.orderKey, JSON.stringify(event.data), event.at.getTime()]);
  }

  async #tx<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    await this.ready();
    return this.#connections.transaction(undefined, work);
  }

  async #query<R>(sql: string, params: unknown[]): Promise<R[]> {
    await this.ready();
    return this.#connections.withClient(undefined, async (client) => (await client.query(sql, params)).rows as R[]);
  }

  async enqueue(events: readonly OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.#tx(async (client) => {
      for (const event of events)
        await client.query(this.#insertEvent, [event.type, event.orderKey, JSON.stringify(event.data), event.at.getTime()]);
    });
  }

  async createEndpoint(endpoint: StoredWebhookEndpoint): Promise<void> {
    await this.#query(`INSERT INTO ${this.#s}.webhook_endpoints VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, endpointParams(endpoint));
  }

  async getEndpoint(id: string): Promise<StoredWebhookEndpoint | null> {
    const rows = await this.#query<EndpointRow>(`SELECT * FROM ${this.#s}.webhook_endpoints WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toEndpoint(rows[0]);
  }

  async listEndpoints(): Promise<StoredWebhookEndpoint[]> {
    return (await this.#query<EndpointRow>(`SELECT * FROM ${this.#s}.webhook_endpoints`, [])).map(toEndpoint);
  }

  async replaceEndpoint(endpoint: StoredWebhookEndpoint): Promise<boolean> {
    const rows = await this.#query(
      `UPDATE ${this.#s}.webhook_endpoints SET url = $2, events = $3, secret = $4, previous_secret = $5,
              previous_secret_expires_at = $6, created_at = $7, updated_at = $8 WHERE id = $1 RETURNING id`,
      endpointParams(endpoint),
    );
    return rows.length > 0;
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    const rows = await this.#query(`DELETE FROM ${this.#s}.webhook_endpoints WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  }

  async fanOut(now: Date, limit: number, newDeliveryId: () => string): Promise<number> {
    return this.#tx(async (client) => {
      // One fan-out at a time: two would hand a room's later event to the queue before its earlier one.
      const { rows: lock } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS ok", [FAN_OUT_LOCK.toString()]);
      if (!lock[0]?.ok) return 0;
      const { rows: events } = await client.query<{ seq: string; type: WebhookEventType; order_key: string; data: string; at: string }>(
        `SELECT * FROM ${this.#s}.webhook_events ORDER BY seq LIMIT $1`,
        [limit],
      );
      if (events.length === 0) return 0;
      const endpoints = (await client.query<EndpointRow>(`SELECT * FROM ${this.#s}.webhook_endpoints`)).rows.map(toEndpoint);
      const columns: unknown[][] = [[], [], [], [], [], [], []];
      for (const event of events) {
        for (const endpoint of endpoints) {
          if (!receives(endpoint, event.type)) continue;
          const values = [newDeliveryId(), endpoint.id, event.seq, event.type, event.order_key, event.data, event.at];
          values.forEach((value, i) => columns[i]?.push(value));
        }
      }
      if ((columns[0] as unknown[]).length > 0) {
        await client.query(
          `INSERT INTO ${this.#s}.webhook_deliveries
             (id, endpoint_id, event_seq, event_type, order_key, event_data, event_at, status, attempts, created_at, next_attempt_at)
           SELECT id, endpoint_id, event_seq, event_type, order_key, event_data, event_at, 'pending', 0, $8, $8
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[])
               AS t (id, endpoint_id, event_seq, event_type, order_key, event_data, event_at)`,
          [...columns, now.getTime()],
        );
      }
      // By seq, not up to one: a lower seq may commit after a higher one (different rooms).
      await client.query(`DELETE FROM ${this.#s}.webhook_events WHERE seq = ANY($1::bigint[])`, [events.map((e) => e.seq)]);
      return events.length;
    });
  }

  async claim(owner: string, now: Date, leaseUntil: Date, limit: number, skip: ReadonlySet<string>): Promise<ClaimedDelivery[]> {
    const rows = await this.#query<DeliveryRow>(
      `WITH picked AS (
         SELECT d.rid FROM ${this.#s}.webhook_deliveries d
          WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.lease_until <= $1
            AND NOT (d.endpoint_id = ANY($2::text[]))
            AND NOT EXISTS (SELECT 1 FROM ${this.#s}.webhook_deliveries p
                             WHERE p.status = 'pending' AND p.endpoint_id = d.endpoint_id
                               AND p.order_key = d.order_key AND p.event_seq < d.event_seq)
          ORDER BY d.next_attempt_at, d.event_seq
          LIMIT $3
          FOR UPDATE SKIP LOCKED)
       UPDATE ${this.#s}.webhook_deliveries d SET lease_owner = $4, lease_until = $5
         FROM picked WHERE d.rid = picked.rid
       RETURNING d.*`,
      [now.getTime(), [...skip], limit, owner, leaseUntil.getTime()],
    );
    rows.sort((a, b) => Number(a.event_seq) - Number(b.event_seq));
    return rows.map((row) => ({
      ...toDelivery(row),
      event: {
        type: row.event_type as WebhookEventType,
        orderKey: row.order_key,
        data: JSON.parse(row.event_data) as Record<string, unknown>,
        at: new Date(Number(row.event_at)),
      },
    }));
  }

  async settle(owner: string, outcomes: readonly SettledDelivery[]): Promise<number> {
    if (outcomes.length === 0) return 0;
    const column = <T>(pick: (o: SettledDelivery) => T) => outcomes.map(pick);
    // One statement for the batch: one round trip, one commit.
    const rows = await this.#query(
      `UPDATE ${this.#s}.webhook_deliveries d
          SET status = t.status, attempts = t.attempts, last_attempt_at = t.at, next_attempt_at = t.next_at,
              last_status_code = t.code, last_error = t.error,
              delivered_at = CASE WHEN t.status = 'delivered' THEN t.at ELSE d.delivered_at END, lease_owner = NULL, lease_until = 0
         FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bigint[], $6::int[], $7::text[])
              AS t (id, status, attempts, at, next_at, code, error)
        WHERE d.id = t.id AND d.lease_owner = $8 AND d.status = 'pending'
        RETURNING d.id`,
      [
        column((s) => s.id),
        column((s) => s.outcome.status),
        column((s) => s.outcome.attempts),
        column((s) => s.outcome.at.getTime()),
        column((s) => s.outcome.nextAttemptAt?.getTime() ?? null),
        column((s) => s.outcome.lastStatusCode),
        column((s) => s.outcome.lastError),
        owner,
      ],
    );
    return rows.length;
  }

  async release(id: string, owner: string, nextAttemptAt: Date): Promise<void> {
    await this.#query(
      `UPDATE ${this.#s}.webhook_deliveries SET next_attempt_at = $1, lease_owner = NULL, lease_until = 0 WHERE id = $2 AND lease_owner = $3`,
      [nextAttemptAt.getTime(), id, owner],
    );
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const rows = await this.#query<DeliveryRow>(`SELECT * FROM ${this.#s}.webhook_deliveries WHERE id = $1`, [id]);
    return rows[0] === undefined ? null : toDelivery(rows[0]);
  }

  async listDeliveries(query: DeliveryListQuery): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
    const rows = await this.#query<DeliveryRow>(
      `SELECT * FROM ${this.#s}.webhook_deliveries
        WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::text IS NULL OR rid < COALESCE((SELECT rid FROM ${this.#s}.webhook_deliveries WHERE id = $3), 0))
        ORDER BY rid DESC LIMIT $4`,
      [query.endpointId, query.status ?? null, query.startingAfter ?? null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    return { deliveries: page.map(toDelivery), nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null };
  }

  async replay(id: string, now: Date): Promise<WebhookDelivery | null> {
    const rows = await this.#query<DeliveryRow>(
      `UPDATE ${this.#s}.webhook_deliveries
          SET status = 'pending', attempts = 0, next_attempt_at = $1, delivered_at = NULL, lease_owner = NULL, lease_until = 0
        WHERE id = $2 RETURNING *`,
      [now.getTime(), id],
    );
    return rows[0] === undefined ? null : toDelivery(rows[0]);
  }

  async prune(cutoffs: PruneCutoffs, limit: number): Promise<number> {
    const deleted = await this.#pruneStatus("delivered", "delivered_at", cutoffs.deliveredBefore, limit);
    return deleted + (deleted < limit ? await this.#pruneStatus("failed", "last_attempt_at", cutoffs.failedBefore, limit - deleted) : 0);
  }

  /**
   * Deletes at most `limit` deliveries of `status` whose `column` is before
   * `before`, oldest first (a partial index of migration 5). SKIP LOCKED: a
   * row another instance prunes or replays right now is left alone; the
   * outer WHERE re-checks the status, so a delivery replayed meanwhile
   * (pending again) is never deleted.
   */
  async #pruneStatus(status: "delivered" | "failed", column: string, before: Date, limit: number): Promise<number> {
    const rows = await this.#query<{ n: string }>(
      `WITH picked AS (
         SELECT rid FROM ${this.#s}.webhook_deliveries WHERE status = $1 AND ${column} < $2
          ORDER BY ${column} LIMIT $3 FOR UPDATE SKIP LOCKED),
       deleted AS (
         DELETE FROM ${this.#s}.webhook_deliveries d USING picked
          WHERE d.rid = picked.rid AND d.status = $1
          RETURNING 1)
       SELECT count(*) AS n FROM deleted`,
      [status, before.getTime(), limit],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
