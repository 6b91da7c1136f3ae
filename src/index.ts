export * from "./permissions/index.js";

export { Liveblocks } from "./liveblocks.js";
export type {
  CreateRoomOptions,
  CreateSessionOptions,
  GetRoomsOptions,
  IdentifyUserOptions,
  Identity,
  LiveblocksOptions,
  Page,
  PaginationOptions,
  RequestOptions,
  RoomAccessDenial,
  RoomAccessResult,
  RoomsQueryCriteria,
  UpdateRoomOptions,
  UpsertRoomOptions,
  UserInfo,
} from "./liveblocks.js";
export { Session } from "./session.js";
export type { AuthResponse } from "./auth.js";
export { LiveblocksError } from "./errors.js";
export { DEFAULT_LIMITS } from "./limits.js";
export type { Limits } from "./limits.js";

export { MemoryStore } from "./storage/memory.js";
export type { MemoryStoreOptions } from "./storage/memory.js";
export { applyRoomPatch } from "./storage/patch.js";
export {
  RoomQuerySyntaxError,
  formatRoomQuery,
  parseRoomQuery,
  roomQueryFromObject,
} from "./storage/query.js";
export type { RoomQuery, RoomQueryObject } from "./storage/query.js";
export { InvalidCursorError } from "./storage/types.js";
export type {
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
