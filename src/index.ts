export * from "./permissions/index.js";

export * from "./liveblocks/index.js";

export { MemoryStore } from "./stores/memory/store.js";
export type { MemoryStoreOptions } from "./stores/memory/store.js";
export { applyRoomPatch } from "./rooms/patch.js";
export { RestResponseError, RestStore } from "./stores/rest/store.js";
export type { RestStoreOptions } from "./stores/rest/store.js";
export { RoomQuerySyntaxError, formatRoomQuery, parseRoomQuery, roomQueryFromObject } from "./protocol/query.js";
export type { RoomQuery, RoomQueryObject } from "./protocol/query.js";
export { InvalidCursorError } from "./rooms/types.js";
export type {
  AccessibleBy,
  AccessibleListQuery,
  GroupData,
  GroupListPage,
  GroupListQuery,
  GroupMemberData,
  GroupScopes,
  GroupStore,
  GroupWriteOptions,
  RevocationEvent,
  RoomChangeEvent,
  RoomData,
  RoomFilter,
  RoomListPage,
  RoomListQuery,
  RoomMetadata,
  RoomPatch,
  RoomStore,
  StoreReadOptions,
  StoreWriteOptions,
} from "./rooms/types.js";

export * from "./tokens/index.js";
export { generateSecret } from "./tokens/secret.js";
