/**
 * When `checkRoomAccess` stops waiting: the caller's signal or its deadline,
 * raced against a verifier or store that may ignore both.
 */
import { deny } from "./denial.js";
import type { Config } from "../options.js";
import type { RoomAccessDenial, RoomAccessResult } from "../types.js";

/**
 * Deadlines are kept by one ticker per instance, not a timer per check (a
 * timer costs about as much as the rest of an HS256 check). Each tick reads
 * the monotonic clock, so a check is never stopped before `timeoutMs`, and
 * on an idle event loop at most one tick after; a busy loop delays it only
 * by as long as the loop is blocked.
 */
export const DEADLINE_TICK_MS = 10;

/** @internal What a race resolves to once the decision has ended. */
export const STOPPED: unique symbol = Symbol("stopped");

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
export class Deadline {
  /** The caller's signal, passed on to the verifier and the store. */
  readonly signal: AbortSignal | undefined;
  private readonly timeoutMs: number;
  private readonly ticker: Ticker;
  /** The monotonic time (`performance.now()`) at which the time is up; `Infinity` for never. */
  due = Infinity;
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
    if (this.due !== Infinity) this.ticker.delete(this);
    this.signal?.removeEventListener("abort", this);
  }
}

/**
 * Ticks every {@link DEADLINE_TICK_MS} while deadlines are pending and ends
 * those whose time is up on the monotonic clock; it stops at the first tick
 * with none pending. The clock is read, not the ticks counted: Node runs an
 * interval that fell behind once, not once per missed tick, so counting
 * stretched every deadline by as long as the event loop was busy. The
 * monotonic clock never jumps, unlike the wall clock `now()` reads.
 */
export class Ticker {
  private readonly pending = new Set<Deadline>();
  private interval: ReturnType<typeof setInterval> | undefined;

  add(deadline: Deadline, timeoutMs: number): void {
    deadline.due = performance.now() + timeoutMs;
    this.interval ??= setInterval(onTick, DEADLINE_TICK_MS, this);
    this.pending.add(deadline);
  }

  delete(deadline: Deadline): void {
    this.pending.delete(deadline);
  }

  /** One tick: ends the due deadlines; stops when none is left. */
  advance(): void {
    const now = performance.now();
    for (const deadline of this.pending) {
      if (deadline.due <= now) {
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

export function tickerOf(config: Config): Ticker {
  let ticker = tickers.get(config);
  if (ticker === undefined) {
    ticker = new Ticker();
    tickers.set(config, ticker);
  }
  return ticker;
}
