/**
 * The events roomgate sends to webhook endpoints: the Liveblocks ones, with
 * `@liveblocks/node`'s `data` shapes so its `WebhookHandler` accepts them,
 * and roomgate's own, which that handler rejects (its type list is fixed) and
 * which only endpoints that name them receive. Built from a store's journal
 * entry (in the write's transaction) or from a gate's presence event.
 */
import type { EntryChange, JournalEntry, RoomChanges } from "../rooms/journal.js";
import type { RoomPermission } from "../permissions/scopes.js";
import type { PresenceEvent } from "../rooms/presence.js";

/** The event types `@liveblocks/node`'s `WebhookHandler` accepts that roomgate sends. */
export const LIVEBLOCKS_WEBHOOK_EVENTS = ["roomCreated", "roomDeleted", "userEntered", "userLeft"] as const;

/** roomgate's own event types: sent only to endpoints that list them. */
export const ROOMGATE_WEBHOOK_EVENTS = [
  "roomUpdated",
  "roomIdUpdated",
  "tokensRevoked",
  "tokenRevocationCleared",
  "groupCreated",
  "groupDeleted",
  "groupMembersAdded",
  "groupMembersRemoved",
] as const;

/** Every event type roomgate sends. */
export const WEBHOOK_EVENT_TYPES = [...LIVEBLOCKS_WEBHOOK_EVENTS, ...ROOMGATE_WEBHOOK_EVENTS] as const;

/** A Liveblocks event type. */
export type LiveblocksWebhookEventType = (typeof LIVEBLOCKS_WEBHOOK_EVENTS)[number];
/** One of roomgate's own event types. */
export type RoomgateWebhookEventType = (typeof ROOMGATE_WEBHOOK_EVENTS)[number];
/** Any event type roomgate sends. */
export type WebhookEventType = LiveblocksWebhookEventType | RoomgateWebhookEventType;

/** `roomCreated`, as `@liveblocks/node` types it. */
export type RoomCreatedEvent = { type: "roomCreated"; data: { projectId: string; roomId: string; createdAt: string } };
/** `roomDeleted`, as `@liveblocks/node` types it. */
export type RoomDeletedEvent = { type: "roomDeleted"; data: { projectId: string; roomId: string; deletedAt: string } };
type Presence = {
  projectId: string;
  roomId: string;
  connectionId: number;
  userId: string | null;
  userInfo: Record<string, unknown> | null;
  numActiveUsers: number;
};
/** `userEntered`, as `@liveblocks/node` types it. */
export type UserEnteredEvent = { type: "userEntered"; data: Presence & { enteredAt: string } };
/** `userLeft`, as `@liveblocks/node` types it. */
export type UserLeftEvent = { type: "userLeft"; data: Presence & { leftAt: string } };

/** A changed entry as JSON: before and after (`null`: absent). */
export type WebhookEntryChange<T> = EntryChange<T>;
/** What changed in a room's permissions and metadata, entry by entry, never the whole room. */
export type WebhookRoomChanges = RoomChanges;

type Stamped = { projectId: string; at: string; actor: string };
/** roomgate's `roomUpdated`: the entries that changed. */
export type RoomUpdatedEvent = { type: "roomUpdated"; data: Stamped & { roomId: string; changes: WebhookRoomChanges } };
/** roomgate's `roomIdUpdated`. */
export type RoomIdUpdatedEvent = { type: "roomIdUpdated"; data: Stamped & { roomId: string; newRoomId: string } };
/** roomgate's `tokensRevoked`: tokens of `userId` issued before `issuedBefore` (seconds) no longer enter. */
export type TokensRevokedEvent = { type: "tokensRevoked"; data: Stamped & { userId: string; issuedBefore: number } };
/** roomgate's `tokenRevocationCleared`. */
export type TokenRevocationClearedEvent = { type: "tokenRevocationCleared"; data: Stamped & { userId: string } };
/** roomgate's `groupCreated` / `groupDeleted`. */
export type GroupEvent = { type: "groupCreated" | "groupDeleted"; data: Stamped & { groupId: string; organizationId: string } };
/** roomgate's `groupMembersAdded` / `groupMembersRemoved`. */
export type GroupMembersEvent = {
  type: "groupMembersAdded" | "groupMembersRemoved";
  data: Stamped & { groupId: string; memberIds: string[] };
};

/** A Liveblocks event roomgate sends. */
export type LiveblocksWebhookEvent = RoomCreatedEvent | RoomDeletedEvent | UserEnteredEvent | UserLeftEvent;
/** One of roomgate's own events. */
export type RoomgateOwnWebhookEvent =
  RoomUpdatedEvent | RoomIdUpdatedEvent | TokensRevokedEvent | TokenRevocationClearedEvent | GroupEvent | GroupMembersEvent;
/** Any event roomgate sends: the body of a delivery is its JSON. */
export type RoomgateWebhookEvent = LiveblocksWebhookEvent | RoomgateOwnWebhookEvent;

/**
 * An event as the outbox stores it: the body without `projectId` (added at
 * delivery, the store does not know it) and the key whose events are
 * delivered in commit order (`room:<id>`, `user:<id>`, `group:<id>`).
 */
export type OutboxEvent = {
  type: WebhookEventType;
  orderKey: string;
  /** The event's `data` without `projectId`; JSON values only. */
  data: Record<string, unknown>;
  at: Date;
};

/** A gate's presence event, as the facade reports it. */
export type PresenceInput = PresenceEvent;

/** Is `type` one of the Liveblocks event types? */
export function isLiveblocksEventType(type: string): type is LiveblocksWebhookEventType {
  return (LIVEBLOCKS_WEBHOOK_EVENTS as readonly string[]).includes(type);
}

/** Is `type` any event type roomgate sends? */
export function isWebhookEventType(type: string): type is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
}

/** Null-prototype maps of a journal's changes, as plain JSON objects. */
function plainChanges(changes: RoomChanges): RoomChanges {
  const out: RoomChanges = {};
  if (changes.defaultAccesses) out.defaultAccesses = changes.defaultAccesses;
  for (const key of ["usersAccesses", "groupsAccesses", "metadata"] as const) {
    const map = changes[key] as Record<string, EntryChange<RoomPermission | string | string[]>> | undefined;
    if (map === undefined) continue;
    // JSON keeps a `__proto__` key as data only from a null-prototype source.
    (out as Record<string, unknown>)[key] = JSON.parse(JSON.stringify(map));
  }
  return out;
}

/**
 * The webhook event a journal entry sends, or `null` for an entry no webhook
 * describes.
 *
 * @example
 * ```ts
 * journalWebhookEvent({ type: "roomDeleted", roomId: "r", at, actor: "api" });
 * // { type: "roomDeleted", orderKey: "room:r", data: { roomId: "r", deletedAt: "…" }, at }
 * ```
 */
export function journalWebhookEvent(entry: JournalEntry): OutboxEvent | null {
  const at = entry.at;
  const stamp = { at: at.toISOString(), actor: entry.actor };
  switch (entry.type) {
    case "roomCreated":
      return {
        type: "roomCreated",
        orderKey: `room:${entry.roomId}`,
        data: { roomId: entry.roomId, createdAt: entry.room.createdAt.toISOString() },
        at,
      };
    case "roomDeleted":
      return { type: "roomDeleted", orderKey: `room:${entry.roomId}`, data: { roomId: entry.roomId, deletedAt: at.toISOString() }, at };
    case "roomUpdated":
      return {
        type: "roomUpdated",
        orderKey: `room:${entry.roomId}`,
        data: { roomId: entry.roomId, changes: plainChanges(entry.changes), ...stamp },
        at,
      };
    case "roomIdUpdated":
      return {
        type: "roomIdUpdated",
        orderKey: `room:${entry.roomId}`,
        data: { roomId: entry.roomId, newRoomId: entry.newRoomId, ...stamp },
        at,
      };
    case "tokensRevoked":
      return {
        type: "tokensRevoked",
        orderKey: `user:${entry.userId}`,
        data: { userId: entry.userId, issuedBefore: entry.issuedBefore, ...stamp },
        at,
      };
    case "tokenRevocationCleared":
      return { type: "tokenRevocationCleared", orderKey: `user:${entry.userId}`, data: { userId: entry.userId, ...stamp }, at };
    case "groupCreated":
    case "groupDeleted":
      return {
        type: entry.type,
        orderKey: `group:${entry.groupId}`,
        data: { groupId: entry.groupId, organizationId: entry.organizationId, ...stamp },
        at,
      };
    case "groupMembersAdded":
    case "groupMembersRemoved":
      return {
        type: entry.type,
        orderKey: `group:${entry.groupId}`,
        data: { groupId: entry.groupId, memberIds: [...entry.memberIds], ...stamp },
        at,
      };
    default:
      return null;
  }
}

/**
 * The `userEntered` / `userLeft` event a gate's presence event sends.
 *
 * @example
 * ```ts
 * presenceWebhookEvent({ type: "userEntered", roomId: "r", connectionId: 1, userId: "ada", userInfo: null, at, numActiveUsers: 1 });
 * ```
 */
export function presenceWebhookEvent(event: PresenceInput): OutboxEvent {
  const when = event.at.toISOString();
  return {
    type: event.type,
    orderKey: `room:${event.roomId}`,
    data: {
      roomId: event.roomId,
      connectionId: event.connectionId,
      userId: event.userId,
      userInfo: event.userInfo === null ? null : JSON.parse(JSON.stringify(event.userInfo)),
      [event.type === "userEntered" ? "enteredAt" : "leftAt"]: when,
      numActiveUsers: event.numActiveUsers,
    },
    at: event.at,
  };
}

/** The JSON body of a delivery: `{ type, data }` with the project id first in `data`. */
export function webhookBody(event: Pick<OutboxEvent, "type" | "data">, projectId: string): string {
  return JSON.stringify({ type: event.type, data: { projectId, ...event.data } });
}
