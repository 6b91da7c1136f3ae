/**
 * Security review "hardening, round two", through `RestStore` against a real
 * `createRequestHandler` server on loopback (items 5, 6, 12, 13).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Liveblocks } from "../../../src/liveblocks/index.js";
import { MemoryStore } from "../../../src/stores/memory/store.js";
import { RestStore } from "../../../src/stores/rest/store.js";
import { type TestServer, SECRET, startServer } from "../../http/helpers.js";

let serving: Liveblocks;
let server: TestServer;
let client: Liveblocks;

beforeAll(async () => {
  serving = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
  server = await startServer(serving);
  client = new Liveblocks({ secret: SECRET, store: new RestStore({ baseUrl: server.url, secret: SECRET }) });
});
afterAll(() => server.close());

describe("item 6 - group ids with commas over REST", () => {
  it("RestStore - a user in group 'guests,admins' is refused, never handed the rooms of 'admins'", async () => {
    await client.createRoom("admins-room", { defaultAccesses: [], groupsAccesses: { admins: ["room:write"] } });
    await expect(
      client.createRoom("odd", { defaultAccesses: [], groupsAccesses: { "guests,admins": ["room:write"] } }),
    ).rejects.toMatchObject({ status: 422, code: "UNPROCESSABLE_ENTITY" });
    await expect(client.getRooms({ groupIds: ["guests,admins"] })).rejects.toMatchObject({ status: 422 });
    expect((await client.identifyUser({ userId: "u", groupIds: ["guests,admins"] })).status).toBe(422);
    // A group id without a comma still works over the wire.
    expect((await client.getRooms({ groupIds: ["admins"] })).data.map((room) => room.id)).toEqual(["admins-room"]);
  });

  it("HTTP - identify-user and room bodies with such a group id answer 422 naming the field", async () => {
    const identify = await server.call("POST", "/v2/identify-user", { userId: "u", groupIds: ["a,b"] });
    expect(identify.status).toBe(422);
    expect(await identify.text()).toContain("groupIds[0]");
    const create = await server.call("POST", "/v2/rooms", { id: "x", defaultAccesses: [], groupsAccesses: { "a,b": ["room:write"] } });
    expect(create.status).toBe(422);
    expect(await create.json()).toMatchObject({ error: "UNPROCESSABLE_ENTITY" });
  });
});

describe("item 13 - room ids . and ..", () => {
  it("RestStore - creating '.' or '..' is a 422, not a room no path can name", async () => {
    for (const id of [".", ".."]) {
      await expect(client.createRoom(id, { defaultAccesses: [] })).rejects.toMatchObject({ status: 422 });
      await expect(client.upsertRoom(id, { update: { defaultAccesses: [] } })).rejects.toMatchObject({ status: 422 });
      const raw = await server.call("POST", "/v2/rooms", { id, defaultAccesses: [] });
      expect(raw.status).toBe(422);
      await expect(serving.getRoom(id)).rejects.toMatchObject({ status: 422 });
    }
  });
});

describe("item 12 - NUL over HTTP", () => {
  it("HTTP - a NUL or lone surrogate in /v2/users/:userId answers 422", async () => {
    for (const path of ["/v2/users/a%00b/revocation", "/v2/users/%ED%A0%80/revocation"]) {
      const response = await server.call("GET", path);
      expect([400, 422], path).toContain(response.status);
    }
    expect((await server.call("GET", "/v2/users/a%00b/revocation")).status).toBe(422);
  });

  it("HTTP - a \\u0000 escape in a query value answers 422 INVALID_QUERY", async () => {
    const response = await server.call("GET", `/v2/rooms?query=${encodeURIComponent('roomId:"\\u0000"')}`);
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: "INVALID_QUERY" });
  });
});

describe("item 5 - clearing a revocation over REST", () => {
  it("DELETE /v2/users/:userId/revocation - clears the cutoff (204), also for a user without one", async () => {
    await serving.revokeTokens({ userId: "carol" });
    const response = await server.call("DELETE", "/v2/users/carol/revocation");
    expect(response.status).toBe(204);
    expect(await serving.getTokenRevocation({ userId: "carol" })).toEqual({ issuedBefore: null });
    expect((await server.call("DELETE", "/v2/users/nobody/revocation")).status).toBe(204);
  });

  it("RestStore - clearTokenRevocation passes through to the server", async () => {
    await client.revokeTokens({ userId: "dave" });
    expect((await serving.getTokenRevocation({ userId: "dave" })).issuedBefore).not.toBeNull();
    await client.clearTokenRevocation({ userId: "dave" });
    expect(await serving.getTokenRevocation({ userId: "dave" })).toEqual({ issuedBefore: null });
  });

  it("HTTP - revoke-tokens with a fractional or far-future issuedBefore answers 422, not 500", async () => {
    for (const issuedBefore of [1.5, 1e300, 2 ** 53]) {
      const response = await server.call("POST", "/v2/users/erin/revoke-tokens", { issuedBefore });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({ error: "UNPROCESSABLE_ENTITY" });
    }
  });
});
