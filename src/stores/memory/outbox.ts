/**
 * The memory store's webhook outbox: endpoints, events and deliveries in
 * process memory. Nothing survives a restart, like the rooms beside it;
 * SQLite and Postgres keep theirs on disk in the write's transaction.
 * Every method is synchronous inside its promise, so each is atomic.
 * Bounded: besides the engine's time-based pruning, at most `maxFinished`
 * finished deliveries are kept (the oldest finished go first); pending ones
 * are bounded by the retry schedule, which dead-letters them within hours.
 */
import type { JournalEntry } from "../../rooms/journal.js";
import { type OutboxEvent, journalWebhookEvent } from "../../webhooks/events.js";
import {
  type ClaimedDelivery,
  type DeliveryListQuery,
  type DeliveryOutcome,
  type SettledDelivery,
  type StoredWebhookEndpoint,
  type WebhookDelivery,
  type WebhookOutbox,
  receives,
} from "../../webhooks/outbox.js";
import type { PruneCutoffs } from "../../webhooks/retention.js";

type Row = {
  seq: number;
  orderKey: string;
  event: OutboxEvent;
  delivery: WebhookDelivery;
  leaseOwner: string | null;
  leaseUntil: number;
};

const copyEndpoint = (e: StoredWebhookEndpoint): StoredWebhookEndpoint => ({ ...e, events: e.events === null ? null : [...e.events] });
const copyDelivery = (d: WebhookDelivery): WebhookDelivery => ({ ...d });

/** The finished deliveries a memory outbox keeps at most, by default. */
export const DEFAULT_MAX_FINISHED = 10_000;

/** A {@link WebhookOutbox} in memory; `append` is the memory store's journal writer. */
export class MemoryWebhookOutbox implements WebhookOutbox {
  readonly #maxFinished: number;
  readonly #endpoints = new Map<string, StoredWebhookEndpoint>();
  /** Events not fanned out yet, oldest first. */
  #events: { seq: number; event: OutboxEvent }[] = [];
  #seq = 0;
  readonly #rows = new Map<string, Row>();
  /** Per endpoint, its deliveries in creation order (listing). */
  readonly #byEndpoint = new Map<string, Map<string, Row>>();
  /** Per (endpoint, order key), its pending deliveries in commit order. */
  readonly #queues = new Map<string, Row[]>();
  /** Finished deliveries in the order they finished (pruning walks from the oldest). */
  readonly #delivered = new Map<string, Row>();
  readonly #failed = new Map<string, Row>();

  /** @param options.maxFinished Finished deliveries kept at most (default {@link DEFAULT_MAX_FINISHED}). */
  constructor(options: { maxFinished?: number } = {}) {
    const max = options.maxFinished ?? DEFAULT_MAX_FINISHED;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new TypeError("Invalid value for field 'maxFinished'. Please provide a whole number, 0 or more.");
    }
    this.#maxFinished = max;
  }

  /** Records the webhook event of a journal entry, if any endpoint exists; synchronous, in the write. */
  append(entry: JournalEntry): void {
    if (this.#endpoints.size === 0) return;
    const event = journalWebhookEvent(entry);
    if (event !== null) this.#events.push({ seq: ++this.#seq, event });
  }

  async enqueue(events: readonly OutboxEvent[]): Promise<void> {
    if (this.#endpoints.size === 0) return;
    for (const event of events) this.#events.push({ seq: ++this.#seq, event });
  }

  async createEndpoint(endpoint: StoredWebhookEndpoint): Promise<void> {
    this.#endpoints.set(endpoint.id, copyEndpoint(endpoint));
    this.#byEndpoint.set(endpoint.id, new Map());
  }

  async getEndpoint(id: string): Promise<StoredWebhookEndpoint | null> {
    const found = this.#endpoints.get(id);
    return found ? copyEndpoint(found) : null;
  }

  async listEndpoints(): Promise<StoredWebhookEndpoint[]> {
    return [...this.#endpoints.values()].map(copyEndpoint);
  }

  async replaceEndpoint(endpoint: StoredWebhookEndpoint): Promise<boolean> {
    if (!this.#endpoints.has(endpoint.id)) return false;
    this.#endpoints.set(endpoint.id, copyEndpoint(endpoint));
    return true;
  }

  async deleteEndpoint(id: string): Promise<boolean> {
    if (!this.#endpoints.delete(id)) return false;
    for (const row of this.#byEndpoint.get(id)?.values() ?? []) this.#forget(row);
    this.#byEndpoint.delete(id);
    for (const key of [...this.#queues.keys()]) if (key.startsWith(`${id}\u0000`)) this.#queues.delete(key);
    return true;
  }

  async fanOut(now: Date, limit: number, newDeliveryId: () => string): Promise<number> {
    const batch = this.#events.slice(0, limit);
    this.#events = this.#events.slice(batch.length);
    for (const { seq, event } of batch) {
      for (const endpoint of this.#endpoints.values()) {
        if (!receives(endpoint, event.type)) continue;
        const row: Row = {
          seq,
          orderKey: event.orderKey,
          event,
          delivery: {
            id: newDeliveryId(),
            endpointId: endpoint.id,
            eventType: event.type,
            status: "pending",
            attempts: 0,
            createdAt: now,
            nextAttemptAt: now,
            lastAttemptAt: null,
            lastStatusCode: null,
            lastError: null,
            deliveredAt: null,
          },
          leaseOwner: null,
          leaseUntil: 0,
        };
        this.#rows.set(row.delivery.id, row);
        this.#byEndpoint.get(endpoint.id)?.set(row.delivery.id, row);
        this.#queueOf(row).push(row);
      }
    }
    return batch.length;
  }

  #queueOf(row: Row): Row[] {
    const key = `${row.delivery.endpointId}\u0000${row.orderKey}`;
    let queue = this.#queues.get(key);
    if (queue === undefined) this.#queues.set(key, (queue = []));
    return queue;
  }

  async claim(owner: string, now: Date, leaseUntil: Date, limit: number, skip: ReadonlySet<string>): Promise<ClaimedDelivery[]> {
    const claimed: ClaimedDelivery[] = [];
    const at = now.getTime();
    for (const queue of this.#queues.values()) {
      if (claimed.length >= limit) break;
      const head = queue[0];
      if (head === undefined || skip.has(head.delivery.endpointId)) continue;
      if ((head.delivery.nextAttemptAt?.getTime() ?? Infinity) > at || head.leaseUntil > at) continue;
      head.leaseOwner = owner;
      head.leaseUntil = leaseUntil.getTime();
      claimed.push({ ...copyDelivery(head.delivery), event: head.event });
    }
    return claimed;
  }

  async settle(owner: string, outcomes: readonly SettledDelivery[]): Promise<number> {
    let recorded = 0;
    for (const { id, outcome } of outcomes) if (this.#settleOne(id, owner, outcome)) recorded++;
    return recorded;
  }

  #settleOne(id: string, owner: string, outcome: DeliveryOutcome): boolean {
    const row = this.#rows.get(id);
    if (row === undefined || row.leaseOwner !== owner || row.delivery.status !== "pending") return false;
    const d = row.delivery;
    d.status = outcome.status;
    d.attempts = outcome.attempts;
    d.lastAttemptAt = outcome.at;
    d.nextAttemptAt = outcome.nextAttemptAt;
    d.lastStatusCode = outcome.lastStatusCode;
    d.lastError = outcome.lastError;
    if (outcome.status === "delivered") d.deliveredAt = outcome.at;
    row.leaseOwner = null;
    row.leaseUntil = 0;
    if (outcome.status !== "pending") {
      this.#dequeue(row);
      (outcome.status === "delivered" ? this.#delivered : this.#failed).set(id, row);
      this.#bound();
    }
    return true;
  }

  /** Drops the oldest finished deliveries beyond the cap. */
  #bound(): void {
    while (this.#delivered.size + this.#failed.size > this.#maxFinished) {
      const delivered = this.#delivered.values().next().value;
      const failed = this.#failed.values().next().value;
      const finishedAt = (row: Row | undefined) => row?.delivery.lastAttemptAt?.getTime() ?? Infinity;
      const oldest = finishedAt(delivered) <= finishedAt(failed) ? delivered : failed;
      if (oldest === undefined) return;
      this.#forget(oldest);
    }
  }

  /** Removes a delivery from every index (pending queues excepted: callers only forget finished ones, or an endpoint's all). */
  #forget(row: Row): void {
    const id = row.delivery.id;
    this.#rows.delete(id);
    this.#byEndpoint.get(row.delivery.endpointId)?.delete(id);
    this.#delivered.delete(id);
    this.#failed.delete(id);
  }

  async prune(cutoffs: PruneCutoffs, limit: number): Promise<number> {
    let pruned = 0;
    const sweep = (finished: Map<string, Row>, before: number, at: (d: WebhookDelivery) => Date | null) => {
      // Finish order is time order (one process, one clock), so the walk stops at the first one kept.
      for (const row of finished.values()) {
        if (pruned >= limit || (at(row.delivery)?.getTime() ?? Infinity) >= before) return;
        this.#forget(row);
        pruned++;
      }
    };
    sweep(this.#delivered, cutoffs.deliveredBefore.getTime(), (d) => d.deliveredAt);
    sweep(this.#failed, cutoffs.failedBefore.getTime(), (d) => d.lastAttemptAt);
    return pruned;
  }

  async release(id: string, owner: string, nextAttemptAt: Date): Promise<void> {
    const row = this.#rows.get(id);
    if (row === undefined || row.leaseOwner !== owner) return;
    row.delivery.nextAttemptAt = nextAttemptAt;
    row.leaseOwner = null;
    row.leaseUntil = 0;
  }

  #dequeue(row: Row): void {
    const key = `${row.delivery.endpointId}\u0000${row.orderKey}`;
    const queue = this.#queues.get(key);
    if (queue === undefined) return;
    const at = queue.indexOf(row);
    if (at !== -1) queue.splice(at, 1);
    if (queue.length === 0) this.#queues.delete(key);
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const row = this.#rows.get(id);
    return row ? copyDelivery(row.delivery) : null;
  }

  async listDeliveries(query: DeliveryListQuery): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
    const rows = [...(this.#byEndpoint.get(query.endpointId)?.values() ?? [])].reverse();
    let from = 0;
    if (query.startingAfter !== undefined) {
      const at = rows.findIndex((row) => row.delivery.id === query.startingAfter);
      from = at === -1 ? rows.length : at + 1;
    }
    const page: WebhookDelivery[] = [];
    let last: Row | undefined;
    for (let i = from; i < rows.length; i++) {
      const row = rows[i] as Row;
      if (query.status !== undefined && row.delivery.status !== query.status) continue;
      if (page.length === query.limit) return { deliveries: page, nextCursor: last?.delivery.id ?? null };
      page.push(copyDelivery(row.delivery));
      last = row;
    }
    return { deliveries: page, nextCursor: null };
  }

  async replay(id: string, now: Date): Promise<WebhookDelivery | null> {
    const row = this.#rows.get(id);
    if (row === undefined) return null;
    if (row.delivery.status !== "pending") {
      this.#delivered.delete(id);
      this.#failed.delete(id);
      const queue = this.#queueOf(row);
      const at = queue.findIndex((other) => other.seq > row.seq);
      queue.splice(at === -1 ? queue.length : at, 0, row);
    }
    Object.assign(row.delivery, { status: "pending", attempts: 0, nextAttemptAt: now, deliveredAt: null });
    row.leaseOwner = null;
    row.leaseUntil = 0;
    return copyDelivery(row.delivery);
  }
}
