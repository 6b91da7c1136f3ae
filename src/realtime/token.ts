/**
 * Where a gate reads the token of an upgrade request. The caller chooses:
 * a query parameter (y-websocket's `params`), an entry of
 * `Sec-WebSocket-Protocol` (the one place a browser's `WebSocket` can carry
 * a secret besides the URL), a header (servers and Node clients), or its own
 * function.
 */

/** The part of an upgrade request (`node:http`'s `IncomingMessage`) a gate reads. */
export type UpgradeRequest = {
  url?: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
};

/**
 * Where the token is:
 * - `{ query: "token" }`: `?token=…` (the default);
 * - `{ protocol: "roomgate" }`: the client offers `["roomgate", token]` as
 *   WebSocket subprotocols; the token is the entry after the marker, and the
 *   server answers with the marker (`ws` picks the first offered protocol);
 * - `{ header: "authorization" }`: a header (`Bearer ` is stripped);
 * - a function of the request.
 */
export type TokenSource = { query: string } | { protocol: string } | { header: string } | ((request: UpgradeRequest) => string | undefined);

/** The default: the `token` query parameter. */
export const DEFAULT_TOKEN_SOURCE: TokenSource = { query: "token" };

/** The token `request` carries per `source`, or `""` (a token that never verifies) when it carries none. */
export function readToken(request: UpgradeRequest, source: TokenSource = DEFAULT_TOKEN_SOURCE): string {
  if (typeof source === "function") {
    try {
      const token = source(request);
      return typeof token === "string" ? token : "";
    } catch {
      // The app's reader failing is no token, never an unhandled rejection in an upgrade handler.
      return "";
    }
  }
  if ("query" in source) {
    try {
      return new URL(request.url ?? "/", "http://gate.invalid").searchParams.get(source.query) ?? "";
    } catch {
      return "";
    }
  }
  if ("protocol" in source) {
    const offered = headerValue(request, "sec-websocket-protocol")
      .split(",")
      .map((entry) => entry.trim());
    const at = offered.indexOf(source.protocol);
    return at === -1 ? "" : (offered[at + 1] ?? "");
  }
  const value = headerValue(request, source.header.toLowerCase());
  return /^bearer /i.test(value) ? value.slice(7).trim() : value;
}

/**
 * The room a request is for by default: its path without the leading `/`,
 * percent-decoded (`/my%20room?token=…` → `my room`); `undefined` when the
 * path is empty or badly encoded.
 */
export function roomIdFromPath(request: UpgradeRequest): string | undefined {
  const path = (request.url ?? "").split("?")[0]!.slice(1);
  if (path === "") return undefined;
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

function headerValue(request: UpgradeRequest, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value.join(",") : value) ?? "";
}
