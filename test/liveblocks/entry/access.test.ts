import { describe, expect, it } from "vitest";
import { HmacSigner, KeyPairSigner, Liveblocks, MemoryStore, type RoomChangeEvent, type RoomStore } from "../../../src/index.js";
import { SECRET, T0, makeLiveblocks, tokenOf } from "../helpers.js";

async function idToken(liveblocks: Liveblocks, userId: string, groupIds?: string[]) {
  return tokenOf((await liveblocks.identifyUser({ userId, ...(groupIds && { groupIds }) })).body);
}

describe("checkRoomAccess", () => {
  it("ID token - the seed's three permission types", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("full", { defaultAccesses: ["room:write"] });
    await liveblocks.createRoom("read", { defaultAccesses: ["room:read", "room:presence:write"] });
    await liveblocks.createRoom("private", { defaultAccesses: [] });
    const token = await idToken(liveblocks, "alice", ["eng"]);

    expect(await liveblocks.checkRoomAccess(token, "full")).toEqual({
      allowed: true,
      userId: "alice",
      groupIds: ["eng"],
      userInfo: undefined,
      tokenKind: "id",
      scopes: ["*:write"],
      canWrite: true,
      canComment: true,
      isReadOnly: false,
    });
    expect(await liveblocks.checkRoomAccess(token, "read")).toMatchObject({ allowed: true, isReadOnly: true, scopes: ["*:read"] });
    expect(await liveblocks.checkRoomAccess(token, "private")).toEqual({
      allowed: false,
      reason: "no-access",
      message: 'User "alice" may not enter room "private".',
    });
  });

  it("ID token - groups and user entries from the stored room", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r", {
      defaultAccesses: [],
      groupsAccesses: { eng: ["room:read", "room:presence:write"] },
      usersAccesses: { bob: ["room:write"] },
    });
    expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "carol", ["eng"]), "r")).toMatchObject({
      allowed: true,
      isReadOnly: true,
    });
    expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "bob"), "r")).toMatchObject({ allowed: true, canWrite: true });
    expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "dave"), "r")).toMatchObject({ reason: "no-access" });
  });

  it("room-not-found - an ID token may not enter a room that does not exist", async () => {
    const { liveblocks } = makeLiveblocks();
    expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "a"), "ghost")).toEqual({
      allowed: false,
      reason: "room-not-found",
      message: 'Room with id "ghost" not found.',
    });
    expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "a"), "")).toMatchObject({ reason: "room-not-found" });
  });

  it("access token - decided by its own perms, not the stored room", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("org:doc", { defaultAccesses: [] });
    const session = liveblocks.prepareSession("alice", { userInfo: { name: "A" } });
    session.allow("org:*", session.READ_ACCESS);
    const token = tokenOf((await session.authorize()).body);
    expect(await liveblocks.checkRoomAccess(token, "org:doc")).toMatchObject({
      allowed: true,
      tokenKind: "acc",
      isReadOnly: true,
      groupIds: [],
      userInfo: { name: "A" },
    });
    expect(await liveblocks.checkRoomAccess(token, "org:never-created")).toMatchObject({ allowed: true });
    expect(await liveblocks.checkRoomAccess(token, "elsewhere")).toMatchObject({ allowed: false, reason: "no-access" });
  });

  it("invalid-token - garbage, another secret's token, tampering", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const other = new Liveblocks({ secret: "sk_other_0123456789abcdefghijklmnop", now: () => T0 });
    const foreign = await idToken(other, "alice");
    const mine = await idToken(liveblocks, "alice");
    const tampered = `${mine.slice(0, -2)}${mine.endsWith("AA") ? "BB" : "AA"}`;
    for (const token of ["", "not.a.token", foreign, tampered]) {
      const result = await liveblocks.checkRoomAccess(token, "r");
      expect(result).toMatchObject({ allowed: false, reason: "invalid-token" });
    }
    // @ts-expect-error testing a JavaScript caller
    expect(await liveblocks.checkRoomAccess(undefined, "r")).toMatchObject({ reason: "invalid-token" });
  });

  it("invalid-token - same key, another projectId", async () => {
    const { liveblocks } = makeLiveblocks({ projectId: "pr_a" });
    const { liveblocks: other } = makeLiveblocks({ projectId: "pr_b" });
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const result = await liveblocks.checkRoomAccess(await idToken(other, "alice"), "r");
    expect(result).toMatchObject({ allowed: false, reason: "invalid-token" });
  });

  it("expired - after exp plus the clock tolerance", async () => {
    const { liveblocks, clock } = makeLiveblocks();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const token = await idToken(liveblocks, "alice");
    clock.now += 3600_000 + 59_000;
    expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: true });
    clock.now += 2_000;
    expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: false, reason: "expired" });
  });

  it("revoked - tokens issued before the cutoff are denied; new ones work", async () => {
    const { liveblocks, clock } = makeLiveblocks();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const old = await idToken(liveblocks, "alice");
    const bob = await idToken(liveblocks, "bob");
    clock.now += 5_000;
    await liveblocks.revokeTokens({ userId: "alice" });
    expect(await liveblocks.checkRoomAccess(old, "r")).toMatchObject({ allowed: false, reason: "revoked" });
    expect(await liveblocks.checkRoomAccess(bob, "r")).toMatchObject({ allowed: true });
    // New tokens pass once past the clock tolerance (60 s) the cutoff is widened by.
    clock.now += 61_000;
    expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "alice"), "r")).toMatchObject({ allowed: true });
  });

  it("revoked - an explicit issuedBefore, and access tokens too", async () => {
    const { liveblocks, clock } = makeLiveblocks();
    const session = liveblocks.prepareSession("alice").allow("*", ["*:write"]);
    const token = tokenOf((await session.authorize()).body);
    clock.now += 60_000;
    await liveblocks.revokeTokens({ userId: "alice", issuedBefore: new Date(T0 + 1000) });
    expect(await liveblocks.checkRoomAccess(token, "any")).toMatchObject({ reason: "revoked" });
  });

  it("revoked - kept in the store, so another instance over it sees it", async () => {
    const store = new MemoryStore();
    const a = new Liveblocks({ secret: SECRET, store, now: () => T0 + 10_000 });
    const b = new Liveblocks({ secret: SECRET, store, now: () => T0 + 10_000 });
    await a.createRoom("r", { defaultAccesses: ["room:write"] });
    const token = tokenOf((await new Liveblocks({ secret: SECRET, now: () => T0 }).identifyUser("alice")).body);
    await a.revokeTokens({ userId: "alice" });
    expect(await b.checkRoomAccess(token, "r")).toMatchObject({ reason: "revoked" });
  });

  it("store-unavailable - a store that throws denies, never allows", async () => {
    const failing = (methods: string[]): RoomStore => {
      const store = new MemoryStore();
      return new Proxy(store, {
        get(target, key) {
          if (methods.includes(key as string)) return async () => Promise.reject(new Error("connection refused"));
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    };
    for (const methods of [["get", "getAccessRules"], ["getRevocation"]]) {
      const { liveblocks } = makeLiveblocks({ store: failing(methods) });
      const token = await idToken(liveblocks, "alice");
      expect(await liveblocks.checkRoomAccess(token, "r")).toEqual({
        allowed: false,
        reason: "store-unavailable",
        message: "The room store could not be read; access denied.",
      });
    }
  });

  it("store without the fast path - read with get", async () => {
    const store = new MemoryStore();
    const plain: RoomStore = new Proxy(store, {
      get(target, key) {
        if (key === "getAccessRules") return undefined;
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const { liveblocks } = makeLiveblocks({ store: plain });
    await liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { alice: ["room:read"] } });
    expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "alice"), "r")).toMatchObject({ allowed: true, isReadOnly: true });
    expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "bob"), "r")).toMatchObject({ reason: "no-access" });
  });

  it("verifier-unavailable - an already aborted signal denies before anything is read", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const token = await idToken(liveblocks, "alice");
    const controller = new AbortController();
    controller.abort();
    expect(await liveblocks.checkRoomAccess(token, "r", { signal: controller.signal })).toEqual({
      allowed: false,
      reason: "verifier-unavailable",
      message: "The access check was aborted while verifying the token; access denied.",
    });
  });

  it("verifier - a realtime server holding only the public keys decides the same", async () => {
    const signer = await KeyPairSigner.generate();
    const store = new MemoryStore();
    const backend = new Liveblocks({ secret: SECRET, signer, store });
    const { JwksVerifier } = await import("../../../src/index.js");
    const realtime = new Liveblocks({
      secret: SECRET,
      store,
      signer: new HmacSigner({ secret: SECRET }),
      verifier: new JwksVerifier({ jwks: signer.jwks() }),
    });
    await backend.createRoom("r", { defaultAccesses: ["room:read"] });
    const token = tokenOf((await backend.identifyUser("alice")).body);
    expect(await realtime.checkRoomAccess(token, "r")).toMatchObject({ allowed: true, isReadOnly: true });
  });
});

describe("onRoomChange", () => {
  it("events - created, updated, upserted and deleted, with the room", async () => {
    const { liveblocks } = makeLiveblocks();
    const events: RoomChangeEvent[] = [];
    const stop = liveblocks.onRoomChange((event) => events.push(event));
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    await liveblocks.updateRoom("r", { usersAccesses: { alice: ["*:read"] } });
    await liveblocks.upsertRoom("r", { update: { defaultAccesses: ["*:read"] } });
    await liveblocks.deleteRoom("r");
    expect(events.map((e) => [e.type, e.roomId])).toEqual([
      ["created", "r"],
      ["updated", "r"],
      ["updated", "r"],
      ["deleted", "r"],
    ]);
    expect(events[1]!.room?.usersAccesses).toEqual({ alice: ["*:read"] });
    expect(events[3]!.room).toBeNull();
    stop();
    await liveblocks.createRoom("r2", { defaultAccesses: [] });
    expect(events).toHaveLength(4);
  });

  it("events - the facade's plain copy leaves the room other store listeners see untouched", async () => {
    const store = new MemoryStore();
    const { liveblocks } = makeLiveblocks({ store });
    const seen: { facade?: RoomChangeEvent; store?: RoomChangeEvent } = {};
    liveblocks.onRoomChange((event) => (seen.facade = event));
    store.subscribe((event) => (seen.store = event));
    await liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { alice: ["*:read"] } });
    expect(Object.getPrototypeOf(seen.facade!.room!.usersAccesses)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(seen.store!.room!.usersAccesses)).toBeNull();
    expect(seen.store!.room).not.toBe(seen.facade!.room);
  });

  it("live revocation - a downgrade is seen by re-running the entry decision on the event", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("doc", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    const token = await idToken(liveblocks, "alice");
    const connected = new Map([["alice", token]]);
    const decisions: boolean[] = [];
    const rechecks: Promise<void>[] = [];
    liveblocks.onRoomChange(({ roomId }) => {
      for (const t of connected.values()) {
        rechecks.push(liveblocks.checkRoomAccess(t, roomId).then((r) => void decisions.push(r.allowed && r.canWrite)));
      }
    });
    await liveblocks.updateRoom("doc", { usersAccesses: { alice: ["room:read"] } });
    await liveblocks.updateRoom("doc", { usersAccesses: { alice: null } });
    await Promise.all(rechecks);
    expect(decisions).toEqual([false, false]);
    expect(await liveblocks.checkRoomAccess(token, "doc")).toMatchObject({ reason: "no-access" });
  });
});
