/**
 * Helpers of the conformance suite: deterministic rooms and times, paging
 * through a store, recording events. `at`, `makeRoom`, `collectRooms` and
 * `RESERVED_IDS` are public (`roomgate/testing`); the rest serve the themed
 * files beside this one.
 */
import { expect } from "vitest";
import { compareIds } from "../../rooms/order.js";
import type { GroupData, RoomChangeEvent, RoomData, RoomFilter, RoomStore } from "../../rooms/types.js";
import type { AuditLogStore } from "../../rooms/audit.js";

/**
 * The optional parts of the {@link RoomStore} contract, each with the method
 * that provides it: the one list from which {@link StoreCapabilities}, its
 * detection and the merge with declared capabilities derive.
 */
export const STORE_CAPABILITIES = [
  /** `rename`, behind `updateRoomId`. */
  { name: "rename", method: "rename" },
  /** `getAccessRules`, the fast path of the entry decision. */
  { name: "accessRules", method: "getAccessRules" },
  /** `subscribeRevocations`, which live room-access watches listen to. */
  { name: "revocationEvents", method: "subscribeRevocations" },
  /** `clearRevocation`, behind `clearTokenRevocation`. */
  { name: "revocationClearing", method: "clearRevocation" },
  /** The `GroupStore` methods (`createGroup`, …), behind the group methods of the facade. */
  { name: "groups", method: "createGroup" },
  /** `listAccessible`, behind `getRooms({ accessibleBy })`. */
  { name: "accessibleBy", method: "listAccessible" },
  /** `getAuditLog` (an `AuditLogStore`), behind the facade's `getAuditLog`. */
  { name: "auditLog", method: "getAuditLog" },
] as const satisfies readonly { name: string; method: keyof (RoomStore & AuditLogStore) }[];

/** The name of one optional part of the {@link RoomStore} contract. */
export type StoreCapability = (typeof STORE_CAPABILITIES)[number]["name"];

/** Which optional parts of the {@link RoomStore} contract a store implements; the tests of a missing part are reported as skipped. */
export type StoreCapabilities = Record<StoreCapability, boolean>;

/** The capabilities `store` has, read from its methods. */
export function detectCapabilities(store: RoomStore): StoreCapabilities {
  return capabilitiesOf(({ method }) => typeof (store as RoomStore & Partial<AuditLogStore>)[method] === "function");
}

/** Every capability `declared`, the detected value of each one left undeclared (or declared `undefined`). */
export function mergeCapabilities(detected: StoreCapabilities, declared: Partial<StoreCapabilities> | undefined): StoreCapabilities {
  return capabilitiesOf(({ name }) => declared?.[name] ?? detected[name]);
}

/** The capabilities in `declared`, or `undefined` unless every one of them is declared. */
export function declaredCapabilities(declared: Partial<StoreCapabilities> | undefined): StoreCapabilities | undefined {
  if (!STORE_CAPABILITIES.every(({ name }) => declared?.[name] !== undefined)) return undefined;
  return capabilitiesOf(({ name }) => declared?.[name] as boolean);
}

function capabilitiesOf(value: (capability: (typeof STORE_CAPABILITIES)[number]) => boolean): StoreCapabilities {
  const capabilities = {} as StoreCapabilities;
  for (const capability of STORE_CAPABILITIES) capabilities[capability.name] = value(capability);
  return capabilities;
}

/**
 * Ids that are dangerous as keys of plain objects; every store must treat
 * them as ordinary room ids, user ids, group ids and metadata keys.
 */
export const RESERVED_IDS = Object.freeze(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"] as const);

const BASE_TIME = Date.UTC(2024, 0, 1);

/**
 * A `Date` `seconds` after 2024-01-01T00:00:00Z, for deterministic `createdAt`s.
 *
 * @example
 * ```ts
 * makeRoom("a", { createdAt: at(1) }); // created one second after the base time
 * ```
 */
export function at(seconds: number): Date {
  return new Date(BASE_TIME + seconds * 1000);
}

/**
 * A complete room with the defaults of a new Liveblocks room (organization
 * `"default"`, no accesses, no metadata, created at {@link at}(0)); any field
 * can be overridden. Build maps with reserved keys with `Object.fromEntries`
 * (an object literal's `__proto__:` sets the prototype instead).
 *
 * @example
 * ```ts
 * const room = makeRoom("my-room", { usersAccesses: { alice: ["*:write"] }, createdAt: at(5) });
 * ```
 */
export function makeRoom(id: string, overrides: Partial<Omit<RoomData, "type" | "id">> = {}): RoomData {
  const room: RoomData = {
    type: "room",
    id,
    createdAt: overrides.createdAt ?? at(0),
    organizationId: overrides.organizationId ?? "default",
    defaultAccesses: overrides.defaultAccesses ?? [],
    usersAccesses: overrides.usersAccesses ?? {},
    groupsAccesses: overrides.groupsAccesses ?? {},
    metadata: overrides.metadata ?? {},
  };
  if (overrides.lastConnectionAt !== undefined) room.lastConnectionAt = overrides.lastConnectionAt;
  return room;
}

/**
 * A complete group (organization `"default"`, `{ mention: true }`, no
 * members, created and updated at {@link at}(0)); any field can be overridden.
 *
 * @example
 * ```ts
 * const group = makeGroup("eng", { members: [{ id: "alice", addedAt: at(1) }] });
 * ```
 */
export function makeGroup(id: string, overrides: Partial<Omit<GroupData, "type" | "id" | "tenantId">> = {}): GroupData {
  const organizationId = overrides.organizationId ?? "default";
  return {
    type: "group",
    id,
    tenantId: organizationId,
    organizationId,
    createdAt: overrides.createdAt ?? at(0),
    updatedAt: overrides.updatedAt ?? overrides.createdAt ?? at(0),
    scopes: overrides.scopes ?? { mention: true },
    members: overrides.members ?? [],
  };
}

/**
 * Every room matching `filter`, following `nextCursor` page by page. Checks
 * on the way that no page exceeds `limit` and, unless `strict` is `false`,
 * that a page with a `nextCursor` is followed by a non-empty page.
 *
 * @example
 * ```ts
 * const ids = (await collectRooms(store, { userId: "alice" }, 10)).map((room) => room.id);
 * ```
 */
export async function collectRooms(
  store: RoomStore,
  filter: RoomFilter,
  limit = 100,
  options: { strict?: boolean } = {},
): Promise<RoomData[]> {
  const rooms: RoomData[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw new Error("collectRooms: more than 10000 pages, is the cursor stuck?");
    const page = await store.list(cursor === undefined ? { filter, limit } : { filter, limit, cursor });
    expect(page.rooms.length).toBeLessThanOrEqual(limit);
    if (cursor !== undefined && options.strict !== false) expect(page.rooms.length).toBeGreaterThan(0);
    rooms.push(...page.rooms);
    if (page.nextCursor === null) return rooms;
    cursor = page.nextCursor;
  }
}

/** The ids of every room matching `filter`, in listing order. */
export async function ids(store: RoomStore, filter: RoomFilter, limit = 100): Promise<string[]> {
  return (await collectRooms(store, filter, limit)).map((room) => room.id);
}

/** Records the events of a store; `waitFor` polls for async adapters. */
export function recordEvents(store: RoomStore) {
  const events: RoomChangeEvent[] = [];
  const unsubscribe = store.subscribe((event) => events.push(event));
  return { events, unsubscribe };
}

/** Newest first: createdAt descending, then id descending (code point order). */
export function newestFirst(a: RoomData, b: RoomData): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return compareIds(b.id, a.id);
}

/** A signal aborted with a known reason. */
export function abortedSignal(): { signal: AbortSignal; reason: Error } {
  const controller = new AbortController();
  const reason = new Error("aborted by the test");
  controller.abort(reason);
  return { signal: controller.signal, reason };
}

/** A fixed permutation of 0..n-1 (deterministic, so failures reproduce). */
export function shuffledIndexes(n: number): number[] {
  const indexes = Array.from({ length: n }, (_, i) => i);
  let seed = 42;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [indexes[i], indexes[j]] = [indexes[j] as number, indexes[i] as number];
  }
  return indexes;
}
