/**
 * Input limits. Defaults are the ones Liveblocks documents; every one can be
 * changed through the `limits` option of `Liveblocks`.
 */
import { ROOM_ID_LENGTH } from "../permissions/patterns.js";

/**
 * The limits roomgate enforces (with status 422 and a message naming the
 * field and the limit).
 */
export type Limits = {
  /** Room id length (Liveblocks: 128). */
  roomIdLength: number;
  /** Entries in `usersAccesses` and in `groupsAccesses` (Liveblocks: 100). */
  accessesEntries: number;
  /** Length of a user or group id used as an accesses key (Liveblocks: 40). */
  accessesKeyLength: number;
  /** Entries in `metadata` (Liveblocks: 50). */
  metadataEntries: number;
  /** Length of a metadata key (Liveblocks: 40). */
  metadataKeyLength: number;
  /** Length of a metadata value, or of each string of an array value (Liveblocks: 256). */
  metadataValueLength: number;
  /** Strings in one metadata array value (roomgate: 50). */
  metadataArrayValues: number;
  /**
   * Scopes in one permission list (roomgate: 7, the most a valid set can
   * hold: one base scope, `room:presence:write`, one per feature).
   */
  permissionScopes: number;
  /** Room patterns in one access token (Liveblocks: 10). */
  tokenPatterns: number;
  /** Largest `getRooms` page (Liveblocks: 100). */
  pageSize: number;
  /** Length of a token's user id (roomgate: 128). */
  userIdLength: number;
  /** Groups in one ID token (roomgate: 100). */
  groupIds: number;
  /** Length of a group id in a token (roomgate: 40, as accesses keys). */
  groupIdLength: number;
  /** Serialized size of `userInfo` in bytes (roomgate: 1024). */
  userInfoBytes: number;
  /** Length of a `getRooms` query string (roomgate: 2048). */
  queryLength: number;
  /** Length of an `organizationId` (roomgate: 128). */
  organizationIdLength: number;
  /** Member ids in one `createGroup`, `addGroupMembers` or `removeGroupMembers` call (roomgate: 1000). */
  groupMembersPerCall: number;
  /** Members of one stored group (roomgate: 10 000). */
  groupMembers: number;
};

/**
 * The defaults of {@link Limits}.
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  roomIdLength: ROOM_ID_LENGTH,
  accessesEntries: 100,
  accessesKeyLength: 40,
  metadataEntries: 50,
  metadataKeyLength: 40,
  metadataValueLength: 256,
  metadataArrayValues: 50,
  permissionScopes: 7,
  tokenPatterns: 10,
  pageSize: 100,
  userIdLength: 128,
  groupIds: 100,
  groupIdLength: 40,
  userInfoBytes: 1024,
  queryLength: 2048,
  organizationIdLength: 128,
  groupMembersPerCall: 1000,
  groupMembers: 10_000,
});

/** Default `getRooms` page size. */
export const DEFAULT_PAGE_SIZE = 20;

/** Longest `startingAfter` cursor accepted; the stores' cursors are far shorter. */
export const MAX_CURSOR_LENGTH = 1024;
