export { ACCESS_LEVELS, Permission, RESOURCES, isPermission, validatePermissionSet } from "./scopes.js";
export type { AccessLevel, PermissionMatrix, Resource, RoomAccesses, RoomPermission, RoomPermissions } from "./scopes.js";
export { permissionMatrixOf, resolveAccess } from "./resolve.js";
export type { AccessDecision, AccessIdentity, RoomAccessRules } from "./resolve.js";
export { isValidRoomPattern, matchesRoomPattern, resolveTokenAccess } from "./patterns.js";
