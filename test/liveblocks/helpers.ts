/** A Liveblocks instance with a controllable clock and predictable token ids. */
import { Liveblocks, type LiveblocksOptions, MemoryStore } from "../../src/index.js";

export const SECRET = "sk_test_roomgate_0123456789";
export const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

export function makeLiveblocks(options: Partial<LiveblocksOptions> = {}) {
  const clock = { now: T0 };
  let n = 0;
  const liveblocks = new Liveblocks({
    secret: SECRET,
    // Each test gets rooms of its own: instances with one secret otherwise share the default store.
    store: new MemoryStore(),
    now: () => clock.now,
    generateTokenId: () => `jti${String(n++).padStart(9, "0")}`,
    ...options,
  });
  return { liveblocks, clock };
}

/** The payload of a compact JWT, decoded without verification. */
export function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));
}

export function tokenOf(body: string): string {
  return (JSON.parse(body) as { token: string }).token;
}
