/**
 * The outbox contract: where a store keeps webhook endpoints, the events its
 * writes produce (one row per event, written in the write's transaction) and
 * the deliveries of each event to each endpoint. Events fan out to
 * endpoints at delivery time, not at write time, so a write costs one row
 * whatever the number of endpoints. Each store implements it in its own
 * folder (`stores/<name>/outbox.ts`); the delivery engine and the facade
 * only see this interface.
 */
import type { OutboxEvent, WebhookEventType } from "./events.js";
import type { PruneCutoffs } from "./retention.js";

/** An endpoint as stored, secrets included. */
export type StoredWebhookEndpoint = {
  id: string;
  url: string;
  /** The event types it receives; `null`: the Liveblocks ones. */
  events: WebhookEventType[] | null;
  secret: string;
  /** The secret before the last rotation, still signed with until `previousSecretExpiresAt`. */
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

/** Where a delivery stands: waiting (or retrying), done, or dead-lettered after the last retry. */
export type WebhookDeliveryStatus = "pending" | "delivered" | "failed";

/** One event to one endpoint; `id` is the `webhook-id` it is sent with, every attempt. */
export type WebhookDelivery = {
  id: string;
  endpointId: string;
  eventType: WebhookEventType;
  status: WebhookDeliveryStatus;
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  /** The HTTP status of the last attempt, `null` if none answered. */
  lastStatusCode: number | null;
  /** Why the last attempt failed (never a secret). */
  lastError: string | null;
  deliveredAt: Date | null;
};

/** A delivery taken by one worker until `leaseUntil`, with its event. */
export type ClaimedDelivery = WebhookDelivery & { event: OutboxEvent };

/** The result of one attempt, as the engine records it. */
export type DeliveryOutcome = {
  status: WebhookDeliveryStatus;
  attempts: number;
  at: Date;
  nextAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
};

/** One attempt to record. */
export type SettledDelivery = { id: string; outcome: DeliveryOutcome };

/** A page of deliveries, newest first. */
export type DeliveryListQuery = { endpointId: string; status?: WebhookDeliveryStatus; limit: number; startingAfter?: string };

/** The outbox of one store. */
export interface WebhookOutbox {
  /** Adds events outside a store write (presence); skipped when no endpoint exists. */
  enqueue(events: readonly OutboxEvent[]): Promise<void>;

  createEndpoint(endpoint: StoredWebhookEndpoint): Promise<void>;
  getEndpoint(id: string): Promise<StoredWebhookEndpoint | null>;
  listEndpoints(): Promise<StoredWebhookEndpoint[]>;
  /** Replaces the stored endpoint with the same id; `false` if there is none. */
  replaceEndpoint(endpoint: StoredWebhookEndpoint): Promise<boolean>;
  /** Deletes the endpoint and its deliveries. */
  deleteEndpoint(id: string): Promise<boolean>;

  /**
   * Turns events not yet fanned out into one pending delivery per endpoint
   * that receives their type, at most `limit` events, oldest first; one
   * fan-out at a time across instances. Returns the events handled.
   */
  fanOut(now: Date, limit: number, newDeliveryId: () => string): Promise<number>;
  /**
   * Leases up to `limit` pending deliveries that are due, not leased, whose
   * endpoint is not in `skipEndpoints`, and that are the oldest pending one
   * of their endpoint and order key; never one another worker holds.
   */
  claim(owner: string, now: Date, leaseUntil: Date, limit: number, skipEndpoints: ReadonlySet<string>): Promise<ClaimedDelivery[]>;
  /**
   * Records attempts of deliveries `owner` holds, in one transaction (one
   * disk sync for a batch); a delivery whose lease was lost is skipped.
   * Resolves to the number recorded.
   */
  settle(owner: string, outcomes: readonly SettledDelivery[]): Promise<number>;
  /** Gives back a lease without an attempt (the endpoint's circuit is open), due at `nextAttemptAt`. */
  release(id: string, owner: string, nextAttemptAt: Date): Promise<void>;

  getDelivery(id: string): Promise<WebhookDelivery | null>;
  listDeliveries(query: DeliveryListQuery): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }>;
  /** Makes a delivery pending again, due now, attempts reset; the same `webhook-id`. */
  replay(id: string, now: Date): Promise<WebhookDelivery | null>;
  /**
   * Deletes at most `limit` finished deliveries, oldest first: delivered
   * before `deliveredBefore`, dead-lettered (last attempt) before
   * `failedBefore`. Never a pending one. Resolves to the number deleted.
   */
  prune(cutoffs: PruneCutoffs, limit: number): Promise<number>;
}

/** Does `endpoint` receive events of `type`? */
export function receives(endpoint: Pick<StoredWebhookEndpoint, "events">, type: WebhookEventType): boolean {
  if (endpoint.events === null) return type === "roomCreated" || type === "roomDeleted" || type === "userEntered" || type === "userLeft";
  return endpoint.events.includes(type);
}

/** Stores that keep an outbox expose it under this method. */
export type WithWebhookOutbox = { webhookOutbox(): WebhookOutbox };

/** The outbox of `store`, or `null` if it keeps none. */
export function outboxOf(store: object): WebhookOutbox | null {
  const method = (store as Partial<WithWebhookOutbox>).webhookOutbox;
  return typeof method === "function" ? method.call(store) : null;
}
