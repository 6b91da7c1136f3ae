/**
 * Denial messages that fit a WebSocket close reason, whatever the token and
 * the room id: echoed ids are cut first, then the whole message.
 */
import type { AccessDecision } from "../../permissions/decision.js";
import type { TokenClaims } from "../../tokens/types.js";
import { messages } from "../../protocol/messages.js";
import type { RoomAccessDenial, RoomAccessResult } from "../types.js";

/**
 * The longest denial message, in UTF-8 bytes: the longest WebSocket close
 * reason (a 125-byte control frame less the 2-byte code), so
 * `socket.close(4403, access.message)` never throws.
 */
export const MAX_DENIAL_MESSAGE_BYTES = 123;

/** Longest user or room id echoed in a denial, in UTF-8 bytes, so the sentence around it survives. */
const ECHO_BYTES = 40;

/** @internal A denial whose message fits {@link MAX_DENIAL_MESSAGE_BYTES}. */
export function deny(reason: RoomAccessDenial, message: string): RoomAccessResult {
  return { allowed: false, reason, message: fitUtf8(message, MAX_DENIAL_MESSAGE_BYTES) };
}

/** @internal An id echoed in a message, cut to {@link ECHO_BYTES}. */
export function echo(value: string): string {
  return fitUtf8(value, ECHO_BYTES);
}

/**
 * `text` if it fits `maxBytes` of UTF-8, else its longest prefix that fits
 * with "…" after it, never cutting a surrogate pair in two. A lone
 * surrogate counts 3 bytes, as it is encoded (U+FFFD).
 * @internal
 */
export function fitUtf8(text: string, maxBytes: number): string {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (text.length * 3 <= maxBytes) return text;
  const budget = maxBytes - 3; // room for "…", 3 bytes
  let bytes = 0;
  let cut = -1; // where the first character past the budget starts
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    let size = unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
    let width = 1;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1); // NaN past the end
      if (next >= 0xdc00 && next <= 0xdfff) {
        size = 4;
        width = 2;
      }
    }
    if (cut === -1 && bytes + size > budget) cut = i;
    bytes += size;
    if (bytes > maxBytes) return `${text.slice(0, cut)}…`;
    i += width - 1;
  }
  return text;
}

/** @internal The entry outcomes `checkRoomAccess` and its watches share, worded once. */
export const outcomes = {
  roomNotFound: (roomId: string): RoomAccessResult => deny("room-not-found", messages.roomNotFound(echo(roomId))),
  noAccess: (userId: string, roomId: string): RoomAccessResult =>
    deny("no-access", `User "${echo(userId)}" may not enter room "${echo(roomId)}".`),
  /** `iat` has whole seconds: a token issued in the cutoff's second is revoked too. */
  isRevoked: (iat: number, cutoffMs: number): boolean => iat <= Math.floor(cutoffMs / 1000),
  /** A token enters rooms of its own organization only, whatever the room's permissions say. */
  organizationMismatch: (tokenOrganization: string, roomId: string): RoomAccessResult =>
    deny("organization-mismatch", `The token is for organization "${echo(tokenOrganization)}"; room "${echo(roomId)}" is not in it.`),
  revoked: (userId: string, cutoffMs: number): RoomAccessResult => {
    const cutoff = new Date(Math.floor(cutoffMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
    return deny("revoked", `Tokens of user "${echo(userId)}" issued up to ${cutoff} are revoked.`);
  },
  allowed: (claims: TokenClaims, groupIds: string[], decision: AccessDecision): RoomAccessResult => ({
    allowed: true,
    userId: claims.uid,
    groupIds,
    userInfo: claims.ui,
    tokenKind: claims.k,
    scopes: decision.scopes,
    canWrite: decision.canWrite,
    canComment: decision.canComment,
    isReadOnly: decision.isReadOnly,
  }),
};
