import { afterAll, describe, expect, it, vi } from "vitest";
import type { RoomAccessResult } from "../../../src/index.js";
import { PostgresStore } from "../../../src/postgres.js";
import { DATABASE_URL, dropSchema, testSchema } from "../../stores/postgres/helpers.js";
import { T0, makeLiveblocks, tokenOf } from "../helpers.js";

describe("watchRoomAccess on PostgresStore", () => {
  const schema = testSchema("watch");
  afterAll(async () => {
    await dropSchema(schema);
  });

  it("watchRoomAccess - hears changes committed by another instance", async () => {
    const storeA = new PostgresStore({ connectionString: DATABASE_URL, schema });
    const storeB = new PostgresStore({ connectionString: DATABASE_URL, schema });
    try {
      const a = makeLiveblocks({ store: storeA }).liveblocks;
      const b = makeLiveblocks({ store: storeB }).liveblocks;
      await b.createRoom("r", { defaultAccesses: [], groupsAccesses: { eng: ["room:write"] } });
      const token = tokenOf((await a.identifyUser({ userId: "alice", groupIds: ["eng"] })).body);
      const calls: RoomAccessResult[] = [];
      const watch = await a.watchRoomAccess(token, "r", (x) => calls.push(x));
      expect(watch.access).toMatchObject({ allowed: true, canWrite: true });
      await b.updateRoom("r", { groupsAccesses: { eng: null } });
      await vi.waitFor(() => expect(calls).toHaveLength(1));
      expect(calls[0]).toMatchObject({ allowed: false, reason: "no-access" });
      await b.updateRoom("r", { groupsAccesses: { eng: ["room:read", "room:presence:write"] } });
      await vi.waitFor(() => expect(calls).toHaveLength(2));
      expect(calls[1]).toMatchObject({ allowed: true, isReadOnly: true });
      watch.stop();
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });

  it("watchRoomAccess - a revocation committed by another instance denies with revoked", async () => {
    const storeA = new PostgresStore({ connectionString: DATABASE_URL, schema });
    const storeB = new PostgresStore({ connectionString: DATABASE_URL, schema });
    try {
      const a = makeLiveblocks({ store: storeA }).liveblocks;
      const b = makeLiveblocks({ store: storeB }).liveblocks;
      await b.createRoom("rv", { defaultAccesses: ["room:write"] });
      const token = tokenOf((await a.identifyUser({ userId: "carol" })).body);
      const calls: RoomAccessResult[] = [];
      const watch = await a.watchRoomAccess(token, "rv", (x) => calls.push(x));
      expect(watch.access).toMatchObject({ allowed: true });
      await b.revokeTokens({ userId: "dave" });
      await b.revokeTokens({ userId: "carol", issuedBefore: T0 + 60_000 });
      await vi.waitFor(() => expect(calls).toHaveLength(1));
      expect(calls[0]).toMatchObject({ allowed: false, reason: "revoked" });
    } finally {
      await storeA.close();
      await storeB.close();
    }
  });
});
