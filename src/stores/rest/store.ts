/**
 * A store over a Liveblocks-compatible REST API v2, such as a roomgate
 * server: many stateless app instances share one server's rooms.
 */
import { type RoomChangeEmitterOptions, type RoomChangeListener, StoreListeners } from "../../rooms/emitter.js";
import { applyRoomPatch, cloneRoom } from "../../rooms/patch.js";
import { integerOption, invalidOption, millisecondsOption } from "../../runtime/options.js";
import { sleep } from "../../runtime/signal.js";
import { RoomEventStream } from "./change-feed.js";
import { formatRoomQuery } from "../../protocol/query.js";
import {
  send,
  apiError,
  type RestRequest,
  type RestResponse,
  type RetryPolicy,
  type TransportOptions,
  RestResponseError,
  toBaseUrl,
} from "./transport.js";
import { grantsEntry } from "../../permissions/enterable.js";
import {
  type AccessibleBy,
  type AccessibleListQuery,
  type GroupData,
  type GroupListPage,
  type GroupListQuery,
  type GroupWriteOptions,
  InvalidCursorError,
  type RevocationEvent,
  type RoomData,
  type RoomListPage,
  type RoomListQuery,
  type RoomPatch,
  type RoomStore,
  type StoreReadOptions,
  type StoreWriteOptions,
} from "../../rooms/types.js";
import { roomFromJson } from "../../protocol/room-json.js";
import { groupFromJson } from "../../protocol/group-json.js";
import { auditPageOf, auditSearch } from "./audit.js";
import type { AuditPage, AuditQuery } from "../../rooms/audit.js";
import type { LiveblocksErrorCode } from "../../protocol/errors.js";
import { PATHS, pathOf } from "../../protocol/paths.js";

export { RestResponseError } from "./transport.js";

/**
 * Options of {@link RestStore}.
 *
 * @example
 * ```ts
 * const options: RestStoreOptions = { baseUrl: "http://127.0.0.1:8787", secret, timeoutMs: 5000 };
 * ```
 */
export type RestStoreOptions = Pick<RoomChangeEmitterOptions, "onListenerError"> & {
  /** The server's origin (and path prefix, if any), e.g. `http://roomgate.internal:8787`. */
  baseUrl: string | URL;
  /** The server's secret key, sent as `Authorization: Bearer <secret>`. */
  secret: string;
  /**
   * Listen to the server's `GET /v2/room-events` (roomgate's own route)
   * while there are listeners, so they see every instance's changes, not
   * only this store's writes. A write waits until the stream is subscribed,
   * at most `timeoutMs` (and never past its own signal); if the stream
   * cannot subscribe, the write goes out anyway and this store tells its
   * listeners about it itself. Default `false`.
   */
  serverEvents?: boolean;
  /**
   * Told when the event stream drops, is refused (a 4xx, a redirect), does
   * not subscribe within `timeoutMs`, or sends something unreadable (an
   * event over 1 MiB included): events may have been missed. An error it
   * throws is ignored. Default `console.warn`.
   */
  onEventGap?: (error: unknown) => void;
  /** Per attempt, in milliseconds; default 10 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, for requests that may be retried; default 2. */
  retries?: number;
  /** First backoff step in milliseconds (doubled per retry, full jitter); default 100. */
  backoffMs?: number;
  /** Largest backoff in milliseconds; default 2 000. */
  maxBackoffMs?: number;
  /** Jitter source in [0, 1); default `Math.random`. Injectable so tests are exact. */
  random?: () => number;
  /** Clock for `Retry-After` dates; default `Date.now`. */
  now?: () => number;
  /** Waits between attempts; default a timer that rejects when `signal` aborts. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
};

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 2;

/** A create that keeps meeting a room deleted between its 409 and its read gives up. */
const MAX_CREATE_ATTEMPTS = 5;

/**
 * A {@link RoomStore} over the REST API v2 of Liveblocks (the routes
 * `@liveblocks/node` calls) plus roomgate's two revocation routes. Requests
 * use the global `fetch` (one keep-alive pool per origin in Node).
 *
 * What crosses the network and what does not:
 * - `createdAt` is set by the server's clock, and `lastConnectionAt` by the
 *   server: the API has no field for them, so `create` returns the server's.
 * - `assert` (the facade's limit check) cannot run inside the server's
 *   atomic section. It runs here on the room as it would be: `create` reads
 *   first (a conflict runs no assert); `update` reads, applies the patch
 *   locally and asserts before sending it. A concurrent write can slip in
 *   between; the server enforces its own limits atomically and is
 *   authoritative (it answers 422).
 * - `delete` reads first, because the API answers 204 whether or not the
 *   room existed.
 * - `subscribe` sees this store's own writes, synchronously after each
 *   resolves; with `serverEvents`, every instance's writes instead, from the
 *   server's event stream (asynchronously; events during a reconnect are lost
 *   and reported to `onEventGap`; reconnects back off, and the backoff
 *   starts over only after a connection stayed up 30 seconds).
 * - Redirects are not followed: a 3xx rejects with `RestResponseError`, so
 *   a write's body never goes to another origin.
 * - A room answered for another id than the one asked rejects with
 *   `RestResponseError`.
 *
 * Errors: an API error rejects with `LiveblocksError` carrying the server's
 * status, code and message; a network failure or timeout is not one.
 *
 * @example
 * ```ts
 * const store = new RestStore({ baseUrl: "http://127.0.0.1:8787", secret: process.env.ROOMGATE_SECRET! });
 * const liveblocks = new Liveblocks({ secret: process.env.ROOMGATE_SECRET!, store });
 * ```
 */
export class RestStore implements RoomStore {
  readonly #transport: TransportOptions;
  /** Listeners of both kinds; the server's event stream, if wanted, runs while there are any. */
  readonly #listeners: StoreListeners;
  readonly #events: RoomEventStream | undefined;

  constructor(options: RestStoreOptions) {
    const baseUrl = toBaseUrl(options.baseUrl);
    if (typeof options.secret !== "string" || options.secret === "") {
      throw invalidOption("secret", "a non-empty string");
    }
    this.#transport = {
      baseUrl,
      secret: options.secret,
      timeoutMs: millisecondsOption("timeoutMs", options.timeoutMs, DEFAULT_TIMEOUT_MS, { positive: true, finite: true }),
      retries: integerOption("retries", options.retries, DEFAULT_RETRIES),
      backoffMs: millisecondsOption("backoffMs", options.backoffMs, 100, { positive: true, finite: true }),
      maxBackoffMs: millisecondsOption("maxBackoffMs", options.maxBackoffMs, 2_000, { positive: true, finite: true }),
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? sleep,
    };
    this.#listeners = new StoreListeners({ start: () => this.#events?.start(), stop: () => this.#events?.stop() }, options);
    const onEventGap = options.onEventGap ?? ((error: unknown) => console.warn("RestStore: room events", error));
    this.#events = options.serverEvents
      ? new RoomEventStream(
          this.#transport,
          { room: (event) => this.#listeners.rooms.emit(event), revoked: (event) => this.#listeners.revocations.emit(event) },
          onEventGap,
        )
      : undefined;
  }

  /**
   * `GET /v2/rooms/:id`; `null` on 404.
   *
   * @param roomId The exact room id.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async get(roomId: string, options?: StoreReadOptions): Promise<RoomData | null> {
    const response = await this.#send("GET", pathOf(PATHS.room, { roomId }), "always", options?.signal);
    if (response.status === 404) return null;
    return this.#room(response, 200, roomId);
  }

  /**
   * `POST /v2/rooms`; a 409 reads the existing room and resolves
   * `created: false`. With `assert`, reads first and asserts on `room`
   * before sending it (see the class notes).
   *
   * @param room The room to create; its `createdAt` is the server's to set.
   * @param options.assert Runs on `room` unless it exists; if it throws, nothing is sent.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async create(room: RoomData, options?: StoreWriteOptions): Promise<{ room: RoomData; created: boolean }> {
    const signal = options?.signal;
    for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
      if (options?.assert !== undefined) {
        const existing = await this.get(room.id, { signal });
        if (existing !== null) return { room: existing, created: false };
        options.assert(room);
      }
      const body = {
        id: room.id,
        defaultAccesses: room.defaultAccesses,
        usersAccesses: room.usersAccesses,
        groupsAccesses: room.groupsAccesses,
        metadata: room.metadata,
        organizationId: room.organizationId,
      };
      // Not retried blindly: a replay after a lost 200 would answer 409 for our own room.
      const response = await this.#send("POST", PATHS.rooms, "unsent", signal, { body, actor: options?.actor });
      if (response.status === 409) {
        const existing = await this.get(room.id, { signal });
        if (existing !== null) return { room: existing, created: false };
        continue; // Deleted between the 409 and the read: try again.
      }
      const created = this.#room(response, 200, room.id);
      this.#emit(response, { type: "created", roomId: created.id, room: created });
      return { room: created, created: true };
    }
    throw new Error(`Room "${room.id}" kept being created and deleted; create gave up.`);
  }

  /**
   * `POST /v2/rooms/:id` with the patch as the update body; `null` on 404.
   * With `assert`, reads first and asserts on the patched room before
   * sending (see the class notes).
   *
   * @param roomId The exact room id.
   * @param patch The validated change (`null` removes a key).
   * @param options.assert Runs on the room as patched locally; if it throws, nothing is sent.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async update(roomId: string, patch: RoomPatch, options?: StoreWriteOptions): Promise<RoomData | null> {
    const signal = options?.signal;
    if (options?.assert !== undefined) {
      const current = await this.get(roomId, { signal });
      if (current === null) return null;
      options.assert(applyRoomPatch(current, patch));
    }
    // Not retried blindly: replaying a patch after a lost 200 could
    // overwrite a newer write of the same key by another instance.
    const response = await this.#send("POST", pathOf(PATHS.room, { roomId }), "unsent", signal, { body: patch, actor: options?.actor });
    if (response.status === 404) return null;
    const room = this.#room(response, 200, roomId);
    this.#emit(response, { type: "updated", roomId, room });
    return room;
  }

  /**
   * `POST /v2/rooms/:id/update-room-id`: 404 → `"not-found"`, 409 → `"exists"`.
   *
   * @param roomId The exact room id.
   * @param newRoomId The id it moves to.
   * @param options.assert Ignored: a rename changes no limit, and the server checks its own.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async rename(roomId: string, newRoomId: string, options?: StoreWriteOptions): Promise<RoomData | "not-found" | "exists"> {
    const response = await this.#send("POST", pathOf(PATHS.updateRoomId, { roomId }), "unsent", options?.signal, {
      body: { newRoomId },
      actor: options?.actor,
    });
    if (response.status === 404) return "not-found";
    if (response.status === 409) return "exists";
    const room = this.#room(response, 200, newRoomId);
    this.#emit(response, { type: "deleted", roomId, room: null });
    this.#emit(response, { type: "created", roomId: room.id, room });
    return room;
  }

  /**
   * `DELETE /v2/rooms/:id`, after a read that tells whether the room existed.
   *
   * @param roomId The exact room id.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async delete(roomId: string, options?: StoreWriteOptions): Promise<boolean> {
    const signal = options?.signal;
    if ((await this.get(roomId, { signal })) === null) return false;
    const response = await this.#send("DELETE", pathOf(PATHS.room, { roomId }), "always", signal, { actor: options?.actor });
    if (response.status === 404) return false;
    this.#expect(response, 204, 200);
    this.#emit(response, { type: "deleted", roomId, room: null });
    return true;
  }

  /**
   * `GET /v2/rooms` with `limit`, `startingAfter`, `userId`, `groupIds`
   * (comma-joined), `organizationId`, and the id and metadata conditions as
   * a `query` (which, unlike `metadata.<key>`, can hold two values of a key).
   *
   * @param query The filter, the page size and the previous page's `nextCursor`.
   * @param options.signal Aborts the request; rejects with its reason.
   * @throws {InvalidCursorError} if the server rejects the cursor.
   */
  async list(query: RoomListQuery, options?: StoreReadOptions): Promise<RoomListPage> {
    return this.#list(query, options, undefined);
  }

  /** `list` with `extra` query parameters. */
  async #list(query: RoomListQuery, options: StoreReadOptions | undefined, extra: URLSearchParams | undefined): Promise<RoomListPage> {
    const { filter } = query;
    const params = new URLSearchParams({ limit: String(query.limit) });
    for (const [name, value] of extra ?? []) params.set(name, value);
    if (query.cursor !== undefined) params.set("startingAfter", query.cursor);
    if (filter.userId !== undefined) params.set("userId", filter.userId);
    if (filter.groupIds !== undefined && filter.groupIds.length > 0) params.set("groupIds", filter.groupIds.join(","));
    if (filter.organizationId !== undefined) params.set("organizationId", filter.organizationId);
    const text = formatRoomQuery(filter);
    if (text !== "") params.set("query", text);
    return this.#listPage(query, params, options);
  }

  /**
   * `GET /v2/rooms` with roomgate's `accessibleByUserId` and
   * `accessibleByGroupIds` beside `list`'s parameters. Every room answered
   * is checked to be enterable by the identity, so a server that ignores
   * the parameters (not a roomgate, or an older one) is refused rather than
   * believed.
   *
   * @param query The filter, the identity, the page size and the previous page's `nextCursor`.
   * @param options.signal Aborts the request; rejects with its reason.
   * @throws {InvalidCursorError} if the server rejects the cursor.
   */
  async listAccessible(query: AccessibleListQuery, options?: StoreReadOptions): Promise<RoomListPage> {
    const params = new URLSearchParams();
    const { userId, groupIds } = query.accessibleBy;
    params.set("accessibleByUserId", userId);
    if (groupIds.length > 0) params.set("accessibleByGroupIds", groupIds.join(","));
    const page = await this.#list(query, options, params);
    for (const room of page.rooms) {
      if (!isEnterableBy(room, query.accessibleBy)) {
        throw new RestResponseError(
          `GET ${PATHS.rooms} answered room ${JSON.stringify(room.id)}, which accessibleBy excludes: the server ignored it`,
          200,
        );
      }
    }
    return page;
  }

  async #listPage(query: RoomListQuery, params: URLSearchParams, options: StoreReadOptions | undefined): Promise<RoomListPage> {
    const response = await this.#send("GET", PATHS.rooms, "always", options?.signal, { query: params });
    if (query.cursor !== undefined && isCursorRejection(response)) {
      throw new InvalidCursorError();
    }
    const body = this.#expect(response, 200) as { data?: unknown; nextCursor?: unknown } | undefined;
    if (!Array.isArray(body?.data) || !(body.nextCursor === null || typeof body.nextCursor === "string")) {
      throw new RestResponseError(`GET ${PATHS.rooms} answered without { data, nextCursor }`, response.status);
    }
    return { rooms: body.data.map((json) => this.#parseRoom(json, response.status)), nextCursor: body.nextCursor };
  }

  /**
   * `POST /v2/users/:userId/revoke-tokens` with `{ issuedBefore }` (roomgate's
   * own route). Retried like a read: the cutoff only moves forward, so a
   * replay changes nothing.
   *
   * @param userId The exact user id.
   * @param issuedBefore Epoch milliseconds.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async revokeTokens(userId: string, issuedBefore: number, options?: StoreWriteOptions): Promise<void> {
    const response = await this.#send("POST", pathOf(PATHS.revokeTokens, { userId }), "always", options?.signal, {
      body: { issuedBefore },
      actor: options?.actor,
    });
    this.#expect(response, 204, 200);
    // With server events, the server tells every instance, this one included (once the stream was subscribed).
    if (this.#events === undefined || !response.heard) this.#listeners.revocations.emit({ userId, issuedBefore });
  }

  /**
   * Calls `listener` after each of this store's own revocations, when the
   * request resolves. With `serverEvents`, for every revocation the server
   * streams instead (any instance's), keeping the stream open meanwhile.
   *
   * @param listener Receives the user id and the cutoff.
   */
  subscribeRevocations(listener: (event: RevocationEvent) => void): () => void {
    return this.#listeners.subscribeRevocations(listener);
  }

  /**
   * `DELETE /v2/users/:userId/revocation` (roomgate's own route). Retried like
   * a read: clearing twice leaves the same state.
   *
   * @param userId The exact user id.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async clearRevocation(userId: string, options?: StoreWriteOptions): Promise<void> {
    const response = await this.#send("DELETE", pathOf(PATHS.revocation, { userId }), "always", options?.signal, { actor: options?.actor });
    this.#expect(response, 204, 200);
  }

  /**
   * `GET /v2/users/:userId/revocation` (roomgate's own route).
   *
   * @param userId The exact user id.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async getRevocation(userId: string, options?: StoreReadOptions): Promise<number | null> {
    const path = pathOf(PATHS.revocation, { userId });
    const response = await this.#send("GET", path, "always", options?.signal);
    const body = this.#expect(response, 200) as { issuedBefore?: unknown } | undefined;
    const cutoff = body?.issuedBefore;
    if (cutoff === null || (typeof cutoff === "number" && Number.isFinite(cutoff))) return cutoff;
    throw new RestResponseError(`GET ${path} answered without a number or null "issuedBefore"`, response.status);
  }

  /**
   * Calls `listener` synchronously after each of this store's own successful
   * creates, updates, renames and deletes, before the write's promise
   * resolves. With `serverEvents`, calls it for every change the server
   * streams instead (this store's own included), and keeps the stream open
   * while any listener is subscribed.
   *
   * @param listener Receives the event; its `room` is a copy shared by all listeners of that event.
   */
  subscribe(listener: RoomChangeListener): () => void {
    return this.#listeners.subscribe(listener);
  }

  /* --- Groups (see `GroupStore`) -------------------------------------------- */

  /**
   * `POST /v2/groups`; a 409 reads the existing group and resolves
   * `created: false`. `createdAt` and each `addedAt` are the server's.
   * `assert` runs here on the member count before sending; the server
   * enforces its own limit.
   *
   * @param group The group to create.
   * @param options.assert Runs on the number of distinct members; if it throws, nothing is sent.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async createGroup(group: GroupData, options?: GroupWriteOptions): Promise<{ group: GroupData; created: boolean }> {
    const signal = options?.signal;
    const memberIds = [...new Set(group.members.map((member) => member.id))];
    for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
      if (options?.assert !== undefined) {
        const existing = await this.getGroup(group.id, { signal });
        if (existing !== null) return { group: existing, created: false };
        options.assert(memberIds.length);
      }
      const body = {
        id: group.id,
        memberIds,
        organizationId: group.organizationId,
        scopes: { mention: group.scopes.mention === true },
      };
      // Not retried blindly: a replay after a lost 200 would answer 409 for our own group.
      const response = await this.#send("POST", PATHS.groups, "unsent", signal, { body, actor: options?.actor });
      if (response.status === 409) {
        const existing = await this.getGroup(group.id, { signal });
        if (existing !== null) return { group: existing, created: false };
        continue; // Deleted between the 409 and the read: try again.
      }
      return { group: this.#group(response, group.id), created: true };
    }
    throw new Error(`Group "${group.id}" kept being created and deleted; create gave up.`);
  }

  /**
   * `GET /v2/groups/:id`; `null` on 404.
   *
   * @param groupId The exact group id.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async getGroup(groupId: string, options?: StoreReadOptions): Promise<GroupData | null> {
    const response = await this.#send("GET", pathOf(PATHS.group, { groupId }), "always", options?.signal);
    if (response.status === 404) return null;
    return this.#group(response, groupId);
  }

  /**
   * `DELETE /v2/groups/:id`: `false` on 404. Retried like a read: a replay
   * after a lost 204 answers 404, and the group is gone either way.
   *
   * @param groupId The exact group id.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async deleteGroup(groupId: string, options?: StoreWriteOptions): Promise<boolean> {
    const response = await this.#send("DELETE", pathOf(PATHS.group, { groupId }), "always", options?.signal, { actor: options?.actor });
    if (response.status === 404) return false;
    this.#expect(response, 204, 200);
    return true;
  }

  /**
   * `POST /v2/groups/:id/add-members`; `null` on 404. `addedAt` and
   * `updatedAt` are the server's. With `assert`, reads first and asserts
   * on the member count the group would have.
   *
   * @param groupId The exact group id.
   * @param memberIds The members to add.
   * @param _at Ignored: the server's clock stamps the change.
   * @param options.assert Runs on the member count after the change; if it throws, nothing is sent.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async addGroupMembers(groupId: string, memberIds: readonly string[], _at: Date, options?: GroupWriteOptions): Promise<GroupData | null> {
    const signal = options?.signal;
    if (options?.assert !== undefined) {
      const current = await this.getGroup(groupId, { signal });
      if (current === null) return null;
      const present = new Set(current.members.map((member) => member.id));
      options.assert(present.size + new Set(memberIds.filter((id) => !present.has(id))).size);
    }
    // Retried like a read: adding a member twice changes nothing.
    const response = await this.#send("POST", pathOf(PATHS.addGroupMembers, { groupId }), "always", signal, {
      body: { memberIds },
      actor: options?.actor,
    });
    if (response.status === 404 && apiError(response).code === "GROUP_NOT_FOUND") return null;
    return this.#group(response, groupId);
  }

  /**
   * `POST /v2/groups/:id/remove-members`; `null` on 404.
   *
   * @param groupId The exact group id.
   * @param memberIds The members to remove.
   * @param _at Ignored: the server's clock stamps the change.
   * @param options.signal Aborts the request; rejects with its reason.
   */
  async removeGroupMembers(
    groupId: string,
    memberIds: readonly string[],
    _at: Date,
    options?: StoreWriteOptions,
  ): Promise<GroupData | null> {
    // Not retried blindly: a replay could remove a member re-added in between.
    const response = await this.#send("POST", pathOf(PATHS.removeGroupMembers, { groupId }), "unsent", options?.signal, {
      body: { memberIds },
      actor: options?.actor,
    });
    if (response.status === 404 && apiError(response).code === "GROUP_NOT_FOUND") return null;
    return this.#group(response, groupId);
  }

  /**
   * `GET /v2/groups`, or `GET /v2/users/:userId/groups` with `userId`, with
   * `limit`, `startingAfter` and `organizationId`.
   *
   * @param query The filter, the page size and the previous page's `nextCursor`.
   * @param options.signal Aborts the request; rejects with its reason.
   * @throws {InvalidCursorError} if the server rejects the cursor.
   */
  async listGroups(query: GroupListQuery, options?: StoreReadOptions): Promise<GroupListPage> {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.cursor !== undefined) params.set("startingAfter", query.cursor);
    if (query.organizationId !== undefined) params.set("organizationId", query.organizationId);
    const path = query.userId === undefined ? PATHS.groups : pathOf(PATHS.userGroups, { userId: query.userId });
    const response = await this.#send("GET", path, "always", options?.signal, { query: params });
    if (query.cursor !== undefined && isCursorRejection(response)) throw new InvalidCursorError();
    const body = this.#expect(response, 200) as { data?: unknown; nextCursor?: unknown } | undefined;
    if (!Array.isArray(body?.data) || !(body.nextCursor === null || typeof body.nextCursor === "string")) {
      throw new RestResponseError(`GET ${path} answered without { data, nextCursor }`, response.status);
    }
    return { groups: body.data.map((json) => this.#parseGroup(json, response.status)), nextCursor: body.nextCursor };
  }

  /**
   * One page of the server's audit trail (`GET /v2/audit-log`), newest first.
   *
   * @param query The filters, the page size and the previous page's `nextCursor`.
   * @param options.signal Aborts the request; rejects with its reason.
   * @throws {InvalidCursorError} if the server refuses the cursor.
   */
  async getAuditLog(query: AuditQuery, options?: StoreReadOptions): Promise<AuditPage> {
    const response = await this.#send("GET", PATHS.auditLog, "always", options?.signal, { query: auditSearch(query) });
    if (query.cursor !== undefined && isCursorRejection(response)) throw new InvalidCursorError();
    return auditPageOf(this.#expect(response, 200), response.status);
  }

  /** Closes the event stream, if open; `fetch`'s pool closes idle connections by itself. */
  async close(): Promise<void> {
    this.#events?.stop();
  }

  async #send(
    method: RestRequest["method"],
    path: string,
    retry: RetryPolicy,
    signal: AbortSignal | undefined,
    extra: { body?: unknown; query?: URLSearchParams; actor?: string | undefined } = {},
  ): Promise<SentResponse> {
    // A write sent before the event stream is subscribed would go unheard on it: wait for
    // the current attempt (bounded by timeoutMs and `signal`). If it fails, the write still
    // goes out and this store tells its own listeners, so the event is not lost.
    let heard = true;
    if (method !== "GET" && this.#events?.running) heard = await this.#events.ready(signal);
    const { actor, ...rest } = extra;
    return { ...(await send(this.#transport, { method, path, retry, signal, ...rest, ...(actor !== undefined && { actor }) })), heard };
  }

  /** The body of a response with one of `statuses`; any other status is an API error. */
  #expect(response: RestResponse, ...statuses: number[]): unknown {
    if (!statuses.includes(response.status)) throw apiError(response);
    return response.body;
  }

  /** The room of a response, refused unless it is `roomId`: a room answered for another id never stands in for it. */
  #room(response: RestResponse, status: number, roomId: string): RoomData {
    const room = this.#parseRoom(this.#expect(response, status), response.status);
    if (room.id !== roomId) {
      throw new RestResponseError(`The server answered room ${JSON.stringify(room.id)} for ${JSON.stringify(roomId)}`, response.status);
    }
    return room;
  }

  #parseRoom(json: unknown, status: number): RoomData {
    try {
      return roomFromJson(json);
    } catch (error) {
      throw new RestResponseError(`The server answered a malformed room: ${(error as Error).message}`, status);
    }
  }

  /** The group of a 200 response, refused unless it is `groupId`. */
  #group(response: RestResponse, groupId: string): GroupData {
    const group = this.#parseGroup(this.#expect(response, 200), response.status);
    if (group.id !== groupId) {
      throw new RestResponseError(`The server answered group ${JSON.stringify(group.id)} for ${JSON.stringify(groupId)}`, response.status);
    }
    return group;
  }

  #parseGroup(json: unknown, status: number): GroupData {
    try {
      return groupFromJson(json);
    } catch (error) {
      throw new RestResponseError(`The server answered a malformed group: ${(error as Error).message}`, status);
    }
  }

  #emit(response: SentResponse, event: Parameters<RoomChangeListener>[0]): void {
    // With server events, the server tells every instance, this one included, once the
    // stream was subscribed when the write went out; if it was not, this store tells them.
    if (this.#listeners.rooms.size === 0 || (this.#events !== undefined && response.heard)) return;
    // The caller gets its own copy; listeners share another.
    this.#listeners.rooms.emit(event.room === null ? event : { ...event, room: cloneRoom(event.room) });
  }
}

/** May `who` enter `room`: does a layer that applies to them set a base scope? */
function isEnterableBy(room: RoomData, who: AccessibleBy): boolean {
  if (grantsEntry(room.defaultAccesses)) return true;
  if (Object.hasOwn(room.usersAccesses, who.userId) && grantsEntry(room.usersAccesses[who.userId]!)) return true;
  return who.groupIds.some((groupId) => Object.hasOwn(room.groupsAccesses, groupId) && grantsEntry(room.groupsAccesses[groupId]!));
}

/** A response, and whether the event stream was subscribed when the request went out (so it will carry the write's event). */
type SentResponse = RestResponse & { heard: boolean };

export { toBaseUrl };

/** The server answers a cursor it did not issue with the code `INVALID_CURSOR`. */
function isCursorRejection(response: RestResponse): boolean {
  return response.status >= 400 && apiError(response).code === ("INVALID_CURSOR" satisfies LiveblocksErrorCode);
}
