/**
 * `groupsFrom: "store"`: stored memberships decide at every entry, and a
 * membership change re-decides connected users through their watches — at
 * once through the instance that made it, within `groupsRecheckMs` on
 * another instance sharing the store.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Liveblocks, MemoryStore, type RoomAccessResult, type RoomStore } from "../../../src/index.js";
import { SqliteStore } from "../../../src/sqlite.js";
import { SECRET, tokenOf } from "../helpers.js";

const files: string[] = [];
afterAll(() => {
  for (const file of files) for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
});

async function setup(store: RoomStore, options: { groupsRecheckMs?: number } = {}) {
  const liveblocks = new Liveblocks({ secret: SECRET, store, groupsFrom: "store", ...options });
  await liveblocks.createRoom("r", { defaultAccesses: [], groupsAccesses: { eng: ["room:write"] } });
  await liveblocks.createGroup({ groupId: "eng", memberIds: ["ada"] });
  const token = tokenOf((await liveblocks.identifyUser("ada")).body);
  return { liveblocks, token };
}

async function watch(liveblocks: Liveblocks, token: string) {
  const seen: RoomAccessResult[] = [];
  const running = await liveblocks.watchRoomAccess(token, "r", (access) => seen.push(access));
  return { seen, running };
}

const sqlite = () => {
  const file = join(tmpdir(), `roomgate-groups-live-${process.pid}-${files.length}.db`);
  files.push(file);
  return new SqliteStore({ filename: file });
};

describe("groupsFrom: store - live memberships", () => {
  for (const [name, open] of [
    ["MemoryStore", () => new MemoryStore()],
    ["SqliteStore", sqlite],
  ] as const) {
    it(`${name} - removed from the group that gave access: the watch ends with no-access at once, and entry is refused; added back: allowed again`, async () => {
      const store = open();
      const { liveblocks, token } = await setup(store);
      const { seen, running } = await watch(liveblocks, token);
      expect(running.access).toMatchObject({ allowed: true, groupIds: ["eng"] });
      await liveblocks.removeGroupMembers({ groupId: "eng", memberIds: ["ada"] });
      await vi.waitFor(() => expect(seen.at(-1)).toMatchObject({ allowed: false, reason: "no-access" }), { timeout: 2_000 });
      // The same token, issued while she was a member, no longer enters.
      expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: false, reason: "no-access" });
      await liveblocks.addGroupMembers({ groupId: "eng", memberIds: ["ada"] });
      await vi.waitFor(() => expect(seen.at(-1)).toMatchObject({ allowed: true }), { timeout: 2_000 });
      expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: true });
      running.stop();
      await store.close?.();
    });
  }

  it("deleteGroup - the members' watches end with no-access", async () => {
    const { liveblocks, token } = await setup(new MemoryStore());
    const { seen, running } = await watch(liveblocks, token);
    await liveblocks.deleteGroup({ groupId: "eng" });
    await vi.waitFor(() => expect(seen.at(-1)).toMatchObject({ allowed: false, reason: "no-access" }), { timeout: 2_000 });
    running.stop();
  });

  it("entry - a membership added after the token was issued counts; a group the app passed that is not stored does not (the store decides)", async () => {
    const store = new MemoryStore();
    const { liveblocks } = await setup(store);
    const bob = tokenOf((await liveblocks.identifyUser({ userId: "bob", groupIds: ["adhoc"] })).body);
    expect(await liveblocks.checkRoomAccess(bob, "r")).toMatchObject({ allowed: false, reason: "no-access" });
    await liveblocks.addGroupMembers({ groupId: "eng", memberIds: ["bob"] });
    expect(await liveblocks.checkRoomAccess(bob, "r")).toMatchObject({ allowed: true, groupIds: ["eng"] });
    await liveblocks.updateRoom("r", { groupsAccesses: { adhoc: ["room:write"], eng: null } });
    expect(await liveblocks.checkRoomAccess(bob, "r")).toMatchObject({ allowed: false, reason: "no-access" });
  });

  it("another instance on the same store - its watch hears the removal within groupsRecheckMs", async () => {
    const store = new MemoryStore();
    const { liveblocks: writer, token } = await setup(store);
    const reader = new Liveblocks({ secret: SECRET, store, groupsFrom: "store", groupsRecheckMs: 50 });
    const { seen, running } = await watch(reader, token);
    expect(running.access).toMatchObject({ allowed: true });
    await writer.removeGroupMembers({ groupId: "eng", memberIds: ["ada"] });
    await vi.waitFor(() => expect(seen.at(-1)).toMatchObject({ allowed: false, reason: "no-access" }), { timeout: 2_000 });
    running.stop();
  });

  it("groupsFrom: token (the default, as Liveblocks) - the token's groups stand until it expires", async () => {
    const store = new MemoryStore();
    const liveblocks = new Liveblocks({ secret: SECRET, store });
    await liveblocks.createRoom("r", { defaultAccesses: [], groupsAccesses: { eng: ["room:write"] } });
    await liveblocks.createGroup({ groupId: "eng", memberIds: ["ada"] });
    const token = tokenOf((await liveblocks.identifyUser({ userId: "ada", groupIds: ["eng"] })).body);
    await liveblocks.removeGroupMembers({ groupId: "eng", memberIds: ["ada"] });
    expect(await liveblocks.checkRoomAccess(token, "r")).toMatchObject({ allowed: true });
  });

  it("options - groupsRecheckMs must be an integer of at least 10", () => {
    expect(() => new Liveblocks({ secret: SECRET, store: new MemoryStore(), groupsRecheckMs: 0 })).toThrow(
      "Invalid value for field 'groupsRecheckMs'. Please provide an integer of at least 10.",
    );
  });
});
