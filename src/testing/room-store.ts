/**
 * The RoomStore conformance suite: one set of tests that every adapter's
 * test file runs in a few lines, so that memory, SQLite, Postgres and REST
 * stores behave the same. The tests live in themed files under `suite/`,
 * each a `describe<Theme>(getStore)`; this file strings them together.
 * Listener assertions poll, so adapters that deliver events asynchronously
 * (Postgres `NOTIFY`) pass too.
 */
import { afterEach, beforeEach, describe } from "vitest";
import type { RoomStore } from "../rooms/types.js";
import { describeAbort } from "./suite/abort.js";
import { describeAccessRules } from "./suite/access-rules.js";
import { describeAccessible } from "./suite/accessible.js";
import { describeAuditLog } from "./suite/audit-log.js";
import { describeConcurrency } from "./suite/concurrency.js";
import { describeCopies } from "./suite/copies.js";
import { describeCrud } from "./suite/crud.js";
import { describeEvents } from "./suite/events.js";
import { describeFacade } from "./suite/facade.js";
import { describeFilters } from "./suite/filters.js";
import { describeGroups } from "./suite/groups.js";
import {
  declaredCapabilities,
  detectCapabilities,
  mergeCapabilities,
  STORE_CAPABILITIES,
  type StoreCapabilities,
} from "./suite/helpers.js";
import { describePaging } from "./suite/paging.js";
import { describeRename } from "./suite/rename.js";
import { describeReservedIds } from "./suite/reserved-ids.js";
import { describeRevocation } from "./suite/revocation.js";
import { describeUpdate } from "./suite/update.js";

export { at, collectRooms, makeGroup, makeRoom, RESERVED_IDS } from "./suite/helpers.js";
export type { StoreCapabilities } from "./suite/helpers.js";

/** Options of {@link testRoomStore}. */
export type TestRoomStoreOptions = {
  /** Name of the top-level `describe`; default `"RoomStore"`. */
  name?: string;
  /** A fresh, empty store; called before each test. */
  create: () => Promise<RoomStore> | RoomStore;
  /** Called after each test; default `store.close?.()`. */
  cleanup?: (store: RoomStore) => Promise<void> | void;
  /**
   * The optional parts the store implements; their tests are skipped
   * otherwise. Each one left out is read from one store made with `create`
   * while the suite is collected (then cleaned up), before any `beforeAll`
   * runs: declare them all when `create` needs one.
   */
  capabilities?: Partial<StoreCapabilities>;
};

/**
 * Registers the conformance suite for a {@link RoomStore} adapter: every
 * method, the update rules, ordering and keyset pagination, every filter,
 * reserved and exact ids, copies, concurrency, revocation, events, the
 * optional rename, access-rules, groups and audit-log parts, the facade over
 * it, abort.
 *
 * @example
 * ```ts
 * // test/stores/memory/store.test.ts
 * testRoomStore({ name: "MemoryStore", create: () => new MemoryStore() });
 * ```
 */
export function testRoomStore(options: TestRoomStoreOptions): void {
  const cleanup = async (store: RoomStore) => {
    if (options.cleanup !== undefined) await options.cleanup(store);
    else await store.close?.();
  };

  // Async so that capabilities can be read from a real store before the
  // optional tests are registered with `it.skipIf`.
  describe(options.name ?? "RoomStore", async () => {
    const declared = options.capabilities;
    let capabilities = declaredCapabilities(declared);
    if (capabilities === undefined) {
      let probe: RoomStore;
      try {
        probe = await options.create();
      } catch (error) {
        const names = STORE_CAPABILITIES.map(({ name }) => name).join(", ");
        throw new Error(
          "testRoomStore: could not create a store to read its capabilities from while collecting tests; " +
            `declare them with \`capabilities: { ${names} }\`.`,
          { cause: error },
        );
      }
      try {
        capabilities = mergeCapabilities(detectCapabilities(probe), declared);
      } finally {
        await cleanup(probe);
      }
    }

    let store: RoomStore;
    const getStore = () => store;

    beforeEach(async () => {
      store = await options.create();
    });

    afterEach(async () => {
      await cleanup(store);
    });

    describeCrud(getStore);
    describeUpdate(getStore);
    describePaging(getStore);
    describeFilters(getStore);
    describeReservedIds(getStore);
    describeCopies(getStore);
    describeConcurrency(getStore);
    describeRevocation(getStore, capabilities);
    describeEvents(getStore);
    describeAccessRules(getStore, capabilities);
    describeRename(getStore, capabilities);
    describeGroups(getStore, capabilities);
    describeAccessible(getStore, capabilities);
    describeFacade(getStore);
    describeAbort(getStore);
    describeAuditLog(getStore, capabilities);
  });
}
