import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_ACCESS_TIMEOUT_MS,
  HmacSigner,
  Liveblocks,
  MemoryStore,
  type RoomStore,
  TokenError,
  type TokenVerifier,
} from "../../../src/index.js";
import { DEADLINE_TICK_MS } from "../../../src/liveblocks/entry/deadline.js";
import { SECRET, T0, makeLiveblocks, tokenOf } from "../helpers.js";

const never = () => new Promise<never>(() => {});

/** A MemoryStore whose `overrides` replace some methods (as a database driver might misbehave). */
function storeWith(overrides: Record<string, (...args: never[]) => unknown>): { store: RoomStore; memory: MemoryStore } {
  const memory = new MemoryStore();
  const store = new Proxy(memory, {
    get(target, key) {
      if (typeof key === "string" && Object.hasOwn(overrides, key)) return overrides[key];
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store, memory };
}

/** A verifier that answers with `verify`, beside a real signer that issues the tokens. */
function verifierWith(verify: TokenVerifier["verify"]): TokenVerifier {
  return { alg: "HS256", verify };
}

async function setup(options: { store?: RoomStore; verifier?: TokenVerifier; now?: () => number } = {}) {
  const signer = new HmacSigner({ secret: SECRET });
  const { liveblocks, clock } = makeLiveblocks({ signer, ...options });
  const issuer = new Liveblocks({ secret: SECRET, signer, now: () => clock.now });
  const token = tokenOf((await issuer.identifyUser({ userId: "alice", groupIds: ["eng"] })).body);
  return { liveblocks, clock, token, signer };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("checkRoomAccess - on time", () => {
  it("signal - an abort while a verifier ignores it denies with verifier-unavailable; the verifier got the signal", async () => {
    let given: AbortSignal | undefined;
    const { liveblocks, token } = await setup({
      verifier: verifierWith((_token, options) => ((given = options?.signal), never())),
    });
    const controller = new AbortController();
    const pending = liveblocks.checkRoomAccess(token, "r", { signal: controller.signal });
    await Promise.resolve();
    controller.abort();
    expect(await pending).toEqual({
      allowed: false,
      reason: "verifier-unavailable",
      message: "The access check was aborted while verifying the token; access denied.",
    });
    expect(given?.aborted).toBe(true);
  });

  it("signal - an abort while a store ignores it denies with store-unavailable; every read got the signal", async () => {
    const signals: (AbortSignal | undefined)[] = [];
    const { store } = storeWith({
      getRevocation: (_userId: never, options: never) => (signals.push((options as { signal?: AbortSignal }).signal), never()),
      getAccessRules: (_roomId: never, _subject: never, options: never) => (
        signals.push((options as { signal?: AbortSignal }).signal),
        never()
      ),
    });
    const { liveblocks, token } = await setup({ store });
    const controller = new AbortController();
    const pending = liveblocks.checkRoomAccess(token, "r", { signal: controller.signal });
    while (signals.length < 2) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error("client went away"));
    expect(await pending).toEqual({
      allowed: false,
      reason: "store-unavailable",
      message: "The access check was aborted while reading the room store; access denied.",
    });
    expect(signals.map((signal) => signal?.aborted)).toEqual([true, true]);
  });

  it("timeoutMs - a hung store without any signal still denies at the deadline", async () => {
    const { store } = storeWith({ getRevocation: never });
    const { liveblocks, token } = await setup({ store });
    expect(await liveblocks.checkRoomAccess(token, "r", { timeoutMs: 20 })).toEqual({
      allowed: false,
      reason: "store-unavailable",
      message: "The access check timed out after 20 ms while reading the room store; access denied.",
    });
  });

  it("timeoutMs - the default deadline applies when none is given, and 0 or NaN is already past", async () => {
    const { store } = storeWith({ getAccessRules: never });
    const { liveblocks, token } = await setup({ store });
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const pending = liveblocks.checkRoomAccess(token, "r");
    let settled = false;
    void pending.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(DEFAULT_ACCESS_TIMEOUT_MS - 1);
    expect(settled).toBe(false);
    // Deadlines are kept in ticks: never early, at most two ticks late.
    await vi.advanceTimersByTimeAsync(1 + 2 * DEADLINE_TICK_MS);
    expect(await pending).toMatchObject({ reason: "store-unavailable", message: expect.stringContaining("5000 ms") });
    vi.useRealTimers();
    for (const timeoutMs of [0, -1, Number.NaN]) {
      expect(await liveblocks.checkRoomAccess(token, "r", { timeoutMs })).toMatchObject({ reason: "verifier-unavailable" });
    }
  });

  it("timeoutMs - never before the deadline, also for a check that starts while the ticker runs", async () => {
    const { store } = storeWith({ getAccessRules: never });
    const { liveblocks, token } = await setup({ store });
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "performance"] });
    const settled: string[] = [];
    void liveblocks.checkRoomAccess(token, "r", { timeoutMs: 50 }).then(() => settled.push("first"));
    await vi.advanceTimersByTimeAsync(DEADLINE_TICK_MS + 5);
    void liveblocks.checkRoomAccess(token, "r", { timeoutMs: 50 }).then(() => settled.push("second"));
    // 1 ms before the first one's deadline: neither has ended.
    await vi.advanceTimersByTimeAsync(50 - (DEADLINE_TICK_MS + 5) - 1);
    expect(settled).toEqual([]);
    // 1 ms before the second one's deadline: the first has ended, not the second.
    await vi.advanceTimersByTimeAsync(DEADLINE_TICK_MS + 5);
    expect(settled).toEqual(["first"]);
    // At most two ticks after its deadline, the second has ended too (the ticker reads the monotonic clock).
    await vi.advanceTimersByTimeAsync(1 + 2 * DEADLINE_TICK_MS);
    expect(settled).toEqual(["first", "second"]);
  });

  it("verifyToken - passes its signal on to the verifier", async () => {
    let given: AbortSignal | undefined;
    const { liveblocks, token, signer } = await setup({
      verifier: verifierWith((raw, options) => ((given = options?.signal), signer.verify(raw, options))),
    });
    const controller = new AbortController();
    await expect(liveblocks.verifyToken(token, { signal: controller.signal })).resolves.toMatchObject({ uid: "alice" });
    expect(given).toBe(controller.signal);
  });

  it("timers - decided checks leave no timer running and no listener on the caller's signal", async () => {
    // The store read through a Proxy waits under a deadline; the MemoryStore itself is read in the calling turn.
    for (const proxied of [true, false]) {
      const { store, memory } = storeWith({});
      const { liveblocks, token } = await setup({ store: proxied ? store : memory });
      await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
      const controller = new AbortController();
      const added = vi.spyOn(controller.signal, "addEventListener");
      const removed = vi.spyOn(controller.signal, "removeEventListener");
      for (let i = 0; i < 3; i++) {
        expect(await liveblocks.checkRoomAccess(token, "r", { signal: controller.signal })).toMatchObject({ allowed: true });
      }
      // One ticker at most, and it stops at its first tick with nothing pending.
      expect(vi.getTimerCount()).toBe(proxied ? 1 : 0);
      await vi.advanceTimersByTimeAsync(DEADLINE_TICK_MS);
      expect(vi.getTimerCount()).toBe(0);
      expect(added).toHaveBeenCalledTimes(proxied ? 3 : 0);
      expect(removed).toHaveBeenCalledTimes(proxied ? 3 : 0);
      for (const [, listener] of added.mock.calls) expect(removed).toHaveBeenCalledWith("abort", listener);
      vi.useRealTimers();
    }
  });

  it("late rejection - a verifier or store that rejects after the deadline leaves no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const later = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error("late")), 30));
      const { store } = storeWith({ getRevocation: later, getAccessRules: later });
      const slow = await setup({ verifier: verifierWith(later) });
      const slowStore = await setup({ store });
      expect(await slow.liveblocks.checkRoomAccess(slow.token, "r", { timeoutMs: 1 })).toMatchObject({
        reason: "verifier-unavailable",
      });
      expect(await slowStore.liveblocks.checkRoomAccess(slowStore.token, "r", { timeoutMs: 1 })).toMatchObject({
        reason: "store-unavailable",
      });
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("checkRoomAccess - malformed results deny", () => {
  // Regression: a cutoff returned as an ISO string made the
  // comparison NaN and let a revoked token in.
  it("store - a revocation cutoff that is not null or a finite number denies with store-unavailable", async () => {
    for (const cutoff of [new Date(T0 + 10_000).toISOString(), undefined, Number.NaN, Infinity, {}, "0"]) {
      const { store, memory } = storeWith({ getRevocation: async () => cutoff });
      const { liveblocks, token } = await setup({ store });
      await memory.create({
        type: "room",
        id: "r",
        createdAt: new Date(T0),
        organizationId: "default",
        defaultAccesses: ["room:write"],
        usersAccesses: Object.create(null),
        groupsAccesses: Object.create(null),
        metadata: Object.create(null),
      });
      expect(await liveblocks.checkRoomAccess(token, "r")).toEqual({
        allowed: false,
        reason: "store-unavailable",
        message: "The room store returned malformed data; access denied.",
      });
    }
  });

  // Regression: null permission maps rejected with TypeError.
  it("store - access rules that are not rules deny with store-unavailable, never reject", async () => {
    const malformed: unknown[] = [
      undefined,
      "room",
      [],
      { defaultAccesses: "room:write" },
      { usersAccesses: {} },
      { defaultAccesses: [], usersAccesses: null },
      { defaultAccesses: [], groupsAccesses: null },
      { defaultAccesses: ["room:write"], usersAccesses: { alice: "room:read" } },
      { defaultAccesses: ["room:write"], usersAccesses: { alice: null } },
      { defaultAccesses: ["room:write"], groupsAccesses: { eng: 1 } },
    ];
    for (const rules of malformed) {
      const { store } = storeWith({ getAccessRules: async () => rules });
      const { liveblocks, token } = await setup({ store });
      expect(await liveblocks.checkRoomAccess(token, "r")).toEqual({
        allowed: false,
        reason: "store-unavailable",
        message: "The room store returned malformed data; access denied.",
      });
    }
  });

  it("store - a store that throws synchronously or lacks a method denies with store-unavailable", async () => {
    for (const overrides of [
      {
        getRevocation: () => {
          throw new Error("sync");
        },
      },
      { getRevocation: undefined as never },
      { getAccessRules: () => Promise.reject(null) },
    ]) {
      const { store } = storeWith(overrides as never);
      const { liveblocks, token } = await setup({ store });
      expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: false, reason: "store-unavailable" });
    }
  });

  // Regression: claims without `iat` let a revoked user in;
  // an `undefined` verifier result rejected with TypeError.
  it("verifier - claims the decision cannot rely on deny with invalid-token", async () => {
    const good = { k: "id", pid: "p", uid: "alice", iat: T0 / 1000, exp: T0 / 1000 + 3600, jti: "j" };
    const acc = { ...good, k: "acc", perms: { "*": ["*:write"] } };
    const malformed: unknown[] = [
      undefined,
      null,
      "claims",
      [],
      { ...good, iat: undefined },
      { ...good, iat: "1" },
      { ...good, iat: Number.NaN },
      { ...good, exp: undefined },
      { ...good, k: "other" },
      { ...good, uid: "" },
      { ...good, uid: 7 },
      { ...good, gids: "eng" },
      { ...good, gids: [1] },
      { ...good, ui: "Alice" },
      { ...acc, perms: null },
      { ...acc, perms: ["*:write"] },
      { ...acc, perms: { "*": "*:write" } },
      { ...acc, perms: { "*": [null] } },
    ];
    for (const claims of malformed) {
      const { liveblocks, token } = await setup({ verifier: verifierWith(async () => claims as never) });
      await liveblocks.revokeTokens({ userId: "alice" });
      await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] }, { idempotent: true });
      expect(await liveblocks.checkRoomAccess(token, "r")).toEqual({
        allowed: false,
        reason: "invalid-token",
        message: "The token verifier returned malformed claims; access denied.",
      });
    }
    // The well-formed ones pass, so the cases above fail for their one defect.
    for (const claims of [good, acc]) {
      const { liveblocks, token } = await setup({ verifier: verifierWith(async () => claims as never) });
      await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
      expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: true });
    }
  });

  it("verifier - an unreachable verifier is verifier-unavailable; a verdict on the token is invalid-token or expired", async () => {
    const cases: [unknown, string][] = [
      [Object.assign(new Error("JWKS fetch timed out"), { code: "ERR_VERIFIER_UNAVAILABLE" }), "verifier-unavailable"],
      [Object.assign(new Error("request timed out"), { code: "ERR_JWKS_TIMEOUT" }), "verifier-unavailable"],
      [new TypeError("fetch failed"), "verifier-unavailable"],
      ["a string", "verifier-unavailable"],
      [null, "verifier-unavailable"],
      [new TokenError("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "The token's signature is invalid"), "invalid-token"],
      [new TokenError("ERR_JWT_EXPIRED", "The token expired"), "expired"],
      [Object.assign(new Error("signature verification failed"), { code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" }), "invalid-token"],
      [Object.assign(new Error('"exp" claim timestamp check failed'), { code: "ERR_JWT_EXPIRED" }), "expired"],
      [Object.assign(new Error("no applicable key found"), { code: "ERR_JWKS_NO_MATCHING_KEY" }), "invalid-token"],
    ];
    for (const [error, reason] of cases) {
      const { liveblocks, token } = await setup({ verifier: verifierWith(() => Promise.reject(error)) });
      const result = await liveblocks.checkRoomAccess(token, "r");
      expect(result).toMatchObject({ allowed: false, reason });
      if (reason === "verifier-unavailable") {
        expect(result).toMatchObject({ message: "The token verifier is unavailable; access denied." });
      }
    }
    const throwing = await setup({
      verifier: verifierWith(() => {
        throw new Error("sync");
      }),
    });
    expect(await throwing.liveblocks.checkRoomAccess(throwing.token, "r")).toMatchObject({ reason: "verifier-unavailable" });
  });
});

describe("checkRoomAccess - revocation in whole seconds", () => {
  // Regression: `iat * 1000 < cutoff` let a token issued
  // just before revokeTokens() through when the cutoff fell on a whole second.
  for (const ms of [0, 1, 500, 999]) {
    it(`revokeTokens - with the clock at .${String(ms).padStart(3, "0")}, a token of that second is revoked; one of the next second is not`, async () => {
      const { liveblocks, clock } = makeLiveblocks({ clockTolerance: 0 });
      await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
      clock.now = T0 + 7_000 + ms;
      const before = tokenOf((await liveblocks.identifyUser("alice")).body);
      await liveblocks.revokeTokens({ userId: "alice" });
      expect(await liveblocks.checkRoomAccess(before, "r")).toEqual({
        allowed: false,
        reason: "revoked",
        message: `Tokens of user "alice" issued up to ${new Date(T0 + 7_000).toISOString().replace(".000Z", "Z")} are revoked.`,
      });
      clock.now = T0 + 8_000;
      const after = tokenOf((await liveblocks.identifyUser("alice")).body);
      expect(await liveblocks.checkRoomAccess(after, "r")).toMatchObject({ allowed: true });
    });
  }

  // Regression: a whole-second issuedBefore missed tokens
  // issued later in that second.
  it("revokeTokens - a whole-second issuedBefore revokes the tokens issued in that second", async () => {
    const { liveblocks, clock } = makeLiveblocks({ clockTolerance: 0 });
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    clock.now = T0 + 1_500;
    const token = tokenOf((await liveblocks.identifyUser("alice")).body);
    await liveblocks.revokeTokens({ userId: "alice", issuedBefore: new Date(T0 + 1_000) });
    expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ reason: "revoked" });
    await liveblocks.revokeTokens({ userId: "bob", issuedBefore: T0 + 999 });
    clock.now = T0 + 1_000;
    const bob = tokenOf((await liveblocks.identifyUser("bob")).body);
    expect(await liveblocks.checkRoomAccess(bob, "r")).toMatchObject({ allowed: true });
  });
});
