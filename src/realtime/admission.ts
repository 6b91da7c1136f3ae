/**
 * The gate core every realtime face shares: decide a connection's entry with
 * the live watch (`watchRoomAccess`, the first decision is
 * `checkRoomAccess`'s), hold that watch while the socket is open, report the
 * connection's presence, and turn each later decision into what the face
 * must do: nothing, read-only, read-write again, or close with a code and a
 * reason that fits a close frame.
 */
import type { Liveblocks } from "../liveblocks/client.js";
import type { RoomAccessWatch } from "../liveblocks/entry/watch.js";
import type { PresenceTicket } from "../liveblocks/presence.js";
import type { RoomAccessResult } from "../liveblocks/types.js";
import { CLOSE_CODES, READ_ONLY_UNENFORCEABLE, closeCodeFor } from "./close-codes.js";

/** An admitted user's decision. */
export type AllowedAccess = Extract<RoomAccessResult, { allowed: true }>;

/** What the face does when a decision changes. */
export type ConnectionHandlers = {
  /** The connection turned read-only (`true`) or writable again (`false`). */
  readOnly(readOnly: boolean): void;
  /** Access ended: close the socket with `code` and `reason` (at most 123 bytes). */
  end(code: number, reason: string): void;
};

/** How a face admits connections. */
export type AdmissionOptions = {
  liveblocks: Liveblocks;
  /** Longest wait for the first decision, in ms (default: `checkRoomAccess`'s 5 s). */
  timeoutMs?: number;
  /** Whether the face keeps a read-only connection from writing; if not, read-only users are refused and downgrades close. */
  enforcesReadOnly: boolean;
  /** The close code for a denial (default: Liveblocks' codes, {@link closeCodeFor}). */
  closeCode?: (access: Extract<RoomAccessResult, { allowed: false }>) => number;
};

/** A refused entry: the close frame to send. */
export type Refusal = { admitted: false; code: number; reason: string };

/**
 * One admitted connection between its decision and its socket's close: the
 * watch, the presence ticket once the face attaches a socket, the current
 * access. `release()` ends it all and is idempotent.
 */
export class RoomConnection {
  readonly admitted = true;
  readonly roomId: string;
  #access: AllowedAccess;
  #handlers: ConnectionHandlers | undefined;
  #ticket: PresenceTicket | undefined;
  #watch: RoomAccessWatch | undefined;
  /** A close decided before the face attached its socket. */
  #pendingEnd: { code: number; reason: string } | undefined;
  #released = false;
  readonly #options: AdmissionOptions;
  readonly #onRelease: (connection: RoomConnection) => void;

  constructor(roomId: string, access: AllowedAccess, options: AdmissionOptions, onRelease: (connection: RoomConnection) => void) {
    this.roomId = roomId;
    this.#access = access;
    this.#options = options;
    this.#onRelease = onRelease;
  }

  /** The current decision (it changes with the room's permissions). */
  get access(): AllowedAccess {
    return this.#access;
  }

  get userId(): string {
    return this.#access.userId;
  }

  /** Whether the connection may only read now. */
  get readOnly(): boolean {
    return !this.#access.canWrite;
  }

  /** The connection's id in the room's presence (`getActiveUsers`), 0 until a socket is attached. */
  get connectionId(): number {
    return this.#ticket?.connectionId ?? 0;
  }

  /** Whether the connection's watch has ended (the socket closed, or access ended). */
  get released(): boolean {
    return this.#released;
  }

  /** @internal Set by {@link admit} once the watch exists. */
  bindWatch(watch: RoomAccessWatch): void {
    this.#watch = watch;
  }

  /**
   * Binds the face's socket and reports the user entered; a close decided
   * meanwhile is applied instead. Returns `false` if the connection already
   * ended (the handlers' `end` has been called).
   */
  attach(handlers: ConnectionHandlers): boolean {
    if (this.#released) return false;
    this.#handlers = handlers;
    const pending = this.#pendingEnd;
    if (pending !== undefined) {
      // Ended before it opened: never reported as entered.
      this.#close(pending.code, pending.reason);
      return false;
    }
    const { userId, userInfo } = this.#access;
    this.#ticket = this.#options.liveblocks.presence.enter({ roomId: this.roomId, userId, userInfo });
    return true;
  }

  /** @internal A new decision from the watch. */
  apply(next: RoomAccessResult): void {
    if (this.#released) return;
    if (!next.allowed) {
      const code = this.#options.closeCode?.(next) ?? closeCodeFor(next.reason);
      return this.#close(code, next.message);
    }
    const wasReadOnly = this.readOnly;
    this.#access = next;
    if (this.readOnly === wasReadOnly) return;
    if (this.readOnly && !this.#options.enforcesReadOnly) return this.#close(CLOSE_CODES.NOT_ALLOWED, READ_ONLY_UNENFORCEABLE);
    try {
      this.#handlers?.readOnly(this.readOnly);
    } catch {
      // The app's handler failing must not keep the watch from acting on later changes.
    }
  }

  /** Ends the watch and the presence; the socket closed (or is being closed). Idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#watch?.stop();
    this.#ticket?.leave();
    this.#onRelease(this);
  }

  #close(code: number, reason: string): void {
    const handlers = this.#handlers;
    if (handlers === undefined) {
      // No socket yet: the face closes it when it attaches.
      this.#pendingEnd = { code, reason };
      this.#watch?.stop();
      return;
    }
    this.release();
    try {
      handlers.end(code, reason);
    } catch {
      // The socket is already gone.
    }
  }
}

/**
 * Decides `token`'s entry to `roomId` and, when admitted, starts the watch
 * that keeps deciding. The caller attaches its socket to the returned
 * connection, and releases it when the socket closes.
 */
export async function admit(
  options: AdmissionOptions,
  token: string,
  roomId: string,
  onRelease: (connection: RoomConnection) => void,
  signal?: AbortSignal,
): Promise<RoomConnection | Refusal> {
  let connection: RoomConnection | undefined;
  let early: RoomAccessResult | undefined;
  const watch = await options.liveblocks.watchRoomAccess(
    token,
    roomId,
    (access) => {
      // A change may come before the first decision resolves: it is newer than that decision.
      if (connection === undefined) early = access;
      else connection.apply(access);
    },
    { ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(signal === undefined ? {} : { signal }) },
  );
  const first = watch.access;
  if (!first.allowed) {
    watch.stop();
    return { admitted: false, code: options.closeCode?.(first) ?? closeCodeFor(first.reason), reason: first.message };
  }
  if (!first.canWrite && !options.enforcesReadOnly) {
    watch.stop();
    return { admitted: false, code: CLOSE_CODES.NOT_ALLOWED, reason: READ_ONLY_UNENFORCEABLE };
  }
  connection = new RoomConnection(roomId, first, options, onRelease);
  connection.bindWatch(watch);
  if (early !== undefined) connection.apply(early);
  return connection;
}
