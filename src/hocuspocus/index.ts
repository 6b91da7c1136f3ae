/**
 * `roomgate/hocuspocus`: the room-entry decision and its live watch as a
 * Hocuspocus 3 extension. A document is a room; the provider's `token` is a
 * roomgate ID or access token. Denied users never receive a byte of the
 * document, read-only users get a read-only connection, and a permission
 * change, removal, revocation, deletion or expiry acts on open connections at
 * once.
 *
 * Typed structurally (no import of `@hocuspocus/server`), so loading this
 * module needs nothing but roomgate; the server is an optional peer.
 */
import type { Liveblocks } from "../liveblocks/client.js";
import type { RoomAccessResult } from "../liveblocks/types.js";
import type { RoomAccessWatch } from "../liveblocks/entry/watch.js";
import type { PresenceTicket } from "../liveblocks/presence.js";
import { awarenessOwners } from "../realtime/yjs-wire.js";
import { refusal } from "./messages.js";

/** The part of a Hocuspocus `Connection` the extension drives. */
export type HocuspocusConnection = {
  readOnly: boolean;
  close(event?: { code: number; reason: string }): void;
  /** The socket under the connection: Hocuspocus 3's `close` leaves it open and sends the provider only the reason. */
  webSocket?: { close(code?: number, reason?: string): void };
};

/** What the extension reads of Hocuspocus' `onAuthenticate` payload. */
export type HocuspocusAuthenticatePayload = {
  token: string;
  documentName: string;
  connectionConfig: { readOnly: boolean };
  /** The upgrade request: a socket that closes before Hocuspocus makes the connection ends the watch. */
  request?: { socket?: HocuspocusSocket };
};

/** The part of the request's socket the extension listens to. */
export type HocuspocusSocket = {
  destroyed?: boolean;
  once(event: "close", listener: () => void): unknown;
  off(event: "close", listener: () => void): unknown;
};

/** What the extension reads of Hocuspocus' `connected` and `onDisconnect` payloads. */
export type HocuspocusConnectionPayload = {
  context: unknown;
  connection?: HocuspocusConnection;
};

/** What the extension reads of Hocuspocus' `beforeHandleMessage` payload. */
export type HocuspocusMessagePayload = {
  /** The whole message as it came off the socket. */
  update: Uint8Array;
  connection: HocuspocusConnection & { webSocket?: unknown };
  document: {
    awareness: { getStates(): ReadonlyMap<number, unknown>; meta: ReadonlyMap<number, { clock: number }> };
    getClients(webSocket: unknown): ReadonlySet<number>;
  };
};

/** Options of {@link RoomgateExtension}. */
export type RoomgateExtensionOptions = {
  /** The instance whose rooms, keys and store decide. */
  liveblocks: Liveblocks;
  /** The room a document belongs to (default: the document name is the room id). */
  roomId?: (documentName: string) => string;
  /** Longest wait for the first decision, in ms (default: `checkRoomAccess`'s 5 s). */
  timeoutMs?: number;
  /** Told of each decision: the first one (entry allowed or denied) and every change after it (for logs and metrics). */
  onAccess?: (event: { documentName: string; roomId: string; access: RoomAccessResult }) => void;
};

/** The close code sent when a user's access ends (the WebSocket range for applications, as roomgate's gate uses). */
export const ACCESS_ENDED_CODE = 4403;

/** The close code for a message a connection may not send (WebSocket "policy violation"). */
export const POLICY_VIOLATION_CODE = 1008;

/** The context key the extension keeps its per-connection state under. */
const CONTEXT_KEY = "roomgate";

/**
 * One authenticated document connection: its watch, and the Hocuspocus
 * connection once it exists (`connected` runs after `onAuthenticate`).
 */
class Gate {
  connection: HocuspocusConnection | undefined;
  watch: RoomAccessWatch | undefined;
  access: RoomAccessResult;
  closed = false;
  /** The connection's place in the room's presence, from `connected` until the end. */
  ticket: PresenceTicket | undefined;

  constructor(
    access: RoomAccessResult,
    readonly roomId: string,
  ) {
    this.access = access;
  }

  /** Applies the current decision to the connection, if there is one yet. */
  apply(): void {
    const connection = this.connection;
    if (connection === undefined || this.closed) return;
    const access = this.access;
    if (access.allowed) {
      connection.readOnly = !access.canWrite;
      return;
    }
    this.end();
    kick(connection, ACCESS_ENDED_CODE, access.message);
  }

  /** Undoes what was set up beside the watch (the socket listener). */
  release: () => void = () => {};

  /** Stops the watch; idempotent. */
  end(): void {
    this.closed = true;
    this.watch?.stop();
    this.ticket?.leave();
    this.release();
  }
}

/**
 * A denial thrown from `onAuthenticate`: Hocuspocus sends `reason` with its
 * permission-denied message. Its `message` is empty on purpose: Hocuspocus
 * logs every hook error that has one, and a denial is an answer, not a fault
 * (`onAccess` tells of each one).
 */
class AccessDenied extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super();
    this.name = "AccessDenied";
    this.reason = reason;
  }
}

/**
 * The Hocuspocus extension. Register it in `extensions`; clients pass a
 * roomgate token as the provider's `token` and the room id as its `name`.
 *
 * @example
 * ```ts
 * import { Server } from "@hocuspocus/server";
 * import { RoomgateExtension } from "roomgate/hocuspocus";
 *
 * const server = new Server({ port: 1234, extensions: [new RoomgateExtension({ liveblocks })] });
 * await server.listen();
 * // Client: new HocuspocusProvider({ url, name: roomId, token: await fetchRoomgateToken() })
 * ```
 */
export class RoomgateExtension {
  readonly extensionName = "roomgate";
  /** Runs before other extensions' hooks, so nothing loads a document for a user who may not see it. */
  readonly priority = 1000;
  readonly #options: RoomgateExtensionOptions;
  readonly #gates = new Set<Gate>();

  constructor(options: RoomgateExtensionOptions) {
    if (options === null || typeof options !== "object" || typeof options.liveblocks?.watchRoomAccess !== "function") {
      throw new TypeError("RoomgateExtension: `liveblocks` must be a roomgate Liveblocks instance");
    }
    this.#options = options;
  }

  /** How many document connections are watched now (for tests and metrics). */
  get size(): number {
    return this.#gates.size;
  }

  /**
   * Decides entry and starts the connection's watch; throws (Hocuspocus
   * answers permission-denied, sends no document) when the user may not
   * enter. Read-only users get `connectionConfig.readOnly`.
   */
  async onAuthenticate(data: HocuspocusAuthenticatePayload): Promise<Record<string, unknown>> {
    const { documentName } = data;
    let roomId: string;
    try {
      roomId = this.#options.roomId?.(documentName) ?? documentName;
    } catch {
      throw new AccessDenied("The document name does not name a room.");
    }
    const token = typeof data.token === "string" ? data.token : "";
    let gate: Gate | undefined;
    const watch = await this.#options.liveblocks.watchRoomAccess(
      token,
      roomId,
      (access) => {
        if (gate === undefined) return;
        gate.access = access;
        this.#report({ documentName, roomId, access });
        gate.apply();
        if (gate.closed) this.#gates.delete(gate);
      },
      this.#options.timeoutMs === undefined ? undefined : { timeoutMs: this.#options.timeoutMs },
    );
    gate = new Gate(watch.access, roomId);
    gate.watch = watch;
    const first = watch.access;
    this.#report({ documentName, roomId, access: first });
    if (!first.allowed) {
      watch.stop();
      throw new AccessDenied(first.message);
    }
    const socket = data.request?.socket;
    if (socket?.destroyed === true) {
      watch.stop();
      throw new AccessDenied("The connection closed during authentication.");
    }
    data.connectionConfig.readOnly = !first.canWrite;
    this.#gates.add(gate);
    if (socket !== undefined) {
      const opened = gate;
      const onClose = () => {
        opened.end();
        this.#gates.delete(opened);
      };
      socket.once("close", onClose);
      gate.release = () => void socket.off("close", onClose);
    }
    return { [CONTEXT_KEY]: gate };
  }

  /** Binds the watch to the connection Hocuspocus made, and applies any change that came in between. */
  async connected(data: HocuspocusConnectionPayload): Promise<void> {
    const gate = gateOf(data.context);
    if (gate === undefined || data.connection === undefined) return;
    gate.connection = data.connection;
    const access = gate.access;
    if (!gate.closed && access.allowed && gate.ticket === undefined) {
      gate.ticket = this.#options.liveblocks.presence.enter({ roomId: gate.roomId, userId: access.userId, userInfo: access.userInfo });
    }
    gate.apply();
    if (gate.closed) this.#gates.delete(gate);
  }

  /**
   * Refuses, before Hocuspocus applies it, a message the connection may not
   * send: presence for another connection's client id (from anyone), or a
   * broadcast to the whole document from a read-only connection. Hocuspocus
   * then closes that connection with {@link POLICY_VIOLATION_CODE}.
   */
  async beforeHandleMessage(data: HocuspocusMessagePayload): Promise<void> {
    const { connection, document } = data;
    const { awareness } = document;
    const reason = refusal(data.update, connection.readOnly, awarenessOwners(awareness, document.getClients(connection.webSocket)));
    if (reason === undefined) return;
    kick(connection, POLICY_VIOLATION_CODE, reason);
    // Hocuspocus skips the message when this hook throws.
    throw Object.assign(new Error(reason), { code: POLICY_VIOLATION_CODE, reason });
  }

  /** Ends the connection's watch. */
  async onDisconnect(data: HocuspocusConnectionPayload): Promise<void> {
    const gate = gateOf(data.context);
    if (gate === undefined) return;
    gate.end();
    this.#gates.delete(gate);
  }

  #report(event: { documentName: string; roomId: string; access: RoomAccessResult }): void {
    try {
      this.#options.onAccess?.(event);
    } catch {
      // A failing logger must not change who may enter.
    }
  }

  /** Ends every watch when the server shuts down. */
  async onDestroy(): Promise<void> {
    for (const gate of this.#gates) gate.end();
    this.#gates.clear();
  }
}

/**
 * Ends a connection the way a provider can see: Hocuspocus' own `close`
 * (it leaves the document and tells the provider the reason), then the
 * socket itself with `code` and `reason` (at most 123 bytes, as every
 * denial message is). The socket may carry the user's other documents; the
 * provider reconnects and each is decided again.
 */
function kick(connection: HocuspocusConnection, code: number, reason: string): void {
  connection.close({ code, reason });
  try {
    connection.webSocket?.close(code, reason);
  } catch {
    // Already closed.
  }
}

function gateOf(context: unknown): Gate | undefined {
  if (context === null || typeof context !== "object") return undefined;
  const gate = (context as Record<string, unknown>)[CONTEXT_KEY];
  return gate instanceof Gate ? gate : undefined;
}
