import { describe, expect, it } from "vitest";
import { HmacSigner, Liveblocks, MemoryStore, type RoomStore } from "../../../src/index.js";
import { SECRET, tokenOf } from "../helpers.js";

/** A store whose reads never settle, so only the deadline ends a check. */
function stalledStore(): RoomStore {
  const memory = new MemoryStore();
  const never = () => new Promise<never>(() => {});
  return new Proxy(memory, {
    get(target, key) {
      if (key === "getAccessRules" || key === "get" || key === "getRevocation") return never;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Blocks the event loop `ms` milliseconds, as a CPU-bound request handler would. */
function busy(ms: number): void {
  const start = performance.now();
  while (performance.now() - start < ms) {
    // spin
  }
}

describe("checkRoomAccess - deadline under load", () => {
  it("timeoutMs - a busy event loop does not stretch the deadline (regression: ticks were counted and Node runs a late interval once)", async () => {
    const signer = new HmacSigner({ secret: SECRET });
    const liveblocks = new Liveblocks({ secret: SECRET, signer, store: stalledStore() });
    const token = tokenOf((await liveblocks.identifyUser("alice")).body);
    const timeoutMs = 300;
    const started = performance.now();
    let ended: number | undefined;
    const pending = liveblocks.checkRoomAccess(token, "r", { timeoutMs }).then((result) => ((ended = performance.now()), result));
    // 40 ms busy out of every ~45 ms until the check ends; bounded in rounds.
    for (let round = 0; round < 200 && ended === undefined; round++) {
      busy(40);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await pending).toMatchObject({
      allowed: false,
      reason: "store-unavailable",
      message: expect.stringContaining("timed out after 300 ms"),
    });
    const elapsed = ended! - started;
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs);
    // Counting 10 ms ticks that arrive every ~45 ms ended it after about 1,350 ms.
    expect(elapsed).toBeLessThan(2 * timeoutMs);
  });
});
