/**
 * The claims of roomgate's tokens, as Liveblocks' payloads have them: the
 * schema (ID token `k: "id"`, access token `k: "acc"`), the time checks with
 * a clock tolerance, and the caller's expectations (project, kind).
 */
import { z } from "zod";
import { quote, TokenError } from "./errors.js";
import type { JsonObject, TokenClaims, VerifyOptions } from "./types.js";
import { isObject } from "../runtime/json.js";

/** Clock skew allowed by default for `exp`, `nbf` and `iat`, in seconds. */
export const DEFAULT_CLOCK_TOLERANCE = 60;

/**
 * The claims of a payload whose signature verified: JSON, an object, the
 * claim schema, the times, and the expectations of `options`.
 *
 * @example
 * ```ts
 * const claims = claimsOf(payloadJsonText, { kind: "acc", projectId: "pr_1" });
 * ```
 */
export function claimsOf(payloadText: string, options: VerifyOptions | undefined): TokenClaims {
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch {
    throw new TokenError("ERR_JWT_MALFORMED", "The JWT payload is not JSON");
  }
  if (!isObject(payload)) {
    throw new TokenError("ERR_JWT_MALFORMED", "The JWT payload must be a JSON object");
  }
  const claims = parseClaims(payload);
  checkTimes(claims, options);
  checkExpectations(claims, options);
  return claims;
}

const finiteNumber = z.number();

/**
 * `perms` as a null-prototype map: zod's `z.record` would silently drop a
 * `__proto__` room id, and a plain object would inherit keys it never had.
 */
const permissionMap = z.unknown().transform((value, ctx) => {
  const map = toPermissionMap(value);
  if (map === undefined) {
    ctx.addIssue({ code: "custom", message: "expected an object mapping room ids or patterns to arrays of scopes" });
    return z.NEVER;
  }
  return map;
});

/** `ui` is arbitrary JSON from `JSON.parse`: only its being an object is in question. */
const userInfo = z.custom<JsonObject>((value) => isObject(value), "expected a JSON object");

const idTokenClaims = z.object({
  k: z.literal("id"),
  pid: z.string(),
  uid: z.string().min(1),
  ui: userInfo.optional(),
  gids: z.array(z.string()).optional(),
  oid: z.string().min(1).optional(),
  iat: finiteNumber,
  exp: finiteNumber,
  jti: z.string().min(1),
  nbf: finiteNumber.optional(),
});

const accessTokenClaims = z.object({
  k: z.literal("acc"),
  pid: z.string(),
  uid: z.string().min(1),
  perms: permissionMap,
  ui: userInfo.optional(),
  oid: z.string().min(1).optional(),
  iat: finiteNumber,
  exp: finiteNumber,
  jti: z.string().min(1),
  nbf: finiteNumber.optional(),
});

/** Built once; `safeParse` is the only per-token cost where {@link claimsFast} does not decide. @internal */
export const tokenClaims = z.discriminatedUnion("k", [idTokenClaims, accessTokenClaims]);

function parseClaims(payload: Record<string, unknown>): TokenClaims {
  const fast = claimsFast(payload);
  if (fast !== undefined) {
    // @liveblocks/client caches a token for `exp - iat` seconds: it must be positive.
    if (!(fast.exp > fast.iat)) throw new TokenError("ERR_JWT_CLAIM_INVALID", 'Invalid "exp" claim: it must be after "iat"');
    return fast;
  }
  const result = tokenClaims.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? "");
    let message: string;
    if (name === "k") message = 'Invalid "k" claim: expected "id" or "acc"';
    else if (!Object.hasOwn(payload, name)) message = `Missing "${name}" claim`;
    else message = `Invalid "${name}" claim: ${(issue?.message ?? "").replace(/^Invalid input: /, "")}`;
    throw new TokenError("ERR_JWT_CLAIM_INVALID", message);
  }
  const claims = result.data;
  // @liveblocks/client caches a token for `exp - iat` seconds: it must be positive.
  if (!(claims.exp > claims.iat)) {
    throw new TokenError("ERR_JWT_CLAIM_INVALID", 'Invalid "exp" claim: it must be after "iat"');
  }
  return claims;
}

/**
 * The claim schema checked by hand, for the payloads nearly every token
 * has: the same object `tokenClaims` would output (its keys in the schema's
 * order, unknown keys dropped, `perms` as a null-prototype map), or
 * `undefined` to let the schema decide and word the error. It accepts only
 * what the schema accepts (a property test holds them together).
 * @internal
 */
export function claimsFast(payload: Record<string, unknown>): TokenClaims | undefined {
  const { k, pid, uid, ui, oid, iat, exp, jti, nbf } = payload;
  if (k !== "id" && k !== "acc") return undefined;
  if (typeof pid !== "string" || typeof uid !== "string" || uid.length === 0 || typeof jti !== "string" || jti.length === 0) {
    return undefined;
  }
  // JSON.parse reads 1e999 as Infinity; the schema's numbers are finite.
  if (typeof iat !== "number" || !Number.isFinite(iat) || typeof exp !== "number" || !Number.isFinite(exp)) return undefined;
  if (nbf !== undefined && (typeof nbf !== "number" || !Number.isFinite(nbf))) return undefined;
  if (ui !== undefined && !isObject(ui)) return undefined;
  if (oid !== undefined && (typeof oid !== "string" || oid.length === 0)) return undefined;
  let claims: Record<string, unknown>;
  if (k === "id") {
    const gids = payload["gids"];
    if (gids !== undefined && !isStringArray(gids)) return undefined;
    claims = { k, pid, uid };
    if (ui !== undefined) claims["ui"] = ui;
    if (gids !== undefined) claims["gids"] = gids;
  } else {
    const perms = toPermissionMap(payload["perms"]);
    if (perms === undefined) return undefined;
    claims = { k, pid, uid, perms };
    if (ui !== undefined) claims["ui"] = ui;
  }
  if (oid !== undefined) claims["oid"] = oid;
  claims["iat"] = iat;
  claims["exp"] = exp;
  claims["jti"] = jti;
  if (nbf !== undefined) claims["nbf"] = nbf;
  return claims as TokenClaims;
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "string") return false;
  return true;
}

function checkTimes(claims: TokenClaims & { nbf?: number }, options: VerifyOptions | undefined): void {
  const nowMs = options?.now ?? Date.now();
  const tolerance = options?.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE;
  if (!Number.isFinite(nowMs)) throw new TypeError('"now" must be a finite number of milliseconds');
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError('"clockTolerance" must be a finite, non-negative number of seconds');
  }
  const now = Math.floor(nowMs / 1000);
  if (claims.exp <= now - tolerance) {
    throw new TokenError("ERR_JWT_EXPIRED", `The token expired: "exp" is ${claims.exp}, now is ${now} (clock tolerance ${tolerance} s)`);
  }
  if (claims.nbf !== undefined && claims.nbf > now + tolerance) {
    throw new TokenError(
      "ERR_JWT_NOT_YET_VALID",
      `The token is not valid yet: "nbf" is ${claims.nbf}, now is ${now} (clock tolerance ${tolerance} s)`,
    );
  }
  if (claims.iat > now + tolerance) {
    throw new TokenError(
      "ERR_JWT_ISSUED_IN_FUTURE",
      `The token is issued in the future: "iat" is ${claims.iat}, now is ${now} (clock tolerance ${tolerance} s)`,
    );
  }
}

const KIND_NAMES = { id: 'an ID token ("k": "id")', acc: 'an access token ("k": "acc")' } as const;

function checkExpectations(claims: TokenClaims, options: VerifyOptions | undefined): void {
  const projectId = options?.projectId;
  if (projectId !== undefined && claims.pid !== projectId) {
    throw new TokenError(
      "ERR_JWT_CLAIM_INVALID",
      `Unexpected "pid" claim: the token is for project ${quote(claims.pid)}, expected ${quote(projectId)}`,
    );
  }
  const kind = options?.kind;
  if (kind !== undefined && claims.k !== kind) {
    throw new TokenError("ERR_JWT_CLAIM_INVALID", `Unexpected "k" claim: expected ${KIND_NAMES[kind]}, got ${KIND_NAMES[claims.k]}`);
  }
}

function toPermissionMap(value: unknown): Record<string, string[]> | undefined {
  if (!isObject(value)) return undefined;
  const map: Record<string, string[]> = Object.create(null);
  for (const pattern of Object.keys(value)) {
    const scopes = value[pattern];
    if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === "string")) return undefined;
    map[pattern] = scopes;
  }
  return map;
}
