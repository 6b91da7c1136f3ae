import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { MemoryStore, type RevocationEvent, type RoomAccessResult, type RoomChangeEvent } from "../../../src/index.js";
import { SqliteStore } from "../../../src/sqlite.js";
import { T0, makeLiveblocks, tokenOf } from "../helpers.js";

/** A MemoryStore that counts its live subscriptions, to see that watches leave none behind. */
class CountingStore extends MemoryStore {
  listeners = 0;
  override subscribe(listener: (event: RoomChangeEvent) => void): () => void {
    this.listeners++;
    const off = super.subscribe(listener);
    let done = false;
    return () => {
      if (!done) this.listeners--;
      done = true;
      off();
    };
  }
}

async function setup(userId = "alice", groupIds: string[] = []) {
  const store = new CountingStore();
  const { liveblocks, clock } = makeLiveblocks({ store });
  const token = tokenOf((await liveblocks.identifyUser({ userId, groupIds })).body);
  const calls: RoomAccessResult[] = [];
  const onChange = (access: RoomAccessResult) => calls.push(access);
  return { store, liveblocks, clock, token, calls, onChange };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("watchRoomAccess", () => {
  it("watchRoomAccess - resolves to the first decision, as checkRoomAccess", async () => {
    const { liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    const watch = await liveblocks.watchRoomAccess(token, "r", onChange);
    expect(watch.access).toEqual(await liveblocks.checkRoomAccess(token, "r"));
    expect(calls).toEqual([]);
    watch.stop();
  });

  it("watchRoomAccess - a downgrade then an upgrade call onChange once each", async () => {
    const { liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    const watch = await liveblocks.watchRoomAccess(token, "r", onChange);
    await liveblocks.updateRoom("r", { usersAccesses: { alice: ["room:read", "room:presence:write"] } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ allowed: true, isReadOnly: true, canWrite: false });
    await liveblocks.updateRoom("r", { usersAccesses: { alice: ["room:write"] } });
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ allowed: true, isReadOnly: false, canWrite: true });
    watch.stop();
  });

  it("watchRoomAccess - an update that leaves the decision as it was calls nothing", async () => {
    const { liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    const watch = await liveblocks.watchRoomAccess(token, "r", onChange);
    await liveblocks.updateRoom("r", { usersAccesses: { bob: ["room:write"] } });
    expect(calls).toEqual([]);
    watch.stop();
  });

  it("watchRoomAccess - removal denies with no-access, a re-add allows again", async () => {
    const { liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    const watch = await liveblocks.watchRoomAccess(token, "r", onChange);
    await liveblocks.updateRoom("r", { usersAccesses: { alice: null } });
    expect(calls).toEqual([{ allowed: false, reason: "no-access", message: expect.any(String) }]);
    await liveblocks.updateRoom("r", { usersAccesses: { alice: ["room:write"] } });
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(await liveblocks.checkRoomAccess(token, "r"));
    watch.stop();
  });

  it("watchRoomAccess - a denied first decision resolves and becomes allowed when the user is added", async () => {
    const { liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    const watch = await liveblocks.watchRoomAccess(token, "r", onChange);
    expect(watch.access).toMatchObject({ allowed: false, reason: "no-access" });
    await liveblocks.updateRoom("r", { usersAccesses: { alice: ["room:write"] } });
    expect(calls).toEqual([expect.objectContaining({ allowed: true, canWrite: true })]);
    watch.stop();
  });

  it("watchRoomAccess - the room's deletion denies with room-not-found, its creation allows again", async () => {
    const { liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const watch = await liveblocks.watchRoomAccess(token, "r", onChange);
    await liveblocks.deleteRoom("r");
    expect(calls).toEqual([{ allowed: false, reason: "room-not-found", message: 'Room with id "r" not found.' }]);
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ allowed: true });
    watch.stop();
  });

  it("watchRoomAccess - a deleted room ends an access token's access too", async () => {
    const store = new CountingStore();
    const { liveblocks } = makeLiveblocks({ store });
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    const session = liveblocks.prepareSession("alice");
    session.allow("r", session.FULL_ACCESS);
    const token = tokenOf((await session.authorize()).body);
    const calls: RoomAccessResult[] = [];
    const watch = await liveblocks.watchRoomAccess(token, "r", (a) => calls.push(a));
    expect(watch.access).toMatchObject({ allowed: true, tokenKind: "acc" });
    await liveblocks.updateRoom("r", { defaultAccesses: ["room:read", "room:presence:write"] });
    expect(calls).toEqual([]);
    await liveblocks.deleteRoom("r");
    expect(calls).toEqual([expect.objectContaining({ allowed: false, reason: "room-not-found" })]);
    watch.stop();
  });

  it("watchRoomAccess - revokeTokens on the instance denies with revoked, once, and ends the watch", async () => {
    const { store, liveblocks, clock, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    await liveblocks.watchRoomAccess(token, "r", onChange);
    clock.now += 5000;
    await liveblocks.revokeTokens({ userId: "alice" });
    expect(calls).toEqual([expect.objectContaining({ allowed: false, reason: "revoked" })]);
    expect(calls[0]).toEqual(await liveblocks.checkRoomAccess(token, "r"));
    await liveblocks.updateRoom("r", { defaultAccesses: [] });
    expect(calls).toHaveLength(1);
    expect(store.listeners).toBe(0);
  });

  it("watchRoomAccess - revoking an other user or tokens issued later calls nothing", async () => {
    const { liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const watch = await liveblocks.watchRoomAccess(token, "r", onChange);
    await liveblocks.revokeTokens({ userId: "bob" });
    await liveblocks.revokeTokens({ userId: "alice", issuedBefore: T0 - 70_000 });
    expect(calls).toEqual([]);
    watch.stop();
  });

  it("watchRoomAccess - expiry denies with expired at exp, once, on the instance's clock", async () => {
    vi.useFakeTimers({ now: T0 });
    const { store, liveblocks, clock, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    await liveblocks.watchRoomAccess(token, "r", onChange);
    clock.now = T0 + 3600_000 - 1;
    vi.advanceTimersByTime(3600_000 - 1);
    expect(calls).toEqual([]);
    clock.now = T0 + 3600_000;
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([{ allowed: false, reason: "expired", message: "The token has expired." }]);
    vi.advanceTimersByTime(10_000_000);
    expect(calls).toHaveLength(1);
    expect(store.listeners).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("watchRoomAccess - an invalid token resolves to its denial and is never watched", async () => {
    const { store, liveblocks, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const watch = await liveblocks.watchRoomAccess("not.a.token", "r", onChange);
    expect(watch.access).toMatchObject({ allowed: false, reason: "invalid-token" });
    expect(store.listeners).toBe(0);
    await liveblocks.deleteRoom("r");
    expect(calls).toEqual([]);
  });

  it("watchRoomAccess - events of other rooms call nothing", async () => {
    const { liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    await liveblocks.createRoom("other", { defaultAccesses: ["room:write"] });
    const watch = await liveblocks.watchRoomAccess(token, "r", onChange);
    await liveblocks.updateRoom("other", { defaultAccesses: [] });
    await liveblocks.deleteRoom("other");
    expect(calls).toEqual([]);
    watch.stop();
  });

  it("watchRoomAccess - many watches share one store subscription, and stop and abort leave none", async () => {
    vi.useFakeTimers({ now: T0 });
    const { store, liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const controller = new AbortController();
    const a = await liveblocks.watchRoomAccess(token, "r", onChange);
    await liveblocks.watchRoomAccess(token, "r", onChange, { signal: controller.signal });
    expect(store.listeners).toBe(1);
    // The access check's deadline ticker may still run; the watches' expiry timers are the two beyond it.
    const running = vi.getTimerCount();
    a.stop();
    a.stop();
    controller.abort();
    expect(store.listeners).toBe(0);
    expect(vi.getTimerCount()).toBe(running - 2);
    await liveblocks.deleteRoom("r");
    expect(calls).toEqual([]);
  });

  it("watchRoomAccess - a throwing onChange does not keep the room's other watches from hearing", async () => {
    const { liveblocks, token, onChange, calls } = await setup();
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const a = await liveblocks.watchRoomAccess(token, "r", () => {
      throw new Error("boom");
    });
    const b = await liveblocks.watchRoomAccess(token, "r", onChange);
    await liveblocks.updateRoom("r", { defaultAccesses: [] });
    expect(calls).toHaveLength(1);
    a.stop();
    b.stop();
  });
});

describe("watchRoomAccess during the first decision", () => {
  it("watchRoomAccess - a change committed while the first decision reads is not lost", async () => {
    /** Reads the rules, then lets another writer commit a removal before the read returns. */
    class RacingStore extends MemoryStore {
      race: (() => Promise<unknown>) | undefined;
      override async getAccessRules(...args: Parameters<MemoryStore["getAccessRules"]>) {
        const rules = await super.getAccessRules(...args);
        const race = this.race;
        this.race = undefined;
        await race?.();
        return rules;
      }
    }
    const store = new RacingStore();
    const { liveblocks } = makeLiveblocks({ store });
    await liveblocks.createRoom("r", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    const token = tokenOf((await liveblocks.identifyUser({ userId: "alice" })).body);
    store.race = () => liveblocks.updateRoom("r", { usersAccesses: { alice: null } });
    const calls: RoomAccessResult[] = [];
    const watch = await liveblocks.watchRoomAccess(token, "r", (x) => calls.push(x));
    expect(watch.access).toMatchObject({ allowed: true });
    expect(calls).toEqual([expect.objectContaining({ allowed: false, reason: "no-access" })]);
    watch.stop();
  });
});

describe("watchRoomAccess on SqliteStore", () => {
  const dir = mkdtempSync(join(tmpdir(), "roomgate-watch-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("watchRoomAccess - hears changes made by another instance on the same file", async () => {
    const filename = join(dir, "shared.db");
    const storeA = new SqliteStore({ filename, pollIntervalMs: 5 });
    const storeB = new SqliteStore({ filename, pollIntervalMs: 5 });
    try {
      const a = makeLiveblocks({ store: storeA }).liveblocks;
      const b = makeLiveblocks({ store: storeB }).liveblocks;
      await b.createRoom("r", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
      const token = tokenOf((await a.identifyUser({ userId: "alice" })).body);
      const calls: RoomAccessResult[] = [];
      const watch = await a.watchRoomAccess(token, "r", (x) => calls.push(x));
      expect(watch.access).toMatchObject({ allowed: true });
      await b.updateRoom("r", { usersAccesses: { alice: ["room:read", "room:presence:write"] } });
      await vi.waitFor(() => expect(calls).toHaveLength(1));
      expect(calls[0]).toMatchObject({ allowed: true, isReadOnly: true });
      await b.deleteRoom("r");
      await vi.waitFor(() => expect(calls).toHaveLength(2));
      expect(calls[1]).toMatchObject({ allowed: false, reason: "room-not-found" });
      watch.stop();
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
  it("watchRoomAccess - a revocation made by another instance denies with revoked; onTokensRevoked hears it", async () => {
    const filename = join(dir, "revoke.db");
    const storeA = new SqliteStore({ filename, pollIntervalMs: 5 });
    const storeB = new SqliteStore({ filename, pollIntervalMs: 5 });
    try {
      const a = makeLiveblocks({ store: storeA }).liveblocks;
      const b = makeLiveblocks({ store: storeB }).liveblocks;
      await b.createRoom("r", { defaultAccesses: ["room:write"] });
      const token = tokenOf((await a.identifyUser({ userId: "alice" })).body);
      const calls: RoomAccessResult[] = [];
      const heard: RevocationEvent[] = [];
      const stopHearing = a.onTokensRevoked((event) => heard.push(event));
      const watch = await a.watchRoomAccess(token, "r", (x) => calls.push(x));
      expect(watch.access).toMatchObject({ allowed: true });
      await b.revokeTokens({ userId: "bob" });
      await b.revokeTokens({ userId: "alice", issuedBefore: T0 + 60_000 });
      await vi.waitFor(() => expect(calls).toHaveLength(1));
      expect(calls[0]).toMatchObject({ allowed: false, reason: "revoked" });
      expect(heard).toEqual([
        { userId: "bob", issuedBefore: T0 },
        { userId: "alice", issuedBefore: T0 + 60_000 },
      ]);
      stopHearing();
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
});
