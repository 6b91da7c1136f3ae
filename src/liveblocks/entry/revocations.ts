/**
 * Token revocations as events: from the store where it emits them (across
 * instances and processes as far as it can), otherwise from this instance's
 * own `revokeTokens` calls. Live room-access watches, the REST event stream
 * and `onTokensRevoked` listen here.
 */
import { RoomChangeEmitter } from "../../rooms/emitter.js";
import type { RevocationEvent } from "../../rooms/types.js";
import type { Config } from "../options.js";

/**
 * The latest `iat` (as epoch ms) a stored cutoff revokes: the cutoff plus the
 * clock tolerance. Tokens up to the tolerance in the future are accepted, so
 * a token minted before the revocation by an instance whose clock runs ahead
 * carries an `iat` up to that far past it; the price is that tokens issued
 * within the tolerance after a revocation are revoked too.
 * @internal
 */
export function revokedUpTo(config: Config, cutoffMs: number): number {
  return cutoffMs + config.clockTolerance * 1000;
}

/** Per instance, for stores that do not emit revocations themselves. */
const local = new WeakMap<Config, RoomChangeEmitter<RevocationEvent>>();

/**
 * Calls `listener` after each revocation of tokens; returns the unsubscribe function.
 * @internal
 */
export function subscribeRevocations(config: Config, listener: (event: RevocationEvent) => void): () => void {
  const store = config.store;
  if (store.subscribeRevocations !== undefined) return store.subscribeRevocations(listener);
  let emitter = local.get(config);
  if (emitter === undefined) local.set(config, (emitter = new RoomChangeEmitter()));
  return emitter.subscribe(listener);
}

/**
 * Tells this instance's listeners of a revocation it made, unless the store
 * already does (then they hear it from the store, once).
 * @internal
 */
export function announceRevocation(config: Config, event: RevocationEvent): void {
  if (config.store.subscribeRevocations === undefined) local.get(config)?.emit(event);
}
