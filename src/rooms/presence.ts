/**
 * Presence as the realtime gates report it: a connection admitted to a room,
 * a connection closed. Webhooks (`userEntered` / `userLeft`), the active-users
 * view and `getActiveUsers` all read these events.
 */

/** A connected user, exactly as `@liveblocks/node`'s `getActiveUsers` returns it. */
export type RoomUser<Info = unknown> = {
  type: "user";
  id: string | null;
  connectionId: number;
  info: Info;
};

/** A gate admitted (`userEntered`) or closed (`userLeft`) a connection. */
export type PresenceEvent = {
  type: "userEntered" | "userLeft";
  roomId: string;
  connectionId: number;
  userId: string | null;
  userInfo: Record<string, unknown> | null;
  /** When the connection was admitted (`userEntered`) or closed (`userLeft`). */
  at: Date;
  /** Connections in the room after this event. */
  numActiveUsers: number;
};

/** Receives presence events; the facade calls it in the order the gates report. */
export type PresenceListener = (event: PresenceEvent) => void;
