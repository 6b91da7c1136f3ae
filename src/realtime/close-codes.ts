/**
 * The close codes a gate sends, Liveblocks' own (`WebsocketCloseCodes` of
 * `@liveblocks/core`), so a client that knows them reacts as it would to
 * Liveblocks: 40xx disconnect for good, 41xx authenticate again, 1013 retry.
 */
import type { RoomAccessDenial } from "../liveblocks/types.js";

/** Liveblocks' close codes that roomgate's gates send. */
export const CLOSE_CODES = {
  /** A message the connection may not send, or could not be read. */
  INVALID_MESSAGE_FORMAT: 4000,
  /** The server refuses the user; a new token will not help. */
  NOT_ALLOWED: 4001,
  /** The server ended the connection (a revocation): authenticate again, the app decides. */
  KICKED: 4100,
  /** The token expired: authenticate again for a fresh one. */
  TOKEN_EXPIRED: 4109,
  /** The decision could not be made (verifier or store down): retry later. */
  TRY_AGAIN_LATER: 1013,
} as const;

/** The close code for a denial, in Liveblocks' meaning. */
export function closeCodeFor(reason: RoomAccessDenial): number {
  switch (reason) {
    case "expired":
      return CLOSE_CODES.TOKEN_EXPIRED;
    case "revoked":
      return CLOSE_CODES.KICKED;
    case "verifier-unavailable":
    case "store-unavailable":
      return CLOSE_CODES.TRY_AGAIN_LATER;
    case "invalid-token":
    case "room-not-found":
    case "no-access":
    case "organization-mismatch":
      return CLOSE_CODES.NOT_ALLOWED;
  }
}

/** The HTTP status refusing an upgrade for a denial (where a gate answers before the upgrade): 401 for an expired token, 503 for an outage, 403 otherwise. */
export function httpStatusFor(reason: RoomAccessDenial): number {
  switch (reason) {
    case "expired":
      return 401;
    case "verifier-unavailable":
    case "store-unavailable":
      return 503;
    default:
      return 403;
  }
}

/** The close reason when a user may only read and the server cannot keep them from writing. */
export const READ_ONLY_UNENFORCEABLE = "roomgate: read-only access, and this server cannot enforce read-only";

/** The close reason when the room id of a request cannot be read. */
export const NO_ROOM = "roomgate: the request names no room";
