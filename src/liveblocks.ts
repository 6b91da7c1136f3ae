/**
 * `Liveblocks`: the facade with `@liveblocks/node`'s method names, parameters
 * and return shapes, over a pluggable `RoomStore` and `TokenSigner`.
 */
import { hkdfSync } from "node:crypto";
import type { AuthResponse } from "./auth.js";
import { LiveblocksError, messages } from "./errors.js";
import { DEFAULT_LIMITS, DEFAULT_PAGE_SIZE, type Limits } from "./limits.js";
import { resolveTokenAccess } from "./permissions/patterns.js";
import { type AccessDecision, type RoomAccessRules, resolveAccess } from "./permissions/resolve.js";
import type { Permission, RoomAccesses, RoomPermission } from "./permissions/scopes.js";
import { type AccessTokenRequest, Session } from "./session.js";
import { MemoryStore } from "./storage/memory.js";
import { applyRoomPatch } from "./storage/patch.js";
import { RoomQuerySyntaxError, parseRoomQuery, roomQueryFromObject } from "./storage/query.js";
import {
  InvalidCursorError,
  type RoomChangeEvent,
  type RoomData,
  type RoomFilter,
  type RoomMetadata,
  type RoomStore,
  type StoreReadOptions,
} from "./storage/types.js";
import { TokenError } from "./tokens/errors.js";
import { HmacSigner } from "./tokens/hmac.js";
import { KeyPairSigner } from "./tokens/keypair.js";
import { randomTokenId } from "./tokens/ids.js";
import type {
  AccessTokenClaims,
  IdTokenClaims,
  Json,
  JsonObject,
  TokenClaims,
  TokenSigner,
  TokenVerifier,
} from "./tokens/types.js";
import { type Schemas, assertRoomLimits, checkInput, createSchemas, parseInput, toRoomPatch } from "./validation.js";

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
  /** Where rooms live. Default: a new {@link MemoryStore}. */
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

/** Options of `identifyUser`. */
export type IdentifyUserOptions = { userInfo?: UserInfo };

/** Options of `prepareSession`. */
export type CreateSessionOptions = {
  userInfo?: UserInfo;
  /** @deprecated Use `organizationId` instead. */
  tenantId?: string;
  organizationId?: string;
};

/** The last argument of every async method. */
export type RequestOptions = { signal?: AbortSignal };

/** Parameters of `createRoom` / `getOrCreateRoom`. */
export type CreateRoomOptions = {
  defaultAccesses: RoomPermission;
  groupsAccesses?: RoomAccesses;
  usersAccesses?: RoomAccesses;
  metadata?: RoomMetadata;
  /** @deprecated Use `organizationId` instead. */
  tenantId?: string;
  organizationId?: string;
};

/** Parameters of `updateRoom`: `null` removes a key (or resets `defaultAccesses` to `[]`). */
export type UpdateRoomOptions = {
  defaultAccesses?: RoomPermission | null;
  groupsAccesses?: Record<string, RoomPermission | null>;
  usersAccesses?: Record<string, RoomPermission | null>;
  metadata?: Record<string, string | string[] | null>;
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
 * Why `checkRoomAccess` refused.
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
  | "revoked"
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

const VALID_SECRET = /^[\w-]+$/;
const COMPACT_JWS = /^[\w.-]*$/;
const PROJECT_ID_INFO = "roomgate/v1/project-id";
const MAX_UPSERT_ATTEMPTS = 8;

function assertNonEmpty(value: unknown, field: string): asserts value is string {
  if (typeof value !== "string" || value.length === 0) throw new Error(messages.nonEmptyString(field));
}

function assertSecretKey(value: unknown, field: string): asserts value is string {
  if (typeof value !== "string" || !value.startsWith("sk_")) throw new Error(messages.secretPrefix(field));
  if (!VALID_SECRET.test(value)) throw new Error(messages.secretChars(field));
}

function deriveProjectId(secret: string): string {
  return `pr_${Buffer.from(hkdfSync("sha256", secret, "", PROJECT_ID_INFO, 12)).toString("base64url")}`;
}

function seconds(value: number | undefined, fallback: number, field: string, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new TypeError(
      `Invalid value for field '${field}'. Please provide a ${allowZero ? "non-negative" : "positive"} number of seconds.`,
    );
  }
  return value;
}

function checkLimits(overrides: Partial<Limits> | undefined): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(overrides ?? {})) {
    const value = (overrides as Record<string, unknown>)[key];
    if (!Object.hasOwn(DEFAULT_LIMITS, key)) throw new TypeError(`Unknown limit '${key}'.`);
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      throw new TypeError(`Invalid value for limit '${key}'. Please provide a positive integer.`);
    }
    limits[key as keyof Limits] = value;
  }
  return limits;
}

/**
 * Self-hosted `@liveblocks/node`: ID and access tokens signed with your keys,
 * rooms and their permissions in your store, and the room-entry decision for
 * your realtime server.
 *
 * @example
 * ```ts
 * import { Liveblocks } from "roomgate";
 *
 * const liveblocks = new Liveblocks({ secret: "sk_dev_roomgate" });
 * await liveblocks.createRoom("my-room", { defaultAccesses: ["room:write"] });
 * const { status, body } = await liveblocks.identifyUser("alice");
 * ```
 */
export class Liveblocks {
  readonly #store: RoomStore;
  readonly #signer: TokenSigner;
  readonly #ownSigner: boolean;
  readonly #verifier: TokenVerifier;
  readonly #projectId: string;
  readonly #ttl: number;
  readonly #clockTolerance: number;
  readonly #limits: Limits;
  readonly #schemas: Schemas;
  readonly #assertLimits: (room: RoomData) => void;
  readonly #now: () => number;
  readonly #tokenId: () => string;

  /**
   * @param options.secret The project's secret key (`sk_…`).
   * @param options.store Where rooms live (default: in memory).
   * @param options.signer Signs tokens (default: HS256 keyed from the secret).
   */
  constructor(options: LiveblocksOptions) {
    const secret = options?.secret;
    assertNonEmpty(secret, "secret");
    assertSecretKey(secret, "secret");
    this.#store = options.store ?? new MemoryStore();
    this.#signer = options.signer ?? new HmacSigner({ secret });
    this.#ownSigner = this.#signer instanceof HmacSigner || this.#signer instanceof KeyPairSigner;
    this.#verifier = options.verifier ?? this.#signer;
    this.#projectId = options.projectId ?? deriveProjectId(secret);
    this.#ttl = seconds(options.tokenTtl, 3600, "tokenTtl", false);
    this.#clockTolerance = seconds(options.clockTolerance, 60, "clockTolerance", true);
    this.#limits = checkLimits(options.limits);
    this.#schemas = createSchemas(this.#limits);
    this.#assertLimits = assertRoomLimits(this.#limits);
    this.#now = options.now ?? Date.now;
    this.#tokenId = options.generateTokenId ?? randomTokenId;
  }

  /** The `pid` claim of the tokens this instance signs and accepts. */
  get projectId(): string {
    return this.#projectId;
  }

  /** The store rooms live in. */
  get store(): RoomStore {
    return this.#store;
  }

  /* --- Authentication ---------------------------------------------------- */

  /**
   * Issues an ID token: the user's identity and groups; what they may do is
   * decided per room, from the room's permissions, when they enter.
   *
   * @param identity The user id, or `{ userId, groupIds?, organizationId? }`.
   * @param options.userInfo Visible to others in the room as `other.info`.
   * @returns `{ status: 200, body: '{"token":"…"}' }`, `{ status: 422, body }` for bad input, or 503 if signing failed.
   * @example
   * ```ts
   * const { status, body } = await liveblocks.identifyUser(
   *   { userId: user.id, groupIds: user.teams },
   *   { userInfo: { name: user.name } },
   * );
   * return new Response(body, { status });
   * ```
   */
  async identifyUser(identity: string | Identity, options?: IdentifyUserOptions): Promise<AuthResponse> {
    const fields = typeof identity === "string" ? { userId: identity } : (identity as Identity | null | undefined);
    assertNonEmpty(fields?.userId, "userId");
    const checked = checkInput(this.#schemas.identity, fields, "identity");
    if (!checked.ok) return { status: checked.error.status, body: checked.error.message };
    const userInfo = this.#checkUserInfo(options?.userInfo);
    if (userInfo instanceof LiveblocksError) return { status: userInfo.status, body: userInfo.message };
    const { userId, groupIds } = checked.data;
    // Built in claim order (SPEC §3): k, pid, uid, ui?, gids?, iat, exp, jti.
    const claims = { k: "id", pid: this.#projectId, uid: userId } as IdTokenClaims;
    if (userInfo !== undefined) claims.ui = userInfo;
    if (groupIds !== undefined) claims.gids = groupIds;
    return this.#sign(this.#stamp(claims));
  }

  /**
   * Starts an access token for `userId`: permissions are listed on the token
   * itself with `session.allow(pattern, scopes)`; the rooms' stored
   * permissions are not consulted.
   *
   * @param userId The user id.
   * @param options.userInfo Visible to others in the room as `other.info`.
   * @param options.organizationId The organization the session is for.
   * @example
   * ```ts
   * const session = liveblocks.prepareSession("alice");
   * session.allow("org:*", session.READ_ACCESS);
   * const { status, body } = await session.authorize();
   * ```
   */
  prepareSession(userId: string, options?: CreateSessionOptions): Session {
    assertNonEmpty(userId, "userId");
    return new Session(
      (request) => this.#issueAccessToken(request),
      userId,
      options?.userInfo,
      options?.organizationId ?? options?.tenantId,
      this.#limits.tokenPatterns,
    );
  }

  async #issueAccessToken(request: AccessTokenRequest): Promise<AuthResponse> {
    const input: Record<string, unknown> = { userId: request.userId };
    if (request.organizationId !== undefined) input.organizationId = request.organizationId;
    const checked = checkInput(this.#schemas.identity, input, "identity");
    if (!checked.ok) return { status: checked.error.status, body: checked.error.message };
    const userInfo = this.#checkUserInfo(request.userInfo);
    if (userInfo instanceof LiveblocksError) return { status: userInfo.status, body: userInfo.message };
    // Built in claim order (SPEC §3): k, pid, uid, perms, ui?, iat, exp, jti.
    const claims = { k: "acc", pid: this.#projectId, uid: checked.data.userId, perms: request.perms } as AccessTokenClaims;
    if (userInfo !== undefined) claims.ui = userInfo;
    return this.#sign(this.#stamp(claims));
  }

  #checkUserInfo(userInfo: unknown): JsonObject | undefined | LiveblocksError {
    if (userInfo === undefined) return undefined;
    const checked = checkInput(this.#schemas.userInfo, userInfo, "userInfo");
    return checked.ok ? checked.data : checked.error;
  }

  /** Adds the time claims and the token id, last, as the claim order wants. */
  #stamp<T extends TokenClaims>(claims: T): T {
    const iat = Math.floor(this.#now() / 1000);
    claims.iat = iat;
    claims.exp = iat + this.#ttl;
    claims.jti = this.#tokenId();
    return claims;
  }

  async #sign(claims: TokenClaims): Promise<AuthResponse> {
    let token: string;
    try {
      token = await this.#signer.sign(claims);
    } catch (error) {
      return {
        status: 503,
        body: 'Could not sign the token. See "error" for more information.',
        error: error instanceof Error ? error : new Error(String(error)),
      };
    }
    // Our signers emit base64url and dots, which need no JSON escaping; a
    // custom signer's output is checked and escaped properly.
    const body =
      this.#ownSigner || COMPACT_JWS.test(token) ? `{"token":"${token}"}` : JSON.stringify({ token });
    return { status: 200, body };
  }

  /**
   * Verifies a token this instance accepts and returns its claims: signature,
   * algorithm, expiry and project. Rejects with a `TokenError` (`err.code`
   * says why).
   *
   * @param token The raw token.
   * @param options.kind Require an ID token (`"id"`) or an access token (`"acc"`).
   * @example
   * ```ts
   * const claims = await liveblocks.verifyToken(token);
   * console.log(claims.uid, claims.k);
   * ```
   */
  async verifyToken(token: string, options?: { kind?: "id" | "acc" }): Promise<TokenClaims> {
    return this.#verifier.verify(token, {
      now: this.#now(),
      clockTolerance: this.#clockTolerance,
      projectId: this.#projectId,
      ...(options?.kind !== undefined && { kind: options.kind }),
    });
  }

  /* --- Rooms --------------------------------------------------------------- */

  /**
   * Creates a room. Rejects with 409 if it exists, unless `idempotent` (then
   * it resolves to the existing room, unchanged).
   *
   * @param roomId 1–128 characters, no `*`.
   * @param params.defaultAccesses What everyone gets: `[]` (private) or a valid permission set.
   * @param params.groupsAccesses Per group, at most 100 entries, keys up to 40 characters.
   * @param params.usersAccesses Per user, at most 100 entries, keys up to 40 characters.
   * @param params.metadata At most 50 entries; keys up to 40, values up to 256 characters.
   * @param params.organizationId The organization (default `"default"`).
   * @param options.idempotent Get the room if it exists instead of failing.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const room = await liveblocks.createRoom("a32wQXid4A9", {
   *   defaultAccesses: [],
   *   usersAccesses: { alice: ["room:write"] },
   * });
   * ```
   */
  async createRoom(
    roomId: string,
    params: CreateRoomOptions,
    options?: RequestOptions & { idempotent?: boolean },
  ): Promise<RoomData> {
    options?.signal?.throwIfAborted();
    const id = parseInput(this.#schemas.roomId, roomId, "roomId");
    const room = this.#newRoom(id, parseInput(this.#schemas.createRoom, params, "params"));
    const result = await this.#store.create(room, { signal: options?.signal, assert: this.#assertLimits });
    if (!result.created && !options?.idempotent) {
      throw new LiveblocksError(messages.roomExists(id), 409);
    }
    return toPlainRoom(result.room);
  }

  /**
   * Returns the room, or creates it with `params` if it does not exist.
   *
   * @param roomId The room id.
   * @param params Used only if the room is created (see `createRoom`).
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const room = await liveblocks.getOrCreateRoom("my-room", { defaultAccesses: ["room:write"] });
   * ```
   */
  async getOrCreateRoom(roomId: string, params: CreateRoomOptions, options?: RequestOptions): Promise<RoomData> {
    return this.createRoom(roomId, params, { ...options, idempotent: true });
  }

  /**
   * Updates the room if it exists; otherwise creates it from `create` with
   * `update` applied on top. Atomic against concurrent callers.
   *
   * @param roomId The room id.
   * @param params.update Applied to the existing or the new room; at least one field.
   * @param params.create Used only when the room is created.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * await liveblocks.upsertRoom("my-room", {
   *   update: { usersAccesses: { alice: ["room:write"] } },
   *   create: { defaultAccesses: [] },
   * });
   * ```
   */
  async upsertRoom(roomId: string, params: UpsertRoomOptions, options?: RequestOptions): Promise<RoomData> {
    options?.signal?.throwIfAborted();
    const id = parseInput(this.#schemas.roomId, roomId, "roomId");
    const { update, create } = parseInput(this.#schemas.upsertRoom, params, "params");
    const patch = toRoomPatch(update);
    const write = { signal: options?.signal, assert: this.#assertLimits };
    for (let attempt = 0; attempt < MAX_UPSERT_ATTEMPTS; attempt++) {
      const updated = await this.#store.update(id, patch, write);
      if (updated !== null) return toPlainRoom(updated);
      const fresh = applyRoomPatch(this.#newRoom(id, create ?? { defaultAccesses: [] }), patch);
      const result = await this.#store.create(fresh, write);
      if (result.created) return toPlainRoom(result.room);
      // Someone created it between our update and create: update theirs.
    }
    throw new LiveblocksError(`Room with id "${id}" kept changing; upsert gave up.`, 409);
  }

  /**
   * Returns a room; rejects with 404 if there is none.
   *
   * @param roomId The room id.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { usersAccesses } = await liveblocks.getRoom("a32wQXid4A9");
   * ```
   */
  async getRoom(roomId: string, options?: RequestOptions): Promise<RoomData> {
    options?.signal?.throwIfAborted();
    const id = parseInput(this.#schemas.roomId, roomId, "roomId");
    const room = await this.#store.get(id, { signal: options?.signal });
    if (room === null) throw new LiveblocksError(messages.roomNotFound(id), 404);
    return toPlainRoom(room);
  }

  /**
   * Updates a room: `usersAccesses`, `groupsAccesses` and `metadata` key by
   * key (`null` removes a key); `defaultAccesses` whole (`null` → `[]`).
   * Rejects with 404 if there is no such room.
   *
   * @param roomId The room id.
   * @param params The fields to change.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * await liveblocks.updateRoom("a32wQXid4A9", {
   *   groupsAccesses: { engineering: ["room:read", "room:presence:write"] },
   *   usersAccesses: { bob: null },
   * });
   * ```
   */
  async updateRoom(roomId: string, params: UpdateRoomOptions, options?: RequestOptions): Promise<RoomData> {
    options?.signal?.throwIfAborted();
    const id = parseInput(this.#schemas.roomId, roomId, "roomId");
    const patch = toRoomPatch(parseInput(this.#schemas.updateRoom, params, "params"));
    const room = await this.#store.update(id, patch, { signal: options?.signal, assert: this.#assertLimits });
    if (room === null) throw new LiveblocksError(messages.roomNotFound(id), 404);
    return toPlainRoom(room);
  }

  /**
   * Deletes a room. Deleting a room that does not exist succeeds.
   *
   * @param roomId The room id.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * await liveblocks.deleteRoom("a32wQXid4A9");
   * ```
   */
  async deleteRoom(roomId: string, options?: RequestOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const id = parseInput(this.#schemas.roomId, roomId, "roomId");
    await this.#store.delete(id, { signal: options?.signal });
  }

  /**
   * Lists rooms, newest first, one page at a time.
   *
   * @param params.limit 1–100 (default 20).
   * @param params.startingAfter The `nextCursor` of the previous page.
   * @param params.userId Rooms whose `usersAccesses` has this user…
   * @param params.groupIds …or whose `groupsAccesses` has one of these groups.
   * @param params.organizationId Rooms of this organization.
   * @param params.metadata Exact metadata matches, ANDed.
   * @param params.query `metadata["status"]:"open" AND roomId^"org:"`, or `{ metadata, roomId: { startsWith } }`.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { data, nextCursor } = await liveblocks.getRooms({ userId: "alice", limit: 50 });
   * ```
   */
  async getRooms(params?: GetRoomsOptions, options?: RequestOptions): Promise<Page<RoomData>> {
    options?.signal?.throwIfAborted();
    const input = parseInput(this.#schemas.getRooms, params ?? {}, "params");
    const filter = this.#roomFilter(input);
    if (filter === null) return { nextCursor: null, data: [] };
    try {
      const page = await this.#store.list(
        {
          filter,
          limit: input.limit ?? DEFAULT_PAGE_SIZE,
          ...(input.startingAfter !== undefined && { cursor: input.startingAfter }),
        },
        { signal: options?.signal },
      );
      return { nextCursor: page.nextCursor, data: page.rooms.map(toPlainRoom) };
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new LiveblocksError(messages.invalidField("startingAfter", "is not a cursor this server issued"), 422);
      }
      throw error;
    }
  }

  /**
   * Iterates over every room matching `criteria`, fetching pages as needed.
   *
   * @param criteria The filters of `getRooms`.
   * @param options.pageSize Rooms per page (1–100, default 20).
   * @param options.signal Aborts the iteration.
   * @example
   * ```ts
   * for await (const room of liveblocks.iterRooms({ groupIds: ["engineering"] })) console.log(room.id);
   * ```
   */
  async *iterRooms(
    criteria: RoomsQueryCriteria,
    options?: RequestOptions & { pageSize?: number },
  ): AsyncGenerator<RoomData> {
    const pageSize = options?.pageSize;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= this.#limits.pageSize)) {
      throw new LiveblocksError(messages.invalidField("pageSize", `must be an integer between 1 and ${this.#limits.pageSize}`), 422);
    }
    let cursor: string | undefined;
    do {
      const page = await this.getRooms(
        {
          ...criteria,
          ...(options?.pageSize !== undefined && { limit: options.pageSize }),
          ...(cursor !== undefined && { startingAfter: cursor }),
        },
        options?.signal !== undefined ? { signal: options.signal } : undefined,
      );
      yield* page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /* --- Entering rooms ------------------------------------------------------ */

  /**
   * The decision a realtime server makes when a client connects: verifies the
   * token, then resolves its access to `roomId` (ID tokens from the stored
   * room, access tokens from their own permissions). Fails closed: a store
   * error denies with `store-unavailable`. Never rejects.
   *
   * @param token The token the client sent.
   * @param roomId The room it wants to enter.
   * @param options.signal Aborts the store reads (the result is then a denial).
   * @example
   * ```ts
   * const access = await liveblocks.checkRoomAccess(token, roomId);
   * if (!access.allowed) return socket.close(4403, access.message);
   * if (access.isReadOnly) connection.readOnly = true;
   * ```
   */
  async checkRoomAccess(token: string, roomId: string, options?: RequestOptions): Promise<RoomAccessResult> {
    let claims: TokenClaims;
    try {
      claims = await this.verifyToken(token);
    } catch (error) {
      if (error instanceof TokenError) {
        return deny(error.code === "ERR_JWT_EXPIRED" ? "expired" : "invalid-token", error.message);
      }
      return deny("invalid-token", "The token could not be verified.");
    }
    const id = checkInput(this.#schemas.roomId, roomId, "roomId");
    if (!id.ok) return deny("room-not-found", id.error.message);

    const read = { signal: options?.signal };
    const groupIds = claims.k === "id" ? (claims.gids ?? []) : [];
    let revokedBefore: number | null;
    let rules: RoomAccessRules | null = null;
    try {
      [revokedBefore, rules] = await Promise.all([
        this.#store.getRevocation(claims.uid, read),
        claims.k === "id" ? this.#accessRules(id.data, claims.uid, groupIds, read) : null,
      ]);
    } catch {
      return deny("store-unavailable", "The room store could not be read; access denied.");
    }
    if (revokedBefore !== null && claims.iat * 1000 < revokedBefore) {
      const cutoff = new Date(revokedBefore).toISOString();
      return deny("revoked", `Tokens of user "${claims.uid}" issued before ${cutoff} are revoked.`);
    }

    let decision: AccessDecision;
    if (claims.k === "id") {
      if (rules === null) return deny("room-not-found", messages.roomNotFound(id.data));
      decision = resolveAccess(rules, { userId: claims.uid, groupIds });
    } else {
      decision = resolveTokenAccess(claims.perms, id.data);
    }
    if (!decision.canEnter) {
      return deny("no-access", `User "${claims.uid}" may not enter room "${id.data}".`);
    }
    return {
      allowed: true,
      userId: claims.uid,
      groupIds,
      userInfo: claims.ui,
      tokenKind: claims.k,
      scopes: decision.scopes,
      canWrite: decision.canWrite,
      canComment: decision.canComment,
      isReadOnly: decision.isReadOnly,
    };
  }

  /**
   * Revokes every token of `userId` issued before `issuedBefore` (default:
   * now): `checkRoomAccess` then denies them with `revoked`. Kept in the
   * store, so it holds across restarts and instances.
   *
   * @param params.userId The user whose tokens to revoke.
   * @param params.issuedBefore A `Date` or epoch milliseconds (default: now).
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * await liveblocks.revokeTokens({ userId: "alice" });
   * ```
   */
  async revokeTokens(params: { userId: string; issuedBefore?: Date | number }, options?: RequestOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const { userId, issuedBefore } = parseInput(this.#schemas.revokeTokens, params, "params");
    const cutoff = issuedBefore === undefined ? this.#now() : +issuedBefore;
    await this.#store.revokeTokens(userId, cutoff, { signal: options?.signal });
  }

  /**
   * Calls `listener` after every successful create, update, upsert and delete
   * of a room, so a realtime server can re-run the entry decision for the
   * users it has connected to that room.
   *
   * @param listener Receives `{ type, roomId, room }` (`room` is `null` after a delete).
   * @returns A function that unsubscribes.
   * @example
   * ```ts
   * const stop = liveblocks.onRoomChange(({ roomId }) => recheckConnections(roomId));
   * ```
   */
  onRoomChange(listener: (event: RoomChangeEvent) => void): () => void {
    return this.#store.subscribe((event) =>
      listener(event.room === null ? event : { ...event, room: toPlainRoom(event.room) }),
    );
  }

  /* --- Internals ----------------------------------------------------------- */

  #newRoom(id: string, params: Partial<import("zod").output<Schemas["createRoom"]>>): RoomData {
    return {
      type: "room",
      id,
      createdAt: new Date(this.#now()),
      organizationId: params.organizationId ?? params.tenantId ?? "default",
      defaultAccesses: params.defaultAccesses ?? [],
      usersAccesses: params.usersAccesses ?? Object.create(null),
      groupsAccesses: params.groupsAccesses ?? Object.create(null),
      metadata: params.metadata ?? Object.create(null),
    };
  }

  /** The room's permissions for one user, through the store's fast path where it has one. */
  #accessRules(
    roomId: string,
    userId: string,
    groupIds: readonly string[],
    options: StoreReadOptions,
  ): Promise<RoomAccessRules | null> {
    if (this.#store.getAccessRules !== undefined) {
      return this.#store.getAccessRules(roomId, { userId, groupIds }, options);
    }
    return this.#store.get(roomId, options);
  }

  /** The store filter of validated `getRooms` params; `null` when no room can match. */
  #roomFilter(input: import("zod").output<Schemas["getRooms"]>): RoomFilter | null {
    const filter: RoomFilter = {};
    if (input.userId !== undefined) filter.userId = input.userId;
    if (input.groupIds !== undefined) filter.groupIds = input.groupIds;
    const organizationId = input.organizationId ?? input.tenantId;
    if (organizationId !== undefined) filter.organizationId = organizationId;

    // Pairs, not a map: a room whose value is ["a", "b"] matches both a and b.
    const metadata: [string, string][] = [];
    const seen = new Set<string>();
    const addMetadata = (key: string, value: string) => {
      const id = JSON.stringify([key, value]);
      if (!seen.has(id)) {
        seen.add(id);
        metadata.push([key, value]);
      }
    };
    for (const key of Object.keys(input.metadata ?? {})) addMetadata(key, input.metadata![key]!);
    if (input.query !== undefined) {
      const text = typeof input.query === "string" ? input.query : roomQueryFromObject(input.query);
      let query: ReturnType<typeof parseRoomQuery>;
      try {
        query = parseRoomQuery(text);
      } catch (error) {
        if (error instanceof RoomQuerySyntaxError) {
          throw new LiveblocksError(messages.invalidField("query", error.message), 422);
        }
        throw error;
      }
      if (query.impossible) return null;
      if (query.roomId !== undefined) filter.roomId = query.roomId;
      if (query.roomIdPrefix !== undefined) filter.roomIdPrefix = query.roomIdPrefix;
      for (const [key, value] of query.metadata) addMetadata(key, value);
    }
    if (metadata.length > 0) filter.metadata = metadata;
    return filter;
  }
}

/**
 * A room as `@liveblocks/node` hands it out (parsed JSON): its maps are plain
 * objects again, each id an own data property (`__proto__` included, as
 * `JSON.parse` makes it), so `room.usersAccesses.hasOwnProperty(id)` works.
 * Stores keep null-prototype maps, where `__proto__` can never be a setter.
 */
function toPlainRoom(room: RoomData): RoomData {
  // A new object, not an edit: an event's room is shared by every listener.
  // Object.fromEntries defines properties; it never assigns through __proto__.
  return {
    ...room,
    usersAccesses: Object.fromEntries(Object.entries(room.usersAccesses)),
    groupsAccesses: Object.fromEntries(Object.entries(room.groupsAccesses)),
    metadata: Object.fromEntries(Object.entries(room.metadata)),
  };
}

function deny(reason: RoomAccessDenial, message: string): RoomAccessResult {
  return { allowed: false, reason, message };
}
