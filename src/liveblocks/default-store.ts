/**
 * The default store of instances created without `store` or `baseUrl`: one
 * `MemoryStore` per project in the process, as Liveblocks keeps one set of
 * rooms per secret, so every route module's `new Liveblocks({ secret })`
 * sees the same rooms and revocations.
 */
import { MemoryStore } from "../stores/memory/store.js";
import { deriveProjectId } from "../tokens/project-id.js";

/**
 * Kept on `globalThis` under a registered symbol so a bundler's second copy
 * of this module (or a `next dev` reload of a bundled one) finds the same
 * stores. Keyed by the secret's derived project id, never the secret.
 */
const REGISTRY = Symbol.for("roomgate.defaultStores.v1");

type Registry = Map<string, MemoryStore>;

/**
 * The in-memory store every instance with this `secret` and no `store`
 * shares in this process; created on first use. Nothing in it survives a
 * restart, and nothing crosses to another process.
 * @internal
 */
export function sharedDefaultStore(secret: string): MemoryStore {
  const holder = globalThis as typeof globalThis & { [REGISTRY]?: Registry };
  const stores = (holder[REGISTRY] ??= new Map());
  const key = deriveProjectId(secret);
  let store = stores.get(key);
  if (store === undefined) {
    store = new MemoryStore();
    stores.set(key, store);
  }
  return store;
}
