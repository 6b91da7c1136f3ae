/**
 * A JWKS document fetched from a URL and kept as imported keys, over the
 * global `fetch` (no dependency, so the CommonJS build needs no ESM-only
 * package). Bounded: one timeout covers the whole fetch, body included, and
 * the body is read as a stream and cut off past a byte cap. Cached with
 * jose's semantics: a document is fresh for `cacheMaxAge`, and a `kid` it
 * lacks refetches it at most once per `cooldownDuration`. Concurrent lookups
 * share one fetch; a caller's signal stops only that caller's wait.
 */
import { TokenError, VerifierUnavailableError } from "./errors.js";
import { createKeyring, quote, type Keyring, type VerificationKey } from "./jwt.js";
import { importJwks, type KeyPairAlgorithm } from "./keys.js";

/** `chunks` joined into one array of `total` bytes. */
function concatBytes(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Options of a {@link JwksVerifier} over a remote JWKS document. The timing
 * options and their defaults are those of jose's `createRemoteJWKSet`.
 *
 * @example
 * ```ts
 * const options: RemoteJwksOptions = { alg: "ES256", cooldownDuration: 30_000, timeoutDuration: 5_000 };
 * ```
 */
export type RemoteJwksOptions = {
  /** The only algorithm accepted. Defaults to `"ES256"`. */
  alg?: KeyPairAlgorithm;
  /** Milliseconds after a fetch before an unknown `kid` may trigger another (default 30 s). */
  cooldownDuration?: number;
  /** Milliseconds a fetched document stays fresh (default 10 min). */
  cacheMaxAge?: number;
  /** Milliseconds for the whole fetch, body included, before it is abandoned (default 5 s). */
  timeoutDuration?: number;
  /** Most bytes of body read; a longer document is refused (default 64 KiB; a JWKS is a few KiB). */
  maxBodyBytes?: number;
  /** Headers sent with the fetch. */
  headers?: Record<string, string>;
  /**
   * Allow an `http:` URL whose host is not loopback. Off by default: keys
   * fetched in clear text can be swapped by anyone on the path.
   */
  allowInsecureHttp?: boolean;
  /** The clock for cache age and cooldown, in epoch milliseconds (default `Date.now`). */
  now?: () => number;
};

/**
 * The defaults of {@link RemoteJwksOptions}, in milliseconds and bytes.
 *
 * @example
 * ```ts
 * REMOTE_JWKS_DEFAULTS.maxBodyBytes; // 65536
 * ```
 */
export const REMOTE_JWKS_DEFAULTS = Object.freeze({
  cooldownDuration: 30_000,
  cacheMaxAge: 600_000,
  timeoutDuration: 5_000,
  maxBodyBytes: 64 * 1024,
});

/** Longest delay `setTimeout` honours (about 24.8 days). */
const MAX_TIMEOUT = 2 ** 31 - 1;
/** Longest piece of an underlying error message repeated in ours. */
const CAUSE_LIMIT = 200;

/**
 * The keys of the JWKS document at a URL, fetched on first use.
 *
 * @example
 * ```ts
 * const jwks = new RemoteJwks("https://auth.example.com/.well-known/jwks.json", "ES256", {});
 * const key = await jwks.key("2025-06", signal); // rejects with VerifierUnavailableError if out of reach
 * ```
 */
export class RemoteJwks {
  readonly #url: URL;
  /** Names the document in messages: origin and path, never the query (it may hold a secret). */
  readonly #where: string;
  readonly #alg: KeyPairAlgorithm;
  readonly #headers: Headers;
  readonly #cooldownDuration: number;
  readonly #cacheMaxAge: number;
  readonly #timeoutDuration: number;
  readonly #maxBodyBytes: number;
  readonly #now: () => number;
  #keyring: Keyring | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<Keyring> | undefined;

  /**
   * @param url - an `https:` URL, or `http:` on a loopback host (or with `allowInsecureHttp`)
   * @param alg - the algorithm whose keys are imported
   * @param options - timings, body cap, headers, clock
   */
  constructor(url: string | URL, alg: KeyPairAlgorithm, options: RemoteJwksOptions) {
    this.#url = checkUrl(url, options.allowInsecureHttp);
    this.#where = `The JWKS at ${this.#url.origin}${this.#url.pathname}`;
    this.#alg = alg;
    this.#cooldownDuration = duration(options.cooldownDuration, "cooldownDuration");
    this.#cacheMaxAge = duration(options.cacheMaxAge, "cacheMaxAge");
    const timeout = options.timeoutDuration ?? REMOTE_JWKS_DEFAULTS.timeoutDuration;
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_TIMEOUT) {
      throw new TypeError(`"timeoutDuration" must be an integer of milliseconds from 0 to ${MAX_TIMEOUT}`);
    }
    this.#timeoutDuration = timeout;
    const maxBodyBytes = options.maxBodyBytes ?? REMOTE_JWKS_DEFAULTS.maxBodyBytes;
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
      throw new TypeError('"maxBodyBytes" must be a positive integer');
    }
    this.#maxBodyBytes = maxBodyBytes;
    if (options.now !== undefined && typeof options.now !== "function") {
      throw new TypeError('"now" must be a function returning epoch milliseconds');
    }
    this.#now = options.now ?? Date.now;
    this.#headers = new Headers(options.headers);
    if (!this.#headers.has("accept")) this.#headers.set("accept", "application/json, application/jwk-set+json");
  }

  /**
   * The key named `kid`: from the cached document while it is fresh, else
   * after a fetch; a `kid` the document lacks refetches it once the cooldown
   * is over. Rejects with `ERR_JWKS_NO_MATCHING_KEY` if the document has no
   * such key, with a {@link VerifierUnavailableError} if it cannot be had,
   * and with `signal.reason` as soon as `signal` aborts.
   *
   * @param kid - the `kid` of the token's header
   * @param signal - stops this caller's wait, not the shared fetch
   */
  async key(kid: string, signal: AbortSignal | undefined): Promise<VerificationKey> {
    signal?.throwIfAborted();
    let keyring = this.#keyring;
    if (keyring === undefined || !this.#isFresh(this.#cacheMaxAge)) keyring = await this.#reload(signal);
    let key = keyring.byKid?.get(kid);
    if (key === undefined && !this.#isFresh(this.#cooldownDuration)) {
      keyring = await this.#reload(signal);
      key = keyring.byKid?.get(kid);
    }
    if (key === undefined) throw new TokenError("ERR_JWKS_NO_MATCHING_KEY", `No key matches the kid ${quote(kid)}`);
    return key;
  }

  #isFresh(duration: number): boolean {
    return this.#now() < this.#fetchedAt + duration;
  }

  /** Joins the fetch in flight or starts one; a failed fetch leaves the cache as it was. */
  #reload(signal: AbortSignal | undefined): Promise<Keyring> {
    let pending = this.#pending;
    if (pending === undefined) {
      pending = this.#fetchKeyring()
        .then((keyring) => {
          this.#keyring = keyring;
          this.#fetchedAt = this.#now();
          return keyring;
        })
        .finally(() => {
          this.#pending = undefined;
        });
      // Every waiter may have given up: the outcome must not become an unhandled rejection.
      pending.catch(() => {});
      this.#pending = pending;
    }
    return signal === undefined ? pending : untilAborted(pending, signal);
  }

  async #fetchKeyring(): Promise<Keyring> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutDuration);
    let body: string;
    try {
      body = await this.#fetchBody(controller.signal);
    } catch (err) {
      // Closes the connection of a refused body instead of draining it.
      controller.abort();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    let document: unknown;
    try {
      document = JSON.parse(body);
    } catch (err) {
      throw new VerifierUnavailableError(`${this.#where} is not JSON`, { cause: err });
    }
    try {
      return createKeyring(this.#alg, true, importJwks(document, this.#alg));
    } catch (err) {
      throw new VerifierUnavailableError(`${this.#where} is unusable: ${describe(err)}`, { cause: err });
    }
  }

  async #fetchBody(signal: AbortSignal): Promise<string> {
    const failed = (what: string, err: unknown): VerifierUnavailableError =>
      signal.aborted
        ? new VerifierUnavailableError(`${this.#where} did not answer within ${this.#timeoutDuration} ms`, { cause: err })
        : new VerifierUnavailableError(`${this.#where} ${what}: ${describe(err)}`, { cause: err });

    let response: Response;
    try {
      // Redirects are not followed: a JWKS URL is configured, never discovered.
      response = await fetch(this.#url, { method: "GET", redirect: "manual", headers: this.#headers, signal });
    } catch (err) {
      throw failed("could not be fetched", err);
    }
    if (response.status !== 200) {
      throw new VerifierUnavailableError(`${this.#where} answered HTTP ${response.status}, not 200`);
    }
    const declared = Number(response.headers.get("content-length") ?? 0);
    if (declared > this.#maxBodyBytes) {
      throw new VerifierUnavailableError(`${this.#where} declares a body of ${declared} bytes, over the limit of ${this.#maxBodyBytes}`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (response.body !== null) {
      const reader = response.body.getReader();
      for (;;) {
        const chunk = await reader.read().catch((err: unknown) => {
          throw failed("could not be read", err);
        });
        if (chunk.done) break;
        total += chunk.value.byteLength;
        if (total > this.#maxBodyBytes) {
          throw new VerifierUnavailableError(`${this.#where} is over the limit of ${this.#maxBodyBytes} bytes`);
        }
        chunks.push(chunk.value);
      }
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(concatBytes(chunks, total));
    } catch (err) {
      throw new VerifierUnavailableError(`${this.#where} is not UTF-8 text`, { cause: err });
    }
  }
}

/**
 * `url` if it may carry keys: `https:`, or `http:` on a loopback host
 * (127.0.0.0/8, ::1, localhost, after WHATWG normalisation, so `127.1` counts
 * and `127.0.0.1.example.com` does not), or any `http:` with the opt-in.
 */
function checkUrl(input: string | URL, allowInsecureHttp: boolean | undefined): URL {
  if (allowInsecureHttp !== undefined && typeof allowInsecureHttp !== "boolean") {
    throw new TypeError('"allowInsecureHttp" must be true or false');
  }
  const url = new URL(input);
  if (url.protocol === "https:") return url;
  if (url.protocol !== "http:") throw new TypeError(`The JWKS URL must be http(s), got ${url.protocol}`);
  if (allowInsecureHttp === true || isLoopback(url.hostname)) return url;
  throw new TypeError(
    `The JWKS URL must be https: (http: only on a loopback host, or with allowInsecureHttp: true), got http://${url.host}`,
  );
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function duration(value: number | undefined, name: "cooldownDuration" | "cacheMaxAge"): number {
  if (value === undefined) return REMOTE_JWKS_DEFAULTS[name];
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
    throw new TypeError(`"${name}" must be a non-negative number of milliseconds`);
  }
  return value;
}

/** `promise`, or `signal.reason` as soon as `signal` aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The message of `err` (or of its cause: `fetch` says only "fetch failed"), cut short. */
function describe(err: unknown): string {
  const cause = err instanceof Error && err.message === "fetch failed" && err.cause !== undefined ? err.cause : err;
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.length <= CAUSE_LIMIT ? text : `${text.slice(0, CAUSE_LIMIT)}…`;
}
