/** Presence as the realtime gates report it (the contract lives with the rooms, so every layer reads one type). */
export type { PresenceEvent, PresenceListener, RoomUser } from "../rooms/presence.js";
