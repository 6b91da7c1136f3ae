/**
 * When a failed delivery is tried again, and when a dead receiver stops
 * being called for a while. Pure: the clock and randomness are arguments.
 */

/**
 * The wait after each failed attempt, before the next one: 8 attempts over
 * about 28 hours (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), each wait
 * jittered by ±20 % so that a receiver coming back is not hit by every
 * delivery at once. After the 8th failure the delivery is dead-lettered.
 */
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** How much a retry delay varies either way. */
export const RETRY_JITTER = 0.2;

/**
 * The delay before attempt `attempts + 1`, or `null` if `attempts` failed
 * attempts were the last allowed (dead-letter).
 *
 * @example
 * ```ts
 * retryDelay(1, Math.random); // about 5 s
 * retryDelay(8, Math.random); // null
 * ```
 */
export function retryDelay(attempts: number, random: () => number, delays: readonly number[] = RETRY_DELAYS_MS): number | null {
  const base = delays[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
}

/** Options of {@link EndpointCircuits}. */
export type CircuitOptions = {
  /** Consecutive failures that open an endpoint's circuit (default 5). */
  failureThreshold?: number;
  /** How long a circuit first stays open (default 30 s); doubled each time it opens again, up to `maxOpenMs` (default 10 min). */
  openMs?: number;
  maxOpenMs?: number;
};

type Circuit = { failures: number; openUntil: number; openMs: number };

/**
 * One circuit per endpoint, in this instance: after `failureThreshold`
 * failures in a row the endpoint is not called until the circuit closes
 * again; its deliveries wait, and the wait costs them no attempt.
 */
export class EndpointCircuits {
  readonly #circuits = new Map<string, Circuit>();
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #maxOpenMs: number;

  constructor(options: CircuitOptions = {}) {
    this.#threshold = options.failureThreshold ?? 5;
    this.#openMs = options.openMs ?? 30_000;
    this.#maxOpenMs = options.maxOpenMs ?? 600_000;
  }

  /** A delivery to `endpointId` succeeded: its circuit closes and forgets. */
  succeeded(endpointId: string): void {
    this.#circuits.delete(endpointId);
  }

  /** A delivery to `endpointId` failed at `now`. */
  failed(endpointId: string, now: number): void {
    const circuit = this.#circuits.get(endpointId) ?? { failures: 0, openUntil: 0, openMs: this.#openMs };
    circuit.failures++;
    if (circuit.failures >= this.#threshold && circuit.openUntil <= now) {
      circuit.openUntil = now + circuit.openMs;
      circuit.openMs = Math.min(circuit.openMs * 2, this.#maxOpenMs);
      // Half-open when it closes: one more failure opens it again.
      circuit.failures = this.#threshold - 1;
    }
    this.#circuits.set(endpointId, circuit);
  }

  /** When the circuit of `endpointId` closes, if it is open at `now`. */
  openUntil(endpointId: string, now: number): number | null {
    const until = this.#circuits.get(endpointId)?.openUntil ?? 0;
    return until > now ? until : null;
  }

  /** The endpoints whose circuit is open at `now`. */
  open(now: number): Set<string> {
    const ids = new Set<string>();
    for (const [id, circuit] of this.#circuits) if (circuit.openUntil > now) ids.add(id);
    return ids;
  }
}
