/**
 * Token claims and the signer contract. Claims follow Liveblocks' token
 * payloads (key order included) so `@liveblocks/client` can parse them.
 */

/** A JSON value (user info is arbitrary JSON); the same type as `Json` in `@liveblocks/core`. */
export type Json = string | number | boolean | null | Json[] | JsonObject;
/** A JSON object; `undefined` members are left out when serialised, as in `@liveblocks/core`. */
export type JsonObject = { [key: string]: Json | undefined };

/** Claims of an ID token (`identifyUser`), in serialisation order. */
export type IdTokenClaims = {
  k: "id";
  pid: string;
  uid: string;
  ui?: JsonObject;
  gids?: string[];
  /** The organization the token is for (roomgate), absent for `"default"`: it enters rooms of that organization only. */
  oid?: string;
  iat: number;
  exp: number;
  jti: string;
};

/**
 * Claims of an access token (`prepareSession().authorize()`), in
 * serialisation order. `perms` maps a room id or pattern to its scopes.
 */
export type AccessTokenClaims = {
  k: "acc";
  pid: string;
  uid: string;
  perms: Record<string, string[]>;
  ui?: JsonObject;
  /** The organization the token is for (roomgate), absent for `"default"`. */
  oid?: string;
  iat: number;
  exp: number;
  jti: string;
};

/** The claims of either kind of token. */
export type TokenClaims = IdTokenClaims | AccessTokenClaims;

/** What a verifier checks beyond the signature. */
export type VerifyOptions = {
  /** The current time in epoch milliseconds (defaults to `Date.now()`). */
  now?: number;
  /** Allowed clock skew in seconds for `exp`, `nbf` and `iat` (default 60). */
  clockTolerance?: number;
  /** Required `pid`. */
  projectId?: string;
  /** Required token kind. */
  kind?: "id" | "acc";
  /** Stops waiting for a remote key set: the verify rejects with the signal's reason. */
  signal?: AbortSignal;
};

/**
 * Verifies roomgate tokens. Implementations pin the algorithm and key, check
 * the time claims and the claim shapes, and reject everything else with a
 * {@link TokenError}.
 */
export interface TokenVerifier {
  /** The JWS algorithm this verifier accepts. */
  readonly alg: "HS256" | "ES256" | "EdDSA";
  verify(token: string, options?: VerifyOptions): Promise<TokenClaims>;
}

/** Signs and verifies roomgate tokens. */
export interface TokenSigner extends TokenVerifier {
  /** The `kid` placed in the header of signed tokens, if any. */
  readonly kid: string | undefined;
  /** Serialises `claims` in their own key order and signs them. */
  sign(claims: TokenClaims): Promise<string>;
}
