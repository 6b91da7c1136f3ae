/**
 * The console's pages and form actions. Reads and writes go through the
 * `Liveblocks` facade; an error it throws is shown as it would be answered
 * over REST (status, code, message), and a failed edit changes nothing.
 */
import type { Liveblocks, Page, RoomAccessList, RoomData, UpdateRoomOptions } from "../index.js";
import type { EntryCheck } from "./access-sections.js";
import { auditSection, noAuditSection } from "./audit-section.js";
import type { HtmlValue } from "./html.js";
import type { Notice, Viewer } from "./layout.js";
import { page, redirect } from "./respond.js";
import { type FailedEdit, roomPage } from "./room-page.js";
import { idList, roomHref, roomSearchOf, roomsPage, roomsQueryOf } from "./rooms-page.js";
import { type UserView, usersPage } from "./users-page.js";

type View = (viewer: Viewer, params: URLSearchParams, signal: AbortSignal) => Promise<Response>;
type Action = (viewer: Viewer, form: URLSearchParams, signal: AbortSignal) => Promise<Response>;

/** The GET pages and POST actions by path. */
export type AdminRoutes = { gets: ReadonlyMap<string, View>; posts: ReadonlyMap<string, Action> };

/** Audit entries per page of the room view. */
const AUDIT_PAGE = 20;

/** The groups read from the store for one user, at most. */
const MAX_STORE_GROUPS = 100;

/** An error of the facade, as the REST API would answer it; anything else is rethrown. */
function apiError(error: unknown): { status: number; notice: Notice } {
  const { status, code, message } = (error ?? {}) as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof status === "number" && typeof code === "string" && typeof message === "string" && status >= 400 && status < 500) {
    return { status, notice: { kind: "error", text: `${status} ${code}: ${message}` } };
  }
  throw error;
}

const SAVED: Readonly<Record<string, string>> = {
  defaults: "Default access saved.",
  user: "User access saved.",
  group: "Group access saved.",
};

/** @internal The console's routes over `liveblocks`. */
export function createRoutes(liveblocks: Liveblocks): AdminRoutes {
  /** The user's groups in the store (of one organization when given); none when the store keeps no groups. */
  async function storeGroups(userId: string, organizationId: string | undefined, signal: AbortSignal): Promise<string[]> {
    try {
      const groups = await liveblocks.getUserGroups(
        { userId, limit: MAX_STORE_GROUPS, ...(organizationId !== undefined && { organizationId }) },
        { signal },
      );
      return groups.data.map((group) => group.id);
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === "NOT_IMPLEMENTED") return [];
      throw error;
    }
  }

  async function entryCheck(room: RoomData, params: URLSearchParams, signal: AbortSignal): Promise<EntryCheck | undefined> {
    const userId = (params.get("checkUser") ?? "").trim();
    if (userId === "") return undefined;
    const typed = idList(params.get("checkGroups") ?? "");
    const groupIds = typed.length > 0 ? typed : await storeGroups(userId, room.organizationId, signal);
    try {
      // The room's own organization: the question is about its permissions, as a token of that organization would meet them.
      const explanation = await liveblocks.explainAccess(room.id, { userId, groupIds, organizationId: room.organizationId }, { signal });
      return { userId, explanation, groupsFrom: typed.length > 0 ? "form" : "store" };
    } catch (error) {
      return { userId, problem: apiError(error).notice.text };
    }
  }

  /** The room view (status 200, or the status of the error a failed edit answered). */
  async function showRoom(
    viewer: Viewer,
    roomId: string,
    params: URLSearchParams,
    signal: AbortSignal,
    status = 200,
    notice?: Notice,
    failed?: FailedEdit,
  ): Promise<Response> {
    let room: RoomData;
    try {
      room = await liveblocks.getRoom(roomId, { signal });
    } catch (error) {
      const { status: errorStatus, notice: errorNotice } = apiError(error);
      return page(errorStatus, roomsPage(viewer, roomSearchOf(new URLSearchParams()), undefined, errorNotice));
    }
    const check = await entryCheck(room, params, signal);
    const accessCursor = params.get("accessCursor") ?? "";
    let accessList: RoomAccessList | undefined;
    try {
      accessList = await liveblocks.getRoomAccessList(room.id, accessCursor === "" ? {} : { startingAfter: accessCursor }, { signal });
    } catch (error) {
      notice ??= apiError(error).notice;
    }
    const auditCursor = params.get("auditCursor") ?? "";
    let trail: HtmlValue = "";
    try {
      const log = await liveblocks.getAuditLog(
        { roomId: room.id, limit: AUDIT_PAGE, ...(auditCursor !== "" && { startingAfter: auditCursor }) },
        { signal },
      );
      trail = auditSection(room.id, log.data, log.nextCursor);
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === "NOT_IMPLEMENTED") trail = noAuditSection();
      else notice ??= apiError(error).notice;
    }
    return page(status, roomPage(viewer, { room, check, failed, accessList, trail }, notice));
  }

  /** `updateRoom` with one change from a form; back to the room view either way. */
  function edit(kind: "defaults" | "user" | "group"): Action {
    return async (viewer, form, signal) => {
      const roomId = form.get("id") ?? "";
      const entry = (form.get("entry") ?? "").trim();
      const scopesText = form.get("scopes") ?? "";
      const scopes = idList(scopesText);
      const remove = form.get("remove") === "1";
      const change = remove ? null : scopes;
      // Typed text, as a REST body would carry it: `updateRoom` validates it. Own data properties:
      // an id such as `__proto__` stays an ordinary key.
      const params = (
        kind === "defaults"
          ? { defaultAccesses: scopes }
          : { [kind === "user" ? "usersAccesses" : "groupsAccesses"]: Object.fromEntries([[entry, change]]) }
      ) as UpdateRoomOptions;
      try {
        // The audit trail names the signed-in admin, never the API secret's default "api".
        await liveblocks.updateRoom(roomId, params, { signal, actor: `admin:${viewer.name}` });
      } catch (error) {
        const { status, notice } = apiError(error);
        return showRoom(viewer, roomId, new URLSearchParams(), signal, status, notice, { form: kind, id: entry, scopes: scopesText });
      }
      return redirect(`${roomHref(roomId)}&saved=${kind}${remove ? "&removed=1" : ""}`);
    };
  }

  const gets = new Map<string, View>([
    [
      "/admin/rooms",
      async (viewer, params, signal) => {
        const search = roomSearchOf(params);
        const query = roomsQueryOf(search);
        if ("problem" in query) return page(422, roomsPage(viewer, search, undefined, { kind: "error", text: query.problem }));
        try {
          return page(200, roomsPage(viewer, search, await liveblocks.getRooms(query, { signal })));
        } catch (error) {
          const { status, notice } = apiError(error);
          return page(status, roomsPage(viewer, search, undefined, notice));
        }
      },
    ],
    [
      "/admin/room",
      async (viewer, params, signal) => {
        const roomId = params.get("id");
        if (roomId === null) return redirect("/admin/rooms");
        const saved = SAVED[params.get("saved") ?? ""];
        const notice: Notice | undefined =
          saved === undefined ? undefined : { kind: "ok", text: params.get("removed") === "1" ? saved.replace("saved", "removed") : saved };
        return showRoom(viewer, roomId, params, signal, 200, notice);
      },
    ],
    [
      "/admin/users",
      async (viewer, params, signal) => {
        const form = { userId: (params.get("userId") ?? "").trim(), groupIds: (params.get("groupIds") ?? "").trim() };
        if (form.userId === "") return page(200, usersPage(viewer, form));
        try {
          const typed = idList(form.groupIds);
          const groupIds = typed.length > 0 ? typed : await storeGroups(form.userId, undefined, signal);
          const cursor = params.get("cursor") ?? "";
          const rooms: Page<RoomData> = await liveblocks.getRooms(
            {
              accessibleBy: { userId: form.userId, groupIds },
              limit: 20,
              ...(cursor !== "" && { startingAfter: cursor }),
            },
            { signal },
          );
          const view: UserView = {
            userId: form.userId,
            typedGroups: form.groupIds,
            groupIds,
            groupsFrom: typed.length > 0 ? "form" : "store",
            rooms,
            rule: "Every room this identity can enter: through the room's default, one of its groups, or its own entry (getRooms accessibleBy).",
            next: rooms.nextCursor === null ? undefined : `/admin/users?${new URLSearchParams({ ...form, cursor: rooms.nextCursor })}`,
          };
          return page(200, usersPage(viewer, form, view));
        } catch (error) {
          const { status, notice } = apiError(error);
          return page(status, usersPage(viewer, form, undefined, notice));
        }
      },
    ],
  ]);
  const posts = new Map<string, Action>([
    ["/admin/room/defaults", edit("defaults")],
    ["/admin/room/user", edit("user")],
    ["/admin/room/group", edit("group")],
  ]);
  return { gets, posts };
}
