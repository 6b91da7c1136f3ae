/**
 * How a denial reaches a PartyServer client: the close codes every roomgate
 * gate sends (`@liveblocks/client` reads them the way Liveblocks means them:
 * 40xx stop, 41xx re-authorize and reconnect, 1013 back off and retry), and
 * the HTTP status of the same refusal before the upgrade.
 */
export { CLOSE_CODES, closeCodeFor as closeCodeOf, httpStatusFor as httpStatusOf } from "../realtime/close-codes.js";
