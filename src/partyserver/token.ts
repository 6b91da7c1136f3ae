/**
 * Where a PartyServer connection carries its roomgate token. Browsers cannot
 * set headers on a WebSocket, so they send it in the URL or as a WebSocket
 * subprotocol; a server-side client may use a header. The reading itself is
 * the realtime gates' (`readToken`); only the request type differs.
 */
import { readToken as readUpgradeToken } from "../realtime/token.js";

/**
 * Where the gate reads the token from:
 * - `{ query: "token" }`: `wss://host/parties/main/room-1?token=…` (the default);
 * - `{ protocol: "roomgate" }`: `new WebSocket(url, ["roomgate", token])`, the
 *   offered subprotocol right after the marker (a browser then needs the
 *   marker echoed in the 101 response's `Sec-WebSocket-Protocol`);
 * - `{ header: "authorization" }`: the header's value, without a `Bearer ` prefix;
 * - a function of the upgrade request.
 */
export type TokenSource = { query: string } | { protocol: string } | { header: string } | ((request: Request) => string | null | undefined);

/** The default: the `token` query parameter. */
export const DEFAULT_TOKEN_SOURCE: TokenSource = { query: "token" };

/** The longest token read (a roomgate token is far shorter); a longer one reads as none. */
const MAX_TOKEN_LENGTH = 16_384;

/** The token `request` carries at `source`, or `""` when it carries none (which every check denies). */
export function readToken(request: Request, source: TokenSource): string {
  let token: string | null | undefined;
  if (typeof source === "function") {
    token = source(request);
  } else {
    const headers: Record<string, string> = Object.create(null);
    for (const name of ["sec-websocket-protocol", "header" in source ? source.header.toLowerCase() : ""]) {
      const value = name === "" ? null : request.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    token = readUpgradeToken({ url: request.url, headers }, source);
  }
  return typeof token === "string" && token.length <= MAX_TOKEN_LENGTH ? token.trim() : "";
}
