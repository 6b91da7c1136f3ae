/**
 * The conformance suite must accept a store whose errors come from another
 * copy of roomgate (a second install, or an entry point with its own module
 * tree): it matches `InvalidCursorError` by `code` and message, not by class.
 * Regression, a foreign InvalidCursorError rejected by the suite:
 * `roomgate/testing` failed "list - a malformed cursor rejects with
 * InvalidCursorError" on roomgate's own `MemoryStore` when the suite and the
 * store came from different module trees.
 */
import { MemoryStore } from "../../src/stores/memory/store.js";
import { InvalidCursorError, type RoomStore } from "../../src/rooms/types.js";
import { testRoomStore } from "../../src/testing/index.js";

/** The same shape as `InvalidCursorError`, but another class, as a second copy of roomgate would have. */
class ForeignInvalidCursorError extends Error {
  readonly code = "ERR_INVALID_CURSOR";
  constructor(message = "Invalid cursor") {
    super(message);
    this.name = "InvalidCursorError";
  }
}

function foreignErrors(store: MemoryStore): RoomStore {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key !== "list") {
        const value: unknown = Reflect.get(target, key, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (...args: Parameters<RoomStore["list"]>) => {
        try {
          return await target.list(...args);
        } catch (error) {
          if (error instanceof InvalidCursorError) throw new ForeignInvalidCursorError(error.message);
          throw error;
        }
      };
    },
  });
}

testRoomStore({ name: "MemoryStore with another copy's InvalidCursorError", create: () => foreignErrors(new MemoryStore()) });
