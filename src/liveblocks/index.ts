/**
 * The facade: `Liveblocks`, its `Session`, its error class, limits and types.
 */
export { Liveblocks } from "./client.js";
export type {
  BaseUserMeta,
  CreateRoomOptions,
  CreateSessionOptions,
  GetRoomsOptions,
  IdentifyUserOptions,
  Identity,
  IUserInfo,
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
  UserMeta,
} from "./types.js";
export type { CreateGroupOptions, GroupPaginationOptions } from "./groups.js";
export { Session } from "./session.js";
export type { AuthResponse } from "./auth.js";
export { LiveblocksError } from "../protocol/errors.js";
export type { LiveblocksErrorCode } from "../protocol/errors.js";
export { DEFAULT_LIMITS } from "./limits.js";
export { DEFAULT_ACCESS_TIMEOUT_MS } from "./entry/access.js";
export { MAX_DENIAL_MESSAGE_BYTES } from "./entry/denial.js";
export type { Limits } from "./limits.js";
export type { RoomAccessWatch } from "./entry/watch.js";
export type { EffectiveAccess, ExplainAccessIdentity, RoomAccessEntry, RoomAccessExplanation, RoomAccessList } from "./access/types.js";
export type { RoomAccessListOptions } from "./access/access-list.js";
