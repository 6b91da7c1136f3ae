/**
 * A JWKS document fetched from a URL. jose's `createRemoteJWKSet` holds it
 * and picks the key a token names, by `kid` and algorithm, importing only
 * that entry: a key that does not import fails only the tokens that name it.
 * roomgate gives it the fetch and the clock. The fetch is bounded: one
 * timeout covers it whole, body included; the body is read as a stream and
 * cut off past a byte cap; no redirect is followed. A document is fresh for
 * `cacheMaxAge` by the injected clock, and a `kid` it lacks refetches it at
 * most once per `cooldownDuration`. Concurrent lookups share one fetch; a
 * caller's signal stops only that caller's wait.
 */
import { createRemoteJWKSet, customFetch, type RemoteJWKSet } from "jose";
import { BodyTooLargeError, readBounded } from "../runtime/body.js";
import { integerOption, millisecondsOption } from "../runtime/options.js";
import { publicKeyOfCryptoKey } from "../runtime/crypto/node.js";
import { raceSignal } from "../runtime/signal.js";
import { quote, TokenError, VerifierUnavailableError } from "./errors.js";
import { encodeHeader, type VerificationKey } from "./jws.js";
import { checkKeyAlgorithm, importPublicKey, screenJwks, type KeyPairAlgorithm } from "./keys.js";

/**
 * Options of a {@link JwksVerifier} over a remote JWKS document. The timing
 * options and their defaults are those of jose's `createRemoteJWKSet`.
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

/** The defaults of {@link RemoteJwksOptions}, in milliseconds and bytes. */
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
  /** Names the document in messages: origin and path, never the query (it may hold a secret). */
  readonly #where: string;
  readonly #alg: KeyPairAlgorithm;
  readonly #cooldownDuration: number;
  readonly #cacheMaxAge: number;
  readonly #timeoutDuration: number;
  readonly #maxBodyBytes: number;
  readonly #now: () => number;
  /** jose's key set: the document, and the key a `kid` names in it. */
  readonly #set: RemoteJWKSet;
  /** The keys of the current document that tokens named, ready for the hot path. */
  #keys = new Map<string, VerificationKey>();
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | undefined;

  /**
   * @param url - an `https:` URL, or `http:` on a loopback host (or with `allowInsecureHttp`)
   * @param alg - the algorithm whose keys are used
   * @param options - timings, body cap, headers, clock
   */
  constructor(url: string | URL, alg: KeyPairAlgorithm, options: RemoteJwksOptions) {
    const checked = checkUrl(url, options.allowInsecureHttp);
    this.#where = `The JWKS at ${checked.origin}${checked.pathname}`;
    this.#alg = alg;
    this.#cooldownDuration = millisecondsOption("cooldownDuration", options.cooldownDuration, REMOTE_JWKS_DEFAULTS.cooldownDuration);
    this.#cacheMaxAge = millisecondsOption("cacheMaxAge", options.cacheMaxAge, REMOTE_JWKS_DEFAULTS.cacheMaxAge);
    this.#timeoutDuration = integerOption("timeoutDuration", options.timeoutDuration, REMOTE_JWKS_DEFAULTS.timeoutDuration, 0, MAX_TIMEOUT);
    this.#maxBodyBytes = integerOption("maxBodyBytes", options.maxBodyBytes, REMOTE_JWKS_DEFAULTS.maxBodyBytes, 1);
    if (options.now !== undefined && typeof options.now !== "function") {
      throw new TypeError('"now" must be a function returning epoch milliseconds');
    }
    this.#now = options.now ?? Date.now;
    this.#set = createRemoteJWKSet(checked, {
      // jose sends "accept: application/json, application/jwk-set+json" unless these headers set one.
      headers: options.headers,
      timeoutDuration: this.#timeoutDuration,
      // Freshness and cooldown follow roomgate's clock (`now`): jose fetches only when #reload asks.
      cacheMaxAge: Number.POSITIVE_INFINITY,
      cooldownDuration: Number.POSITIVE_INFINITY,
      [customFetch]: (href, init) => this.#fetch(href, init.headers, init.signal),
    });
  }

  /**
   * The key named `kid`: from the cached document while it is fresh, else
   * after a fetch; a `kid` the document lacks refetches it once the cooldown
   * is over. Rejects with `ERR_JWKS_NO_MATCHING_KEY` if the document has no
   * such key, with a {@link VerifierUnavailableError} if it cannot be had
   * (or its key of that `kid` cannot be used), and with `signal.reason` as
   * soon as `signal` aborts.
   *
   * @param kid - the `kid` of the token's header
   * @param signal - stops this caller's wait, not the shared fetch
   */
  async key(kid: string, signal: AbortSignal | undefined): Promise<VerificationKey> {
    signal?.throwIfAborted();
    if (!this.#isFresh(this.#cacheMaxAge)) await this.#reload(signal);
    let key = this.#keys.get(kid) ?? (await this.#select(kid));
    if (key === undefined && !this.#isFresh(this.#cooldownDuration)) {
      await this.#reload(signal);
      key = await this.#select(kid);
    }
    if (key === undefined) throw new TokenError("ERR_JWKS_NO_MATCHING_KEY", `No key matches the kid ${quote(kid)}`);
    return key;
  }

  #isFresh(duration: number): boolean {
    return this.#now() < this.#fetchedAt + duration;
  }

  /** Joins the fetch in flight or starts one; a failed fetch leaves the document as it was. */
  #reload(signal: AbortSignal | undefined): Promise<void> {
    let pending = this.#pending;
    if (pending === undefined) {
      pending = this.#set
        .reload()
        .then(
          () => {
            this.#fetchedAt = this.#now();
            this.#keys = new Map();
          },
          (err: unknown) => {
            throw err instanceof VerifierUnavailableError
              ? err
              : new VerifierUnavailableError(`${this.#where} is unusable: ${describe(err)}`, { cause: err });
          },
        )
        .finally(() => {
          this.#pending = undefined;
        });
      // Every waiter may have given up: the outcome must not become an unhandled rejection.
      pending.catch(() => {});
      this.#pending = pending;
    }
    return raceSignal(pending, signal);
  }

  /** The key jose's key set holds for `kid` in the current document, made ready for the hot path; `undefined` if none. */
  async #select(kid: string): Promise<VerificationKey | undefined> {
    const keys = this.#keys;
    let cryptoKey: Awaited<ReturnType<RemoteJWKSet>>;
    try {
      cryptoKey = await this.#set({ alg: this.#alg, kid });
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (code === "ERR_JWKS_NO_MATCHING_KEY") return undefined;
      const why = code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS" ? "it has several" : describe(err);
      throw new VerifierUnavailableError(`${this.#where} has no usable key for the kid ${quote(kid)}: ${why}`, { cause: err });
    }
    let key: VerificationKey["key"];
    try {
      // The one place every key passes through: the small-order check, and the algorithm.
      key = importPublicKey(await publicKeyOfCryptoKey(cryptoKey), `the key ${quote(kid)}`);
      checkKeyAlgorithm(key, this.#alg, key, `the key ${quote(kid)}`);
    } catch (err) {
      throw new VerifierUnavailableError(`${this.#where} has no usable key for the kid ${quote(kid)}: ${describe(err)}`, { cause: err });
    }
    const verificationKey: VerificationKey = { alg: this.#alg, kid, headerSegment: encodeHeader(this.#alg, kid), key };
    keys.set(kid, verificationKey);
    return verificationKey;
  }

  /**
   * jose's fetch: the document at `href` within jose's timeout `signal`,
   * checked and screened, handed back as a new `Response`. Anything refused
   * rejects with a {@link VerifierUnavailableError}, which jose passes on.
   */
  async #fetch(href: string, headers: Headers, signal: AbortSignal): Promise<Response> {
    // Aborted by jose's timeout, or by a refusal here: closes the connection instead of draining it.
    const controller = new AbortController();
    const onTimeout = (): void => controller.abort(signal.reason);
    signal.addEventListener("abort", onTimeout, { once: true });
    try {
      const body = await this.#fetchBody(href, headers, controller.signal, signal);
      let document: unknown;
      try {
        document = JSON.parse(body);
      } catch (err) {
        throw new VerifierUnavailableError(`${this.#where} is not JSON`, { cause: err });
      }
      let keys: ReturnType<typeof screenJwks>;
      try {
        keys = screenJwks(document, this.#alg);
      } catch (err) {
        throw new VerifierUnavailableError(`${this.#where} is unusable: ${describe(err)}`, { cause: err });
      }
      return new Response(JSON.stringify({ keys }), { status: 200, headers: { "content-type": "application/json" } });
    } catch (err) {
      controller.abort();
      throw err;
    } finally {
      signal.removeEventListener("abort", onTimeout);
    }
  }

  async #fetchBody(href: string, headers: Headers, signal: AbortSignal, timeout: AbortSignal): Promise<string> {
    const failed = (what: string, err: unknown): VerifierUnavailableError =>
      timeout.aborted
        ? new VerifierUnavailableError(`${this.#where} did not answer within ${this.#timeoutDuration} ms`, { cause: err })
        : new VerifierUnavailableError(`${this.#where} ${what}: ${describe(err)}`, { cause: err });

    let response: Response;
    try {
      // Redirects are not followed: a JWKS URL is configured, never discovered.
      response = await fetch(href, { method: "GET", redirect: "manual", headers, signal });
    } catch (err) {
      throw failed("could not be fetched", err);
    }
    // A redirect is a 3xx here (or 0, opaque, in a browser): refused like any other status.
    if (response.status !== 200) {
      throw new VerifierUnavailableError(`${this.#where} answered HTTP ${response.status}, not 200`);
    }
    const declared = Number(response.headers.get("content-length") ?? 0);
    if (declared > this.#maxBodyBytes) {
      throw new VerifierUnavailableError(`${this.#where} declares a body of ${declared} bytes, over the limit of ${this.#maxBodyBytes}`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readBounded(response.body, this.#maxBodyBytes, signal);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        throw new VerifierUnavailableError(`${this.#where} is over the limit of ${this.#maxBodyBytes} bytes`, { cause: err });
      }
      throw failed("could not be read", err);
    }
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
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

/** The message of `err` (or of its cause: `fetch` says only "fetch failed"), cut short. */
function describe(err: unknown): string {
  const cause = err instanceof Error && err.message === "fetch failed" && err.cause !== undefined ? err.cause : err;
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.length <= CAUSE_LIMIT ? text : `${text.slice(0, CAUSE_LIMIT)}…`;
}
