/**
 * Managing webhook endpoints and their deliveries, for the facade's
 * `createWebhookEndpoint`, `getWebhookEndpoints`, `updateWebhookEndpoint`,
 * `deleteWebhookEndpoint`, `getWebhookDeliveries` and
 * `replayWebhookDelivery`: input checked with zod (422 naming the field and
 * the rule), 404 with a code of its own for an unknown id, 501 for a store
 * without an outbox. Secrets are answered only when created or rotated.
 */
import { z } from "zod";
import { LiveblocksError, invalidField, liveblocksError, notImplemented } from "../protocol/errors.js";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./events.js";
import type { StoredWebhookEndpoint, WebhookDelivery, WebhookDeliveryStatus, WebhookOutbox } from "./outbox.js";
import { urlRefusal } from "./address.js";
import type { WebhookRetention } from "./retention.js";
import { generateWebhookSecret, webhookSecretKey } from "./signing.js";
import { randomTokenId } from "../tokens/ids.js";

/** How long the previous secret is still signed with after a rotation, by default (24 h, as Svix). */
export const DEFAULT_SECRET_OVERLAP_MS = 24 * 3_600_000;
/** Endpoints a project may have. */
export const MAX_WEBHOOK_ENDPOINTS = 50;
/** The longest endpoint URL. */
export const MAX_WEBHOOK_URL_LENGTH = 2_048;

/** An endpoint as the facade answers it (no secret). */
export type WebhookEndpoint = {
  id: string;
  url: string;
  /** The event types it receives; `null`: the Liveblocks ones (`roomCreated`, `roomDeleted`, `userEntered`, `userLeft`). */
  events: WebhookEventType[] | null;
  createdAt: Date;
  updatedAt: Date;
  /** Until when the previous secret still signs deliveries beside the new one, after a rotation. */
  previousSecretExpiresAt: Date | null;
};

/** An endpoint with its secret: what create and a rotating update answer. */
export type WebhookEndpointWithSecret = WebhookEndpoint & { secret: string };

/** What the management functions run on. */
export type WebhookManagement = {
  outbox: WebhookOutbox | null;
  now: () => number;
  allowPrivateNetworks: boolean;
  /** How long finished deliveries are kept; the engine started on this instance prunes by it. */
  retention: Required<WebhookRetention>;
};

const url = z.string().max(MAX_WEBHOOK_URL_LENGTH, `at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
const events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, `one of ${WEBHOOK_EVENT_TYPES.join(", ")}`))
  .min(1, "at least one event type (omit it for the Liveblocks ones)")
  .max(WEBHOOK_EVENT_TYPES.length, `at most ${WEBHOOK_EVENT_TYPES.length} event types`);
const secret = z.string().refine((value) => webhookSecretKey(value) !== null, "whsec_ followed by base64 of 16 to 64 bytes");
const endpointId = z.string().min(1, "a non-empty string").max(64, "at most 64 characters");

const schemas = {
  create: z.strictObject({ url, events: events.optional(), secret: secret.optional() }),
  update: z.strictObject({
    endpointId,
    url: url.optional(),
    events: events.nullable().optional(),
    secret: secret.optional(),
    rotateSecret: z.boolean().optional(),
    overlapMs: z
      .number()
      .int("an integer")
      .min(0, "non-negative")
      .max(7 * 24 * 3_600_000, "at most 7 days")
      .optional(),
  }),
  endpointId: z.strictObject({ endpointId }),
  deliveries: z.strictObject({
    endpointId,
    status: z.enum(["pending", "delivered", "failed"], "pending, delivered or failed").optional(),
    limit: z.number().int("an integer").min(1, "at least 1").max(100, "at most 100").optional(),
    startingAfter: z.string().max(128, "at most 128 characters").optional(),
  }),
  deliveryId: z.string().min(1, "a non-empty string").max(128, "at most 128 characters"),
};

function parse<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join(".") : name;
  const rule =
    issue?.code === "unrecognized_keys" ? `unknown field ${issue.keys.map((k) => `'${k}'`).join(", ")}` : (issue?.message ?? "invalid");
  throw invalidField(path, rule);
}

function outboxOrFail(m: WebhookManagement): WebhookOutbox {
  if (m.outbox === null) throw notImplemented("Webhooks");
  return m.outbox;
}

function checkUrl(m: WebhookManagement, value: string): void {
  const refusal = urlRefusal(value, m.allowPrivateNetworks);
  if (refusal !== null) throw invalidField("url", refusal);
}

/** @internal 404 `WEBHOOK_ENDPOINT_NOT_FOUND`. */
function endpointNotFound(id: string): LiveblocksError {
  return liveblocksError("WEBHOOK_ENDPOINT_NOT_FOUND", `Webhook endpoint with id "${id}" not found.`);
}

function publicEndpoint(endpoint: StoredWebhookEndpoint): WebhookEndpoint {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events === null ? null : [...endpoint.events],
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
    previousSecretExpiresAt: endpoint.previousSecretExpiresAt,
  };
}

/** @internal `createWebhookEndpoint`. */
export async function createEndpoint(m: WebhookManagement, params: unknown): Promise<WebhookEndpointWithSecret> {
  const input = parse(schemas.create, params, "params");
  checkUrl(m, input.url);
  const outbox = outboxOrFail(m);
  if ((await outbox.listEndpoints()).length >= MAX_WEBHOOK_ENDPOINTS) {
    throw invalidField("url", `a project can have at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints`);
  }
  const now = new Date(m.now());
  const endpoint: StoredWebhookEndpoint = {
    id: `ep_${randomTokenId()}`,
    url: input.url,
    events: input.events ? [...new Set(input.events)] : null,
    secret: input.secret ?? generateWebhookSecret(),
    previousSecret: null,
    previousSecretExpiresAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await outbox.createEndpoint(endpoint);
  return { ...publicEndpoint(endpoint), secret: endpoint.secret };
}

/** @internal `getWebhookEndpoints`. */
export async function listEndpoints(m: WebhookManagement): Promise<{ data: WebhookEndpoint[] }> {
  const endpoints = await outboxOrFail(m).listEndpoints();
  endpoints.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  return { data: endpoints.map(publicEndpoint) };
}

/** @internal `updateWebhookEndpoint`. */
export async function updateEndpoint(m: WebhookManagement, params: unknown): Promise<WebhookEndpoint | WebhookEndpointWithSecret> {
  const input = parse(schemas.update, params, "params");
  if (input.url !== undefined) checkUrl(m, input.url);
  if (input.secret !== undefined && input.rotateSecret === true)
    throw invalidField("rotateSecret", "give either secret or rotateSecret, not both");
  const outbox = outboxOrFail(m);
  const stored = await outbox.getEndpoint(input.endpointId);
  if (stored === null) throw endpointNotFound(input.endpointId);
  const now = m.now();
  const next: StoredWebhookEndpoint = { ...stored, updatedAt: new Date(now) };
  if (input.url !== undefined) next.url = input.url;
  if (input.events !== undefined) next.events = input.events === null ? null : [...new Set(input.events)];
  const newSecret = input.secret ?? (input.rotateSecret === true ? generateWebhookSecret() : undefined);
  if (newSecret !== undefined) {
    const overlap = input.overlapMs ?? DEFAULT_SECRET_OVERLAP_MS;
    next.previousSecret = overlap > 0 ? stored.secret : null;
    next.previousSecretExpiresAt = overlap > 0 ? new Date(now + overlap) : null;
    next.secret = newSecret;
  }
  if (!(await outbox.replaceEndpoint(next))) throw endpointNotFound(input.endpointId);
  return newSecret === undefined ? publicEndpoint(next) : { ...publicEndpoint(next), secret: newSecret };
}

/** @internal `deleteWebhookEndpoint`. */
export async function deleteEndpoint(m: WebhookManagement, params: unknown): Promise<void> {
  const input = parse(schemas.endpointId, params, "params");
  if (!(await outboxOrFail(m).deleteEndpoint(input.endpointId))) throw endpointNotFound(input.endpointId);
}

/** @internal `getWebhookDeliveries`. */
export async function listDeliveries(
  m: WebhookManagement,
  params: unknown,
): Promise<{ data: WebhookDelivery[]; nextCursor: string | null }> {
  const input = parse(schemas.deliveries, params, "params");
  const outbox = outboxOrFail(m);
  if ((await outbox.getEndpoint(input.endpointId)) === null) throw endpointNotFound(input.endpointId);
  const page = await outbox.listDeliveries({
    endpointId: input.endpointId,
    limit: input.limit ?? 20,
    ...(input.status ? { status: input.status as WebhookDeliveryStatus } : {}),
    ...(input.startingAfter ? { startingAfter: input.startingAfter } : {}),
  });
  return { data: page.deliveries, nextCursor: page.nextCursor };
}

/** @internal `replayWebhookDelivery`. */
export async function replayDelivery(m: WebhookManagement, deliveryId: unknown): Promise<WebhookDelivery> {
  const id = parse(schemas.deliveryId, deliveryId, "deliveryId");
  const replayed = await outboxOrFail(m).replay(id, new Date(m.now()));
  if (replayed === null) throw liveblocksError("WEBHOOK_DELIVERY_NOT_FOUND", `Webhook delivery with id "${id}" not found.`);
  return replayed;
}
