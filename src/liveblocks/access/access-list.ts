/**
 * `Liveblocks.getRoomAccessList`: every user and group a room names, with
 * what each entry gives on its own, paged by an opaque cursor of the last
 * entry (kind, id), so a page never skips or repeats an entry that stays.
 */
import type { AccessDecision } from "../../permissions/decision.js";
import { accessWithEntry } from "../../permissions/enterable.js";
import { invalidField, roomNotFound } from "../../protocol/errors.js";
import { compareIds } from "../../rooms/order.js";
import { base64urlDecode, base64urlOfText, utf8Decode } from "../../runtime/crypto/node.js";
import type { Config } from "../options.js";
import { parseInput } from "../schemas.js";
import type { RequestOptions } from "../types.js";
import type { EffectiveAccess, RoomAccessEntry, RoomAccessList } from "./types.js";

/** Paging of `getRoomAccessList`. */
export type RoomAccessListOptions = { limit?: number; startingAfter?: string };

const KIND_ORDER = { user: 0, group: 1 } as const;

/**
 * One page of the room's entries; 404 `ROOM_NOT_FOUND` if there is no such
 * room, 422 for a bad id, limit or cursor.
 * @internal
 */
export async function roomAccessList(
  config: Config,
  roomId: string,
  params: RoomAccessListOptions = {},
  options?: RequestOptions,
): Promise<RoomAccessList> {
  options?.signal?.throwIfAborted();
  const id = parseInput(config.schemas.roomId, roomId, "roomId");
  const { limit = config.limits.pageSize, startingAfter } = parseInput(config.schemas.getRoomAccessList, params, "params");
  const after = startingAfter === undefined ? undefined : decodeEntryCursor(startingAfter);
  const room = await config.store.get(id, { signal: options?.signal });
  if (room === null) throw roomNotFound(id);

  const entries: { kind: "user" | "group"; id: string; stored: readonly string[] }[] = [];
  for (const userId of Object.keys(room.usersAccesses)) entries.push({ kind: "user", id: userId, stored: room.usersAccesses[userId]! });
  for (const groupId of Object.keys(room.groupsAccesses))
    entries.push({ kind: "group", id: groupId, stored: room.groupsAccesses[groupId]! });
  entries.sort(compareEntries);
  let start = 0;
  if (after !== undefined) while (start < entries.length && compareEntries(entries[start]!, after) <= 0) start++;
  const page = entries.slice(start, start + limit);
  const data: RoomAccessEntry[] = page.map((entry) => ({
    kind: entry.kind,
    id: entry.id,
    stored: [...entry.stored],
    effective: effectiveOf(accessWithEntry(room.defaultAccesses, entry.stored)),
  }));
  const last = page[page.length - 1];
  return {
    roomId: room.id,
    organizationId: room.organizationId,
    defaultAccess: { stored: [...room.defaultAccesses], effective: effectiveOf(accessWithEntry(room.defaultAccesses, undefined)) },
    data,
    nextCursor: start + limit < entries.length && last !== undefined ? encodeEntryCursor(last) : null,
  };
}

function effectiveOf(decision: AccessDecision): EffectiveAccess {
  return {
    scopes: [...decision.scopes],
    canEnter: decision.canEnter,
    canWrite: decision.canWrite,
    canComment: decision.canComment,
    isReadOnly: decision.isReadOnly,
  };
}

/** Users before groups, each by id in code point order. */
function compareEntries(a: { kind: "user" | "group"; id: string }, b: { kind: "user" | "group"; id: string }): number {
  return KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareIds(a.id, b.id);
}

function encodeEntryCursor(entry: { kind: "user" | "group"; id: string }): string {
  return base64urlOfText(JSON.stringify([entry.kind, entry.id]));
}

function decodeEntryCursor(cursor: string): { kind: "user" | "group"; id: string } {
  let value: unknown;
  try {
    value = /^[A-Za-z0-9_-]+$/.test(cursor) ? JSON.parse(utf8Decode(base64urlDecode(cursor))) : undefined;
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || (value[0] !== "user" && value[0] !== "group") || typeof value[1] !== "string") {
    throw invalidField("startingAfter", "is not a cursor this server issued", "INVALID_CURSOR");
  }
  return { kind: value[0], id: value[1] };
}
