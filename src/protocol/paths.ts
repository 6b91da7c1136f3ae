/**
 * The REST API v2 paths, written once for the server that routes them
 * (`roomgate/http`) and the client that calls them (`RestStore`).
 */

/** Every route as a path pattern; a `:name` segment is a parameter. */
export const PATHS = {
  identifyUser: "/v2/identify-user",
  authorizeUser: "/v2/authorize-user",
  rooms: "/v2/rooms",
  room: "/v2/rooms/:roomId",
  upsertRoom: "/v2/rooms/:roomId/upsert",
  updateRoomId: "/v2/rooms/:roomId/update-room-id",
  groups: "/v2/groups",
  group: "/v2/groups/:groupId",
  addGroupMembers: "/v2/groups/:groupId/add-members",
  removeGroupMembers: "/v2/groups/:groupId/remove-members",
  userGroups: "/v2/users/:userId/groups",
  /** roomgate's own: the entry decision for a realtime server elsewhere. */
  checkAccess: "/v2/rooms/:roomId/check-access",
  /** roomgate's own: move a user's revocation cutoff forward. */
  revokeTokens: "/v2/users/:userId/revoke-tokens",
  /** roomgate's own: read (GET) or clear (DELETE) a user's revocation cutoff. */
  revocation: "/v2/users/:userId/revocation",
  /** roomgate's own: room changes and revocations as server-sent events. */
  roomEvents: "/v2/room-events",
  /** roomgate's own: why a user gets what they get in a room (`explainAccess`). */
  explainAccess: "/v2/rooms/:roomId/explain-access",
  /** roomgate's own: every user and group a room names, with their effective access (`getRoomAccessList`). */
  roomAccessList: "/v2/rooms/:roomId/access-list",
  /** The public keys of a key-pair signer, published without the secret. */
  jwks: "/.well-known/jwks.json",
  /** roomgate's own: the audit trail, newest first (`roomId`, `actor`, `since`, `until`, `limit`, `startingAfter`). */
  auditLog: "/v2/audit-log",
} as const;

/**
 * Routes of `@liveblocks/node` that roomgate does not serve, as path
 * prefixes (`:` is any one segment) with what they are: the REST server
 * answers them 501 `NOT_IMPLEMENTED` instead of 404, so a caller learns the
 * feature is missing rather than mistyped. A route roomgate serves wins.
 */
export const UNSERVED_PATHS: ReadonlyArray<readonly [prefix: string, what: string]> = [
  ["/v2/rooms/:/active-users", "active users (getActiveUsers)"],
  ["/v2/rooms/:/broadcast-event", "broadcasting events (broadcastEvent)"],
  ["/v2/rooms/:/presence", "setting presence (setPresence)"],
  ["/v2/rooms/:/prewarm", "prewarming rooms (prewarmRoom)"],
  ["/v2/rooms/:/storage", "Storage documents"],
  ["/v2/rooms/:/request-storage-mutation", "Storage mutations"],
  ["/v2/rooms/:/send-message", "Storage mutations"],
  ["/v2/rooms/:/ydoc", "Yjs documents"],
  ["/v2/rooms/:/ydoc-binary", "Yjs documents"],
  ["/v2/rooms/:/versions", "version history"],
  ["/v2/rooms/:/threads", "comments and threads"],
  ["/v2/rooms/:/attachments", "comment attachments"],
  ["/v2/rooms/:/users", "room subscription settings"],
  ["/v2/rooms/:/feeds", "feeds"],
  ["/v2/users/:/inbox-notifications", "inbox notifications"],
  ["/v2/users/:/notification-settings", "notification settings"],
  ["/v2/users/:/room-subscription-settings", "room subscription settings"],
  ["/v2/inbox-notifications", "inbox notifications"],
  ["/v2/ai", "AI copilots and knowledge sources"],
];

const UNSERVED = UNSERVED_PATHS.map(([prefix, what]) => ({ segments: segmentsOf(prefix), what }));

/**
 * What an unserved `@liveblocks/node` route is (see {@link UNSERVED_PATHS})
 * for decoded path `segments`, or `undefined` for a path the SDK never calls.
 */
export function unservedFeature(segments: readonly string[]): string | undefined {
  for (const { segments: prefix, what } of UNSERVED) {
    if (segments.length < prefix.length) continue;
    if (prefix.every((part, i) => (part === ":" ? segments[i]!.length > 0 : part === segments[i]))) return what;
  }
  return undefined;
}

/** The parameter names of a path pattern. */
type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParams<Rest>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/**
 * `pattern` with each parameter percent-encoded once (`a/b` → `a%2Fb`), as
 * the official SDK encodes ids.
 *
 * @example
 * ```ts
 * pathOf(PATHS.room, { roomId: "a/b" }); // "/v2/rooms/a%2Fb"
 * ```
 */
export function pathOf<P extends string>(pattern: P, params: Record<PathParams<P>, string>): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent((params as Record<string, string>)[name]!));
}

/** The segments of a path pattern, without the leading slash: `["v2", "rooms", ":roomId"]`. */
export function segmentsOf(pattern: string): readonly string[] {
  return pattern.slice(1).split("/");
}
