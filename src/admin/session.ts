/**
 * The console's sessions: a signed cookie (HMAC-SHA256 under a key made
 * when the console starts, so a cookie never lets anyone guess the admin
 * password offline, and every session ends when the server restarts), the
 * CSRF token derived from it, the constant-time password check and a
 * bound on failed logins.
 */
import { createHash, createHmac, randomBytes as nodeRandomBytes, timingSafeEqual } from "node:crypto";

/** The name of the session cookie. */
export const SESSION_COOKIE = "roomgate_admin";
/** How long a login form stays usable (its pre-session cookie's life). */
const LOGIN_FORM_TTL_MS = 60 * 60 * 1000;
/** Failed logins accepted per window before the console answers 429. */
export const MAX_FAILED_LOGINS = 10;
const FAILED_LOGIN_WINDOW_MS = 60 * 1000;
/** Logged-out sessions remembered until they expire (at most this many). */
const MAX_REVOKED = 10_000;

/** A decoded, verified cookie: a signed-in admin (`name` set) or a login form's pre-session. */
export type AdminSession = { readonly id: string; readonly name?: string; readonly expiresAt: number };

/** What {@link SessionKeeper} needs from the outside world. */
export type SessionKeeperOptions = {
  password: string;
  ttlMs: number;
  now: () => number;
  randomBytes: (length: number) => Uint8Array;
};

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** Issues, verifies and revokes console sessions; checks passwords. */
export class SessionKeeper {
  readonly #key: Uint8Array;
  readonly #passwordHash: Buffer;
  readonly #options: SessionKeeperOptions;
  readonly #revoked = new Map<string, number>();
  #failures: number[] = [];

  constructor(options: SessionKeeperOptions) {
    this.#options = options;
    this.#key = options.randomBytes(32);
    this.#passwordHash = sha256(options.password);
  }

  /** Whether `candidate` is the admin password; the time taken does not depend on where they differ. */
  passwordMatches(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.#passwordHash);
  }

  /** Whether {@link MAX_FAILED_LOGINS} logins failed within the last minute (then the next is refused unchecked). */
  tooManyFailures(): boolean {
    const now = this.#options.now();
    this.#failures = this.#failures.filter((at) => now - at < FAILED_LOGIN_WINDOW_MS);
    return this.#failures.length >= MAX_FAILED_LOGINS;
  }

  /** Counts one failed login. */
  recordFailure(): void {
    this.#failures.push(this.#options.now());
  }

  /** A pre-session for a login form (`name` absent) or a signed-in session. */
  issue(name?: string): { session: AdminSession; cookie: string } {
    const ttl = name === undefined ? LOGIN_FORM_TTL_MS : this.#options.ttlMs;
    const session: AdminSession = {
      id: b64(this.#options.randomBytes(18)),
      ...(name !== undefined && { name }),
      expiresAt: this.#options.now() + ttl,
    };
    const payload = b64(Buffer.from(JSON.stringify({ s: session.id, n: session.name, e: session.expiresAt })));
    return { session, cookie: `${payload}.${this.#mac(`cookie:${payload}`)}` };
  }

  /** The session a cookie value carries, or `undefined` if it is forged, expired, malformed or logged out. */
  verify(cookie: string | undefined): AdminSession | undefined {
    if (cookie === undefined || cookie.length > 1024) return undefined;
    const dot = cookie.indexOf(".");
    if (dot <= 0) return undefined;
    const payload = cookie.slice(0, dot);
    if (!this.#equal(cookie.slice(dot + 1), this.#mac(`cookie:${payload}`))) return undefined;
    let fields: { s?: unknown; n?: unknown; e?: unknown };
    try {
      fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof fields;
    } catch {
      return undefined;
    }
    if (typeof fields.s !== "string" || typeof fields.e !== "number") return undefined;
    if (fields.n !== undefined && typeof fields.n !== "string") return undefined;
    if (fields.e <= this.#options.now() || this.#revoked.has(fields.s)) return undefined;
    return { id: fields.s, expiresAt: fields.e, ...(fields.n !== undefined && { name: fields.n }) };
  }

  /** Ends a session before its expiry (logout): its cookie stops verifying on this server. */
  revoke(session: AdminSession): void {
    const now = this.#options.now();
    for (const [id, expiresAt] of this.#revoked) if (expiresAt <= now) this.#revoked.delete(id);
    // Bounded: past the cap the oldest entries go (their cookies were cleared by the browser anyway).
    while (this.#revoked.size >= MAX_REVOKED) this.#revoked.delete(this.#revoked.keys().next().value!);
    this.#revoked.set(session.id, session.expiresAt);
  }

  /** The CSRF token of a session: every form of it carries this, every POST is checked against it. */
  csrfToken(session: AdminSession): string {
    return this.#mac(`csrf:${session.id}`);
  }

  /** Whether `token` is the session's CSRF token (constant time). */
  csrfMatches(session: AdminSession, token: string | null): boolean {
    return token !== null && this.#equal(token, this.csrfToken(session));
  }

  #mac(text: string): string {
    return createHmac("sha256", this.#key).update(text, "utf8").digest("base64url");
  }

  #equal(a: string, b: string): boolean {
    const left = Buffer.from(a, "utf8");
    const right = Buffer.from(b, "utf8");
    return left.length === right.length && timingSafeEqual(left, right);
  }
}

/** The default source of randomness. */
export function secureRandomBytes(length: number): Uint8Array {
  return new Uint8Array(nodeRandomBytes(length));
}
