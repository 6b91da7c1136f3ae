/**
 * `Liveblocks`: the facade with `@liveblocks/node`'s method names, parameters
 * and return shapes, over a pluggable `RoomStore` and `TokenSigner`. Each
 * method is thin: validation, option parsing, the entry decision and the
 * listing filter live in their own files beside this one.
 */
import type { z } from "zod";
import { applyRoomPatch } from "../rooms/patch.js";
import { plainRoomCopy, returnsPlainRoomCopies } from "../rooms/copies.js";
import {
  DEFAULT_ORGANIZATION,
  type GroupData,
  INVALID_CURSOR_CODE,
  type RevocationEvent,
  type RoomChangeEvent,
  type RoomData,
  type RoomStore,
} from "../rooms/types.js";
import { type RoomAccessWatch, watchRoomAccess } from "./entry/watch.js";
import { announceRevocation, subscribeRevocations } from "./entry/revocations.js";
import type { TokenClaims } from "../tokens/types.js";
import { decideRoomAccess } from "./entry/access.js";
import { verifyWith } from "./entry/verify.js";
import type { AuthResponse } from "./auth.js";
import { invalidField, notImplemented, roomExists, roomKeptChanging, roomNotFound } from "../protocol/errors.js";
import { DEFAULT_PAGE_SIZE } from "./limits.js";
import { toRoomFilter } from "./listing.js";
import { type Config, resolveOptions } from "./options.js";
import { Session } from "./session.js";
import { observeDecision, observeIssued } from "./observer.js";
import { assertNonEmpty, issueAccessToken, issueIdToken } from "./session-tokens.js";
import type {
  BaseUserMeta,
  CreateRoomOptions,
  CreateSessionOptions,
  GetRoomsOptions,
  IdentifyUserOptions,
  Identity,
  LiveblocksOptions,
  OptionalTupleUnless,
  Page,
  RequestOptions,
  RoomAccessResult,
  RoomsQueryCriteria,
  UpdateRoomOptions,
  UpsertRoomOptions,
} from "./types.js";
import { type Schemas, parseInput, toRoomPatch } from "./schemas.js";
import * as groups from "./groups.js";
import { listAccessibleRooms } from "./access/accessible.js";
import { explainRoomAccess } from "./access/explain.js";
import { type RoomAccessListOptions, roomAccessList } from "./access/access-list.js";
import type { ExplainAccessIdentity, RoomAccessExplanation, RoomAccessList } from "./access/types.js";
import { writeOptions } from "./actor.js";
import { type GetAuditLogOptions, getAuditLog } from "./audit.js";
import type { AuditEntry } from "../rooms/audit.js";
import type { CreateGroupOptions, GroupPaginationOptions } from "./groups.js";
import { PresenceRegistry } from "./presence.js";
import type { PresenceListener, RoomUser } from "./presence-events.js";
import * as webhooks from "../webhooks/management.js";
import type { WebhookManagement } from "../webhooks/management.js";
import type { WebhookDelivery, WebhookDeliveryStatus, WebhookOutbox } from "../webhooks/outbox.js";
import type { WebhookEventType } from "../webhooks/events.js";
import { outboxOrNull, resolveWebhooks, retentionOrNull, webhooksOrFail } from "./webhooks.js";
import { presenceWebhookListener } from "../webhooks/presence.js";

const MAX_UPSERT_ATTEMPTS = 8;

/** Secret checks of live instances, for the HTTP layer; nothing else can read them. */
const secretChecks = new WeakMap<Liveblocks, (candidate: string) => boolean>();

/**
 * Does `candidate` equal the secret `liveblocks` was created with? Constant
 * time. For `roomgate/http`, which authenticates REST calls with it.
 * @internal
 */
export function secretMatches(liveblocks: Liveblocks, candidate: string): boolean {
  return secretChecks.get(liveblocks)?.(candidate) ?? false;
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
 * const liveblocks = new Liveblocks({ secret: process.env.ROOMGATE_SECRET! }); // from `npx roomgate secret`
 * await liveblocks.createRoom("my-room", { defaultAccesses: ["room:write"] });
 * const { status, body } = await liveblocks.identifyUser("alice");
 * ```
 */
export class Liveblocks {
  readonly #config: Config;
  readonly #presence: PresenceRegistry;
  readonly #webhooks: WebhookManagement | null;

  /**
   * @param options.secret The project's secret key (`sk_…`, at least 22 random characters after `sk_`).
   * @param options.store Where rooms live (default: in memory).
   * @param options.signer Signs tokens (default: HS256 keyed from the secret).
   */
  constructor(options: LiveblocksOptions) {
    this.#config = resolveOptions(options);
    this.#presence = new PresenceRegistry(this.#config.now);
    secretChecks.set(this, this.#config.secretMatches);
    this.#webhooks = resolveWebhooks(options.webhooks, this.#config.store, this.#config.now);
    // The gates' admissions and closes become userEntered / userLeft deliveries.
    const outbox = this.#webhooks?.outbox;
    if (outbox) this.#presence.subscribe(presenceWebhookListener(outbox));
  }

  /** The `pid` claim of the tokens this instance signs and accepts. */
  get projectId(): string {
    return this.#config.projectId;
  }

  /** The store rooms live in. */
  get store(): RoomStore {
    return this.#config.store;
  }

  /* --- Authentication ---------------------------------------------------- */

  /**
   * Issues an ID token: the user's identity and groups; what they may do is
   * decided per room, from the room's permissions, when they enter. With
   * `groupsFrom: "store"`, the groups are the ones given plus the stored
   * groups the user is a member of; entry then reads the memberships as
   * stored at that moment.
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
  async identifyUser(
    identity: string | Identity,
    ...rest: OptionalTupleUnless<IdentifyUserOptions, [options: IdentifyUserOptions]>
  ): Promise<AuthResponse> {
    const options = rest[0] as IdentifyUserOptions<BaseUserMeta> | undefined;
    if (this.#config.groupsFrom === "store") {
      const fields = typeof identity === "string" ? { userId: identity } : (identity as { userId?: unknown } | null | undefined);
      // Before any store read: an empty userId is a programmer error, thrown as the SDK throws it.
      assertNonEmpty(fields?.userId, "userId");
      const merged = await groups.withStoredGroups(this.#config, identity);
      if ("answer" in merged) return merged.answer;
      return observeIssued(this.#config.observer, "id", issueIdToken(this.#config, merged.identity, options));
    }
    const answer = issueIdToken(this.#config, identity, options);
    return this.#config.observer === undefined ? answer : observeIssued(this.#config.observer, "id", answer);
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
  prepareSession(userId: string, ...rest: OptionalTupleUnless<CreateSessionOptions, [options: CreateSessionOptions]>): Session {
    const options = rest[0] as CreateSessionOptions<BaseUserMeta> | undefined;
    assertNonEmpty(userId, "userId");
    return new Session(
      (request) => observeIssued(this.#config.observer, "access", issueAccessToken(this.#config, request)),
      userId,
      options?.userInfo,
      options?.organizationId ?? options?.tenantId,
      this.#config.limits,
    );
  }

  /**
   * Verifies a token this instance accepts and returns its claims: signature,
   * algorithm, expiry and project. Rejects with a `TokenError` (`err.code`
   * says why).
   *
   * @param token The raw token.
   * @param options.kind Require an ID token (`"id"`) or an access token (`"acc"`).
   * @param options.signal Passed on to the verifier (a remote JWKS fetch).
   * @example
   * ```ts
   * const claims = await liveblocks.verifyToken(token);
   * console.log(claims.uid, claims.k);
   * ```
   */
  verifyToken(token: string, options?: RequestOptions & { kind?: "id" | "acc" }): Promise<TokenClaims> {
    // Not `async`: roomgate's own verifiers answer in the calling turn, and one promise carries the answer.
    try {
      return Promise.resolve(verifyWith(this.#config, token, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /* --- Rooms --------------------------------------------------------------- */

  /**
   * Creates a room. Rejects with 409 if it exists, unless `idempotent` (then
   * it resolves to the existing room, unchanged).
   *
   * @param roomId Up to `limits.roomIdLength` characters (default 128), no `*`.
   * @param params.defaultAccesses What everyone gets: `[]` (private) or a valid permission set.
   * @param params.groupsAccesses Per group; at most `limits.accessesEntries` entries (default 100), keys up to `limits.accessesKeyLength` (40).
   * @param params.usersAccesses Per user; the same limits as `groupsAccesses`.
   * @param params.metadata At most `limits.metadataEntries` entries (default 50); keys up to 40, values up to 256 characters by default.
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
  async createRoom(roomId: string, params: CreateRoomOptions, options?: RequestOptions & { idempotent?: boolean }): Promise<RoomData> {
    options?.signal?.throwIfAborted();
    const id = parseInput(this.#config.schemas.roomId, roomId, "roomId");
    const room = this.#newRoom(id, parseInput(this.#config.schemas.createRoom, params, "params"));
    const result = await this.#config.store.create(room, { ...writeOptions(options), assert: this.#config.assertLimits });
    if (!result.created && !options?.idempotent) {
      throw roomExists(id);
    }
    return toPlainRoom(this.#config.store, result.room);
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
    const id = parseInput(this.#config.schemas.roomId, roomId, "roomId");
    const { update, create } = parseInput(this.#config.schemas.upsertRoom, params, "params");
    const patch = toRoomPatch(update);
    const write = { ...writeOptions(options), assert: this.#config.assertLimits };
    for (let attempt = 0; attempt < MAX_UPSERT_ATTEMPTS; attempt++) {
      const updated = await this.#config.store.update(id, patch, write);
      if (updated !== null) return toPlainRoom(this.#config.store, updated);
      const fresh = applyRoomPatch(this.#newRoom(id, create ?? { defaultAccesses: [] }), patch);
      const result = await this.#config.store.create(fresh, write);
      if (result.created) return toPlainRoom(this.#config.store, result.room);
      // Someone created it between our update and create: update theirs.
    }
    throw roomKeptChanging(id);
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
    const id = parseInput(this.#config.schemas.roomId, roomId, "roomId");
    const room = await this.#config.store.get(id, { signal: options?.signal });
    if (room === null) throw roomNotFound(id);
    return toPlainRoom(this.#config.store, room);
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
    const id = parseInput(this.#config.schemas.roomId, roomId, "roomId");
    const patch = toRoomPatch(parseInput(this.#config.schemas.updateRoom, params, "params"));
    const room = await this.#config.store.update(id, patch, { ...writeOptions(options), assert: this.#config.assertLimits });
    if (room === null) throw roomNotFound(id);
    return toPlainRoom(this.#config.store, room);
  }

  /**
   * Gives a room a new id, keeping everything else. Rejects with 404 if
   * there is no room `currentRoomId`, 409 if `newRoomId` is taken.
   *
   * @param params.currentRoomId The room's id now.
   * @param params.newRoomId Its new id.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const room = await liveblocks.updateRoomId({ currentRoomId: "draft-1", newRoomId: "doc-1" });
   * ```
   */
  async updateRoomId(params: { currentRoomId: string; newRoomId: string }, options?: RequestOptions): Promise<RoomData> {
    options?.signal?.throwIfAborted();
    const { currentRoomId, newRoomId } = parseInput(this.#config.schemas.updateRoomId, params, "params");
    const store = this.#config.store;
    if (store.rename === undefined) throw notImplemented("Renaming a room");
    const result = await store.rename(currentRoomId, newRoomId, writeOptions(options));
    if (result === "not-found") throw roomNotFound(currentRoomId);
    if (result === "exists") throw roomExists(newRoomId);
    return toPlainRoom(this.#config.store, result);
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
    const id = parseInput(this.#config.schemas.roomId, roomId, "roomId");
    await this.#config.store.delete(id, writeOptions(options));
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
   * @param params.accessibleBy roomgate's: only the rooms this `{ userId, groupIds? }` may enter (see `accessibleBy` in the README); 501 if the store cannot.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { data, nextCursor } = await liveblocks.getRooms({ userId: "alice", limit: 50 });
   * const enterable = await liveblocks.getRooms({ accessibleBy: { userId: "alice", groupIds: ["eng"] } });
   * ```
   */
  async getRooms(params?: GetRoomsOptions, options?: RequestOptions): Promise<Page<RoomData>> {
    options?.signal?.throwIfAborted();
    const input = parseInput(this.#config.schemas.getRooms, params ?? {}, "params");
    const filter = toRoomFilter(input);
    if (filter === null) return { nextCursor: null, data: [] };
    try {
      const query = {
        filter,
        limit: input.limit ?? DEFAULT_PAGE_SIZE,
        ...(input.startingAfter !== undefined && { cursor: input.startingAfter }),
      };
      const read = { signal: options?.signal };
      const page =
        input.accessibleBy === undefined
          ? await this.#config.store.list(query, read)
          : await listAccessibleRooms(this.#config, query, input.accessibleBy, read);
      return {
        nextCursor: page.nextCursor,
        data: returnsPlainRoomCopies(this.#config.store) ? page.rooms : page.rooms.map((room) => plainRoomCopy(room)),
      };
    } catch (error) {
      // By code, not class: a store may come from another copy of roomgate.
      if ((error as { code?: unknown } | null)?.code === INVALID_CURSOR_CODE) {
        throw invalidField("startingAfter", "is not a cursor this server issued", "INVALID_CURSOR");
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
  async *iterRooms(criteria: RoomsQueryCriteria, options?: RequestOptions & { pageSize?: number }): AsyncGenerator<RoomData> {
    const pageSize = options?.pageSize;
    if (pageSize !== undefined) parseInput(this.#config.schemas.pageSize, pageSize, "pageSize");
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

  /* --- Groups ------------------------------------------------------------- */

  /**
   * Creates a stored group. Rejects with 409 `GROUP_ALREADY_EXISTS` if the
   * id is taken (in any organization), 501 if the store keeps no groups.
   *
   * @param params.groupId 1–40 characters, no `,`.
   * @param params.memberIds User ids, at most `limits.groupMembersPerCall` (1000); duplicates count once.
   * @param params.organizationId The organization (default `"default"`).
   * @param params.scopes Default `{ mention: true }`.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const group = await liveblocks.createGroup({ groupId: "engineering", memberIds: ["alice", "bob"] });
   * ```
   */
  async createGroup(params: CreateGroupOptions, options?: RequestOptions): Promise<GroupData> {
    return groups.createGroup(this.#config, params, options);
  }

  /**
   * Returns a group; rejects with 404 `GROUP_NOT_FOUND` if there is none.
   *
   * @param params.groupId The group id.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { members } = await liveblocks.getGroup({ groupId: "engineering" });
   * ```
   */
  async getGroup(params: { groupId: string }, options?: RequestOptions): Promise<GroupData> {
    return groups.getGroup(this.#config, params, options);
  }

  /**
   * Adds members to a group; members already in it keep their `addedAt`.
   * Rejects with 404 if there is no such group, 422 past `limits.groupMembers` (10 000).
   *
   * @param params.groupId The group id.
   * @param params.memberIds 1 to `limits.groupMembersPerCall` (1000) user ids.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * await liveblocks.addGroupMembers({ groupId: "engineering", memberIds: ["carol"] });
   * ```
   */
  async addGroupMembers(params: { groupId: string; memberIds: string[] }, options?: RequestOptions): Promise<GroupData> {
    return groups.changeGroupMembers(this.#config, "add", params, options);
  }

  /**
   * Removes members from a group (ids not in it are ignored). Rejects with
   * 404 if there is no such group.
   *
   * @param params.groupId The group id.
   * @param params.memberIds 1 to `limits.groupMembersPerCall` (1000) user ids.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * await liveblocks.removeGroupMembers({ groupId: "engineering", memberIds: ["bob"] });
   * ```
   */
  async removeGroupMembers(params: { groupId: string; memberIds: string[] }, options?: RequestOptions): Promise<GroupData> {
    return groups.changeGroupMembers(this.#config, "remove", params, options);
  }

  /**
   * Deletes a group and its memberships. Rejects with 404 if there is none.
   *
   * @param params.groupId The group id.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * await liveblocks.deleteGroup({ groupId: "engineering" });
   * ```
   */
  async deleteGroup(params: { groupId: string }, options?: RequestOptions): Promise<void> {
    return groups.deleteGroup(this.#config, params, options);
  }

  /**
   * Lists groups by id, one page at a time.
   *
   * @param params.limit 1–100 (default 20).
   * @param params.startingAfter The `nextCursor` of the previous page.
   * @param params.organizationId roomgate's: groups of this organization only.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { data, nextCursor } = await liveblocks.getGroups({ limit: 50 });
   * ```
   */
  async getGroups(params?: GroupPaginationOptions, options?: RequestOptions): Promise<Page<GroupData>> {
    return groups.listGroups(this.#config, params ?? {}, options);
  }

  /**
   * Lists the groups `userId` is a member of, by id, one page at a time.
   *
   * @param params.userId The user.
   * @param params.limit 1–100 (default 20).
   * @param params.startingAfter The `nextCursor` of the previous page.
   * @param params.organizationId roomgate's: groups of this organization only.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { data } = await liveblocks.getUserGroups({ userId: "alice" });
   * ```
   */
  async getUserGroups(params: { userId: string } & GroupPaginationOptions, options?: RequestOptions): Promise<Page<GroupData>> {
    if (typeof params?.userId !== "string") throw invalidField("userId", "must be a string");
    return groups.listGroups(this.#config, params, options);
  }

  /* --- Audit trail --------------------------------------------------------- */

  /**
   * Reads the audit trail, newest first, one page at a time: one entry per
   * write that changed something (rooms, revocations, groups), with when,
   * who (the write's `actor`, default `"api"`), what and only what changed.
   * roomgate's own (`GET /v2/audit-log`); rejects with 501 if the store
   * keeps no trail. Entries cannot be changed through the API.
   *
   * @param params.roomId Entries about this room (a rename matches both ids).
   * @param params.actor Entries of this actor's writes.
   * @param params.since Entries at or after this time (`Date`, epoch ms or ISO-8601).
   * @param params.until Entries before this time.
   * @param params.limit 1–100 (default 20).
   * @param params.startingAfter The `nextCursor` of the previous page.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { data, nextCursor } = await liveblocks.getAuditLog({ roomId: "my-room", limit: 50 });
   * for (const entry of data) console.log(entry.at, entry.actor, entry.type, entry.changes);
   * ```
   */
  async getAuditLog(params?: GetAuditLogOptions, options?: RequestOptions): Promise<Page<AuditEntry>> {
    return getAuditLog(this.#config, params ?? {}, options);
  }

  /* --- Entering rooms ------------------------------------------------------ */

  /**
   * The decision a realtime server makes when a client connects: verifies the
   * token, then resolves its access to `roomId` (ID tokens from the stored
   * room, access tokens from their own permissions). Fails closed and on
   * time: never rejects; a failing or malformed verifier or store denies
   * (`verifier-unavailable`, `store-unavailable`), and so does a check still
   * pending when `signal` aborts or `timeoutMs` pass, even if the verifier or
   * store ignores the signal. Every denial `message` fits a WebSocket close
   * reason (`MAX_DENIAL_MESSAGE_BYTES`, 123 bytes of UTF-8).
   *
   * @param token The token the client sent.
   * @param roomId The room it wants to enter.
   * @param options.signal Passed on to the verifier and the store; once it aborts the result is a denial.
   * @param options.timeoutMs The deadline for the whole check (default 5000; `Infinity` for none).
   * @example
   * ```ts
   * const access = await liveblocks.checkRoomAccess(token, roomId);
   * if (!access.allowed) return socket.close(4403, access.message);
   * if (access.isReadOnly) connection.readOnly = true;
   * ```
   */
  checkRoomAccess(token: string, roomId: string, options?: RequestOptions & { timeoutMs?: number }): Promise<RoomAccessResult> {
    // Not `async`: a decision made in the calling turn costs one promise, not three.
    const observer = this.#config.observer;
    const decision = decideRoomAccess(this.#config, token, roomId, options);
    if (decision instanceof Promise) {
      return decision.then(({ access }) => {
        observeDecision(observer, "check", access);
        return access;
      });
    }
    observeDecision(observer, "check", decision.access);
    return Promise.resolve(decision.access);
  }

  /**
   * Revokes every token of `userId` issued before `issuedBefore` (default:
   * now): `checkRoomAccess` then denies them with `revoked`. Judged on `iat`
   * (whole seconds) with the clock tolerance added, so a token minted just
   * before by an instance whose clock runs up to `clockTolerance` ahead is
   * revoked too; so are tokens issued within `clockTolerance` after it (a
   * bounded lockout, 60 s by default). Kept in the store, so every instance
   * over it sees it; it survives restarts only if the store is durable.
   *
   * @param params.userId The user whose tokens to revoke.
   * @param params.issuedBefore A `Date` or integer epoch milliseconds, no later than now plus `clockTolerance` (default: now).
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * await liveblocks.revokeTokens({ userId: "alice" });
   * ```
   */
  async revokeTokens(params: { userId: string; issuedBefore?: Date | number }, options?: RequestOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const { userId, issuedBefore } = parseInput(this.#config.schemas.revokeTokens, params, "params");
    const now = this.#config.now();
    // Cutoffs only move forward: a far one would lock the user out for good.
    if (issuedBefore !== undefined && issuedBefore > now + this.#config.clockTolerance * 1000) {
      throw invalidField("issuedBefore", `must be no later than now plus the clock tolerance (${this.#config.clockTolerance} s)`);
    }
    const cutoff = issuedBefore ?? now;
    await this.#config.store.revokeTokens(userId, cutoff, writeOptions(options));
    announceRevocation(this.#config, { userId, issuedBefore: cutoff });
  }

  /**
   * Clears the revocation cutoff of `userId`, so every token of theirs that
   * is otherwise valid passes again: the administrator's way back from a
   * cutoff set by mistake. roomgate's own (`DELETE
   * /v2/users/:userId/revocation`); rejects with 501 if the store cannot.
   *
   * @param params.userId The user whose cutoff to clear.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * await liveblocks.clearTokenRevocation({ userId: "alice" });
   * ```
   */
  async clearTokenRevocation(params: { userId: string }, options?: RequestOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const { userId } = parseInput(this.#config.schemas.tokenRevocation, params, "params");
    const store = this.#config.store;
    if (store.clearRevocation === undefined) throw notImplemented("Clearing a token revocation");
    await store.clearRevocation(userId, writeOptions(options));
  }

  /**
   * The cutoff `revokeTokens` set for `userId`, as the store holds it:
   * tokens issued before it (epoch milliseconds) are denied; `null` if none.
   * roomgate's own, for `roomgate/http`'s `GET /v2/users/:userId/revocation`
   * (which `RestStore` reads); not part of `@liveblocks/node`.
   *
   * @internal
   * @param params.userId The user whose cutoff to read.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { issuedBefore } = await liveblocks.getTokenRevocation({ userId: "alice" });
   * ```
   */
  async getTokenRevocation(params: { userId: string }, options?: RequestOptions): Promise<{ issuedBefore: number | null }> {
    options?.signal?.throwIfAborted();
    const { userId } = parseInput(this.#config.schemas.tokenRevocation, params, "params");
    return { issuedBefore: await this.#config.store.getRevocation(userId, { signal: options?.signal }) };
  }

  /**
   * Calls `listener` after each revocation of a user's tokens, with the
   * cutoff (epoch ms): every revocation the store reports (other instances
   * on Postgres, other processes on SQLite, every client of a `RestStore`
   * with `serverEvents`), and this instance's own with any store. Live
   * watches (`watchRoomAccess`) already act on these; this is for
   * connections a realtime server tracks itself.
   *
   * @returns A function that unsubscribes.
   * @example
   * ```ts
   * const stop = liveblocks.onTokensRevoked(({ userId, issuedBefore }) => closeConnectionsOf(userId, issuedBefore));
   * ```
   */
  onTokensRevoked(listener: (event: RevocationEvent) => void): () => void {
    return subscribeRevocations(this.#config, listener);
  }

  /**
   * `checkRoomAccess`, kept live: resolves to the first decision, then calls
   * `onChange` whenever it changes (a permission update, removal or re-add,
   * the room's creation or deletion, the token's expiry at `exp`, and a
   * revocation of the user's tokens). The token is verified once; store
   * events re-decide without it, across instances and processes as far as
   * the store emits them. A first denial the token causes (invalid, expired,
   * revoked) or an outage is final: no watch is kept.
   *
   * @param onChange Called with each new decision; after a final denial the watch ends itself.
   * @param options.signal Ends the watch when it aborts.
   * @example
   * ```ts
   * const watch = await liveblocks.watchRoomAccess(token, roomId, (access) => {
   *   if (!access.allowed) socket.close(4403, access.message);
   *   else connection.readOnly = access.isReadOnly;
   * });
   * if (!watch.access.allowed) return socket.close(4403, watch.access.message);
   * socket.on("close", () => watch.stop());
   * ```
   */
  async watchRoomAccess(
    token: string,
    roomId: string,
    onChange: (access: RoomAccessResult) => void,
    options?: RequestOptions & { timeoutMs?: number },
  ): Promise<RoomAccessWatch> {
    return watchRoomAccess(this.#config, token, roomId, onChange, options);
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
    // Always a new copy: an event's room is shared by every listener.
    return this.#config.store.subscribe((event) => listener(event.room === null ? event : { ...event, room: plainRoomCopy(event.room) }));
  }

  /**
   * The connections the realtime gates of this process hold. A gate calls
   * `presence.enter(...)` when it admits a connection and the ticket's
   * `leave()` when it closes; `getActiveUsers` and `subscribePresence` read them.
   *
   * @example
   * ```ts
   * const ticket = liveblocks.presence.enter({ roomId, userId: "alice", userInfo: { name: "Alice" } });
   * socket.once("close", () => ticket.leave());
   * ```
   */
  get presence(): PresenceRegistry {
    return this.#presence;
  }

  /**
   * Calls `listener` on every admission (`userEntered`) and close (`userLeft`)
   * the realtime gates of this process report, in the order they report them.
   *
   * @returns A function that unsubscribes.
   * @example
   * ```ts
   * const stop = liveblocks.subscribePresence((event) => console.log(event.type, event.roomId, event.userId));
   * ```
   */
  subscribePresence(listener: PresenceListener): () => void {
    if (typeof listener !== "function") throw invalidField("listener", "must be a function");
    return this.#presence.subscribe(listener);
  }

  /**
   * The users connected to a room through the realtime gates of this process,
   * as `@liveblocks/node`'s `getActiveUsers` returns them (one entry per
   * connection, so a user with two tabs appears twice). Rejects with 404 if
   * there is no such room.
   *
   * @param roomId The room id.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { data } = await liveblocks.getActiveUsers("my-room");
   * // [{ type: "user", id: "alice", connectionId: 1, info: { name: "Alice" } }]
   * ```
   */
  async getActiveUsers(roomId: string, options?: RequestOptions): Promise<{ data: RoomUser[] }> {
    options?.signal?.throwIfAborted();
    const id = parseInput(this.#config.schemas.roomId, roomId, "roomId");
    const room = await this.#config.store.get(id, { signal: options?.signal });
    if (room === null) throw roomNotFound(id);
    return { data: this.#presence.activeUsers(id) };
  }

  /* --- Access queries (roomgate's own) ---------------------------------------- */

  /**
   * Explains what `identity` may do in `roomId` and why: per resource, the
   * layer that decided it (the default, which group, the user's entry, or a
   * fallback to `room` / `comments`) and what each layer said, the decision
   * (`resolveAccess`'s), and whether room entry allows it (a room of another
   * organization is denied). The groups are those given, or under
   * `groupsFrom: "store"` the stored memberships, as room entry counts them.
   * Rejects with 404 `ROOM_NOT_FOUND` if there is no such room.
   *
   * @param roomId The room.
   * @param identity `{ userId, groupIds?, organizationId? }` as an ID token carries them (`organizationId` default `"default"`).
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const why = await liveblocks.explainAccess("doc", { userId: "carol", groupIds: ["contractors"] });
   * why.summary; // 'Read-only: group "contractors" grants room:read, and user "carol" has no entry.'
   * ```
   */
  async explainAccess(roomId: string, identity: ExplainAccessIdentity, options?: RequestOptions): Promise<RoomAccessExplanation> {
    return explainRoomAccess(this.#config, roomId, identity, options);
  }

  /**
   * Every user and group a room names, each with its stored entry and its
   * effective access on its own (`defaultAccesses` overlaid with that one
   * entry: what `resolveAccess` gives that user in no group with an entry,
   * or a member of that group alone), plus the room's default (what anyone
   * not named gets). Users first, then groups, each by id; paged for rooms
   * near the limits. Rejects with 404 `ROOM_NOT_FOUND` if there is no such room.
   *
   * @param roomId The room.
   * @param params.limit Entries per page, 1 to `limits.pageSize` (default: that maximum, 100).
   * @param params.startingAfter The `nextCursor` of the previous page.
   * @param options.signal Aborts the call.
   * @example
   * ```ts
   * const { defaultAccess, data } = await liveblocks.getRoomAccessList("doc");
   * for (const entry of data) console.log(entry.kind, entry.id, entry.effective.scopes);
   * ```
   */
  async getRoomAccessList(roomId: string, params?: RoomAccessListOptions, options?: RequestOptions): Promise<RoomAccessList> {
    return roomAccessList(this.#config, roomId, params, options);
  }

  /* --- Webhooks ------------------------------------------------------------ */

  /**
   * Adds an endpoint that receives signed webhook deliveries. Without
   * `events` it receives the Liveblocks events (`roomCreated`, `roomDeleted`,
   * `userEntered`, `userLeft`), which `@liveblocks/node`'s `WebhookHandler`
   * verifies; list roomgate's own (`roomUpdated`, …) to receive them too.
   * Needs the `webhooks` option.
   *
   * @param params.url `https:` (or `http:` on loopback); private addresses are refused unless `webhooks.allowPrivateNetworks`.
   * @param params.events The event types to receive.
   * @param params.secret A `whsec_…` secret (default: generated).
   * @returns The endpoint and its secret (the only answer that carries it, with a rotating update).
   * @example
   * ```ts
   * const { id, secret } = await liveblocks.createWebhookEndpoint({ url: "https://example.com/webhooks" });
   * ```
   */
  async createWebhookEndpoint(
    params: { url: string; events?: WebhookEventType[]; secret?: string },
    options?: RequestOptions,
  ): Promise<webhooks.WebhookEndpointWithSecret> {
    options?.signal?.throwIfAborted();
    return webhooks.createEndpoint(webhooksOrFail(this.#webhooks), params);
  }

  /**
   * The webhook endpoints, oldest first, without their secrets.
   *
   * @example
   * ```ts
   * const { data } = await liveblocks.getWebhookEndpoints();
   * ```
   */
  async getWebhookEndpoints(options?: RequestOptions): Promise<{ data: webhooks.WebhookEndpoint[] }> {
    options?.signal?.throwIfAborted();
    return webhooks.listEndpoints(webhooksOrFail(this.#webhooks));
  }

  /**
   * Changes an endpoint's URL or events, or rotates its secret (`secret`, or
   * `rotateSecret: true` to generate one): for `overlapMs` (default 24 h)
   * deliveries carry a signature with each secret, so receivers can switch
   * without losing one.
   *
   * @param params.endpointId The endpoint.
   * @param params.events The event types; `null` for the Liveblocks ones.
   * @example
   * ```ts
   * const { secret } = await liveblocks.updateWebhookEndpoint({ endpointId, rotateSecret: true });
   * ```
   */
  async updateWebhookEndpoint(
    params: {
      endpointId: string;
      url?: string;
      events?: WebhookEventType[] | null;
      secret?: string;
      rotateSecret?: boolean;
      overlapMs?: number;
    },
    options?: RequestOptions,
  ): Promise<webhooks.WebhookEndpoint & { secret?: string }> {
    options?.signal?.throwIfAborted();
    return webhooks.updateEndpoint(webhooksOrFail(this.#webhooks), params);
  }

  /**
   * Deletes an endpoint and its deliveries. Rejects with 404
   * `WEBHOOK_ENDPOINT_NOT_FOUND` if it does not exist.
   *
   * @example
   * ```ts
   * await liveblocks.deleteWebhookEndpoint({ endpointId });
   * ```
   */
  async deleteWebhookEndpoint(params: { endpointId: string }, options?: RequestOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    return webhooks.deleteEndpoint(webhooksOrFail(this.#webhooks), params);
  }

  /**
   * An endpoint's deliveries, newest first: `pending` (waiting or retrying),
   * `delivered`, or `failed` (dead-lettered after the last retry).
   *
   * @param params.limit 1 to 100 (default 20).
   * @param params.startingAfter The `nextCursor` of the previous page.
   * @example
   * ```ts
   * const { data } = await liveblocks.getWebhookDeliveries({ endpointId, status: "failed", limit: 50 });
   * ```
   */
  async getWebhookDeliveries(
    params: { endpointId: string; status?: WebhookDeliveryStatus; limit?: number; startingAfter?: string },
    options?: RequestOptions,
  ): Promise<{ data: WebhookDelivery[]; nextCursor: string | null }> {
    options?.signal?.throwIfAborted();
    return webhooks.listDeliveries(webhooksOrFail(this.#webhooks), params);
  }

  /**
   * Sends a delivery again (a dead-lettered one, typically): pending, due
   * now, attempts reset, the same `webhook-id`.
   *
   * @example
   * ```ts
   * await liveblocks.replayWebhookDelivery(delivery.id);
   * ```
   */
  async replayWebhookDelivery(deliveryId: string, options?: RequestOptions): Promise<WebhookDelivery> {
    options?.signal?.throwIfAborted();
    return webhooks.replayDelivery(webhooksOrFail(this.#webhooks), deliveryId);
  }

  /**
   * The store's webhook outbox, for the delivery engine
   * (`WebhookDispatcher`); `null` without the `webhooks` option or on a
   * store that keeps none.
   * @internal
   */
  get webhookOutbox(): WebhookOutbox | null {
    return outboxOrNull(this.#webhooks);
  }

  /**
   * The `webhooks.retention` option with its defaults, for the delivery
   * engine; `null` without the `webhooks` option.
   * @internal
   */
  get webhookRetention(): { deliveredMs: number; failedMs: number } | null {
    return retentionOrNull(this.#webhooks);
  }

  /* --- Internals ----------------------------------------------------------- */

  #newRoom(id: string, params: Partial<z.output<Schemas["createRoom"]>>): RoomData {
    return {
      type: "room",
      id,
      createdAt: new Date(this.#config.now()),
      organizationId: params.organizationId ?? params.tenantId ?? DEFAULT_ORGANIZATION,
      defaultAccesses: params.defaultAccesses ?? [],
      usersAccesses: params.usersAccesses ?? Object.create(null),
      groupsAccesses: params.groupsAccesses ?? Object.create(null),
      metadata: params.metadata ?? Object.create(null),
    };
  }
}

/**
 * A room as `@liveblocks/node` hands it out (parsed JSON): its maps are plain
 * objects again, each id an own data property (`__proto__` included, as
 * `JSON.parse` makes it), so `room.usersAccesses.hasOwnProperty(id)` works.
 * Stores keep null-prototype maps, where `__proto__` can never be a setter.
 */
function toPlainRoom(store: RoomStore, room: RoomData): RoomData {
  // A store that already built the caller's plain copy (MemoryStore) spares the second copy.
  return returnsPlainRoomCopies(store) ? room : plainRoomCopy(room);
}
