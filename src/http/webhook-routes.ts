/**
 * roomgate's own REST routes for webhook endpoints and deliveries: each
 * calls the facade method of the same name, which validates and decides
 * every status. Dates are ISO strings on the wire.
 */
import type { Liveblocks } from "../liveblocks/client.js";
import { httpMessages } from "../protocol/messages.js";
import { isObject } from "../runtime/json.js";
import { type IncomingRequest, readJsonBody } from "./body.js";
import { HttpError, type RouteResult, json, noContent } from "./responses.js";

/** What a webhook route receives (the route table's context). */
type Context = { liveblocks: Liveblocks; request: IncomingRequest; params: ReadonlyMap<string, string>; maxBodyBytes: number };

async function objectBody({ request, maxBodyBytes }: Context): Promise<Record<string, unknown>> {
  const body = await readJsonBody(request, maxBodyBytes);
  if (!isObject(body)) throw new HttpError("UNPROCESSABLE_ENTITY", httpMessages.bodyNotObject);
  return body;
}

/** `GET /v2/webhook-endpoints` → `{ data }`. */
export async function listWebhookEndpoints({ liveblocks, request }: Context): Promise<RouteResult> {
  return json(await liveblocks.getWebhookEndpoints({ signal: request.signal }));
}

/** `POST /v2/webhook-endpoints` `{ url, events?, secret? }` → the endpoint with its secret. */
export async function createWebhookEndpoint(context: Context): Promise<RouteResult> {
  const body = await objectBody(context);
  return json(await context.liveblocks.createWebhookEndpoint(body as never, { signal: context.request.signal }));
}

/** `POST /v2/webhook-endpoints/:endpointId` `{ url?, events?, secret?, rotateSecret?, overlapMs? }`. */
export async function updateWebhookEndpoint(context: Context): Promise<RouteResult> {
  const body = await objectBody(context);
  const params = { ...body, endpointId: context.params.get("endpointId")! };
  return json(await context.liveblocks.updateWebhookEndpoint(params as never, { signal: context.request.signal }));
}

/** `DELETE /v2/webhook-endpoints/:endpointId` → 204. */
export async function deleteWebhookEndpoint({ liveblocks, request, params }: Context): Promise<RouteResult> {
  await liveblocks.deleteWebhookEndpoint({ endpointId: params.get("endpointId")! }, { signal: request.signal });
  return noContent();
}

/** `GET /v2/webhook-endpoints/:endpointId/deliveries?status&limit&startingAfter` → `{ data, nextCursor }`. */
export async function listWebhookDeliveries({ liveblocks, request, params }: Context): Promise<RouteResult> {
  const search = new URL(request.url).searchParams;
  const query: Record<string, unknown> = { endpointId: params.get("endpointId")! };
  const limit = search.get("limit");
  // A non-numeric limit goes through as text, so the facade names the field and the rule.
  if (limit !== null) query["limit"] = /^\d{1,6}$/.test(limit) ? Number(limit) : limit;
  for (const key of ["status", "startingAfter"]) {
    const value = search.get(key);
    if (value !== null) query[key] = value;
  }
  return json(await liveblocks.getWebhookDeliveries(query as never, { signal: request.signal }));
}

/** `POST /v2/webhook-deliveries/:deliveryId/replay` → the delivery, pending again. */
export async function replayWebhookDelivery({ liveblocks, request, params }: Context): Promise<RouteResult> {
  return json(await liveblocks.replayWebhookDelivery(params.get("deliveryId")!, { signal: request.signal }));
}
