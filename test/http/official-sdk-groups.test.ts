/**
 * The official `@liveblocks/node` 3.24.2 as the client of roomgate's groups
 * routes, over a SQLite-backed and a Postgres-backed server on loopback:
 * every group method goes over real HTTP and is parsed by the SDK's own
 * code, so what it returns is what a Liveblocks app would get.
 */
import { Liveblocks as Official, LiveblocksError as OfficialError } from "@liveblocks/node";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Liveblocks, MemoryStore, type RoomStore } from "../../src/index.js";
import { PostgresStore } from "../../src/postgres.js";
import { SqliteStore } from "../../src/sqlite.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
import { SECRET, type TestServer, startServer } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "roomgate-sdk-groups-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const unreachable = await probePostgres();
if (unreachable !== null) console.warn(unreachable);
const schema = testSchema("sdk_groups");

const backends: { name: string; skip: boolean; create: () => RoomStore; cleanup?: () => Promise<void> }[] = [
  { name: "MemoryStore", skip: false, create: () => new MemoryStore() },
  { name: "SqliteStore", skip: false, create: () => new SqliteStore({ filename: join(dir, "groups.db") }) },
  {
    name: `PostgresStore (${DATABASE_URL})`,
    skip: unreachable !== null,
    create: () => new PostgresStore({ connectionString: DATABASE_URL, schema }),
    cleanup: () => dropSchema(schema),
  },
];

async function rejection(promise: Promise<unknown>): Promise<OfficialError> {
  const error = await promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OfficialError);
  return error as OfficialError;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

for (const backend of backends) {
  describe.skipIf(backend.skip)(`@liveblocks/node groups against roomgate over ${backend.name}`, () => {
    let store: RoomStore;
    let server: TestServer;
    let sdk: Official;
    const clock = { now: Date.UTC(2026, 0, 1, 12, 0, 0, 123) };

    beforeAll(async () => {
      store = backend.create();
      server = await startServer(new Liveblocks({ secret: SECRET, store, now: () => clock.now }));
      sdk = new Official({ secret: SECRET, baseUrl: server.url });
    });
    afterAll(async () => {
      await server?.close();
      await store?.close?.();
      await backend.cleanup?.();
    });

    it("createGroup / getGroup - the SDK gets Liveblocks' GroupData with Dates", async () => {
      const created = await sdk.createGroup({ groupId: "eng", memberIds: ["alice", "bob", "alice"] });
      const t0 = new Date(clock.now);
      expect(created).toEqual({
        type: "group",
        id: "eng",
        tenantId: "default",
        organizationId: "default",
        createdAt: t0,
        updatedAt: t0,
        scopes: { mention: true },
        members: [
          { id: "alice", addedAt: t0 },
          { id: "bob", addedAt: t0 },
        ],
      });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(await sdk.getGroup({ groupId: "eng" })).toEqual(created);

      const raw = (await (await server.call("GET", "/v2/groups/eng")).json()) as Record<string, unknown>;
      expect(raw["createdAt"]).toMatch(ISO);
      expect((raw["members"] as { addedAt: string }[])[0]!.addedAt).toMatch(ISO);

      const other = await sdk.createGroup({ groupId: "ops", organizationId: "acme", scopes: { mention: true } });
      expect(other).toMatchObject({ id: "ops", organizationId: "acme", members: [] });
    });

    it("createGroup - a taken id is 409 GROUP_ALREADY_EXISTS; a bad id is 422", async () => {
      const taken = await rejection(sdk.createGroup({ groupId: "eng" }));
      expect(taken.status).toBe(409);
      expect(taken.message).toBe('Group with id "eng" already exists.');
      const comma = await rejection(sdk.createGroup({ groupId: "a,b" }));
      expect(comma.status).toBe(422);
      expect(comma.message).toContain("groupId");
      const long = await rejection(sdk.createGroup({ groupId: "g".repeat(41) }));
      expect(long.status).toBe(422);
    });

    it("addGroupMembers / removeGroupMembers - keep addedAt of members already in, move updatedAt", async () => {
      const t0 = new Date(clock.now);
      clock.now += 60_000;
      const t1 = new Date(clock.now);
      const added = await sdk.addGroupMembers({ groupId: "eng", memberIds: ["carol", "alice"] });
      expect(added.updatedAt).toEqual(t1);
      expect(added.createdAt).toEqual(t0);
      expect(added.members).toEqual([
        { id: "alice", addedAt: t0 },
        { id: "bob", addedAt: t0 },
        { id: "carol", addedAt: t1 },
      ]);
      clock.now += 60_000;
      const removed = await sdk.removeGroupMembers({ groupId: "eng", memberIds: ["bob", "nobody"] });
      expect(removed.members.map((m) => m.id)).toEqual(["alice", "carol"]);
      expect(removed.updatedAt).toEqual(new Date(clock.now));
      const missing = await rejection(sdk.addGroupMembers({ groupId: "nope", memberIds: ["x"] }));
      expect(missing.status).toBe(404);
      expect(missing.message).toBe('Group with id "nope" not found.');
    });

    it("getGroups / getUserGroups - pages by id with the SDK's { data, nextCursor }", async () => {
      await sdk.createGroup({ groupId: "design", memberIds: ["carol"] });
      const first = await sdk.getGroups({ limit: 2 });
      expect(first.data.map((g) => g.id)).toEqual(["design", "eng"]);
      expect(first.data[0]!.createdAt).toBeInstanceOf(Date);
      expect(typeof first.nextCursor).toBe("string");
      const second = await sdk.getGroups({ limit: 2, startingAfter: first.nextCursor! });
      expect(second).toMatchObject({ nextCursor: null });
      expect(second.data.map((g) => g.id)).toEqual(["ops"]);

      const carol = await sdk.getUserGroups({ userId: "carol" });
      expect(carol.nextCursor).toBeNull();
      expect(carol.data.map((g) => g.id)).toEqual(["design", "eng"]);
      expect(carol.data[1]!.members[1]!.addedAt).toBeInstanceOf(Date);
      const page = await sdk.getUserGroups({ userId: "carol", limit: 1 });
      expect(page.data.map((g) => g.id)).toEqual(["design"]);
      const rest = await sdk.getUserGroups({ userId: "carol", limit: 1, startingAfter: page.nextCursor! });
      expect(rest.data.map((g) => g.id)).toEqual(["eng"]);
      expect((await sdk.getUserGroups({ userId: "bob" })).data).toEqual([]);
      expect((await rejection(sdk.getGroups({ startingAfter: "garbage" }))).status).toBe(422);
    });

    it("deleteGroup - removes the group and its memberships; a missing group is 404", async () => {
      await sdk.deleteGroup({ groupId: "design" });
      expect((await rejection(sdk.getGroup({ groupId: "design" }))).status).toBe(404);
      expect((await sdk.getUserGroups({ userId: "carol" })).data.map((g) => g.id)).toEqual(["eng"]);
      const missing = await rejection(sdk.deleteGroup({ groupId: "design" }));
      expect(missing.status).toBe(404);
    });
  });
}
