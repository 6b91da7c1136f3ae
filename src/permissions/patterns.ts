/**
 * Access-token permissions: a map of room id or pattern (`"org:*"`, `"*"`)
 * to scopes, and how it resolves for one room. Pure and synchronous.
 */
import { type AccessDecision, decisionFor } from "./decision.js";
import { RESOURCE_SHIFT, encodeScopes } from "./scopes.js";

/** Liveblocks' room id length: the default bound of a pattern's prefix and of the facade's `limits.roomIdLength`. */
export const ROOM_ID_LENGTH = 128;

/**
 * Is `pattern` a valid access-token room id or pattern: `*`, or 1 to
 * `maxLength` characters without `*`, optionally followed by one `*`?
 * `maxLength` is the room id length limit (Liveblocks: 128).
 *
 * @example
 * ```ts
 * isValidRoomPattern("org:*"); // true
 * isValidRoomPattern("a*b");   // false
 * ```
 */
export function isValidRoomPattern(pattern: unknown, maxLength = ROOM_ID_LENGTH): pattern is string {
  if (typeof pattern !== "string") return false;
  if (pattern === "*") return true;
  const star = pattern.indexOf("*");
  const prefixLength = star === -1 ? pattern.length : star;
  // A star may only end the pattern, after 1..maxLength other characters.
  if (star !== -1 && star !== pattern.length - 1) return false;
  return prefixLength >= 1 && prefixLength <= maxLength;
}

/**
 * Does `pattern` match `roomId`? A trailing `*` matches by literal prefix;
 * anything else must equal the id.
 *
 * @example
 * ```ts
 * matchesRoomPattern("org:*", "org:room-1"); // true
 * matchesRoomPattern("*", "anything");        // true
 * ```
 */
export function matchesRoomPattern(pattern: string, roomId: string): boolean {
  if (pattern.endsWith("*")) return roomId.startsWith(pattern.slice(0, -1));
  return pattern === roomId;
}

const ROOM = RESOURCE_SHIFT.room;

/**
 * Resolves an access token's `perms` for one room. An exact room id wins;
 * otherwise every matching pattern counts: `room` takes the strongest level
 * among them, each other resource comes from the most specific (longest)
 * pattern that sets it, ties by strongest level. No match → no access.
 *
 * @example
 * ```ts
 * const perms = { "org:*": ["*:read"], "org:team:*": ["*:read", "storage:write"] };
 * resolveTokenAccess(perms, "org:team:doc").scopes; // ["*:read", "storage:write"]
 * ```
 */
export function resolveTokenAccess(perms: { readonly [pattern: string]: readonly string[] }, roomId: string): AccessDecision {
  if (!roomId.includes("*") && Object.hasOwn(perms, roomId)) {
    return decisionFor(encodeScopes(perms[roomId]!));
  }
  let room = 0;
  let others = 0;
  // Specificity (prefix length + 1, 0 = unset) of each non-room resource.
  const specificity = [0, 0, 0, 0, 0, 0];
  for (const pattern of Object.keys(perms)) {
    if (!pattern.endsWith("*")) continue;
    const prefix = pattern.slice(0, -1);
    if (!roomId.startsWith(prefix)) continue;
    const code = encodeScopes(perms[pattern]!);
    const weight = prefix.length + 1;
    const base = (code >> ROOM) & 3;
    if (base > room) room = base;
    for (let shift = 2, i = 1; shift < 12; shift += 2, i++) {
      const level = (code >> shift) & 3;
      if (level === 0) continue;
      const current = (others >> shift) & 3;
      if (weight > specificity[i]! || (weight === specificity[i] && level > current)) {
        others = (others & ~(3 << shift)) | (level << shift);
        specificity[i] = weight;
      }
    }
  }
  return decisionFor(room | others);
}
