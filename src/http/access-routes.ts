/**
 * roomgate's access routes: `POST /v2/rooms/:roomId/explain-access` and
 * `GET /v2/rooms/:roomId/access-list`, answered by the facade's
 * `explainAccess` and `getRoomAccessList`, and the `accessibleBy` query
 * parameters of `GET /v2/rooms`.
 */
import { invalidField } from "../protocol/errors.js";
import type { ExplainAccessIdentity } from "../liveblocks/access/types.js";
import type { RoomAccessListOptions } from "../liveblocks/access/access-list.js";
import type { GetRoomsOptions } from "../liveblocks/types.js";
import type { Liveblocks } from "../liveblocks/client.js";
import { type IncomingRequest, readJsonBody } from "./body.js";
import { HttpError, type RouteResult, json } from "./responses.js";
import { httpMessages } from "../protocol/messages.js";
import { isObject } from "../runtime/json.js";

/** What a route action receives (the `RouteContext` of `routes.ts`, which imports this file). */
type RouteContext = {
  liveblocks: Liveblocks;
  request: IncomingRequest;
  params: ReadonlyMap<string, string>;
  maxBodyBytes: number;
};

/** `POST /v2/rooms/:roomId/explain-access` `{ userId, groupIds?, organizationId? }` → the explanation. */
export async function explainAccessRoute(context: RouteContext): Promise<RouteResult> {
  const body = await readJsonBody(context.request, context.maxBodyBytes);
  if (!isObject(body)) throw new HttpError("UNPROCESSABLE_ENTITY", httpMessages.bodyNotObject);
  // The facade validates every field of the identity (strict: an unknown field is named).
  const why = await context.liveblocks.explainAccess(context.params.get("roomId")!, body as ExplainAccessIdentity, {
    signal: context.request.signal,
  });
  return json(why);
}

/** `GET /v2/rooms/:roomId/access-list?limit&startingAfter` → one page of the room's entries. */
export async function roomAccessListRoute({ liveblocks, request, params }: RouteContext): Promise<RouteResult> {
  const search = new URL(request.url).searchParams;
  const options: RoomAccessListOptions = {};
  const limit = search.get("limit");
  // Digits become a number; anything else goes to the facade as is, which names the rule it breaks.
  if (limit !== null) options.limit = (/^\d{1,6}$/.test(limit) ? Number(limit) : limit) as number;
  const startingAfter = search.get("startingAfter");
  if (startingAfter !== null) options.startingAfter = startingAfter;
  return json(await liveblocks.getRoomAccessList(params.get("roomId")!, options, { signal: request.signal }));
}

/**
 * `accessibleByUserId` and `accessibleByGroupIds` (comma-joined, as
 * `groupIds`) of `GET /v2/rooms`, as `getRooms`' `accessibleBy`.
 */
export function accessibleByParam(search: URLSearchParams): GetRoomsOptions["accessibleBy"] {
  const userId = search.get("accessibleByUserId");
  const groupIds = search.get("accessibleByGroupIds");
  if (userId === null) {
    if (groupIds !== null) throw invalidField("accessibleByUserId", "is required with accessibleByGroupIds");
    return undefined;
  }
  return { userId, ...(groupIds !== null && { groupIds: groupIds.split(",").filter((id) => id.length > 0) }) };
}
