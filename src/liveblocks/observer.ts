/**
 * Observer hooks: what a `Liveblocks` instance tells an operator's code
 * about its work (entry decisions, tokens issued, store calls), so a server
 * can turn them into metrics without the library depending on any metrics
 * package. Hooks run synchronously with small event objects; a hook that
 * throws is ignored, and without hooks nothing here runs.
 */
import type { RoomStore } from "../rooms/types.js";
import type { AuthResponse } from "./auth.js";

/** An entry decision was made: by `checkRoomAccess`, a watch's first decision, or a watch's re-decision that changed it. */
export type DecisionEvent = {
  source: "check" | "watch" | "rewatch";
  outcome: "allowed" | "denied";
  /** Why it denied (`no-access`, `expired`, …); absent when allowed. */
  reason?: string;
};

/** A token was signed and answered 200. */
export type TokenIssuedEvent = {
  /** `"id"` from `identifyUser`, `"access"` from `Session.authorize()`. */
  kind: "id" | "access";
};

/** A store method settled. */
export type StoreCallEvent = {
  /** The `RoomStore` method: `get`, `update`, `list`, `getAccessRules`, … */
  operation: string;
  /** Wall time until it settled, in milliseconds. */
  durationMs: number;
  /** Set when it rejected: the error's string `code`, else `"ERROR"`. */
  errorCode?: string;
};

/**
 * The hooks of the `observer` option of `new Liveblocks(…)`; each is optional.
 *
 * @example
 * ```ts
 * const liveblocks = new Liveblocks({
 *   secret,
 *   observer: {
 *     onDecision: ({ outcome, reason }) => decisions.inc({ outcome, reason: reason ?? "" }),
 *     onTokenIssued: ({ kind }) => tokens.inc({ kind }),
 *     onStoreCall: ({ operation, durationMs }) => storeLatency.observe({ operation }, durationMs / 1000),
 *   },
 * });
 * ```
 */
export type LiveblocksObserver = {
  onDecision?: (event: DecisionEvent) => void;
  onTokenIssued?: (event: TokenIssuedEvent) => void;
  onStoreCall?: (event: StoreCallEvent) => void;
};

/** Calls `hook` with `event`; an observer's failure must never become the caller's. */
function call<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // Ignored: metrics are never worth a failed request.
  }
}

/** @internal Tells `observer` about a decision. */
export function observeDecision(
  observer: LiveblocksObserver | undefined,
  source: DecisionEvent["source"],
  access: { allowed: boolean; reason?: string },
): void {
  if (observer?.onDecision === undefined) return;
  call(
    observer.onDecision,
    access.allowed ? { source, outcome: "allowed" } : { source, outcome: "denied", reason: access.reason ?? "unknown" },
  );
}

/** @internal `answer`, after telling `observer` a token of `kind` was issued if it was. */
export function observeIssued(
  observer: LiveblocksObserver | undefined,
  kind: TokenIssuedEvent["kind"],
  answer: AuthResponse | Promise<AuthResponse>,
): AuthResponse | Promise<AuthResponse> {
  const hook = observer?.onTokenIssued;
  if (hook === undefined) return answer;
  const tell = (settled: AuthResponse) => {
    if (settled.status === 200) call(hook, { kind });
    return settled;
  };
  return answer instanceof Promise ? answer.then(tell) : tell(answer);
}

/** The clock durations are read from: monotonic where there is one, never used to decide anything. */
const elapsedClock: () => number = typeof performance !== "undefined" ? () => performance.now() : Date.now;

/**
 * @internal `store` with every method that returns a promise timed for
 * `onStoreCall`; the same store when there is no such hook. A `Proxy`, so
 * `instanceof`, symbols and properties read through; methods run with the
 * store itself as `this` (its private fields need it).
 */
export function observeStore(store: RoomStore, observer: LiveblocksObserver | undefined): RoomStore {
  const hook = observer?.onStoreCall;
  if (hook === undefined) return store;
  const wrapped = new Map<string, unknown>();
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof key !== "string" || typeof value !== "function" || key === "constructor") return value;
      let timed = wrapped.get(key);
      if (timed === undefined || (timed as { original?: unknown }).original !== value) {
        timed = timeCalls(key, value as (...args: unknown[]) => unknown, target, hook);
        wrapped.set(key, timed);
      }
      return timed;
    },
  });
}

function timeCalls(
  operation: string,
  method: (...args: unknown[]) => unknown,
  target: object,
  hook: (event: StoreCallEvent) => void,
): (...args: unknown[]) => unknown {
  const timed = (...args: unknown[]) => {
    const started = elapsedClock();
    const result = method.apply(target, args);
    if (!(result instanceof Promise)) return result;
    return result.then(
      (value) => {
        call(hook, { operation, durationMs: elapsedClock() - started });
        return value;
      },
      (error: unknown) => {
        call(hook, { operation, durationMs: elapsedClock() - started, errorCode: errorCodeOf(error) });
        throw error;
      },
    );
  };
  return Object.assign(timed, { original: method });
}

/** A short label for a store failure: its string `code` if it has a plain one. */
function errorCodeOf(error: unknown): string {
  try {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
  } catch {
    // A hostile getter tells nothing.
  }
  return "ERROR";
}
