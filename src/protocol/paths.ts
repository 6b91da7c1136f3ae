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
  /** The public keys of a key-pair signer, published without the secret. */
  jwks: "/.well-known/jwks.json",
} as const;

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
