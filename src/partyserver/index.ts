/**
 * `roomgate/partyserver`: the room-entry decision and its live watch for a
 * PartyServer (Cloudflare Durable Objects) server. A party's room name is the
 * room id; the client sends a roomgate token. The Worker refuses a denied
 * upgrade before the Durable Object wakes (`onBeforeConnect`); the Durable
 * Object decides again and keeps a watch per connection (`onConnect`), so a
 * downgrade, removal, revocation, expiry or a room now of another
 * organization acts on open connections at once.
 *
 * Typed structurally (no import of `partyserver`, no runtime import of
 * roomgate): it runs on whichever build of `roomgate` made the instance.
 */
import type { Liveblocks } from "../liveblocks/client.js";
import type { RoomAccessWatch } from "../liveblocks/entry/watch.js";
import type { RoomAccessResult } from "../liveblocks/types.js";
import { closeCodeOf, httpStatusOf } from "./codes.js";
import { DEFAULT_TOKEN_SOURCE, readToken, type TokenSource } from "./token.js";

export { CLOSE_CODES, closeCodeOf, httpStatusOf } from "./codes.js";
export type { TokenSource } from "./token.js";

/** The part of a PartyServer `Connection` the gate drives. */
export type PartyConnection = {
  readonly id: string;
  close(code?: number, reason?: string): void;
};

/** Options of {@link PartyServerGate}. */
export type PartyServerGateOptions = {
  /** The instance whose rooms, keys and store decide (in a Durable Object, over a `RestStore` so it hears changes). */
  liveblocks: Pick<Liveblocks, "checkRoomAccess" | "watchRoomAccess">;
  /** Where the token is (default: the `token` query parameter). */
  token?: TokenSource;
  /** The room a party's room name belongs to (default: the name is the room id). */
  roomId?: (name: string) => string;
  /** Longest wait for a decision, in ms (default: `checkRoomAccess`'s 5 s). */
  timeoutMs?: number;
  /** Told of each decision made for a connection (entry and every change after it), for logs and metrics. */
  onAccess?: (event: { connectionId: string; roomId: string; access: RoomAccessResult }) => void;
};

/** The denial of a room name that `roomId` refused. */
const NO_ROOM: RoomAccessResult = { allowed: false, reason: "room-not-found", message: "The party's room name does not name a room." };

/** One admitted connection: its watch and the decision in force. */
type Entry = { watch: RoomAccessWatch; access: RoomAccessResult; roomId: string };

/**
 * Admits PartyServer connections with `checkRoomAccess` and keeps each one
 * to its current access with `watchRoomAccess`. Connections are held by
 * object, not by id (a client picks its own id with `_pk`), so use it with
 * hibernation off (partyserver's default): after a wake-up a connection is
 * unknown, and an unknown connection may not write.
 *
 * @example
 * ```ts
 * const gate = new PartyServerGate({ liveblocks }); // Liveblocks over a RestStore
 * export class Chat extends Server {
 *   async onConnect(connection: Connection, ctx: ConnectionContext) { await gate.onConnect(connection, ctx, this.name); }
 *   onMessage(connection: Connection, message: WSMessage) { if (gate.canWrite(connection)) this.broadcast(message); }
 *   onClose(connection: Connection) { gate.onClose(connection); }
 * }
 * // Worker: routePartykitRequest(request, env, { onBeforeConnect: gate.onBeforeConnect })
 * ```
 */
export class PartyServerGate {
  readonly #options: PartyServerGateOptions;
  readonly #entries = new Map<PartyConnection, Entry>();

  constructor(options: PartyServerGateOptions) {
    if (options === null || typeof options !== "object" || typeof options.liveblocks?.watchRoomAccess !== "function") {
      throw new TypeError("PartyServerGate: `liveblocks` must be a roomgate Liveblocks instance");
    }
    this.#options = options;
  }

  /** How many connections are watched now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * For `routePartykitRequest`'s `onBeforeConnect` (in the Worker): refuses a
   * denied upgrade with 403 (401 for an expired token, 503 for an outage)
   * and a JSON body `{ error, message }`, the message at most 123 bytes;
   * resolves to `undefined` to let an allowed one through.
   */
  readonly onBeforeConnect = async (request: Request, lobby: { name: string }): Promise<Response | undefined> => {
    const roomId = this.#roomIdOf(lobby.name);
    const access =
      roomId === undefined
        ? undefined
        : await this.#options.liveblocks.checkRoomAccess(readToken(request, this.#tokenSource()), roomId, this.#timeout());
    const denial = access ?? NO_ROOM;
    if (denial.allowed) return undefined;
    return new Response(JSON.stringify({ error: denial.reason, message: denial.message }), {
      status: httpStatusOf(denial.reason),
      headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
    });
  };

  /**
   * For the server's `onConnect` (in the Durable Object): decides entry for
   * the upgrade request's token and room `name` (`this.name`), starts the
   * connection's watch, and closes it with Liveblocks' close code and the
   * denial message when the user may not enter. Resolves to the decision.
   */
  async onConnect(connection: PartyConnection, context: { request: Request }, name: string): Promise<RoomAccessResult> {
    const roomId = this.#roomIdOf(name);
    if (roomId === undefined) {
      closeQuietly(connection, NO_ROOM);
      return NO_ROOM;
    }
    const token = readToken(context.request, this.#tokenSource());
    let entry: Entry | undefined;
    const watch = await this.#options.liveblocks.watchRoomAccess(
      token,
      roomId,
      (access) => {
        if (entry === undefined || this.#entries.get(connection) !== entry) return;
        entry.access = access;
        this.#apply(connection, entry);
      },
      this.#timeout(),
    );
    entry = { watch, access: watch.access, roomId };
    this.#report(connection, entry);
    if (!watch.access.allowed) {
      watch.stop();
      closeQuietly(connection, watch.access);
      return watch.access;
    }
    this.#release(connection);
    this.#entries.set(connection, entry);
    return watch.access;
  }

  /** The decision in force for `connection`, `undefined` if it is not (or no longer) admitted. */
  access(connection: PartyConnection): RoomAccessResult | undefined {
    return this.#entries.get(connection)?.access;
  }

  /** Whether `connection` may change the room now (an unknown connection may not). */
  canWrite(connection: PartyConnection): boolean {
    const access = this.#entries.get(connection)?.access;
    return access?.allowed === true && access.canWrite;
  }

  /** For the server's `onClose` and `onError`: ends the connection's watch. */
  onClose(connection: PartyConnection): void {
    this.#release(connection);
  }

  /** Ends every watch (the Durable Object is going away). */
  stop(): void {
    for (const entry of this.#entries.values()) entry.watch.stop();
    this.#entries.clear();
  }

  #apply(connection: PartyConnection, entry: Entry): void {
    this.#report(connection, entry);
    if (entry.access.allowed) return;
    this.#release(connection);
    closeQuietly(connection, entry.access);
  }

  #release(connection: PartyConnection): void {
    this.#entries.get(connection)?.watch.stop();
    this.#entries.delete(connection);
  }

  #roomIdOf(name: string): string | undefined {
    try {
      return this.#options.roomId?.(name) ?? name;
    } catch {
      return undefined;
    }
  }

  #tokenSource(): TokenSource {
    return this.#options.token ?? DEFAULT_TOKEN_SOURCE;
  }

  #timeout(): { timeoutMs: number } | undefined {
    return this.#options.timeoutMs === undefined ? undefined : { timeoutMs: this.#options.timeoutMs };
  }

  #report(connection: PartyConnection, entry: Entry): void {
    try {
      this.#options.onAccess?.({ connectionId: connection.id, roomId: entry.roomId, access: entry.access });
    } catch {
      // A failing logger must not change who may enter.
    }
  }
}

/** Closes with the denial's code and message (every denial message fits a close reason). */
function closeQuietly(connection: PartyConnection, access: RoomAccessResult): void {
  if (access.allowed) return;
  try {
    connection.close(closeCodeOf(access.reason), access.message);
  } catch {
    // Already closed.
  }
}
