/**
 * Organizations isolate: a token is for one organization (the `oid` claim,
 * `"default"` without it) and enters rooms of that organization only,
 * whatever the room's permissions or the token's own say, through every
 * store and every gate (checkRoomAccess, watchRoomAccess).
 */
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { createRequestHandler, toNodeListener } from "../../../src/http/index.js";
import { Liveblocks, MemoryStore, RestStore, type RoomStore, resolveAccess } from "../../../src/index.js";
import { PostgresStore } from "../../../src/postgres.js";
import { SqliteStore } from "../../../src/sqlite.js";
import { validSet } from "../../permissions/arbitraries.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../../stores/postgres/helpers.js";
import { SECRET, decodePayload, makeLiveblocks, tokenOf } from "../helpers.js";

const ORGS = ["default", "acme", "globex", "Acme", "acme ", "__proto__"];
/** A permission set the facade stores (it takes `room:presence:write` once at most). */
const storableSet = validSet.filter((set) => set.filter((scope) => scope === "room:presence:write").length <= 1);

async function idToken(liveblocks: Liveblocks, userId: string, organizationId?: string, groupIds?: string[]): Promise<string> {
  const identity = { userId, ...(organizationId !== undefined && { organizationId }), ...(groupIds !== undefined && { groupIds }) };
  return tokenOf((await liveblocks.identifyUser(identity)).body);
}

async function accessToken(liveblocks: Liveblocks, userId: string, organizationId?: string): Promise<string> {
  const session = liveblocks.prepareSession(userId, organizationId === undefined ? {} : { organizationId });
  session.allow("*", session.FULL_ACCESS);
  return tokenOf((await session.authorize()).body);
}

describe("organization claim", () => {
  it("identifyUser / prepareSession - write the organization as `oid`, none for the default one; tenantId is its old name", async () => {
    const { liveblocks } = makeLiveblocks();
    expect(decodePayload(await idToken(liveblocks, "ada", "acme"))).toMatchObject({ k: "id", uid: "ada", oid: "acme" });
    expect(decodePayload(await idToken(liveblocks, "ada", "default"))).not.toHaveProperty("oid");
    expect(decodePayload(await idToken(liveblocks, "ada"))).not.toHaveProperty("oid");
    expect(decodePayload(tokenOf((await liveblocks.identifyUser({ userId: "ada", tenantId: "initech" })).body))).toMatchObject({
      oid: "initech",
    });
    expect(decodePayload(await accessToken(liveblocks, "ada", "acme"))).toMatchObject({ k: "acc", oid: "acme" });
    expect(decodePayload(await accessToken(liveblocks, "ada"))).not.toHaveProperty("oid");
    // Claim order as the signer writes it: oid after gids, before iat.
    const payload = decodePayload(await idToken(liveblocks, "ada", "acme", ["eng"]));
    expect(Object.keys(payload)).toEqual(["k", "pid", "uid", "gids", "oid", "iat", "exp", "jti"]);
    expect((await liveblocks.verifyToken(await idToken(liveblocks, "ada", "acme"))).oid).toBe("acme");
  });
});

describe("checkRoomAccess - organizations", () => {
  it("property - a token never enters a room of another organization, whatever the permissions; within its own the decision is resolveAccess's", async () => {
    const { liveblocks } = makeLiveblocks({ store: new MemoryStore() });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ORGS),
        fc.constantFrom(...ORGS),
        fc.oneof(storableSet, fc.constant([] as string[])),
        fc.option(storableSet, { nil: undefined }),
        fc.boolean(),
        async (tokenOrg, roomOrg, defaultAccesses, userEntry, useAccessToken) => {
          const roomId = `room-${n++}`;
          await liveblocks.createRoom(roomId, {
            defaultAccesses: defaultAccesses as never,
            organizationId: roomOrg,
            ...(userEntry !== undefined && { usersAccesses: { ada: userEntry as never } }),
          });
          const token = useAccessToken ? await accessToken(liveblocks, "ada", tokenOrg) : await idToken(liveblocks, "ada", tokenOrg);
          const access = await liveblocks.checkRoomAccess(token, roomId);
          if (tokenOrg !== roomOrg) {
            expect(access).toMatchObject({ allowed: false, reason: "organization-mismatch" });
            expect(Buffer.byteLength((access as { message: string }).message)).toBeLessThanOrEqual(123);
          } else {
            const usersAccesses: Record<string, string[]> = userEntry === undefined ? {} : { ada: userEntry };
            const room = { defaultAccesses, usersAccesses };
            expect(access.allowed).toBe(useAccessToken || resolveAccess(room, { userId: "ada" }).canEnter);
          }
          const watch = await liveblocks.watchRoomAccess(token, roomId, () => undefined);
          watch.stop();
          expect(watch.access).toEqual(access);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("access token - enters a room nobody created yet (it would be made in its organization)", async () => {
    const { liveblocks } = makeLiveblocks({ store: new MemoryStore() });
    expect(await liveblocks.checkRoomAccess(await accessToken(liveblocks, "ada", "acme"), "not-yet")).toMatchObject({ allowed: true });
  });

  it("store - a custom store that omits organizationId puts every room in the default organization; a malformed one denies", async () => {
    const memory = new MemoryStore();
    const rules = (organizationId: unknown) =>
      new Proxy(memory, {
        get(target, key) {
          if (key === "getAccessRules") return async () => ({ defaultAccesses: ["room:write"], organizationId });
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      }) as RoomStore;
    const omitted = new Liveblocks({ secret: SECRET, store: rules(undefined) });
    expect(await omitted.checkRoomAccess(await idToken(omitted, "ada"), "r")).toMatchObject({ allowed: true });
    expect(await omitted.checkRoomAccess(await idToken(omitted, "ada", "acme"), "r")).toMatchObject({ reason: "organization-mismatch" });
    const malformed = new Liveblocks({ secret: SECRET, store: rules(42) });
    expect(await malformed.checkRoomAccess(await idToken(malformed, "ada"), "r")).toMatchObject({ reason: "store-unavailable" });
  });
});

const pgUnavailable = await probePostgres();
if (pgUnavailable !== null) console.warn(`Skipping organizations on PostgreSQL: ${pgUnavailable}`);

describe("organizations through every store", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const stores: [string, () => Promise<RoomStore>][] = [
    ["MemoryStore", async () => new MemoryStore()],
    [
      "SqliteStore",
      async () => {
        const file = join(tmpdir(), `roomgate-orgs-${process.pid}-${Date.now()}.db`);
        const store = new SqliteStore({ filename: file });
        cleanups.push(async () => {
          await store.close();
          for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
        });
        return store;
      },
    ],
    [
      "RestStore",
      async () => {
        const server = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
        const http = createServer(toNodeListener(createRequestHandler(server)));
        await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
        cleanups.push(() => new Promise<void>((resolve) => (http.closeAllConnections(), http.close(() => resolve()))));
        return new RestStore({ secret: SECRET, baseUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, serverEvents: false });
      },
    ],
  ];
  if (pgUnavailable === null) {
    stores.push([
      "PostgresStore",
      async () => {
        const schema = testSchema("orgs");
        const store = new PostgresStore({ connectionString: DATABASE_URL, schema });
        cleanups.push(async () => {
          await store.close();
          await dropSchema(schema);
        });
        return store;
      },
    ]);
    stores.push([
      "PostgresStore with entryCache",
      async () => {
        const schema = testSchema("orgscache");
        const store = new PostgresStore({ connectionString: DATABASE_URL, schema, entryCache: true });
        cleanups.push(async () => {
          await store.close();
          await dropSchema(schema);
        });
        return store;
      },
    ]);
  }

  for (const [name, open] of stores) {
    it(`${name} - a public room of globex refuses acme's and the default organization's tokens, ID and access alike`, async () => {
      const liveblocks = new Liveblocks({ secret: SECRET, store: await open() });
      await liveblocks.createRoom("globex-room", { defaultAccesses: ["room:write"], organizationId: "globex" });
      await liveblocks.createRoom("default-room", { defaultAccesses: ["room:write"], usersAccesses: { ada: ["room:write"] } });
      for (const token of [
        await idToken(liveblocks, "ada", "acme"),
        await idToken(liveblocks, "ada"),
        await accessToken(liveblocks, "ada", "acme"),
      ]) {
        expect(await liveblocks.checkRoomAccess(token, "globex-room")).toMatchObject({ allowed: false, reason: "organization-mismatch" });
      }
      expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "ada", "globex"), "globex-room")).toMatchObject({ allowed: true });
      expect(await liveblocks.checkRoomAccess(await accessToken(liveblocks, "ada", "globex"), "globex-room")).toMatchObject({
        allowed: true,
      });
      expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "ada"), "default-room")).toMatchObject({ allowed: true });
      expect(await liveblocks.checkRoomAccess(await idToken(liveblocks, "ada", "globex"), "default-room")).toMatchObject({
        reason: "organization-mismatch",
      });
    });
  }
});
