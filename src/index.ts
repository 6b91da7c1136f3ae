export * from "./permissions/index.js";

export * from "./liveblocks/index.js";

export { MemoryStore } from "./storage/memory.js";
export type { MemoryStoreOptions } from "./storage/memory.js";
export { applyRoomPatch } from "./storage/patch.js";
export { RestResponseError, RestStore } from "./storage/rest.js";
export type { RestStoreOptions } from "./storage/rest.js";
export { RoomQuerySyntaxError, formatRoomQuery, parseRoomQuery, roomQueryFromObject } from "./storage/query.js";
export type { RoomQuery, RoomQueryObject } from "./storage/query.js";
export { InvalidCursorError } from "./storage/types.js";
export type {
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
} from "./storage/types.js";

export * from "./tokens/index.js";
export { generateSecret } from "./tokens/secret.js";
