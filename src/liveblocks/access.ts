/**
 * The room-entry decision of `checkRoomAccess`: verify the token, read what
 * the store knows, resolve, and fail closed, on time, on anything else. The
 * checks on what the verifier and the store hand back are plain `typeof`
 * checks: this is the hot path of every connection.
 */
import { resolveTokenAccess } from "../permissions/patterns.js";
import { type AccessDecision, type RoomAccessRules, resolveAccess } from "../permissions/resolve.js";
import type { StoreReadOptions } from "../storage/types.js";
import { TokenError } from "../tokens/errors.js";
import type { TokenClaims } from "../tokens/types.js";
import { messages } from "./errors.js";
import type { Config } from "./options.js";
import type { RequestOptions, RoomAccessDenial, RoomAccessResult } from "./types.js";
import { checkInput } from "./validation.js";

/**
 * The longest denial message, in UTF-8 bytes: the longest WebSocket close
 * reason (a 125-byte control frame less the 2-byte code), so
 * `socket.close(4403, access.message)` never throws.
 */
export const MAX_DENIAL_MESSAGE_BYTES = 123;

/** How long `checkRoomAccess` waits for the verifier and the store together, by default, in milliseconds. */
export const DEFAULT_ACCESS_TIMEOUT_MS = 5000;

/** Longest user or room id echoed in a denial, in UTF-8 bytes, so the sentence around it survives. */
const ECHO_BYTES = 40;

/**
 * Deadlines are kept by one ticker per instance, not a timer per check (a
 * timer costs about as much as the rest of an HS256 check). A check is
 * never stopped before `timeoutMs`, and at most two ticks after.
 */
export const DEADLINE_TICK_MS = 10;

/** The facade's token check, given the signal that ends the whole decision. */
export type VerifyForAccess = (token: string, signal: AbortSignal | undefined) => Promise<TokenClaims>;

/** Options of `checkRoomAccess`. @internal */
export type AccessCheckOptions = RequestOptions & { timeoutMs?: number };

const STORE_FAILED = "The room store could not be read; access denied.";
const STORE_MALFORMED = "The room store returned malformed data; access denied.";
const CLAIMS_MALFORMED = "The token verifier returned malformed claims; access denied.";
const VERIFIER_FAILED = "The token verifier is unavailable; access denied.";

/**
 * The decision for `token` entering `roomId`; never rejects, and settles
 * once `options.signal` aborts or `options.timeoutMs` pass, whatever the
 * verifier and the store do.
 * @internal
 */
export async function decideRoomAccess(
  config: Config,
  verify: VerifyForAccess,
  token: string,
  roomId: string,
  options?: AccessCheckOptions,
): Promise<RoomAccessResult> {
  const deadline = new Deadline(tickerOf(config), options?.signal, options?.timeoutMs ?? DEFAULT_ACCESS_TIMEOUT_MS);
  try {
    return await decide(config, verify, token, roomId, deadline);
  } catch {
    // Every step guards itself; this only keeps "never rejects" true for bugs.
    return deny("store-unavailable", STORE_FAILED);
  } finally {
    deadline.clear();
  }
}

async function decide(
  config: Config,
  verify: VerifyForAccess,
  token: string,
  roomId: string,
  deadline: Deadline,
): Promise<RoomAccessResult> {
  let claims: TokenClaims | typeof STOPPED;
  try {
    claims = await deadline.race(() => verify(token, deadline.signal));
  } catch (error) {
    // A verifier that honours the signal rejects when it aborts: that is the deadline, not the token.
    if (deadline.ended) return deadline.denial("verifier-unavailable", "verifying the token");
    return verifierDenial(error);
  }
  if (claims === STOPPED) return deadline.denial("verifier-unavailable", "verifying the token");
  if (!isClaims(claims)) return deny("invalid-token", CLAIMS_MALFORMED);

  const id = checkInput(config.schemas.roomId, roomId, "roomId");
  if (!id.ok) return deny("room-not-found", id.error.message);

  const read: StoreReadOptions = deadline.signal === undefined ? {} : { signal: deadline.signal };
  const groupIds = claims.k === "id" ? (claims.gids ?? []) : [];
  const uid = claims.uid;
  const isIdToken = claims.k === "id";
  let stored: [unknown, unknown] | typeof STOPPED;
  try {
    stored = await deadline.race(() =>
      Promise.all([
        config.store.getRevocation(uid, read),
        isIdToken ? accessRules(config, id.data, uid, groupIds, read) : null,
      ]),
    );
  } catch {
    if (deadline.ended) return deadline.denial("store-unavailable", "reading the room store");
    return deny("store-unavailable", STORE_FAILED);
  }
  if (stored === STOPPED) return deadline.denial("store-unavailable", "reading the room store");
  const [revokedBefore, rules] = stored;

  if (revokedBefore !== null) {
    if (typeof revokedBefore !== "number" || !Number.isFinite(revokedBefore)) {
      return deny("store-unavailable", STORE_MALFORMED);
    }
    // `iat` has whole seconds: a token issued in the cutoff's second is revoked too.
    const cutoffSecond = Math.floor(revokedBefore / 1000);
    if (claims.iat <= cutoffSecond) {
      const cutoff = new Date(cutoffSecond * 1000).toISOString().replace(".000Z", "Z");
      return deny("revoked", `Tokens of user "${echo(uid)}" issued up to ${cutoff} are revoked.`);
    }
  }

  let decision: AccessDecision;
  if (claims.k === "id") {
    if (rules === null) return deny("room-not-found", messages.roomNotFound(echo(id.data)));
    if (!isAccessRules(rules, uid, groupIds)) return deny("store-unavailable", STORE_MALFORMED);
    decision = resolveAccess(rules, { userId: uid, groupIds });
  } else {
    decision = resolveTokenAccess(claims.perms, id.data);
  }
  if (!decision.canEnter) {
    return deny("no-access", `User "${echo(uid)}" may not enter room "${echo(id.data)}".`);
  }
  return {
    allowed: true,
    userId: uid,
    groupIds,
    userInfo: claims.ui,
    tokenKind: claims.k,
    scopes: decision.scopes,
    canWrite: decision.canWrite,
    canComment: decision.canComment,
    isReadOnly: decision.isReadOnly,
  };
}

/** The room's permissions for one user, through the store's fast path where it has one. */
function accessRules(
  config: Config,
  roomId: string,
  userId: string,
  groupIds: readonly string[],
  options: StoreReadOptions,
): Promise<RoomAccessRules | null> {
  const store = config.store;
  if (store.getAccessRules !== undefined) return store.getAccessRules(roomId, { userId, groupIds }, options);
  return store.get(roomId, options);
}

/* --- What the verifier and the store hand back ------------------------------ */

/** Codes of an unreachable verifier: roomgate's remote JWKS, and jose's own timeout. */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  "ERR_VERIFIER_UNAVAILABLE",
  "ERR_JWKS_TIMEOUT",
  "ERR_JWKS_INVALID",
]);

/**
 * Why a verifier's rejection denies. By `code`, not class: a verifier may be
 * jose-based or from another copy of roomgate. A jose-family code
 * (`ERR_JWT_*`, `ERR_JWS_*`, `ERR_JWKS_*`, `ERR_JOSE_*`: a bad signature, an
 * unknown `kid`, …) but the unreachable ones is evidence of a bad token;
 * anything else (an outage, a bug) says nothing about the token, so it is
 * `verifier-unavailable`: still denied, but an operator sees an outage.
 */
function verifierDenial(error: unknown): RoomAccessResult {
  let code: unknown;
  let message: unknown;
  try {
    code = (error as { code?: unknown } | null)?.code;
    message = (error as { message?: unknown } | null)?.message;
  } catch {
    // A hostile getter: nothing can be learnt from it.
  }
  const aboutToken =
    error instanceof TokenError ||
    (typeof code === "string" && !UNAVAILABLE_CODES.has(code) && /^ERR_(JWT|JWS|JWKS|JOSE)_/.test(code));
  if (!aboutToken) return deny("verifier-unavailable", VERIFIER_FAILED);
  const text = typeof message === "string" && message !== "" ? message : "The token is invalid.";
  return deny(code === "ERR_JWT_EXPIRED" ? "expired" : "invalid-token", text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "string") return false;
  return true;
}

/** Claims the decision can rely on: anything else from a verifier denies. */
function isClaims(value: unknown): value is TokenClaims {
  if (!isObject(value)) return false;
  const { k, uid, iat, exp, ui } = value;
  if (k !== "id" && k !== "acc") return false;
  if (typeof uid !== "string" || uid === "") return false;
  if (typeof iat !== "number" || !Number.isFinite(iat)) return false;
  if (typeof exp !== "number" || !Number.isFinite(exp)) return false;
  if (ui !== undefined && !isObject(ui)) return false;
  if (k === "id") return value.gids === undefined || isStringArray(value.gids);
  const perms = value.perms;
  if (!isObject(perms)) return false;
  for (const pattern of Object.keys(perms)) if (!isStringArray(perms[pattern])) return false;
  return true;
}

/**
 * Rules the decision can rely on: the lists `resolveAccess` will read for
 * this user are arrays. Only those are looked at, so the check costs what
 * the decision costs.
 */
function isAccessRules(value: unknown, userId: string, groupIds: readonly string[]): value is RoomAccessRules {
  if (!isObject(value) || !Array.isArray(value.defaultAccesses)) return false;
  const users = value.usersAccesses;
  if (users !== undefined) {
    if (typeof users !== "object" || users === null) return false;
    if (Object.hasOwn(users, userId) && !Array.isArray((users as Record<string, unknown>)[userId])) return false;
  }
  const groups = value.groupsAccesses;
  if (groups !== undefined) {
    if (typeof groups !== "object" || groups === null) return false;
    for (const groupId of groupIds) {
      if (Object.hasOwn(groups, groupId) && !Array.isArray((groups as Record<string, unknown>)[groupId])) return false;
    }
  }
  return true;
}

/* --- On time ------------------------------------------------------------------ */

const STOPPED: unique symbol = Symbol("stopped");

/**
 * The end of one decision: the caller's signal or the timeout, whichever
 * comes first; `race` stops waiting then, even for a verifier or store that
 * ignores the signal. Kept cheap, as it is made for every check: a place in
 * the instance's {@link Ticker}, at most one listener on the caller's signal
 * (the object itself, through `handleEvent`), no AbortController of its own
 * (creating an AbortSignal costs Node 20 more than an HS256 verification)
 * and no `#` fields or per-instance closures (about 2 µs a check once
 * compiled).
 */
class Deadline {
  /** The caller's signal, passed on to the verifier and the store. */
  readonly signal: AbortSignal | undefined;
  private readonly timeoutMs: number;
  private readonly ticker: Ticker;
  /** The tick at which the time is up; `Infinity` for never. */
  dueTick = Infinity;
  private how: "aborted" | "timed-out" | undefined;
  /** Settles the race under way with STOPPED. */
  private wake: ((value: typeof STOPPED) => void) | undefined;

  constructor(ticker: Ticker, signal: AbortSignal | undefined, timeoutMs: number) {
    this.ticker = ticker;
    this.signal = signal;
    this.timeoutMs = timeoutMs;
    if (signal?.aborted) {
      this.how = "aborted";
      return;
    }
    // NaN, 0, a negative number or not a number: the deadline has passed.
    if (typeof timeoutMs !== "number" || !(timeoutMs > 0)) {
      this.how = "timed-out";
      return;
    }
    if (timeoutMs !== Infinity) ticker.add(this, timeoutMs);
    signal?.addEventListener("abort", this, { once: true });
  }

  /** Has the decision ended (the signal aborted or the time is up)? */
  get ended(): boolean {
    return this.how !== undefined || this.signal?.aborted === true;
  }

  /** Ends the decision; the race under way settles with STOPPED. */
  end(how: "aborted" | "timed-out"): void {
    this.how ??= how;
    this.wake?.(STOPPED);
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.end("aborted");
  }

  /**
   * `work()`'s value or rejection, or STOPPED once the decision ends (at
   * once if it has, without calling `work`). What `work` does after that is
   * ignored: its late rejection is handled here, never left unhandled.
   */
  race<T>(work: () => PromiseLike<T>): Promise<T | typeof STOPPED> {
    if (this.ended) return Promise.resolve(STOPPED);
    let pending: PromiseLike<T>;
    try {
      pending = work();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<T | typeof STOPPED>((resolve, reject) => {
      this.wake = resolve;
      Promise.resolve(pending).then(resolve, reject);
    });
  }

  /** The denial for a decision that ended while `step` was pending. */
  denial(reason: RoomAccessDenial, step: string): RoomAccessResult {
    return deny(
      reason,
      this.how === "timed-out"
        ? `The access check timed out after ${this.timeoutMs} ms while ${step}; access denied.`
        : `The access check was aborted while ${step}; access denied.`,
    );
  }

  /** Leaves the ticker and the caller's signal. */
  clear(): void {
    if (this.dueTick !== Infinity) this.ticker.delete(this);
    this.signal?.removeEventListener("abort", this);
  }
}

/**
 * Counts ticks of {@link DEADLINE_TICK_MS} while deadlines are pending and
 * ends those that are due; it stops at the first tick with none pending.
 * Counting ticks instead of reading the clock keeps every clock read in
 * `now()`.
 */
class Ticker {
  private readonly pending = new Set<Deadline>();
  private tick = 0;
  private interval: ReturnType<typeof setInterval> | undefined;

  add(deadline: Deadline, timeoutMs: number): void {
    const ticks = Math.ceil(timeoutMs / DEADLINE_TICK_MS);
    if (this.interval === undefined) {
      // Ticks start now: tick n comes n whole ticks from here.
      this.tick = 0;
      this.interval = setInterval(onTick, DEADLINE_TICK_MS, this);
      deadline.dueTick = ticks;
    } else {
      // Part of the current tick has passed already: count it as none.
      deadline.dueTick = this.tick + ticks + 1;
    }
    this.pending.add(deadline);
  }

  delete(deadline: Deadline): void {
    this.pending.delete(deadline);
  }

  /** One tick: ends the due deadlines; stops when none is left. */
  advance(): void {
    this.tick++;
    for (const deadline of this.pending) {
      if (deadline.dueTick <= this.tick) {
        this.pending.delete(deadline);
        deadline.end("timed-out");
      }
    }
    if (this.pending.size === 0) {
      clearInterval(this.interval);
      this.interval = undefined;
    }
  }
}

function onTick(ticker: Ticker): void {
  ticker.advance();
}

/** One ticker per instance, so instances (and tests with fake timers) never share one. */
const tickers = new WeakMap<Config, Ticker>();

function tickerOf(config: Config): Ticker {
  let ticker = tickers.get(config);
  if (ticker === undefined) {
    ticker = new Ticker();
    tickers.set(config, ticker);
  }
  return ticker;
}

/* --- Messages that fit a close reason ------------------------------------------ */

function deny(reason: RoomAccessDenial, message: string): RoomAccessResult {
  return { allowed: false, reason, message: fitUtf8(message, MAX_DENIAL_MESSAGE_BYTES) };
}

/** An id echoed in a message, cut to {@link ECHO_BYTES}. */
function echo(value: string): string {
  return fitUtf8(value, ECHO_BYTES);
}

/**
 * `text` if it fits `maxBytes` of UTF-8, else its longest prefix that fits
 * with "…" after it, never cutting a surrogate pair in two. A lone
 * surrogate counts 3 bytes, as it is encoded (U+FFFD).
 * @internal
 */
export function fitUtf8(text: string, maxBytes: number): string {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (text.length * 3 <= maxBytes) return text;
  const budget = maxBytes - 3; // room for "…", 3 bytes
  let bytes = 0;
  let cut = -1; // where the first character past the budget starts
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    let size = unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
    let width = 1;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1); // NaN past the end
      if (next >= 0xdc00 && next <= 0xdfff) {
        size = 4;
        width = 2;
      }
    }
    if (cut === -1 && bytes + size > budget) cut = i;
    bytes += size;
    if (bytes > maxBytes) return `${text.slice(0, cut)}…`;
    i += width - 1;
  }
  return text;
}
