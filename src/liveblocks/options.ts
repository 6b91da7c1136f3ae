/**
 * `new Liveblocks(options)`: every option checked once, defaults filled in,
 * and what the methods need built ahead (schemas, limit checks).
 */
import { integerOption, invalidOption } from "../runtime/options.js";
import { RestStore, toBaseUrl } from "../stores/rest/store.js";
import type { RoomStore } from "../rooms/types.js";
import { HmacSigner } from "../tokens/hmac.js";
import { randomTokenId } from "../tokens/ids.js";
import { DEFAULT_CLOCK_TOLERANCE } from "../tokens/claims.js";
import { deriveProjectId } from "../tokens/project-id.js";
import type { TokenSigner, TokenVerifier } from "../tokens/types.js";
import { DEFAULT_LIMITS, type Limits } from "./limits.js";
import { assertSecretKey, createSecretCheck } from "./secret.js";
import { sharedDefaultStore } from "./default-store.js";
import type { LiveblocksOptions } from "./types.js";
import { type Schemas, assertRoomLimits, createSchemas } from "./schemas.js";
import type { RoomData } from "../rooms/types.js";
import { type LiveblocksObserver, observeStore } from "./observer.js";

/** Default token lifetime in seconds, as Liveblocks issues them. */
const DEFAULT_TOKEN_TTL = 3600;

/** @internal What a `Liveblocks` instance runs on, resolved from its options. */
export type Config = {
  readonly store: RoomStore;
  readonly signer: TokenSigner;
  readonly verifier: TokenVerifier;
  readonly projectId: string;
  readonly ttl: number;
  readonly clockTolerance: number;
  readonly limits: Limits;
  readonly schemas: Schemas;
  readonly assertLimits: (room: RoomData) => void;
  readonly now: () => number;
  readonly groupsFrom: "token" | "store";
  /** Under `groupsFrom: "store"`, how often watches read memberships again (changes made elsewhere). */
  readonly groupsRecheckMs: number;
  readonly tokenId: () => string;
  readonly baseUrl: URL | undefined;
  readonly secretMatches: (candidate: string) => boolean;
  /** The `observer` option's hooks, if any. */
  readonly observer: LiveblocksObserver | undefined;
};

/**
 * Checks `options` and fills in the defaults; throws on a bad option, before
 * the instance exists.
 * @internal
 */
export function resolveOptions(options: LiveblocksOptions): Config {
  const secret = (options as Partial<LiveblocksOptions> | undefined)?.secret;
  assertSecretKey(secret, "secret");
  const signer = options.signer ?? new HmacSigner({ secret });
  const limits = checkLimits(options.limits);
  const baseUrl = options.baseUrl === undefined ? undefined : toBaseUrl(options.baseUrl);
  const observer = observerOption(options.observer);
  return {
    // Without a store, instances with one secret share its rooms: that server's
    // with a baseUrl, else this process's in-memory store for the project.
    store: observeStore(options.store ?? (baseUrl ? new RestStore({ baseUrl, secret }) : sharedDefaultStore(secret)), observer),
    signer,
    verifier: options.verifier ?? signer,
    projectId: options.projectId ?? deriveProjectId(secret),
    ttl: seconds(options.tokenTtl, DEFAULT_TOKEN_TTL, "tokenTtl", false),
    clockTolerance: seconds(options.clockTolerance, DEFAULT_CLOCK_TOLERANCE, "clockTolerance", true),
    limits,
    schemas: createSchemas(limits),
    assertLimits: assertRoomLimits(limits),
    now: options.now ?? Date.now,
    groupsFrom: groupsFromOption(options.groupsFrom),
    groupsRecheckMs: integerOption("groupsRecheckMs", options.groupsRecheckMs, DEFAULT_GROUPS_RECHECK_MS, 10),
    tokenId: options.generateTokenId ?? randomTokenId,
    baseUrl,
    secretMatches: createSecretCheck(secret),
    observer,
  };
}

function observerOption(value: unknown): LiveblocksObserver | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) throw invalidOption("observer", "an object of hooks");
  for (const hook of ["onDecision", "onTokenIssued", "onStoreCall"] as const) {
    const fn = (value as Record<string, unknown>)[hook];
    if (fn !== undefined && typeof fn !== "function") throw invalidOption(`observer.${hook}`, "a function");
  }
  return value as LiveblocksObserver;
}

/** Default of `groupsRecheckMs`. */
const DEFAULT_GROUPS_RECHECK_MS = 5_000;

function groupsFromOption(value: unknown): "token" | "store" {
  if (value === undefined || value === "token" || value === "store") return value ?? "token";
  throw invalidOption("groupsFrom", '"token" or "store"');
}

function seconds(value: number | undefined, fallback: number, field: string, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new TypeError(
      `Invalid value for field '${field}'. Please provide a ${allowZero ? "non-negative" : "positive"} number of seconds.`,
    );
  }
  return value;
}

function checkLimits(overrides: Partial<Limits> | undefined): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(overrides ?? {})) {
    const value = (overrides as Record<string, unknown>)[key];
    if (!Object.hasOwn(DEFAULT_LIMITS, key)) throw new TypeError(`Unknown limit '${key}'.`);
    limits[key as keyof Limits] = integerOption(`limits.${key}`, value, limits[key as keyof Limits], 1);
  }
  return limits;
}
