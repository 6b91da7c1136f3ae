export { ACCESS_LEVELS, Permission, RESOURCES, isPermission, validatePermissionSet } from "./scopes.js";
export type { AccessLevel, PermissionMatrix, Resource, RoomAccesses, RoomPermission, RoomPermissions } from "./scopes.js";
export { permissionMatrixOf } from "./decision.js";
export type { AccessDecision } from "./decision.js";
export { resolveAccess } from "./resolve.js";
export type { AccessIdentity, RoomAccessRules } from "./rules.js";
export { isValidRoomPattern, matchesRoomPattern, resolveTokenAccess } from "./patterns.js";
export { explainAccess } from "./explain.js";
export type {
  AccessExplanation,
  AccessSource,
  ExplainIdentity,
  ExplainRoom,
  LayerLevel,
  LayerLevels,
  ResourceExplanation,
} from "./explain.js";
