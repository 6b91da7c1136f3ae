/**
 * `roomgate/websocket`: the room-entry decision and its live watch for any
 * `ws` (or `node:http` + `ws`) server. On upgrade the gate reads the token,
 * decides, and either refuses with Liveblocks' close code and a reason that
 * fits a close frame, or hands the app an open socket whose connection
 * object follows the room's permissions: read-only when they downgrade,
 * closed on removal, revocation, deletion, organization mismatch or expiry.
 *
 * Typed structurally (no import of `ws`), so loading this module needs
 * nothing but roomgate.
 */
import type { Liveblocks } from "../liveblocks/client.js";
import type { RoomAccessDenial } from "../liveblocks/types.js";
import { type AllowedAccess, admit, type Refusal, type RoomConnection } from "../realtime/admission.js";
import { CLOSE_CODES, NO_ROOM } from "../realtime/close-codes.js";
import { readToken, roomIdFromPath, type TokenSource, type UpgradeRequest } from "../realtime/token.js";

export { CLOSE_CODES, closeCodeFor, READ_ONLY_UNENFORCEABLE } from "../realtime/close-codes.js";
export type { TokenSource, UpgradeRequest } from "../realtime/token.js";

/** The part of a `ws` `WebSocket` the gate drives. */
export type GateSocket = {
  readonly readyState: number;
  close(code?: number, reason?: string): void;
  once(event: "close", listener: () => void): unknown;
  off(event: "close", listener: () => void): unknown;
};

/** The part of the upgrading TCP socket (`node:stream`'s `Duplex`) the gate watches. */
export type RawSocket = {
  readonly destroyed?: boolean;
  once(event: "close", listener: () => void): unknown;
  off(event: "close", listener: () => void): unknown;
};

/** The part of a `ws` `WebSocketServer` (`{ noServer: true }`) the gate upgrades with. */
export type UpgradeServer<S extends GateSocket> = {
  handleUpgrade(request: never, socket: never, head: never, callback: (socket: S) => void): void;
};

/** An admitted socket and what the gate knows of it. `readOnly` follows the room's permissions live. */
export type GatedConnection<S extends GateSocket = GateSocket> = {
  readonly socket: S;
  readonly roomId: string;
  readonly userId: string;
  /** The connection's id in the room (`getActiveUsers`, presence events). */
  readonly connectionId: number;
  /** The current decision. */
  readonly access: AllowedAccess;
  /** Whether the connection may only read now: drop its writes while this is true. */
  readonly readOnly: boolean;
};

/** Options of {@link WebSocketGate}. */
export type WebSocketGateOptions<S extends GateSocket = GateSocket> = {
  /** The instance whose rooms, keys and store decide. */
  liveblocks: Liveblocks;
  /** Where the token is (default: the `token` query parameter). */
  token?: TokenSource;
  /** The room a request is for (default: the URL path, percent-decoded). */
  roomId?: (request: UpgradeRequest) => string | undefined;
  /** Longest wait for the first decision, in ms (default: `checkRoomAccess`'s 5 s). */
  timeoutMs?: number;
  /**
   * Called when a connection turns read-only (`connection.readOnly` is then
   * true) or writable again. Without it the gate assumes the app cannot
   * enforce read-only: read-only users are refused and a downgrade closes.
   */
  onReadOnly?: (connection: GatedConnection<S>) => void;
  /** The close code for a denial (default: Liveblocks' codes, {@link closeCodeFor}). */
  closeCode?: (access: { reason: RoomAccessDenial; message: string }) => number;
};

/**
 * The gate. `handleUpgrade` for a `node:http` server's `upgrade` event with
 * a `WebSocketServer({ noServer: true })`; `accept` for a socket `ws` already
 * opened (`wss.on("connection", …)`). Both resolve to the admitted
 * connection, or `undefined` when the gate refused (and closed) it.
 *
 * @example
 * ```ts
 * const wss = new WebSocketServer({ noServer: true });
 * const gate = new WebSocketGate({ liveblocks, onReadOnly: (c) => console.log(c.userId, "now reads only") });
 * httpServer.on("upgrade", async (request, socket, head) => {
 *   const connection = await gate.handleUpgrade(wss, request, socket, head);
 *   connection?.socket.on("message", (data) => { if (!connection.readOnly) relay(connection.roomId, data); });
 * });
 * ```
 */
export class WebSocketGate<S extends GateSocket = GateSocket> {
  readonly #options: WebSocketGateOptions<S>;
  /** Each held connection and its socket, once open. */
  readonly #held = new Map<RoomConnection, S | undefined>();
  readonly #forget = (connection: RoomConnection) => void this.#held.delete(connection);

  constructor(options: WebSocketGateOptions<S>) {
    if (options === null || typeof options !== "object" || typeof options.liveblocks?.watchRoomAccess !== "function") {
      throw new TypeError("WebSocketGate: `liveblocks` must be a roomgate Liveblocks instance");
    }
    this.#options = options;
  }

  /** How many connections the gate holds a watch for now (for tests and metrics). */
  get size(): number {
    return this.#held.size;
  }

  /**
   * Decides the upgrade, then completes it with `server` (a refused client
   * gets its close frame on the new socket, so it sees the code and reason).
   */
  async handleUpgrade(
    server: UpgradeServer<S>,
    request: UpgradeRequest,
    socket: RawSocket,
    head: unknown,
  ): Promise<GatedConnection<S> | undefined> {
    const decided = await this.#decide(request);
    if (socket.destroyed === true) {
      if (decided.admitted) decided.release();
      return undefined;
    }
    return new Promise((resolve) => {
      let settled = false;
      // `ws` answers a malformed handshake itself and never calls back: the socket's close ends the watch.
      const onClose = () => {
        if (settled) return;
        settled = true;
        if (decided.admitted) decided.release();
        resolve(undefined);
      };
      socket.once("close", onClose);
      try {
        (server.handleUpgrade as (r: unknown, s: unknown, h: unknown, cb: (ws: S) => void) => void)(request, socket, head, (ws) => {
          socket.off("close", onClose);
          if (settled) return void ws.close(CLOSE_CODES.TRY_AGAIN_LATER, "roomgate: the connection closed during its upgrade");
          settled = true;
          resolve(this.#open(ws, decided));
        });
      } catch {
        // `ws` throws for a socket upgraded twice: the request is not this gate's to serve.
        socket.off("close", onClose);
        onClose();
      }
    });
  }

  /**
   * Decides a socket that is already open (`wss.on("connection", …)`);
   * closes it with the reason when refused. Messages that arrive before it
   * resolves reach only listeners attached already: `handleUpgrade`, which
   * decides before the socket opens, has no such gap.
   */
  async accept(socket: S, request: UpgradeRequest): Promise<GatedConnection<S> | undefined> {
    return this.#open(socket, await this.#decide(request));
  }

  /** Closes every held connection (a server shutting down). */
  closeAll(code = 1001, reason = "roomgate: the server is shutting down"): void {
    for (const [connection, socket] of [...this.#held]) {
      connection.release();
      if (socket !== undefined) closeQuietly(socket, code, reason);
    }
  }

  async #decide(request: UpgradeRequest): Promise<RoomConnection | Refusal> {
    const options = this.#options;
    let roomId: string | undefined;
    try {
      roomId = options.roomId === undefined ? roomIdFromPath(request) : options.roomId(request);
    } catch {
      roomId = undefined;
    }
    if (typeof roomId !== "string" || roomId === "") return { admitted: false, code: CLOSE_CODES.NOT_ALLOWED, reason: NO_ROOM };
    const token = readToken(request, options.token);
    const decided = await admit(
      {
        liveblocks: options.liveblocks,
        timeoutMs: options.timeoutMs,
        enforcesReadOnly: options.onReadOnly !== undefined,
        closeCode: options.closeCode,
      },
      token,
      roomId,
      this.#forget,
    );
    if (decided.admitted) this.#held.set(decided, undefined);
    return decided;
  }

  #open(socket: S, decided: RoomConnection | Refusal): GatedConnection<S> | undefined {
    if (!decided.admitted) {
      closeQuietly(socket, decided.code, decided.reason);
      return undefined;
    }
    const connection = decided;
    if (socket.readyState > 1) {
      connection.release();
      return undefined;
    }
    const gated: GatedConnection<S> = {
      socket,
      roomId: connection.roomId,
      get userId() {
        return connection.userId;
      },
      get connectionId() {
        return connection.connectionId;
      },
      get access() {
        return connection.access;
      },
      get readOnly() {
        return connection.readOnly;
      },
    };
    const onClose = () => connection.release();
    socket.once("close", onClose);
    this.#held.set(connection, socket);
    const attached = connection.attach({
      readOnly: () => this.#options.onReadOnly?.(gated),
      end: (code: number, reason: string) => {
        socket.off("close", onClose);
        closeQuietly(socket, code, reason);
      },
    });
    return attached ? gated : undefined;
  }
}

function closeQuietly(socket: GateSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    // Already closing.
  }
}
