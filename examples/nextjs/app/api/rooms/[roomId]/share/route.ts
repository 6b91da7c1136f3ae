/**
 * `/api/rooms/:roomId/share`: the share dialog's backend.
 *
 * - `GET` the room's sharing (a room opened for the first time is created,
 *   private, with the signed-in user as its editor);
 * - `POST { userId | groupId, access: "read" | "write" }` invites;
 * - `DELETE { userId | groupId }` removes an invitation;
 * - `PATCH { visibility: "private" | "public", access? }` makes the room
 *   private (`defaultAccesses: []`) or public (everyone may view, or edit).
 *
 * Only someone who may edit the room may change its sharing. Input roomgate
 * rejects comes back with roomgate's status and message (422 naming the field).
 */
import { resolveAccess, type RoomData, type UpdateRoomOptions } from "roomgate";
import { getLiveblocks } from "../../../../../lib/liveblocks";
import { errorJson, errorResponse, invalidField } from "../../../../../lib/responses";
import { getSessionUser, type SessionUser } from "../../../../../lib/session";
import { ACCESS_SCOPES, isAccessLevel, toSharing } from "../../../../../lib/sharing";

type Context = { params: Promise<{ roomId: string }> };

export async function GET(request: Request, context: Context): Promise<Response> {
  return withRoom(request, context, "read", async (room) => room);
}

export async function POST(request: Request, context: Context): Promise<Response> {
  return withRoom(request, context, "write", async (room, body) => {
    const target = readTarget(body);
    if (target instanceof Response) return target;
    const access = body["access"];
    if (!isAccessLevel(access)) return invalidField("access", 'must be "read" or "write"');
    return update(room.id, { [target.field]: { [target.id]: [...ACCESS_SCOPES[access]] } });
  });
}

export async function DELETE(request: Request, context: Context): Promise<Response> {
  return withRoom(request, context, "write", async (room, body) => {
    const target = readTarget(body);
    if (target instanceof Response) return target;
    return update(room.id, { [target.field]: { [target.id]: null } });
  });
}

export async function PATCH(request: Request, context: Context): Promise<Response> {
  return withRoom(request, context, "write", async (room, body) => {
    const visibility = body["visibility"];
    if (visibility === "private") return update(room.id, { defaultAccesses: [] });
    if (visibility !== "public") return invalidField("visibility", 'must be "private" or "public"');
    const access = body["access"] ?? "read";
    if (!isAccessLevel(access)) return invalidField("access", 'must be "read" or "write"');
    return update(room.id, { defaultAccesses: [...ACCESS_SCOPES[access]] });
  });
}

type Body = Record<string, unknown>;

/**
 * Signs the user in, reads the JSON body (writes only), opens the room and
 * checks the user's access to it before `action` runs.
 */
async function withRoom(
  request: Request,
  context: Context,
  needed: "read" | "write",
  action: (room: RoomData, body: Body) => Promise<RoomData | Response>,
): Promise<Response> {
  const user = getSessionUser(request);
  if (user === null) return errorJson(401, "Not signed in");
  const body = needed === "write" ? await readBody(request) : {};
  if (body instanceof Response) return body;
  try {
    const { roomId } = await context.params;
    const room = await openRoom(roomId, user);
    const access = resolveAccess(room, { userId: user.id, groupIds: user.groupIds });
    if (!access.canEnter || (needed === "write" && !access.canWrite)) {
      return errorJson(403, `${user.id} may not ${needed === "write" ? "change the sharing of" : "see"} room "${room.id}".`);
    }
    const result = await action(room, body);
    return result instanceof Response ? result : Response.json(toSharing(result));
  } catch (error) {
    return errorResponse(error);
  }
}

/** The room, created private with `user` as its editor the first time it is opened. */
async function openRoom(roomId: string, user: SessionUser): Promise<RoomData> {
  const liveblocks = await getLiveblocks();
  return liveblocks.getOrCreateRoom(roomId, {
    defaultAccesses: [],
    usersAccesses: { [user.id]: [...ACCESS_SCOPES.write] },
  });
}

async function update(roomId: string, params: UpdateRoomOptions): Promise<RoomData> {
  const liveblocks = await getLiveblocks();
  return liveblocks.updateRoom(roomId, params);
}

async function readBody(request: Request): Promise<Body | Response> {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return invalidField("body", "must be JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return invalidField("body", "must be a JSON object");
  return body as Body;
}

/** Exactly one of `userId` and `groupId`, a string; roomgate checks the rest (length, characters). */
function readTarget(body: Body): { field: "usersAccesses" | "groupsAccesses"; id: string } | Response {
  const userId = body["userId"];
  const groupId = body["groupId"];
  if ((userId === undefined) === (groupId === undefined)) return invalidField("userId", "give either a userId or a groupId");
  if (userId !== undefined) {
    if (typeof userId !== "string" || userId === "") return invalidField("userId", "must be a non-empty string");
    return { field: "usersAccesses", id: userId };
  }
  if (typeof groupId !== "string" || groupId === "") return invalidField("groupId", "must be a non-empty string");
  return { field: "groupsAccesses", id: groupId };
}
