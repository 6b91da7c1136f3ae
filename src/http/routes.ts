/**
 * What each REST route does: read the request, call the `Liveblocks` facade,
 * write its answer in the wire format. The facade validates every field and
 * decides every status; a route only checks what it must to call the facade
 * at all (a body that is an object, a string where a string is needed).
 */
import type { Liveblocks } from "../liveblocks/client.js";
import { ERROR_STATUS, codeForStatus, invalidField } from "../protocol/errors.js";
import type { AuthResponse } from "../liveblocks/auth.js";
import type { CreateRoomOptions, GetRoomsOptions, Identity, UpdateRoomOptions, UpsertRoomOptions, UserInfo } from "../liveblocks/types.js";
import { roomToJson } from "../protocol/room-json.js";
import { groupToJson } from "../protocol/group-json.js";
import type { CreateGroupOptions, GroupPaginationOptions } from "../liveblocks/groups.js";
import { type IncomingRequest, readJsonBody } from "./body.js";
import { roomEvents } from "./events.js";
import { httpMessages } from "../protocol/messages.js";
import { HttpError, errorResponse, type RouteResult, json, noContent } from "./responses.js";
import { isObject } from "../runtime/json.js";
import { PATHS, segmentsOf } from "../protocol/paths.js";
import { writeOptionsOf } from "./actor.js";
import { getAuditLogRoute } from "./audit.js";
import { accessibleByParam, explainAccessRoute, roomAccessListRoute } from "./access-routes.js";

/** What a route action receives. */
export type RouteContext = {
  liveblocks: Liveblocks;
  request: IncomingRequest;
  /** Path parameters, each decoded once. */
  params: ReadonlyMap<string, string>;
  maxBodyBytes: number;
};

type Action = (context: RouteContext) => Promise<RouteResult>;

type Dict = Record<string, unknown>;

/** A path pattern and its action per method. */
type Route = {
  pattern: readonly string[];
  methods: Readonly<Record<string, Action>>;
};

function route(path: string, methods: Readonly<Record<string, Action>>): Route {
  return { pattern: segmentsOf(path), methods };
}

const ROUTES: readonly Route[] = [
  route(PATHS.identifyUser, { POST: identifyUser }),
  route(PATHS.authorizeUser, { POST: authorizeUser }),
  route(PATHS.rooms, { GET: listRooms, POST: createRoom }),
  route(PATHS.room, { GET: getRoom, POST: updateRoom, DELETE: deleteRoom }),
  route(PATHS.upsertRoom, { POST: upsertRoom }),
  route(PATHS.updateRoomId, { POST: updateRoomId }),
  route(PATHS.groups, { GET: listGroups, POST: createGroup }),
  route(PATHS.group, { GET: getGroup, DELETE: deleteGroup }),
  route(PATHS.addGroupMembers, { POST: (context) => changeGroupMembers(context, "add") }),
  route(PATHS.removeGroupMembers, { POST: (context) => changeGroupMembers(context, "remove") }),
  route(PATHS.userGroups, { GET: listGroups }),
  route(PATHS.checkAccess, { POST: checkAccess }),
  route(PATHS.revokeTokens, { POST: revokeTokens }),
  route(PATHS.revocation, { GET: getRevocation, DELETE: clearRevocation }),
  route(PATHS.auditLog, { GET: getAuditLogRoute }),
  route(PATHS.explainAccess, { POST: explainAccessRoute }),
  route(PATHS.roomAccessList, { GET: roomAccessListRoute }),
  // The event stream reads nothing of the request but its signal.
  route(PATHS.roomEvents, {
    GET: ({ liveblocks, request }) => roomEvents({ liveblocks, request: { signal: request.signal } as Request }),
  }),
];

/** The route table. */
export const routes = {
  /** The route `segments` (decoded path segments) name, with its parameters; `null` if none. */
  match(segments: readonly string[]): { route: Route; params: Map<string, string> } | null {
    for (const route of ROUTES) {
      if (route.pattern.length !== segments.length) continue;
      const params = new Map<string, string>();
      const matches = route.pattern.every((part, i) => {
        const segment = segments[i]!;
        if (!part.startsWith(":")) return part === segment;
        params.set(part.slice(1), segment);
        // An empty id (`/v2/rooms/`) names nothing.
        return segment.length > 0;
      });
      if (matches) return { route, params };
    }
    return null;
  },
};

/* --- Authentication ------------------------------------------------------ */

async function identifyUser(context: RouteContext): Promise<RouteResult> {
  const body = await objectBody(context);
  const identity: Identity = { userId: nonEmptyString(body, "userId") };
  if (body["groupIds"] !== undefined) identity.groupIds = body["groupIds"] as string[];
  if (body["organizationId"] !== undefined) identity.organizationId = body["organizationId"] as string;
  const userInfo = body["userInfo"] === undefined ? undefined : { userInfo: body["userInfo"] as UserInfo };
  return authAnswer(await context.liveblocks.identifyUser(identity, userInfo));
}

async function authorizeUser(context: RouteContext): Promise<RouteResult> {
  const body = await objectBody(context);
  const userId = nonEmptyString(body, "userId");
  const permissions = body["permissions"];
  if (!isObject(permissions)) throw invalidField("permissions", "must be an object of room patterns to scope lists");
  const options: { userInfo?: UserInfo; organizationId?: string } = {};
  if (body["userInfo"] !== undefined) options.userInfo = body["userInfo"] as UserInfo;
  if (body["organizationId"] !== undefined) options.organizationId = body["organizationId"] as string;
  let session;
  try {
    session = context.liveblocks.prepareSession(userId, options);
    for (const [pattern, scopes] of Object.entries(permissions)) session.allow(pattern, scopes as never);
  } catch (error) {
    // `allow` throws the SDK's own messages ("Invalid room name or pattern", …) for bad input.
    throw new HttpError("UNPROCESSABLE_ENTITY", (error as Error).message);
  }
  return authAnswer(await session.authorize());
}

/** The token as the facade wrote it, or its failure as a JSON error. */
function authAnswer({ status, body }: AuthResponse): RouteResult {
  if (status === 200) {
    return {
      status,
      headers: { "content-type": "application/json; charset=utf-8" },
      body,
    };
  }
  // The auth methods fail with 422 (a field broke a rule) or 503 (the signer failed).
  return errorResponse(status, status === ERROR_STATUS.TOKEN_SIGNING_FAILED ? "TOKEN_SIGNING_FAILED" : codeForStatus(status), body);
}

/* --- Rooms --------------------------------------------------------------- */

async function listRooms({ liveblocks, request }: RouteContext): Promise<RouteResult> {
  const search = new URL(request.url).searchParams;
  const params: GetRoomsOptions = {};
  const limit = search.get("limit");
  // Digits become a number; anything else goes to the facade as is, which names the rule it breaks.
  if (limit !== null) params.limit = (/^\d{1,6}$/.test(limit) ? Number(limit) : limit) as number;
  const startingAfter = search.get("startingAfter");
  if (startingAfter !== null) params.startingAfter = startingAfter;
  const userId = search.get("userId");
  if (userId !== null) params.userId = userId;
  const groupIds = search.get("groupIds");
  if (groupIds !== null) params.groupIds = groupIds.split(",").filter((id) => id.length > 0);
  const organizationId = search.get("organizationId") ?? search.get("tenantId");
  if (organizationId !== null) params.organizationId = organizationId;
  const query = search.get("query");
  if (query !== null) params.query = query;
  let metadata: Record<string, string> | undefined;
  for (const [name, value] of search) {
    if (!name.startsWith("metadata.")) continue;
    metadata ??= Object.create(null) as Record<string, string>;
    metadata[name.slice("metadata.".length)] = value;
  }
  if (metadata !== undefined) params.metadata = metadata;
  const accessibleBy = accessibleByParam(search);
  if (accessibleBy !== undefined) params.accessibleBy = accessibleBy;
  const page = await liveblocks.getRooms(params, { signal: request.signal });
  // Liveblocks still sends the deprecated `nextPage` key, always null.
  return json({ nextCursor: page.nextCursor, nextPage: null, data: page.data.map(roomToJson) });
}

async function createRoom(context: RouteContext): Promise<RouteResult> {
  const { liveblocks, request } = context;
  const body = await objectBody(context);
  const { id, ...params } = body;
  const options = writeOptionsOf(request);
  const room = isIdempotent(new URL(request.url).searchParams.get("idempotent"))
    ? await liveblocks.getOrCreateRoom(id as string, params as CreateRoomOptions, options)
    : await liveblocks.createRoom(id as string, params as CreateRoomOptions, options);
  return json(roomToJson(room));
}

/** `?idempotent` (bare, as the SDK sends it) or `?idempotent=true`; `false` and `0` turn it off. */
function isIdempotent(value: string | null): boolean {
  return value !== null && value !== "false" && value !== "0";
}

async function getRoom({ liveblocks, request, params }: RouteContext): Promise<RouteResult> {
  return json(
    roomToJson(
      await liveblocks.getRoom(params.get("roomId")!, {
        signal: request.signal,
      }),
    ),
  );
}

async function updateRoom(context: RouteContext): Promise<RouteResult> {
  const body = await objectBody(context);
  const room = await context.liveblocks.updateRoom(
    context.params.get("roomId")!,
    body as UpdateRoomOptions,
    writeOptionsOf(context.request),
  );
  return json(roomToJson(room));
}

async function deleteRoom({ liveblocks, request, params }: RouteContext): Promise<RouteResult> {
  await liveblocks.deleteRoom(params.get("roomId")!, writeOptionsOf(request));
  return noContent();
}

async function upsertRoom(context: RouteContext): Promise<RouteResult> {
  const body = await objectBody(context);
  const room = await context.liveblocks.upsertRoom(
    context.params.get("roomId")!,
    body as UpsertRoomOptions,
    writeOptionsOf(context.request),
  );
  return json(roomToJson(room));
}

async function updateRoomId(context: RouteContext): Promise<RouteResult> {
  const body = await objectBody(context);
  const room = await context.liveblocks.updateRoomId(
    {
      currentRoomId: context.params.get("roomId")!,
      newRoomId: body["newRoomId"] as string,
    },
    writeOptionsOf(context.request),
  );
  return json(roomToJson(room));
}

/* --- Groups -------------------------------------------------------------- */

/** `POST /v2/groups`: the SDK sends the id as `id` (and `groupId` beside it). */
async function createGroup(context: RouteContext): Promise<RouteResult> {
  const { id, groupId, ...params } = await objectBody(context);
  if (id !== undefined && groupId !== undefined && id !== groupId) throw invalidField("groupId", "must equal id when both are sent");
  const group = await context.liveblocks.createGroup(
    { ...params, groupId: (id ?? groupId) as string } as CreateGroupOptions,
    writeOptionsOf(context.request),
  );
  return json(groupToJson(group));
}

async function getGroup({ liveblocks, request, params }: RouteContext): Promise<RouteResult> {
  return json(groupToJson(await liveblocks.getGroup({ groupId: params.get("groupId")! }, { signal: request.signal })));
}

async function deleteGroup({ liveblocks, request, params }: RouteContext): Promise<RouteResult> {
  await liveblocks.deleteGroup({ groupId: params.get("groupId")! }, writeOptionsOf(request));
  return noContent();
}

async function changeGroupMembers(context: RouteContext, change: "add" | "remove"): Promise<RouteResult> {
  const body = await objectBody(context);
  const params = { groupId: context.params.get("groupId")!, memberIds: body["memberIds"] as string[] };
  const options = writeOptionsOf(context.request);
  const group =
    change === "add"
      ? await context.liveblocks.addGroupMembers(params, options)
      : await context.liveblocks.removeGroupMembers(params, options);
  return json(groupToJson(group));
}

/** `GET /v2/groups` and `GET /v2/users/:userId/groups`: `limit`, `startingAfter`, and roomgate's `organizationId`. */
async function listGroups({ liveblocks, request, params }: RouteContext): Promise<RouteResult> {
  const search = new URL(request.url).searchParams;
  const options: GroupPaginationOptions = {};
  const limit = search.get("limit");
  if (limit !== null) options.limit = (/^\d{1,6}$/.test(limit) ? Number(limit) : limit) as number;
  const startingAfter = search.get("startingAfter");
  if (startingAfter !== null) options.startingAfter = startingAfter;
  const organizationId = search.get("organizationId") ?? search.get("tenantId");
  if (organizationId !== null) options.organizationId = organizationId;
  const userId = params.get("userId");
  const page =
    userId === undefined
      ? await liveblocks.getGroups(options, { signal: request.signal })
      : await liveblocks.getUserGroups({ ...options, userId }, { signal: request.signal });
  return json({ nextCursor: page.nextCursor, data: page.data.map(groupToJson) });
}

/* --- roomgate's own ------------------------------------------------------ */

/** `POST /v2/rooms/:roomId/check-access` `{ token }`: the entry decision, for a realtime server elsewhere. */
async function checkAccess(context: RouteContext): Promise<RouteResult> {
  const body = await objectBody(context);
  const token = body["token"];
  if (typeof token !== "string") throw invalidField("token", "must be a string");
  return json(await context.liveblocks.checkRoomAccess(token, context.params.get("roomId")!, { signal: context.request.signal }));
}

/** `POST /v2/users/:userId/revoke-tokens` `{ issuedBefore?: epoch ms }` → 204. */
async function revokeTokens(context: RouteContext): Promise<RouteResult> {
  const body = (await readJsonBody(context.request, context.maxBodyBytes)) ?? {};
  if (!isObject(body)) throw new HttpError("UNPROCESSABLE_ENTITY", httpMessages.bodyNotObject);
  const params: { userId: string; issuedBefore?: number } = {
    userId: context.params.get("userId")!,
  };
  if (body["issuedBefore"] !== undefined && body["issuedBefore"] !== null) params.issuedBefore = body["issuedBefore"] as number;
  await context.liveblocks.revokeTokens(params, writeOptionsOf(context.request));
  return noContent();
}

/** `GET /v2/users/:userId/revocation` → `{ issuedBefore: epoch ms | null }`, read by `RestStore`. */
async function getRevocation({ liveblocks, request, params }: RouteContext): Promise<RouteResult> {
  return json(await liveblocks.getTokenRevocation({ userId: params.get("userId")! }, { signal: request.signal }));
}

/** `DELETE /v2/users/:userId/revocation` → 204: the cutoff is gone (an administrator's undo). */
async function clearRevocation({ liveblocks, request, params }: RouteContext): Promise<RouteResult> {
  await liveblocks.clearTokenRevocation({ userId: params.get("userId")! }, writeOptionsOf(request));
  return noContent();
}

/* --- Bodies -------------------------------------------------------------- */

async function objectBody({ request, maxBodyBytes }: RouteContext): Promise<Dict> {
  const body = await readJsonBody(request, maxBodyBytes);
  if (!isObject(body)) throw new HttpError("UNPROCESSABLE_ENTITY", httpMessages.bodyNotObject);
  return body;
}

function nonEmptyString(body: Dict, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value.length === 0) throw invalidField(field, "must be a non-empty string");
  return value;
}
