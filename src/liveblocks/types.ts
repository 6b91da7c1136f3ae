/**
 * The public types of the facade: options, parameters and results, with
 * `@liveblocks/node`'s names and shapes.
 */
import type { Permission, RoomAccesses, RoomPermissions } from "../permissions/scopes.js";
import type { RoomMetadata, RoomStore } from "../rooms/types.js";
import type { Json, JsonObject, TokenSigner, TokenVerifier } from "../tokens/types.js";
import type { Limits } from "./limits.js";

/**
 * Options of {@link Liveblocks}.
 *
 * @example
 * ```ts
 * const liveblocks = new Liveblocks({ secret: process.env.LIVEBLOCKS_SECRET_KEY!, store: new MemoryStore() });
 * ```
 */
export type LiveblocksOptions = {
  /** The project's secret key: starts with `sk_`, letters, digits, `_` and `-` only. */
  secret: string;
  /**
   * A Liveblocks-compatible server (`roomgate serve`, or anything answering
   * the REST API v2) to keep rooms on, as in `@liveblocks/node`.
   */
  baseUrl?: string;
  /**
   * Where rooms live. Default: with `baseUrl`, that server; else the one
   * in-memory {@link MemoryStore} every instance with this `secret` shares in
   * this process (gone on restart, not seen by other processes).
   */
  store?: RoomStore;
  /** Signs tokens. Default: an {@link HmacSigner} keyed from `secret`. */
  signer?: TokenSigner;
  /** Verifies tokens in `verifyToken` / `checkRoomAccess`. Default: `signer`. */
  verifier?: TokenVerifier;
  /** The `pid` claim. Default: `"pr_"` + 16 base64url characters derived from `secret` (HKDF-SHA256). */
  projectId?: string;
  /** Token lifetime in seconds (default 3600). */
  tokenTtl?: number;
  /** Clock skew allowed when verifying, in seconds (default 60). */
  clockTolerance?: number;
  /** Input limits; defaults are Liveblocks'. */
  limits?: Partial<Limits>;
  /** The clock, in epoch milliseconds like `Date.now` (used for every time claim and check). */
  now?: () => number;
  /**
   * Where `identifyUser` takes a user's groups from: `"token"` (default, as
   * Liveblocks: only the `groupIds` given) or `"store"`: the groups given
   * merged with the stored groups the user is a member of (in the token's
   * organization), read when the token is issued; at every entry decision
   * the stored memberships alone decide, so a membership added or removed
   * later counts at once and watches re-decide a member's connections when
   * one changes (at once through this instance, within `groupsRecheckMs`
   * elsewhere).
   */
  groupsFrom?: "token" | "store";
  /** Under `groupsFrom: "store"`: how often watches read memberships again, in ms (default 5000). */
  groupsRecheckMs?: number;
  /** Token ids (`jti`); default 12 random URL-safe characters. */
  generateTokenId?: () => string;
};

/**
 * The identity form of `identifyUser`, as in `@liveblocks/node`.
 *
 * @example
 * ```ts
 * await liveblocks.identifyUser({ userId: "alice", groupIds: ["engineering"] });
 * ```
 */
export type Identity = {
  userId: string;
  groupIds?: string[];
  /** @deprecated Use `organizationId` instead. */
  tenantId?: string;
  organizationId?: string;
};

/**
 * Custom user data carried by a token (`other.info` in the room); JSON, at
 * most 1 KiB serialized. Same as `IUserInfo` in `@liveblocks/core`.
 *
 * @example
 * ```ts
 * const userInfo: UserInfo = { name: "Alice", avatar: "https://…/alice.png" };
 * ```
 */
export type UserInfo = { [key: string]: Json | undefined; name?: string; avatar?: string };

/** `@liveblocks/node`'s name for {@link UserInfo}. */
export type IUserInfo = UserInfo;

/** What a `UserMeta` augmentation must fit, as in `@liveblocks/core`. */
export type BaseUserMeta = { id?: string; info?: UserInfo };

declare global {
  /**
   * User-defined Liveblocks types, the namespace `@liveblocks/client` and
   * `@liveblocks/node` read: augment `UserMeta` and `userInfo` is typed by it.
   *
   * @example
   * ```ts
   * declare global {
   *   interface Liveblocks {
   *     UserMeta: { id: string; info: { name: string; color: string } };
   *   }
   * }
   * ```
   */
  interface Liveblocks {}
}

// Read through `globalThis`: in the bundled declarations the class
// `Liveblocks` is in scope and would shadow the global interface.
// `@liveblocks/core` gives the interface a `[key: string]: unknown` index
// signature; with or without it, an absent `UserMeta` reads as `unknown`.
type Augmented<K extends string> = globalThis.Liveblocks extends { [P in K]: infer T } ? T : unknown;

/**
 * The user metadata of this program: the `UserMeta` augmentation of the
 * global `Liveblocks` interface, or {@link BaseUserMeta} without one. An
 * augmentation that does not fit turns into a type that names the problem,
 * as in `@liveblocks/core`.
 */
export type UserMeta =
  unknown extends Augmented<"UserMeta">
    ? BaseUserMeta
    : Augmented<"UserMeta"> extends BaseUserMeta
      ? Augmented<"UserMeta">
      : Record<
          "id" | "info",
          "The type you provided for 'UserMeta' does not match its requirements. To learn how to fix this, see https://liveblocks.io/docs/errors/UserMeta"
        >;

/** `Partial<T>` if every field of `C` is optional, `T` otherwise (as in `@liveblocks/core`). */
type PartialUnless<C, T> = Record<string, never> extends C ? Partial<T> : [C] extends [never] ? Partial<T> : T;

/** The options tuple, optional if every field of `C` is optional (as in `@liveblocks/core`). */
export type OptionalTupleUnless<C, T extends unknown[]> =
  Record<string, never> extends C ? { [K in keyof T]?: T[K] } : [C] extends [never] ? { [K in keyof T]?: T[K] } : T;

/**
 * Options of `identifyUser`: `userInfo` has the type of the `UserMeta`
 * augmentation and is required when that type has a required field.
 */
export type IdentifyUserOptions<U extends BaseUserMeta = UserMeta> = PartialUnless<U["info"], { userInfo: U["info"] }>;

/** Options of `prepareSession`; `userInfo` as in {@link IdentifyUserOptions}. */
export type CreateSessionOptions<U extends BaseUserMeta = UserMeta> = PartialUnless<U["info"], { userInfo: U["info"] }> & {
  /** @deprecated Use `organizationId` instead. */
  tenantId?: string;
  organizationId?: string;
};

/**
 * The last argument of every async method. `actor` (roomgate's own) names
 * who makes a write, for its audit entry and webhooks: non-empty, at most
 * 256 characters; reads ignore it.
 */
export type RequestOptions = { signal?: AbortSignal; actor?: string };

/** Parameters of `createRoom` / `getOrCreateRoom`. */
export type CreateRoomOptions = {
  defaultAccesses: RoomPermissions;
  groupsAccesses?: RoomAccesses;
  usersAccesses?: RoomAccesses;
  metadata?: RoomMetadata;
  /** @deprecated Use `organizationId` instead. */
  tenantId?: string;
  organizationId?: string;
};

/**
 * Parameters of `updateRoom`: `null` for a key removes it, `null` for a whole
 * map clears it, `null` for `defaultAccesses` resets it to `[]`. An
 * `organizationId` is ignored: a room's organization never changes.
 */
export type UpdateRoomOptions = {
  defaultAccesses?: RoomPermissions | null;
  groupsAccesses?: Record<string, RoomPermissions | null> | null;
  usersAccesses?: Record<string, RoomPermissions | null> | null;
  metadata?: Record<string, string | string[] | null> | null;
  /** Ignored, as Liveblocks ignores it: a room's organization never changes. */
  organizationId?: string;
};

/** Parameters of `upsertRoom`. */
export type UpsertRoomOptions = { update: UpdateRoomOptions; create?: CreateRoomOptions };

/** Filters of `getRooms` / `iterRooms`. */
export type RoomsQueryCriteria = {
  /** @deprecated Use `organizationId` instead. */
  tenantId?: string;
  organizationId?: string;
  userId?: string;
  groupIds?: string[];
  /** The query language (`metadata["status"]:"open" AND roomId^"org:"`) or its object form. */
  query?: string | { metadata?: Record<string, string>; roomId?: { startsWith: string } };
  /** roomgate's: only the rooms this user (with these groups) may enter, as `resolveAccess` decides. */
  accessibleBy?: { userId: string; groupIds?: string[] };
};

/** Pagination of `getRooms`. */
export type PaginationOptions = { limit?: number; startingAfter?: string };

/** Parameters of `getRooms`. */
export type GetRoomsOptions = RoomsQueryCriteria &
  PaginationOptions & {
    /** Exact metadata matches, ANDed. */
    metadata?: Record<string, string>;
  };

/** One page of results. */
export type Page<T> = { nextCursor: string | null; data: T[] };

/**
 * Why `checkRoomAccess` refused. `verifier-unavailable` and
 * `store-unavailable` are outages, not verdicts on the token: the verifier
 * (a remote JWKS) or the store failed, returned something malformed, or was
 * still pending when the check's signal aborted or its deadline passed.
 *
 * @example
 * ```ts
 * if (!result.allowed && result.reason === "expired") socket.close(4001, "token expired");
 * ```
 */
export type RoomAccessDenial =
  | "invalid-token"
  | "expired"
  | "room-not-found"
  | "no-access"
  | "organization-mismatch"
  | "revoked"
  | "verifier-unavailable"
  | "store-unavailable";

/**
 * The outcome of `checkRoomAccess`.
 *
 * @example
 * ```ts
 * const result = await liveblocks.checkRoomAccess(token, roomId);
 * if (result.allowed && result.isReadOnly) rejectWrites();
 * ```
 */
export type RoomAccessResult =
  | {
      allowed: true;
      userId: string;
      groupIds: string[];
      userInfo: JsonObject | undefined;
      tokenKind: "id" | "acc";
      scopes: readonly Permission[];
      canWrite: boolean;
      canComment: boolean;
      isReadOnly: boolean;
    }
  | { allowed: false; reason: RoomAccessDenial; message: string };
