/**
 * The RoomStore contract: what every storage adapter (memory, SQLite,
 * Postgres, REST) must provide and guarantee. Stores hold validated data; the
 * `Liveblocks` facade validates every input before it reaches a store.
 */
import type { RoomAccessRules } from "../permissions/rules.js";
import type { RoomAccesses, RoomPermission } from "../permissions/scopes.js";

/** The organization of a room created without one, and of a token without an `oid` claim: Liveblocks' default. */
export const DEFAULT_ORGANIZATION = "default";

/**
 * What room entry reads of a room: its permissions and the organization it
 * belongs to (absent means {@link DEFAULT_ORGANIZATION}), since a token
 * enters rooms of its own organization only.
 */
export type RoomEntryRules = RoomAccessRules & { readonly organizationId?: string };

/** Room metadata: string or string-array values, as in `@liveblocks/node`. */
export type RoomMetadata = Record<string, string | string[]>;

/** A room, exactly as `@liveblocks/node` 3.24 returns it. */
export type RoomData = {
  type: "room";
  id: string;
  createdAt: Date;
  lastConnectionAt?: Date;
  organizationId: string;
  defaultAccesses: RoomPermission;
  usersAccesses: RoomAccesses;
  groupsAccesses: RoomAccesses;
  metadata: RoomMetadata;
};

/**
 * A validated change to a room. `usersAccesses`, `groupsAccesses` and
 * `metadata` are patched key by key (a value replaces that key, `null`
 * removes it, absent keys are untouched), and `null` in place of the map
 * clears it whole, atomically; `defaultAccesses` replaces the
 * whole list (`null` resets it to `[]`). Maps inside a patch are
 * null-prototype objects, so `__proto__` is an ordinary key.
 */
export type RoomPatch = {
  defaultAccesses?: RoomPermission | null;
  usersAccesses?: Record<string, RoomPermission | null> | null;
  groupsAccesses?: Record<string, RoomPermission | null> | null;
  metadata?: Record<string, string | string[] | null> | null;
};

/**
 * Filters for {@link RoomStore.list}, already parsed and validated. All
 * conditions are ANDed, except `userId` / `groupIds`, which keep a room whose
 * `usersAccesses` has the user OR whose `groupsAccesses` has one of the groups.
 */
export type RoomFilter = {
  userId?: string;
  groupIds?: readonly string[];
  organizationId?: string;
  /** Exact room id. */
  roomId?: string;
  /** Literal room-id prefix. */
  roomIdPrefix?: string;
  /**
   * Exact matches, ANDed: a string value must equal the filter value; an
   * array value must contain it.
   */
  metadata?: ReadonlyArray<readonly [key: string, value: string]>;
};

/** One page request for {@link RoomStore.list}. */
export type RoomListQuery = {
  filter: RoomFilter;
  /** The page size, from 1 to the facade's `limits.pageSize`, already validated. */
  limit: number;
  /** The `nextCursor` of the previous page of the same filter. */
  cursor?: string;
};

/**
 * Who {@link RoomStore.listAccessible} lists rooms for: a user and the
 * groups they are in (as an ID token carries them).
 */
export type AccessibleBy = { userId: string; groupIds: readonly string[] };

/**
 * One page request of {@link RoomStore.listAccessible}: the rooms matching
 * `filter` that `accessibleBy` may enter, i.e. where `resolveAccess` grants
 * at least read of the room: the default is not empty, or the user has an
 * entry, or one of the groups has one (with validated data every entry
 * grants entry; a store checks for a base scope, so it stays exact).
 */
export type AccessibleListQuery = RoomListQuery & { accessibleBy: AccessibleBy };

/** One page of rooms, newest first; `nextCursor` is `null` on the last page. */
export type RoomListPage = { rooms: RoomData[]; nextCursor: string | null };

/**
 * A revocation of a user's tokens: every token of `userId` issued before
 * `issuedBefore` (epoch ms; the stored cutoff, which only moves forward) is
 * revoked.
 */
export type RevocationEvent = { userId: string; issuedBefore: number };

/**
 * What happened to a room; `room` is the room after the change (`null` after
 * a delete).
 */
export type RoomChangeEvent =
  { type: "created" | "updated"; roomId: string; room: RoomData } | { type: "deleted"; roomId: string; room: null };

/**
 * Options of a store write. `assert` runs on the room as it would be after
 * the write, inside the store's atomic section, and must only read it (a
 * store may pass its own frozen record); if it throws, nothing is
 * written and the error is rethrown (the facade uses it for limits that
 * depend on the stored state, such as "at most 100 usersAccesses").
 */
export type StoreWriteOptions = {
  signal?: AbortSignal;
  assert?: (room: RoomData) => void;
  /** Who makes the write, for the journal (audit trail, webhooks); `DEFAULT_ACTOR` if absent. */
  actor?: string;
};

/** Options of a store read. */
export type StoreReadOptions = { signal?: AbortSignal };

/** What a group lets its members do, as `@liveblocks/node` types it: `{ mention: true }` by default. */
export type GroupScopes = { mention?: true };

/** A member of a group and when it was added. */
export type GroupMemberData = { id: string; addedAt: Date };

/**
 * A stored group, exactly as `@liveblocks/node` 3.24 returns it
 * (`tenantId` is its deprecated name of `organizationId`). Members are in
 * the order they were added.
 */
export type GroupData = {
  type: "group";
  id: string;
  /** @deprecated Use `organizationId`. */
  tenantId: string;
  organizationId: string;
  createdAt: Date;
  updatedAt: Date;
  scopes: GroupScopes;
  members: GroupMemberData[];
};

/**
 * One page request of {@link GroupStore.listGroups}: every group, or the
 * groups `userId` is a member of; of one organization if given. Groups are
 * listed by id (code point order).
 */
export type GroupListQuery = {
  organizationId?: string;
  userId?: string;
  /** The page size, already validated (≥ 1). */
  limit: number;
  /** The `nextCursor` of the previous page of the same query. */
  cursor?: string;
};

/** One page of groups, by id; `nextCursor` is `null` on the last page. */
export type GroupListPage = { groups: GroupData[]; nextCursor: string | null };

/**
 * Options of a group membership write: `assert` receives the number of
 * members the group would have, inside the store's atomic section; if it
 * throws, nothing is written and the error is rethrown.
 */
export type GroupWriteOptions = { signal?: AbortSignal; assert?: (memberCount: number) => void; actor?: string };

/**
 * Stored groups and their memberships (`createGroup` and the other group
 * methods of `@liveblocks/node`): an optional part of a {@link RoomStore},
 * all of it or none. Group ids are unique across organizations; member ids
 * are compared exactly; a group keeps its members in the order they were
 * first added, and adding a member again keeps its `addedAt`.
 */
export interface GroupStore {
  /** Stores `group` unless one with its id exists: the stored or the existing group, and whether it was created. */
  createGroup(group: GroupData, options?: GroupWriteOptions): Promise<{ group: GroupData; created: boolean }>;
  /** The group, or `null`. */
  getGroup(groupId: string, options?: StoreReadOptions): Promise<GroupData | null>;
  /** Deletes the group and its memberships; `false` if it did not exist. */
  deleteGroup(groupId: string, options?: StoreWriteOptions): Promise<boolean>;
  /**
   * Adds the members not in the group yet, each with `addedAt: at`, and sets
   * `updatedAt` to `at` if any was added; `null` if there is no such group.
   */
  addGroupMembers(groupId: string, memberIds: readonly string[], at: Date, options?: GroupWriteOptions): Promise<GroupData | null>;
  /** Removes the members listed (others are ignored), setting `updatedAt` to `at` if any was removed; `null` if there is no such group. */
  removeGroupMembers(groupId: string, memberIds: readonly string[], at: Date, options?: StoreWriteOptions): Promise<GroupData | null>;
  /** One page of groups, by id; paging never skips or repeats a group that stays. */
  listGroups(query: GroupListQuery, options?: StoreReadOptions): Promise<GroupListPage>;
}

/**
 * The storage contract. Every adapter must guarantee:
 *
 * - ids are compared exactly (case-sensitive, no normalisation; `a/b` and
 *   `a:b` are distinct; `__proto__` and `constructor` are ordinary ids and
 *   keys);
 * - a write that resolved is visible to the next read, from any caller, and
 *   is durable if the adapter is;
 * - `update` applies the whole patch atomically with respect to every other
 *   write of the same room: concurrent updates of different keys never lose
 *   each other;
 * - `list` returns rooms newest first (`createdAt` descending, then id
 *   descending), and paging with `nextCursor` never skips or repeats a room
 *   while rooms are added or removed between pages;
 * - returned objects are the caller's: mutating them never changes the store;
 * - `subscribe` listeners are called after every successful create, update
 *   and delete (in process at least; across instances where the adapter can).
 *
 * The group methods ({@link GroupStore}) are an optional part: all or none.
 */
export interface RoomStore extends Partial<GroupStore> {
  /** The room, or `null` if there is none with this id. */
  get(roomId: string, options?: StoreReadOptions): Promise<RoomData | null>;
  /**
   * Creates `room` unless a room with its id exists. Resolves to the stored
   * room and `created: true`, or to the existing room and `created: false`.
   */
  create(room: RoomData, options?: StoreWriteOptions): Promise<{ room: RoomData; created: boolean }>;
  /** Applies `patch` atomically; `null` if the room does not exist. */
  update(roomId: string, patch: RoomPatch, options?: StoreWriteOptions): Promise<RoomData | null>;
  /**
   * Optional (`updateRoomId`): moves the room to `newRoomId` atomically,
   * keeping everything else (`createdAt` included). Resolves to the room
   * under its new id, `"not-found"` if `roomId` does not exist, or `"exists"`
   * if `newRoomId` does (then nothing changes). Listeners receive `deleted`
   * for the old id, then `created` for the new one.
   */
  rename?(roomId: string, newRoomId: string, options?: StoreWriteOptions): Promise<RoomData | "not-found" | "exists">;
  /** Deletes the room; `false` if it did not exist. */
  delete(roomId: string, options?: StoreWriteOptions): Promise<boolean>;
  /** One page of rooms matching the filter, newest first. */
  list(query: RoomListQuery, options?: StoreReadOptions): Promise<RoomListPage>;
  /**
   * Optional (`getRooms({ accessibleBy })`): one page of the rooms matching
   * `query.filter` that `query.accessibleBy` may enter, newest first, with
   * cursors as `list` issues them. Answered from indexes: a page costs what
   * it returns, not a scan of every room.
   */
  listAccessible?(query: AccessibleListQuery, options?: StoreReadOptions): Promise<RoomListPage>;
  /**
   * Records that tokens of `userId` issued before `issuedBefore` (integer
   * epoch ms) are revoked. The stored cutoff only moves forward.
   */
  revokeTokens(userId: string, issuedBefore: number, options?: StoreWriteOptions): Promise<void>;
  /**
   * Optional fast path of room entry (`checkRoomAccess`): the permissions of
   * the room as far as `subject` is concerned, or `null` if there is no such
   * room. The result is read-only and may be shared (frozen) with the store;
   * it may hold only the entries of `subject.userId` and `subject.groupIds`,
   * so a SQL store can select just those, and must hold the room's
   * `organizationId` (absent is taken as `"default"`). Stores without it are
   * read with `get`.
   */
  getAccessRules?(
    roomId: string,
    subject: { userId: string; groupIds: readonly string[] },
    options?: StoreReadOptions,
  ): Promise<RoomEntryRules | null>;
  /**
   * Optional (`clearTokenRevocation`): removes the revocation cutoff of
   * `userId`, the one way a cutoff moves back (none: nothing changes).
   */
  clearRevocation?(userId: string, options?: StoreWriteOptions): Promise<void>;
  /** The revocation cutoff of `userId` (epoch ms), or `null`. */
  getRevocation(userId: string, options?: StoreReadOptions): Promise<number | null>;
  /**
   * Optional: calls `listener` after every `revokeTokens` with the user's
   * cutoff as stored after it (in process at least; across instances where
   * the adapter can, as for `subscribe`), so live room-access watches end
   * revoked connections wherever the revocation was made. Returns the
   * unsubscribe function.
   */
  subscribeRevocations?(listener: (event: RevocationEvent) => void): () => void;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: (event: RoomChangeEvent) => void): () => void;
  /** Releases connections, timers and files. Idempotent. */
  close?(): Promise<void>;
}

/**
 * The `code` of {@link InvalidCursorError}: callers match it, not the class,
 * as a store may come from another copy of roomgate.
 */
export const INVALID_CURSOR_CODE = "ERR_INVALID_CURSOR";

/**
 * Error a store throws for a cursor it did not issue or cannot read.
 *
 * @example
 * ```ts
 * if (err instanceof InvalidCursorError) return badRequest(err.message);
 * ```
 */
export class InvalidCursorError extends Error {
  readonly code = INVALID_CURSOR_CODE;
  constructor(message = "Invalid cursor") {
    super(message);
    this.name = "InvalidCursorError";
  }
}
