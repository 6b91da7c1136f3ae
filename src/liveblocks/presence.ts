/**
 * Who is connected, as the realtime gates of this process report it: each
 * gate enters a connection when it admits it and leaves when it closes, and
 * every listener (webhooks' `userEntered`/`userLeft`, an active-users view)
 * hears each change in the order the gates report them. `getActiveUsers`
 * reads the same registry.
 */
import type { PresenceEvent, PresenceListener, RoomUser } from "./presence-events.js";
import type { JsonObject } from "../tokens/types.js";

/** What a gate reports when it admits a connection. */
export type PresenceEntry = {
  roomId: string;
  /** `null` for a connection with no user (Liveblocks' `id: null`). */
  userId: string | null;
  userInfo?: JsonObject | null;
};

/**
 * An admitted connection's place in the room's presence; `leave()` reports
 * it closed (idempotent).
 */
export type PresenceTicket = {
  readonly connectionId: number;
  leave(): void;
};

type Connection = { connectionId: number; userId: string | null; userInfo: JsonObject | null };

/**
 * Connection ids count up across every room and every `Liveblocks` instance
 * of the process, so an id is never reused: a `userLeft` webhook can never
 * be matched with a later connection that got the same number.
 */
let lastConnectionId = 0;

/** The connections the gates of this process hold, by room. */
export class PresenceRegistry {
  readonly #rooms = new Map<string, Map<number, Connection>>();
  readonly #listeners = new Set<PresenceListener>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /**
   * Reports a connection admitted to `roomId`; call `leave()` on the ticket
   * when it closes.
   *
   * @example
   * ```ts
   * const ticket = liveblocks.presence.enter({ roomId, userId: access.userId, userInfo: access.userInfo });
   * socket.once("close", () => ticket.leave());
   * ```
   */
  enter(entry: PresenceEntry): PresenceTicket {
    const roomId = entry.roomId;
    const connection: Connection = { connectionId: ++lastConnectionId, userId: entry.userId, userInfo: entry.userInfo ?? null };
    let room = this.#rooms.get(roomId);
    if (room === undefined) this.#rooms.set(roomId, (room = new Map()));
    room.set(connection.connectionId, connection);
    this.#emit("userEntered", roomId, connection, room.size);
    let left = false;
    return {
      connectionId: connection.connectionId,
      leave: () => {
        if (left) return;
        left = true;
        const current = this.#rooms.get(roomId);
        if (current === undefined || !current.delete(connection.connectionId)) return;
        if (current.size === 0) this.#rooms.delete(roomId);
        this.#emit("userLeft", roomId, connection, current.size);
      },
    };
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: PresenceListener): () => void {
    // A wrapper per call, so subscribing one function twice needs two unsubscribes, like the store's.
    const own: PresenceListener = (event) => listener(event);
    this.#listeners.add(own);
    return () => void this.#listeners.delete(own);
  }

  /** The connections in `roomId`, oldest first, in `getActiveUsers`' shape. */
  activeUsers(roomId: string): RoomUser[] {
    const room = this.#rooms.get(roomId);
    if (room === undefined) return [];
    return [...room.values()].map((c) => ({
      type: "user",
      id: c.userId,
      connectionId: c.connectionId,
      // Liveblocks answers `{}` for a user the token gave no info.
      info: c.userInfo === null ? {} : structuredClone(c.userInfo),
    }));
  }

  /** How many connections are held in all rooms, and how many listeners (for tests and metrics). */
  get size(): { connections: number; rooms: number; listeners: number } {
    let connections = 0;
    for (const room of this.#rooms.values()) connections += room.size;
    return { connections, rooms: this.#rooms.size, listeners: this.#listeners.size };
  }

  #emit(type: PresenceEvent["type"], roomId: string, connection: Connection, numActiveUsers: number): void {
    if (this.#listeners.size === 0) return;
    const at = this.#now();
    for (const listener of [...this.#listeners]) {
      const event: PresenceEvent = {
        type,
        roomId,
        connectionId: connection.connectionId,
        userId: connection.userId,
        // Each listener gets its own copy: one that edits it must not change what the next one sees.
        userInfo: connection.userInfo === null ? null : structuredClone(connection.userInfo),
        at: new Date(at),
        numActiveUsers,
      };
      try {
        listener(event);
      } catch {
        // A failing listener (a webhook queue, a logger) must not keep a gate from admitting or closing.
      }
    }
  }
}
