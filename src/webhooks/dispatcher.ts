/**
 * The delivery engine: fans new outbox events out to endpoints, leases due
 * deliveries, signs and sends them, and records each attempt: delivered on
 * a 2xx, retried on the schedule otherwise, dead-lettered after the last
 * retry. Leases make several engines on one store deliver each event once
 * between them, and let another engine (or the restart) pick up what a dead
 * one held. A delivery waits for the one before it with the same endpoint
 * and order key (the room), so a room's events arrive in commit order.
 */
import { webhookBody } from "./events.js";
import type { ClaimedDelivery, SettledDelivery, StoredWebhookEndpoint, WebhookOutbox } from "./outbox.js";
import { PRUNE_BATCH, PRUNE_INTERVAL_MS, type WebhookRetention, pruneCutoffs, resolveRetention } from "./retention.js";
import { type CircuitOptions, EndpointCircuits, RETRY_DELAYS_MS, retryDelay } from "./schedule.js";
import { signWebhook } from "./signing.js";
import type { WebhookTransport } from "./transport.js";
import { randomTokenId } from "../tokens/ids.js";

/** What the engine reports after each attempt (logs, metrics, tests); never a secret. */
export type DeliveryReport = {
  deliveryId: string;
  endpointId: string;
  eventType: string;
  attempt: number;
  status: "delivered" | "pending" | "failed";
  statusCode: number | null;
  error: string | null;
};

/** Options of {@link WebhookDispatcher}. */
export type WebhookDispatcherOptions = {
  outbox: WebhookOutbox;
  projectId: string;
  transport: WebhookTransport;
  /** Deliveries leased and sent at once (default 64). */
  batchSize?: number;
  /** How long a lease holds before another engine may take the delivery (default 60 s; above the transport's timeout). */
  leaseMs?: number;
  /** How often an idle engine looks for work (default 1 s); `wake()` looks at once. */
  pollMs?: number;
  /** Waits after each failed attempt (default {@link RETRY_DELAYS_MS}). */
  retryDelaysMs?: readonly number[];
  circuit?: CircuitOptions;
  /** How long finished deliveries are kept (default 7 days delivered, 30 days dead-lettered); pruned by this engine. */
  retention?: WebhookRetention;
  /** This engine's name in its leases (default random). */
  owner?: string;
  now?: () => number;
  random?: () => number;
  newDeliveryId?: () => string;
  onReport?: (report: DeliveryReport) => void;
  /** An error of the engine itself (the store failed); the loop goes on. */
  onError?: (error: unknown) => void;
};

/** The secrets a delivery to `endpoint` is signed with at `now`: the current one, and the previous one while it overlaps. */
export function signingSecrets(endpoint: StoredWebhookEndpoint, now: number): string[] {
  const previous = endpoint.previousSecret;
  const until = endpoint.previousSecretExpiresAt?.getTime() ?? 0;
  return previous !== null && until > now ? [endpoint.secret, previous] : [endpoint.secret];
}

/**
 * Delivers a store's webhook outbox. Start one per process (`roomgate serve
 * --webhook` does); any number may share a SQLite file or a Postgres
 * database.
 *
 * @example
 * ```ts
 * const dispatcher = new WebhookDispatcher({ outbox, projectId: liveblocks.projectId, transport: createNodeTransport() });
 * dispatcher.start();
 * await dispatcher.stop();
 * ```
 */
export class WebhookDispatcher {
  readonly #outbox: WebhookOutbox;
  readonly #projectId: string;
  readonly #transport: WebhookTransport;
  readonly #batch: number;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #delays: readonly number[];
  readonly #circuits: EndpointCircuits;
  readonly #owner: string;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #newId: () => string;
  readonly #onReport: ((report: DeliveryReport) => void) | undefined;
  readonly #onError: (error: unknown) => void;
  readonly #retention: Required<WebhookRetention>;
  #nextPruneAt = 0;
  #running: Promise<void> | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;

  constructor(options: WebhookDispatcherOptions) {
    this.#outbox = options.outbox;
    this.#projectId = options.projectId;
    this.#transport = options.transport;
    this.#batch = options.batchSize ?? 64;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#delays = options.retryDelaysMs ?? RETRY_DELAYS_MS;
    this.#circuits = new EndpointCircuits(options.circuit);
    this.#retention = resolveRetention(options.retention);
    this.#owner = options.owner ?? `engine_${randomTokenId()}`;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#newId = options.newDeliveryId ?? (() => `msg_${randomTokenId()}`);
    this.#onReport = options.onReport;
    this.#onError = options.onError ?? (() => undefined);
  }

  /**
   * One round: fans out new events, then leases and sends one batch.
   * Resolves to the number of deliveries attempted.
   *
   * @example
   * ```ts
   * while ((await dispatcher.runOnce()) > 0);
   * ```
   */
  async runOnce(): Promise<number> {
    const now = this.#now();
    while ((await this.#outbox.fanOut(new Date(now), 500, this.#newId)) === 500);
    const endpoints = new Map((await this.#outbox.listEndpoints()).map((endpoint) => [endpoint.id, endpoint]));
    const claimed = await this.#outbox.claim(
      this.#owner,
      new Date(now),
      new Date(now + this.#leaseMs),
      this.#batch,
      this.#circuits.open(now),
    );
    const settler = this.#settler();
    await Promise.allSettled(
      claimed.map(async (delivery) => settler.add(await this.#attempt(delivery, endpoints.get(delivery.endpointId)))),
    );
    await settler.flush();
    await this.#pruneWhenDue(now);
    return claimed.length;
  }

  /**
   * Deletes one bounded batch of finished deliveries past their retention
   * (`retention`), now; `runOnce` does it by itself every minute, and every
   * round while batches come back full. Never a pending delivery.
   * Resolves to the number deleted.
   *
   * @example
   * ```ts
   * while ((await dispatcher.prune()) > 0);
   * ```
   */
  async prune(): Promise<number> {
    return this.#outbox.prune(pruneCutoffs(this.#retention, this.#now()), PRUNE_BATCH);
  }

  /** {@link prune} when due; a failed prune is reported and never holds up delivery. */
  async #pruneWhenDue(now: number): Promise<void> {
    if (now < this.#nextPruneAt) return;
    try {
      const pruned = await this.prune();
      if (pruned < PRUNE_BATCH) this.#nextPruneAt = now + PRUNE_INTERVAL_MS;
    } catch (error) {
      this.#nextPruneAt = now + PRUNE_INTERVAL_MS;
      this.#onError(error);
    }
  }

  /**
   * Records attempts as they finish, in batches: while one batch commits,
   * the next gathers (group commit: a disk sync per batch, not per delivery).
   */
  #settler(): { add(settled: SettledDelivery | null): void; flush(): Promise<void> } {
    let queued: SettledDelivery[] = [];
    let writing: Promise<void> = Promise.resolve();
    let busy = false;
    let failure: { error: unknown } | undefined;
    const write = async (): Promise<void> => {
      busy = true;
      // One turn of the event loop first, so every answer already in gathers into this batch.
      await new Promise((resolve) => setTimeout(resolve, 0));
      while (queued.length > 0) {
        const batch = queued;
        queued = [];
        await this.#outbox.settle(this.#owner, batch);
      }
      busy = false;
    };
    return {
      add: (settled) => {
        if (settled === null) return;
        queued.push(settled);
        // A failed write is kept for flush() to throw, never an unhandled rejection.
        if (!busy) writing = write().catch((error: unknown) => void (failure ??= { error }));
      },
      flush: async () => {
        await writing;
        if (failure !== undefined) throw failure.error;
        if (queued.length > 0) await write();
      },
    };
  }

  async #attempt(delivery: ClaimedDelivery, endpoint: StoredWebhookEndpoint | undefined): Promise<SettledDelivery | null> {
    if (endpoint === undefined) return null; // deleted meanwhile: its deliveries went with it
    const start = this.#now();
    const openUntil = this.#circuits.openUntil(endpoint.id, start);
    if (openUntil !== null) {
      await this.#outbox.release(delivery.id, this.#owner, new Date(openUntil));
      return null;
    }
    const body = webhookBody(delivery.event, this.#projectId);
    const headers = signWebhook({
      id: delivery.id,
      timestamp: Math.floor(start / 1000),
      body,
      secrets: signingSecrets(endpoint, start),
    });
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = (await this.#transport({ url: endpoint.url, headers, body })).status;
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (cause) {
      error = cause instanceof Error ? cause.message.slice(0, 200) : "delivery failed";
    }
    const at = this.#now();
    const attempts = delivery.attempts + 1;
    let status: "delivered" | "pending" | "failed" = "delivered";
    let nextAttemptAt: Date | null = null;
    if (error === null) this.#circuits.succeeded(endpoint.id);
    else {
      this.#circuits.failed(endpoint.id, at);
      const delay = retryDelay(attempts, this.#random, this.#delays);
      if (delay === null) status = "failed";
      else {
        status = "pending";
        nextAttemptAt = new Date(at + delay);
      }
    }
    this.#onReport?.({
      deliveryId: delivery.id,
      endpointId: endpoint.id,
      eventType: delivery.eventType,
      attempt: attempts,
      status,
      statusCode,
      error,
    });
    return {
      id: delivery.id,
      outcome: { status, attempts, at: new Date(at), nextAttemptAt, lastStatusCode: statusCode, lastError: error },
    };
  }

  /** Starts delivering in the background until {@link stop}. */
  start(): void {
    if (this.#running !== null) return;
    this.#stopping = false;
    this.#running = this.#loop();
  }

  /** Looks for work now rather than at the next poll (a write just committed). */
  wake(): void {
    this.#wake?.();
  }

  /** Stops after the deliveries in flight are recorded. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
    this.#running = null;
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      let worked = 0;
      try {
        worked = await this.runOnce();
      } catch (error) {
        this.#onError(error);
      }
      if (worked > 0 || this.#stopping) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.#pollMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
      this.#wake = null;
    }
  }
}
