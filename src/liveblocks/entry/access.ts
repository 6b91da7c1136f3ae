/**
 * The room-entry decision of `checkRoomAccess`: verify the token, read what
 * the store knows, resolve, and fail closed, on time, on anything else. The
 * checks on what the verifier and the store hand back are plain `typeof`
 * checks: this is the hot path of every connection.
 */
import { knownEncoding } from "../../permissions/encoded.js";
import { resolveTokenAccess } from "../../permissions/patterns.js";
import type { AccessDecision } from "../../permissions/decision.js";
import { resolveAccess } from "../../permissions/resolve.js";
import type { RoomAccessRules } from "../../permissions/rules.js";
import { DEFAULT_ORGANIZATION, type RoomEntryRules, type StoreReadOptions } from "../../rooms/types.js";
import { TokenError } from "../../tokens/errors.js";
import type { TokenClaims } from "../../tokens/types.js";
import type { Config } from "../options.js";
import type { RequestOptions, RoomAccessResult } from "../types.js";
import { Deadline, STOPPED, tickerOf } from "./deadline.js";
import { deny, outcomes } from "./denial.js";
import { checkInput } from "../schemas.js";
import { isObject } from "../../runtime/json.js";
import { enteringGroups } from "./groups.js";
import { verifyWith } from "./verify.js";
import { revokedUpTo } from "./revocations.js";
import { localVerificationOf } from "../../tokens/signers.js";
import { accessRulesAtOnce, type MemoryStore, readsEntryAtOnce, revocationAtOnce } from "../../stores/memory/store.js";
import { isRoomIdFast } from "../identity-fast-path.js";

/** How long `checkRoomAccess` waits for the verifier and the store together, by default, in milliseconds. */
export const DEFAULT_ACCESS_TIMEOUT_MS = 5000;

/**
 * A decision, with the claims of the token when it verified and the groups
 * an ID token entered with (a watch keeps both to re-decide).
 */
export type EntryDecision = { access: RoomAccessResult; claims?: TokenClaims; groups?: readonly string[] };

/** Options of `checkRoomAccess`. @internal */
export type AccessCheckOptions = RequestOptions & { timeoutMs?: number };

const STORE_FAILED = "The room store could not be read; access denied.";
const STORE_MALFORMED = "The room store returned malformed data; access denied.";
const CLAIMS_MALFORMED = "The token verifier returned malformed claims; access denied.";
const VERIFIER_FAILED = "The token verifier is unavailable; access denied.";

/**
 * The decision for `token` entering `roomId`; never throws or rejects, and
 * settles once `options.signal` aborts or `options.timeoutMs` pass, whatever
 * the verifier and the store do. With roomgate's own verifier over Node's
 * crypto and a `MemoryStore` it is made in the calling turn (not a promise).
 * @internal
 */
export function decideRoomAccess(
  config: Config,
  token: string,
  roomId: string,
  options?: AccessCheckOptions,
): EntryDecision | Promise<EntryDecision> {
  let started: Promise<TokenClaims> | undefined;
  try {
    // roomgate's own verifier and MemoryStore answer in the calling turn: no deadline can pass before the decision is made.
    const store = readsEntryAtOnce(config.store);
    const timeoutMs = options?.timeoutMs ?? DEFAULT_ACCESS_TIMEOUT_MS;
    if (store !== undefined && config.groupsFrom !== "store" && timeoutMs > 0 && options?.signal?.aborted !== true) {
      const verifyLocally = localVerificationOf(config.verifier);
      if (verifyLocally !== undefined) {
        let claims: TokenClaims | Promise<TokenClaims>;
        try {
          claims = verifyLocally(token, { now: config.now(), clockTolerance: config.clockTolerance, projectId: config.projectId });
        } catch (error) {
          return { access: verifierDenial(error) };
        }
        // WebCrypto verifies in a promise: the rest waits for it under the deadline.
        if (!(claims instanceof Promise)) return decideAtOnce(config, store, claims, roomId);
        started = claims;
      }
    }
  } catch {
    return { access: deny("store-unavailable", STORE_FAILED) };
  }
  return decideInTime(config, token, roomId, options, started);
}

/** {@link decideRoomAccess} under its deadline, for verifiers and stores that answer later. */
async function decideInTime(
  config: Config,
  token: string,
  roomId: string,
  options: AccessCheckOptions | undefined,
  started: Promise<TokenClaims> | undefined,
): Promise<EntryDecision> {
  const deadline = new Deadline(tickerOf(config), options?.signal, options?.timeoutMs ?? DEFAULT_ACCESS_TIMEOUT_MS);
  try {
    return await decide(config, token, roomId, deadline, started);
  } catch {
    // Every step guards itself; this only keeps "never rejects" true for bugs.
    return { access: deny("store-unavailable", STORE_FAILED) };
  } finally {
    deadline.clear();
  }
}

/**
 * The decision once roomgate's own verifier accepted the token, over a store
 * read in the same turn. Its claims passed the claim schema: `isClaims`,
 * the guard for other verifiers' answers, has nothing to add.
 */
function decideAtOnce(config: Config, store: MemoryStore, claims: TokenClaims, roomId: string): EntryDecision {
  const id = checkRoomId(config, roomId);
  if (typeof id !== "string") return { access: deny("room-not-found", id.message), claims };
  const groupIds: readonly string[] = claims.k === "id" ? (claims.gids ?? []) : [];
  return decideOver(config, claims, roomId, groupIds, revocationAtOnce(store, claims.uid), accessRulesAtOnce(store, roomId));
}

async function decide(
  config: Config,
  token: string,
  roomId: string,
  deadline: Deadline,
  started: Promise<TokenClaims> | undefined,
): Promise<EntryDecision> {
  let claims: TokenClaims | typeof STOPPED;
  try {
    claims = await deadline.race(() => started ?? Promise.resolve(verifyWith(config, token, { signal: deadline.signal })));
  } catch (error) {
    // A verifier that honours the signal rejects when it aborts: that is the deadline, not the token.
    if (deadline.ended) return { access: deadline.denial("verifier-unavailable", "verifying the token") };
    return { access: verifierDenial(error) };
  }
  if (claims === STOPPED) return { access: deadline.denial("verifier-unavailable", "verifying the token") };
  if (!isClaims(claims)) return { access: deny("invalid-token", CLAIMS_MALFORMED) };

  const id = checkRoomId(config, roomId);
  if (typeof id !== "string") return { access: deny("room-not-found", id.message), claims };

  const read: StoreReadOptions = deadline.signal === undefined ? {} : { signal: deadline.signal };
  const verified = claims;
  let groupIds: readonly string[] = claims.k === "id" ? (claims.gids ?? []) : [];
  const uid = claims.uid;
  let stored: [unknown, unknown] | typeof STOPPED;
  try {
    // Access tokens read the room too: its organization decides before their own permissions do.
    const readBoth = () => Promise.all([config.store.getRevocation(uid, read), accessRules(config, roomId, uid, groupIds, read)]);
    stored = await deadline.race(
      verified.k === "id" && config.groupsFrom === "store"
        ? // groupsFrom "store": the memberships as stored now, not as when the token was issued.
          async () => ((groupIds = await enteringGroups(config, verified, read)), readBoth())
        : readBoth,
    );
  } catch {
    if (deadline.ended) return { access: deadline.denial("store-unavailable", "reading the room store"), claims };
    return { access: deny("store-unavailable", STORE_FAILED), claims };
  }
  if (stored === STOPPED) return { access: deadline.denial("store-unavailable", "reading the room store"), claims };
  return decideOver(config, claims, roomId, groupIds, stored[0], stored[1]);
}

/** `roomId` if it is a valid room id, else the error naming the rule it breaks. */
function checkRoomId(config: Config, roomId: string): string | { message: string } {
  if (isRoomIdFast(roomId, config.limits)) return roomId;
  const id = checkInput(config.schemas.roomId, roomId, "roomId");
  return id.ok ? roomId : id.error;
}

/** The decision over what the store holds for the user and the room; `revokedBefore` and `rules` are checked here. */
function decideOver(
  config: Config,
  claims: TokenClaims,
  roomId: string,
  groupIds: readonly string[],
  revokedBefore: unknown,
  rules: unknown,
): EntryDecision {
  const uid = claims.uid;
  if (revokedBefore !== null) {
    if (typeof revokedBefore !== "number" || !Number.isFinite(revokedBefore)) {
      return { access: deny("store-unavailable", STORE_MALFORMED), claims };
    }
    const upTo = revokedUpTo(config, revokedBefore);
    if (outcomes.isRevoked(claims.iat, upTo)) return { access: outcomes.revoked(uid, upTo), claims };
  }

  if (rules !== null) {
    const organization = organizationOf(rules);
    if (organization === undefined) return { access: deny("store-unavailable", STORE_MALFORMED), claims };
    const tokenOrganization = claims.oid ?? DEFAULT_ORGANIZATION;
    if (organization !== tokenOrganization) return { access: outcomes.organizationMismatch(tokenOrganization, roomId), claims };
  }
  let decision: AccessDecision;
  if (claims.k === "id") {
    if (rules === null) return { access: outcomes.roomNotFound(roomId), claims };
    if (!isAccessRules(rules, uid, groupIds)) return { access: deny("store-unavailable", STORE_MALFORMED), claims };
    decision = resolveAccess(rules, { userId: uid, groupIds });
  } else {
    // A room an access token may enter but nobody created yet is created in the token's organization.
    decision = resolveTokenAccess(claims.perms, roomId);
  }
  if (!decision.canEnter) return { access: outcomes.noAccess(uid, roomId), claims, groups: groupIds };
  return { access: outcomes.allowed(claims, [...groupIds], decision), claims, groups: groupIds };
}

/** The room's permissions for one user, through the store's fast path where it has one. */
function accessRules(
  config: Config,
  roomId: string,
  userId: string,
  groupIds: readonly string[],
  options: StoreReadOptions,
): Promise<RoomEntryRules | null> {
  const store = config.store;
  if (store.getAccessRules !== undefined) return store.getAccessRules(roomId, { userId, groupIds }, options);
  return store.get(roomId, options);
}

/* --- What the verifier and the store hand back ------------------------------ */

/** Codes of an unreachable verifier: roomgate's remote JWKS, and jose's own timeout. */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set(["ERR_VERIFIER_UNAVAILABLE", "ERR_JWKS_TIMEOUT", "ERR_JWKS_INVALID"]);

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
    error instanceof TokenError || (typeof code === "string" && !UNAVAILABLE_CODES.has(code) && /^ERR_(JWT|JWS|JWKS|JOSE)_/.test(code));
  if (!aboutToken) return deny("verifier-unavailable", VERIFIER_FAILED);
  const text = typeof message === "string" && message !== "" ? message : "The token is invalid.";
  return deny(code === "ERR_JWT_EXPIRED" ? "expired" : "invalid-token", text);
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
  const oid = value.oid;
  if (oid !== undefined && (typeof oid !== "string" || oid === "")) return false;
  if (k === "id") return value.gids === undefined || isStringArray(value.gids);
  const perms = value.perms;
  if (!isObject(perms)) return false;
  for (const pattern of Object.keys(perms)) if (!isStringArray(perms[pattern])) return false;
  return true;
}

/** The room's organization as the store gave it (absent: the default one), or `undefined` when malformed. */
function organizationOf(rules: unknown): string | undefined {
  if (!isObject(rules)) return undefined;
  const organization = rules.organizationId;
  if (organization === undefined) return DEFAULT_ORGANIZATION;
  return typeof organization === "string" ? organization : undefined;
}

/**
 * Rules the decision can rely on: the lists `resolveAccess` will read for
 * this user are arrays. Only those are looked at, so the check costs what
 * the decision costs; a frozen record already encoded had every list checked then.
 */
function isAccessRules(value: unknown, userId: string, groupIds: readonly string[]): value is RoomAccessRules {
  if (!isObject(value)) return false;
  if (knownEncoding(value) !== undefined) return true;
  if (!Array.isArray(value.defaultAccesses)) return false;
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
