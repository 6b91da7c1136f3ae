/**
 * How a denial reaches a PartyServer client: a WebSocket close code that
 * `@liveblocks/client` reads the way Liveblocks means it (40xx: stop, 41xx:
 * re-authorize and reconnect, 1013: back off and retry), and the HTTP status
 * of the same refusal before the upgrade.
 */
import type { RoomAccessDenial } from "../liveblocks/types.js";

/** Liveblocks' close codes this gate sends (`WebsocketCloseCodes` of `@liveblocks/core`). */
export const CLOSE_CODES = {
  /** The server refused the connection; re-authorizing will not help. */
  NOT_ALLOWED: 4001,
  /** The server ended the connection; re-authorize and reconnect. */
  KICKED: 4100,
  /** The token expired; re-authorize and reconnect. */
  TOKEN_EXPIRED: 4109,
  /** The decision could not be made now; back off and retry. */
  TRY_AGAIN_LATER: 1013,
} as const;

/** The close code for a denial. */
export function closeCodeOf(reason: RoomAccessDenial): number {
  switch (reason) {
    case "expired":
      return CLOSE_CODES.TOKEN_EXPIRED;
    // A new token (issued after the cutoff) may enter again.
    case "revoked":
      return CLOSE_CODES.KICKED;
    case "verifier-unavailable":
    case "store-unavailable":
      return CLOSE_CODES.TRY_AGAIN_LATER;
    default:
      return CLOSE_CODES.NOT_ALLOWED;
  }
}

/** The HTTP status refusing the upgrade for a denial: 401 for an expired token, 503 for an outage, 403 otherwise. */
export function httpStatusOf(reason: RoomAccessDenial): number {
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
