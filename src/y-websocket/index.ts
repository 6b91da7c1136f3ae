/**
 * `roomgate/y-websocket`: `@y/websocket-server`'s `setupWSConnection` behind
 * the room-entry decision. A document is a room (its name, from the URL
 * path as `WebsocketProvider` builds it, is the room id by default); the
 * provider passes a roomgate token (`params: { token }` by default). Denied
 * users never receive a byte of the document; read-only users receive every
 * update while their sync step 2 and updates are dropped; a downgrade,
 * removal, revocation, deletion or expiry acts on open connections at once.
 */
import * as yUtils from "@y/websocket-server/utils";
import type { Liveblocks } from "../liveblocks/client.js";
import type { RoomAccessDenial } from "../liveblocks/types.js";
import { awarenessOwners } from "../realtime/yjs-wire.js";
import { CLOSE_CODES } from "../realtime/close-codes.js";
import type { TokenSource, UpgradeRequest } from "../realtime/token.js";
import { type GatedConnection, type RawSocket, type UpgradeServer, WebSocketGate } from "../websocket/index.js";
import { verdict } from "./messages.js";

/** The part of a `ws` `WebSocket` `setupWSConnection` and the gate use. */
export type YSocket = {
  readonly readyState: number;
  binaryType: string;
  send(data: Uint8Array, options: object, callback: (error?: Error) => void): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: "close", listener: () => void): unknown;
  off(event: "close", listener: () => void): unknown;
};

/** The part of `@y/websocket-server/utils` the gate drives. */
export type YWebsocketServerUtils = {
  setupWSConnection(conn: never, request: never, options: { docName: string; gc?: boolean }): void;
  docs: ReadonlyMap<
    string,
    {
      conns: ReadonlyMap<unknown, ReadonlySet<number>>;
      awareness: { getStates(): ReadonlyMap<number, unknown>; meta: ReadonlyMap<number, { clock: number }> };
    }
  >;
};

/** Options of {@link YWebsocketGate}. */
export type YWebsocketGateOptions = {
  /** The instance whose rooms, keys and store decide. */
  liveblocks: Liveblocks;
  /** Where the token is (default: the `token` query parameter, `WebsocketProvider`'s `params: { token }`). */
  token?: TokenSource;
  /** The room a document belongs to (default: the document name, percent-decoded). */
  roomId?: (docName: string) => string;
  /** Longest wait for the first decision, in ms (default: `checkRoomAccess`'s 5 s). */
  timeoutMs?: number;
  /** Passed on to `setupWSConnection`. */
  gc?: boolean;
  /**
   * The `@y/websocket-server/utils` module to serve with (default: the one
   * this entry imports). A CommonJS app that `require`s it gets another copy
   * than this ESM entry: pass yours so persistence set on it applies.
   */
  utils?: YWebsocketServerUtils;
};

/**
 * Close codes for y-websocket's providers: since y-websocket 3.1 a provider
 * does not reconnect after a code in 4400–4499, so a refusal a reconnect
 * cannot fix uses that range; an outage (1013) lets it retry.
 */
export const Y_CLOSE_CODES = {
  /** The user may not enter (or no longer): removed, no such room, another organization, a bad token. */
  FORBIDDEN: 4403,
  /** The token expired or was revoked: give the provider a fresh one (`provider.params`) and `connect()`. */
  TOKEN_ENDED: 4401,
  /** A message the connection may not send, or could not be read (WebSocket "policy violation"). */
  POLICY_VIOLATION: 1008,
  /**
   * Write access is back: reconnect. Yjs applies a client's updates in clock
   * order, so after dropped writes the server would hold every later one
   * back; a new sync sends what is missing (Liveblocks' 42xx: retry without
   * authenticating again).
   */
  RESYNC: 4200,
} as const;

/** The close reason sent with {@link Y_CLOSE_CODES.RESYNC}. */
export const RESYNC_REASON = "roomgate: write access is back, reconnect to sync";

function yCloseCode(access: { reason: RoomAccessDenial }): number {
  switch (access.reason) {
    case "expired":
    case "revoked":
      return Y_CLOSE_CODES.TOKEN_ENDED;
    case "verifier-unavailable":
    case "store-unavailable":
      return CLOSE_CODES.TRY_AGAIN_LATER;
    default:
      return Y_CLOSE_CODES.FORBIDDEN;
  }
}

/** The document name `setupWSConnection` would take from the request: the path without `/` and query, as sent. */
export function docNameOf(request: UpgradeRequest): string {
  return (request.url ?? "").slice(1).split("?")[0]!;
}

/**
 * The gate. Call `handleUpgrade` from a `node:http` server's `upgrade` event
 * with a `WebSocketServer({ noServer: true })`: it decides before the
 * socket opens, so no message of a refused client is ever read.
 *
 * @example
 * ```ts
 * import { WebSocketServer } from "ws";
 * import { YWebsocketGate } from "roomgate/y-websocket";
 *
 * const wss = new WebSocketServer({ noServer: true });
 * const gate = new YWebsocketGate({ liveblocks });
 * httpServer.on("upgrade", (request, socket, head) => void gate.handleUpgrade(wss, request, socket, head));
 * // Client: new WebsocketProvider(url, roomId, doc, { params: { token } })
 * ```
 */
export class YWebsocketGate {
  readonly #gate: WebSocketGate<YSocket>;
  readonly #options: YWebsocketGateOptions;
  readonly #utils: YWebsocketServerUtils;

  constructor(options: YWebsocketGateOptions) {
    if (options === null || typeof options !== "object" || typeof options.liveblocks?.watchRoomAccess !== "function") {
      throw new TypeError("YWebsocketGate: `liveblocks` must be a roomgate Liveblocks instance");
    }
    this.#options = options;
    this.#utils = options.utils ?? (yUtils as unknown as YWebsocketServerUtils);
    const roomIdOf = options.roomId;
    this.#gate = new WebSocketGate<YSocket>({
      liveblocks: options.liveblocks,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      roomId: (request) => {
        const docName = docNameOf(request);
        if (roomIdOf !== undefined) return roomIdOf(docName);
        try {
          return decodeURIComponent(docName);
        } catch {
          return docName;
        }
      },
      // Read-only is enforced on the wire, message by message (see `verdict`).
      onReadOnly: (connection) => {
        if (!connection.readOnly) connection.socket.close(Y_CLOSE_CODES.RESYNC, RESYNC_REASON);
      },
      closeCode: yCloseCode,
    });
  }

  /** How many connections the gate holds a watch for now (for tests and metrics). */
  get size(): number {
    return this.#gate.size;
  }

  /** Decides the upgrade, completes it with `server`, and serves the document to an admitted client. */
  async handleUpgrade(
    server: UpgradeServer<YSocket>,
    request: UpgradeRequest,
    socket: RawSocket,
    head: unknown,
  ): Promise<GatedConnection<YSocket> | undefined> {
    const connection = await this.#gate.handleUpgrade(server, request, socket, head);
    if (connection === undefined) return undefined;
    const docName = docNameOf(request);
    const conn = new GatedYConnection(connection, docName, this.#utils);
    const gc = this.#options.gc;
    this.#utils.setupWSConnection(conn as never, request as never, gc === undefined ? { docName } : { docName, gc });
    return connection;
  }

  /** Closes every held connection (a server shutting down). */
  closeAll(): void {
    this.#gate.closeAll();
  }
}

/**
 * The connection `setupWSConnection` is given: the socket, with each
 * incoming message judged first. `setupWSConnection` keys the document's
 * connections by this object, so its awareness entries are found under it.
 */
class GatedYConnection {
  readonly #connection: GatedConnection<YSocket>;
  readonly #docName: string;
  readonly #utils: YWebsocketServerUtils;

  constructor(connection: GatedConnection<YSocket>, docName: string, utils: YWebsocketServerUtils) {
    this.#connection = connection;
    this.#docName = docName;
    this.#utils = utils;
  }

  get readyState(): number {
    return this.#connection.socket.readyState;
  }

  set binaryType(value: string) {
    this.#connection.socket.binaryType = value;
  }

  get binaryType(): string {
    return this.#connection.socket.binaryType;
  }

  send(data: Uint8Array, options: object, callback: (error?: Error) => void): void {
    this.#connection.socket.send(data, options, callback);
  }

  ping(): void {
    this.#connection.socket.ping();
  }

  close(): void {
    this.#connection.socket.close();
  }

  on(event: string, listener: (...args: unknown[]) => void): this {
    const socket = this.#connection.socket;
    if (event !== "message") {
      socket.on(event, listener as never);
      return this;
    }
    socket.on("message", ((data: ArrayBuffer | Uint8Array) => {
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
      const doc = this.#utils.docs.get(this.#docName);
      const own = doc?.conns.get(this) ?? new Set<number>();
      const owners = doc === undefined ? { changesForeign: () => false } : awarenessOwners(doc.awareness, own);
      const judged = verdict(bytes, this.#connection.readOnly, owners);
      if (judged.kind === "pass") return listener(data);
      if (judged.kind === "close") {
        try {
          socket.close(Y_CLOSE_CODES.POLICY_VIOLATION, judged.reason);
        } catch {
          // Already closing.
        }
      }
    }) as never);
    return this;
  }
}

export type { GatedConnection, TokenSource, UpgradeRequest };
