/**
 * Live room-entry decisions: a realtime server keeps one watch per
 * connection and hears when that user's decision for that room changes.
 * The token is verified once; after that every store event re-decides with
 * the pure `resolveAccess` (no verification, no store read), and one store
 * subscription per `Liveblocks` instance serves every watch, indexed by room
 * id so an event only costs the watches of its room. Under `groupsFrom:
 * "store"` a membership change re-decides the member's watches in full
 * (store reads): at once for a change made through this instance, and every
 * `groupsRecheckMs` for changes made elsewhere.
 */
import { resolveTokenAccess } from "../../permissions/patterns.js";
import type { AccessDecision } from "../../permissions/decision.js";
import { resolveAccess } from "../../permissions/resolve.js";
import { DEFAULT_ORGANIZATION, type RoomChangeEvent, type RoomData } from "../../rooms/types.js";
import type { TokenClaims } from "../../tokens/types.js";
import { type AccessCheckOptions, decideRoomAccess } from "./access.js";
import { observeDecision } from "../observer.js";
import { deny, outcomes } from "./denial.js";
import type { Config } from "../options.js";
import { revokedUpTo, subscribeRevocations } from "./revocations.js";
import type { RoomAccessResult } from "../types.js";

/**
 * A running watch: the first decision and the way to end it.
 *
 * @example
 * ```ts
 * const watch = await liveblocks.watchRoomAccess(token, roomId, (access) => {
 *   if (!access.allowed) socket.close(4403, access.message);
 * });
 * if (!watch.access.allowed) return socket.close(4403, watch.access.message);
 * socket.on("close", () => watch.stop());
 * ```
 */
export type RoomAccessWatch = {
  /** The first decision, as `checkRoomAccess` gives it. */
  readonly access: RoomAccessResult;
  /** Ends the watch: no further `onChange`, no listener, no timer. Idempotent. */
  stop(): void;
};

/** Denials that end a watch: nothing later can lift them for this token. */
// A room's organization never changes, so a mismatch is final too.
const TERMINAL: ReadonlySet<string> = new Set([
  "invalid-token",
  "expired",
  "organization-mismatch",
  "revoked",
  "verifier-unavailable",
  "store-unavailable",
]);

const EXPIRED = "The token has expired.";

/** One connection's watch. */
class Watch {
  current: RoomAccessResult;
  timer: ReturnType<typeof setTimeout> | undefined;
  stopped = false;
  /** The newest event seen while the first decision was still being made. */
  early: RoomChangeEvent | undefined;
  claims: TokenClaims | undefined;
  /** The groups the last decision entered with (`groupsFrom: "store"` reads them from the store). */
  groups: readonly string[] = [];
  /** Counts full re-decisions, so only the newest one's answer is applied. */
  rechecks = 0;

  constructor(
    readonly roomId: string,
    readonly onChange: (access: RoomAccessResult) => void,
    /** Kept for full re-decisions after a membership change; never logged. */
    readonly token: string,
  ) {
    this.current = deny("store-unavailable", "Not decided yet.");
  }
}

/** Every watch of one `Liveblocks` instance, and its single store subscription. */
class Watcher {
  readonly #config: Config;
  readonly #byRoom = new Map<string, Set<Watch>>();
  readonly #byUser = new Map<string, Set<Watch>>();
  #unsubscribe: (() => void) | undefined;
  #unsubscribeRevocations: (() => void) | undefined;
  #recheck: ReturnType<typeof setInterval> | undefined;
  #rechecking = false;
  #count = 0;

  constructor(config: Config) {
    this.#config = config;
  }

  add(watch: Watch): void {
    let set = this.#byRoom.get(watch.roomId);
    if (set === undefined) this.#byRoom.set(watch.roomId, (set = new Set()));
    set.add(watch);
    if (this.#count++ === 0) {
      this.#unsubscribe = this.#config.store.subscribe((event) => this.#onEvent(event));
      this.#unsubscribeRevocations = subscribeRevocations(this.#config, ({ userId, issuedBefore }) =>
        this.revoked(userId, revokedUpTo(this.#config, issuedBefore)),
      );
      if (this.#config.groupsFrom === "store") {
        // Memberships changed through another instance or process reach no event: read them again.
        this.#recheck = setInterval(() => void this.#recheckAll(), this.#config.groupsRecheckMs);
        this.#recheck.unref?.();
      }
    }
  }

  /** Re-decides, in full, every watch of `userIds` (a membership of theirs changed). */
  regroup(userIds: Iterable<string>): void {
    for (const userId of userIds) for (const watch of [...(this.#byUser.get(userId) ?? [])]) void this.#redecideFully(watch);
  }

  async #recheckAll(): Promise<void> {
    if (this.#rechecking) return;
    this.#rechecking = true;
    try {
      // One at a time: a recheck never floods the store.
      for (const watches of [...this.#byUser.values()]) for (const watch of [...watches]) await this.#redecideFully(watch);
    } finally {
      this.#rechecking = false;
    }
  }

  async #redecideFully(watch: Watch): Promise<void> {
    if (watch.stopped) return;
    const mine = ++watch.rechecks;
    const next = await decideRoomAccess(this.#config, watch.token, watch.roomId);
    if (mine !== watch.rechecks || watch.stopped) return;
    if (next.groups !== undefined) watch.groups = next.groups;
    this.settle(watch, next.access);
  }

  /** Indexes the watch by user once its claims are known (for revocations). */
  addUser(watch: Watch, userId: string): void {
    let set = this.#byUser.get(userId);
    if (set === undefined) this.#byUser.set(userId, (set = new Set()));
    set.add(watch);
  }

  remove(watch: Watch): void {
    if (watch.stopped) return;
    watch.stopped = true;
    if (watch.timer !== undefined) clearTimeout(watch.timer);
    watch.timer = undefined;
    const set = this.#byRoom.get(watch.roomId);
    if (set !== undefined && set.delete(watch) && set.size === 0) this.#byRoom.delete(watch.roomId);
    const uid = watch.claims?.uid;
    if (uid !== undefined) {
      const users = this.#byUser.get(uid);
      if (users !== undefined && users.delete(watch) && users.size === 0) this.#byUser.delete(uid);
    }
    if (--this.#count === 0) {
      if (this.#recheck !== undefined) clearInterval(this.#recheck);
      this.#recheck = undefined;
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
      this.#unsubscribeRevocations?.();
      this.#unsubscribeRevocations = undefined;
    }
  }

  /**
   * A revocation, from the store (any instance or process it reaches) or this
   * instance's `revokeTokens`; `cutoffMs` is the tolerance-widened cutoff ({@link revokedUpTo}).
   */
  revoked(userId: string, cutoffMs: number): void {
    const set = this.#byUser.get(userId);
    if (set === undefined) return;
    for (const watch of [...set]) {
      if (watch.claims !== undefined && outcomes.isRevoked(watch.claims.iat, cutoffMs)) {
        this.settle(watch, outcomes.revoked(userId, cutoffMs));
      }
    }
  }

  #onEvent(event: RoomChangeEvent): void {
    const set = this.#byRoom.get(event.roomId);
    if (set === undefined) return;
    for (const watch of [...set]) {
      if (watch.claims === undefined) watch.early = event;
      else this.settle(watch, redecide(watch.claims, event.roomId, event.room, watch.groups));
    }
  }

  /** Records `next`; calls `onChange` only if it differs; ends the watch on a terminal denial. */
  settle(watch: Watch, next: RoomAccessResult): void {
    if (watch.stopped || sameDecision(watch.current, next)) return;
    watch.current = next;
    observeDecision(this.#config.observer, "rewatch", next);
    if (!next.allowed && TERMINAL.has(next.reason)) this.remove(watch);
    try {
      watch.onChange(next);
    } catch {
      // One connection's failing callback must not keep the others of the room from hearing.
    }
  }

  /** Arms the expiry timer at `exp`, on the instance's clock; unref'ed so it never keeps the process up. */
  arm(watch: Watch, exp: number): void {
    const delay = exp * 1000 - this.#config.now();
    const fire = () => {
      watch.timer = undefined;
      // Re-checked on fire: setTimeout caps at 2^31-1 ms, and a fake or drifting clock may lag.
      if (exp * 1000 - this.#config.now() > 0) return this.arm(watch, exp);
      this.settle(watch, deny("expired", EXPIRED));
    };
    watch.timer = setTimeout(fire, Math.min(Math.max(delay, 0), 2 ** 31 - 1));
    watch.timer.unref?.();
  }

  /** How many watches are running (for tests and metrics). */
  get size(): number {
    return this.#count;
  }
}

const watchers = new WeakMap<Config, Watcher>();

/** @internal A membership of `userIds` changed through this instance: their watches re-decide now. */
export function regroupWatches(config: Config, userIds: Iterable<string>): void {
  if (config.groupsFrom === "store") watchers.get(config)?.regroup(userIds);
}

/**
 * Starts a watch: the first decision as `decideRoomAccess` makes it, then
 * `onChange` on every change of it.
 * @internal
 */
export async function watchRoomAccess(
  config: Config,
  token: string,
  roomId: string,
  onChange: (access: RoomAccessResult) => void,
  options?: AccessCheckOptions,
): Promise<RoomAccessWatch> {
  let watcher = watchers.get(config);
  if (watcher === undefined) watchers.set(config, (watcher = new Watcher(config)));
  const w = watcher;
  const watch = new Watch(roomId, onChange, token);
  // Subscribed before the first read, so a change committed during it is not lost.
  w.add(watch);
  const { access: first, claims, groups } = await decideRoomAccess(config, token, roomId, options);
  observeDecision(config.observer, "watch", first);
  watch.current = first;
  const signal = options?.signal;
  const terminal = !first.allowed && TERMINAL.has(first.reason);
  if (claims === undefined || terminal || signal?.aborted === true) {
    // A token that did not verify, or a decision nothing can lift: nothing to watch.
    w.remove(watch);
    return { access: first, stop: () => {} };
  }
  watch.claims = claims;
  watch.groups = groups ?? [];
  w.addUser(watch, claims.uid);
  const stop = () => {
    signal?.removeEventListener("abort", stop);
    w.remove(watch);
  };
  signal?.addEventListener("abort", stop, { once: true });
  w.arm(watch, claims.exp);
  // An event that arrived during the first read is newer than what it read.
  const early = watch.early;
  watch.early = undefined;
  if (early !== undefined) w.settle(watch, redecide(claims, roomId, early.room, watch.groups));
  return { access: first, stop };
}

/**
 * The decision after an event, from the event's room alone. A deleted room
 * ends access for both token kinds: an access token's permissions do not
 * depend on the room, but there is no room left to enter.
 */
function redecide(claims: TokenClaims, roomId: string, room: RoomData | null, groups: readonly string[]): RoomAccessResult {
  if (room === null) return outcomes.roomNotFound(roomId);
  const tokenOrganization = claims.oid ?? DEFAULT_ORGANIZATION;
  if (room.organizationId !== tokenOrganization) return outcomes.organizationMismatch(tokenOrganization, roomId);
  const groupIds = claims.k === "id" ? [...groups] : [];
  const decision: AccessDecision =
    claims.k === "id" ? resolveAccess(room, { userId: claims.uid, groupIds }) : resolveTokenAccess(claims.perms, roomId);
  if (!decision.canEnter) return outcomes.noAccess(claims.uid, roomId);
  return outcomes.allowed(claims, groupIds, decision);
}

/** Whether two decisions would look the same to a connection. */
function sameDecision(a: RoomAccessResult, b: RoomAccessResult): boolean {
  if (!a.allowed || !b.allowed) return !a.allowed && !b.allowed && a.reason === b.reason;
  if (a.isReadOnly !== b.isReadOnly || a.canWrite !== b.canWrite || a.canComment !== b.canComment) return false;
  if (a.scopes.length !== b.scopes.length) return false;
  for (let i = 0; i < a.scopes.length; i++) if (a.scopes[i] !== b.scopes[i]) return false;
  return true;
}
