/**
 * `roomgate/testing`: the conformance suite for {@link RoomStore} adapters
 * and its helpers. Imports `vitest`, so only test files should import it.
 */
export { at, collectRooms, makeGroup, makeRoom, RESERVED_IDS, testRoomStore } from "./room-store.js";
export type { StoreCapabilities, TestRoomStoreOptions } from "./room-store.js";
export { FILTER_CASES, FILTER_ROOMS } from "./suite/filters.js";
export type { FilterCase } from "./suite/filters.js";
