/**
 * `Session`: the access-token builder of `prepareSession`, with the rules and
 * messages of `@liveblocks/node`'s.
 */
import { isValidRoomPattern } from "../permissions/patterns.js";
import { Permission, isPermission } from "../permissions/scopes.js";
import type { AuthResponse } from "./auth.js";
import type { Limits } from "./limits.js";

const READ_ACCESS = Object.freeze([Permission.Read] as const);
const FULL_ACCESS = Object.freeze([Permission.Write] as const);

/** @internal What a session hands to `Liveblocks` to sign. */
export type AccessTokenRequest = {
  userId: string;
  perms: Record<string, string[]>;
  userInfo: unknown;
  organizationId: string | undefined;
};

/**
 * Collects room permissions for one access token. Create one per request with
 * `liveblocks.prepareSession(userId)`; `authorize()` seals it.
 *
 * @example
 * ```ts
 * const session = liveblocks.prepareSession("alice", { userInfo: { name: "Alice" } });
 * session.allow("org:team:*", session.READ_ACCESS);
 * const { status, body } = await session.authorize();
 * ```
 */
export class Session {
  /** @deprecated Use `["*:write"]` instead. */
  readonly FULL_ACCESS: readonly ["*:write"] = FULL_ACCESS;
  /** @deprecated Use `["*:read"]` instead. */
  readonly READ_ACCESS: readonly ["*:read"] = READ_ACCESS;

  readonly #issue: (request: AccessTokenRequest) => AuthResponse | Promise<AuthResponse>;
  readonly #userId: string;
  readonly #userInfo: unknown;
  readonly #organizationId: string | undefined;
  readonly #limits: Pick<Limits, "tokenPatterns" | "roomIdLength">;
  readonly #permissions = new Map<string, Set<string>>();
  #sealed = false;

  /** @internal Use `liveblocks.prepareSession()`. */
  constructor(
    issue: (request: AccessTokenRequest) => AuthResponse | Promise<AuthResponse>,
    userId: string,
    userInfo: unknown,
    organizationId: string | undefined,
    limits: Pick<Limits, "tokenPatterns" | "roomIdLength">,
  ) {
    this.#issue = issue;
    this.#userId = userId;
    this.#userInfo = userInfo;
    this.#organizationId = organizationId;
    this.#limits = limits;
  }

  /**
   * Grants `permissions` on a room id or pattern (`"org:*"`, `"*"`). Calling it
   * again for the same pattern adds scopes.
   *
   * @param roomIdOrPattern A room id, or a prefix followed by `*`.
   * @param permissions Scopes such as `session.FULL_ACCESS` or `["*:read", "comments:write"]`.
   * @example
   * ```ts
   * session.allow("my-room", session.FULL_ACCESS).allow("org:*", ["*:read"]);
   * ```
   */
  allow(roomIdOrPattern: string, permissions: readonly string[]): this {
    if (typeof roomIdOrPattern !== "string") throw new Error("Room name or pattern must be a string");
    if (!isValidRoomPattern(roomIdOrPattern, this.#limits.roomIdLength)) throw new Error("Invalid room name or pattern");
    if (!Array.isArray(permissions)) throw new Error("Permission list must be an array");
    if (permissions.length === 0) throw new Error("Permission list cannot be empty");
    for (const permission of permissions) {
      if (!isPermission(permission)) throw new Error(`Not a valid permission: ${String(permission)}`);
    }
    if (this.#sealed) throw new Error("You can no longer change these permissions.");
    let scopes = this.#permissions.get(roomIdOrPattern);
    if (scopes === undefined) {
      if (this.#permissions.size >= this.#limits.tokenPatterns) {
        throw new Error(`You cannot add permissions for more than ${this.#limits.tokenPatterns} rooms in a single token`);
      }
      scopes = new Set();
      this.#permissions.set(roomIdOrPattern, scopes);
    }
    for (const permission of permissions) scopes.add(permission);
    return this;
  }

  /**
   * Signs the access token. A session can be authorized once.
   *
   * @returns `{ status: 200, body: '{"token":"…"}' }`, or the failing status and a message.
   * @example
   * ```ts
   * const { status, body } = await session.authorize();
   * return new Response(body, { status });
   * ```
   */
  async authorize(): Promise<AuthResponse> {
    if (this.#sealed) {
      throw new Error("You cannot reuse Session instances. Please create a new session every time.");
    }
    this.#sealed = true;
    const perms: Record<string, string[]> = Object.create(null);
    for (const [pattern, scopes] of this.#permissions) perms[pattern] = [...scopes];
    return this.#issue({
      userId: this.#userId,
      perms,
      userInfo: this.#userInfo,
      organizationId: this.#organizationId,
    });
  }
}
