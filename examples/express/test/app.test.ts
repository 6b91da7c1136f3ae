/**
 * The Express example over real HTTP on loopback, with rooms in a SQLite file
 * (the example's default store): the auth endpoint, the admin routes, and the
 * REST API under /v2 driven by the official `@liveblocks/node`.
 */
import type { Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { Liveblocks as Official, LiveblocksError as OfficialError } from "@liveblocks/node";
import { Liveblocks } from "roomgate";
import { SqliteStore } from "roomgate/sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";

const SECRET = "sk_test_express_example_0123456789abcdef";
let dir: string;
let store: SqliteStore;
let liveblocks: Liveblocks;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "roomgate-express-"));
  store = new SqliteStore({ filename: join(dir, "rooms.db") });
  liveblocks = new Liveblocks({ secret: SECRET, store });
  server = createApp({ liveblocks }).listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no address");
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A request as the signed-in `user` (the stand-in session reads `x-user-id` / `x-user-groups`). */
async function call(method: string, path: string, options: { user?: string; groups?: string[]; body?: unknown; raw?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.user !== undefined) headers["x-user-id"] = options.user;
  if (options.groups !== undefined) headers["x-user-groups"] = options.groups.join(",");
  let body: string | undefined = options.raw;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    text,
    json: response.headers.get("content-type")?.startsWith("application/json") ? (JSON.parse(text) as any) : undefined,
  };
}

const asAdmin = (method: string, path: string, body?: unknown) => call(method, path, { user: "admin", body });

/** The token the auth endpoint gives `user`, as @liveblocks/client would fetch it. */
async function tokenOf(user: string, groups?: string[]): Promise<string> {
  const answer = await call("POST", "/api/liveblocks-auth", { user, groups, body: { room: "ignored-for-id-tokens" } });
  expect(answer.status).toBe(200);
  return answer.json.token as string;
}

describe("POST /api/liveblocks-auth", () => {
  it("auth - answers an ID token that verifyToken and checkRoomAccess accept for the right room", async () => {
    await liveblocks.createRoom("auth-room", { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } });
    await liveblocks.createRoom("other-room", { defaultAccesses: [] });
    const answer = await call("POST", "/api/liveblocks-auth", { user: "alice", groups: ["eng", "design"] });
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/json/);
    const token = answer.json.token as string;
    expect(await liveblocks.verifyToken(token, { kind: "id" })).toMatchObject({
      uid: "alice",
      gids: ["eng", "design"],
      ui: { name: "alice" },
    });
    expect(await liveblocks.checkRoomAccess(token, "auth-room")).toMatchObject({
      allowed: true,
      userId: "alice",
      canWrite: true,
      isReadOnly: false,
    });
    expect(await liveblocks.checkRoomAccess(token, "other-room")).toMatchObject({ allowed: false, reason: "no-access" });
  });

  it("auth - 401 without a session, and no token", async () => {
    const answer = await call("POST", "/api/liveblocks-auth");
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ error: "Unauthorized", message: "Sign in first: no session." });
  });

  it("auth - a user id the library refuses is its 422, as text", async () => {
    const answer = await call("POST", "/api/liveblocks-auth", { user: "u".repeat(129) });
    expect(answer.status).toBe(422);
    expect(answer.type).toMatch(/^text\/plain/);
    expect(answer.text).toContain("userId");
  });
});

describe("admin routes", () => {
  it("admin - 401 without a session, 403 for a signed-in user who is not an admin; nothing created", async () => {
    expect((await call("POST", "/admin/rooms", { body: { roomId: "sneaky" } })).status).toBe(401);
    const forbidden = await call("POST", "/admin/rooms", { user: "mallory", body: { roomId: "sneaky" } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.message).toContain("mallory");
    await expect(liveblocks.getRoom("sneaky")).rejects.toMatchObject({ status: 404 });
  });

  it("admin - share a room: invite a user read-only, a group with write, make it public, remove, delete", async () => {
    const created = await asAdmin("POST", "/admin/rooms", { roomId: "doc-1", metadata: { title: "Plan" } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: "doc-1", defaultAccesses: [], metadata: { title: "Plan" } });

    const bob = await tokenOf("bob");
    const carol = await tokenOf("carol", ["editors"]);
    const dave = await tokenOf("dave");
    expect(await liveblocks.checkRoomAccess(bob, "doc-1")).toMatchObject({ allowed: false, reason: "no-access" });

    const invited = await asAdmin("PUT", "/admin/rooms/doc-1/users/bob", { access: "read" });
    expect(invited.status).toBe(200);
    expect(invited.json.usersAccesses).toEqual({ bob: ["room:read", "room:presence:write"] });
    expect(await liveblocks.checkRoomAccess(bob, "doc-1")).toMatchObject({ allowed: true, isReadOnly: true, canWrite: false });

    expect((await asAdmin("PUT", "/admin/rooms/doc-1/groups/editors", { access: "write" })).status).toBe(200);
    expect(await liveblocks.checkRoomAccess(carol, "doc-1")).toMatchObject({ allowed: true, canWrite: true });

    expect(await liveblocks.checkRoomAccess(dave, "doc-1")).toMatchObject({ allowed: false });
    expect((await asAdmin("PUT", "/admin/rooms/doc-1/access", { access: "read" })).json.defaultAccesses).toEqual([
      "room:read",
      "room:presence:write",
    ]);
    expect(await liveblocks.checkRoomAccess(dave, "doc-1")).toMatchObject({ allowed: true, isReadOnly: true });
    expect((await asAdmin("PUT", "/admin/rooms/doc-1/access", { access: "none" })).json.defaultAccesses).toEqual([]);
    expect(await liveblocks.checkRoomAccess(dave, "doc-1")).toMatchObject({ allowed: false, reason: "no-access" });

    const listed = await asAdmin("GET", "/admin/users/carol/rooms?groupIds=editors");
    expect(listed.status).toBe(200);
    expect(listed.json.data.map((room: { id: string }) => room.id)).toEqual(["doc-1"]);
    expect((await asAdmin("GET", "/admin/users/carol/rooms")).json.data).toEqual([]);

    const removed = await asAdmin("DELETE", "/admin/rooms/doc-1/users/bob");
    expect(removed.json.usersAccesses).toEqual({});
    expect(await liveblocks.checkRoomAccess(bob, "doc-1")).toMatchObject({ allowed: false, reason: "no-access" });
    expect((await asAdmin("DELETE", "/admin/rooms/doc-1/groups/editors")).json.groupsAccesses).toEqual({});
    expect(await liveblocks.checkRoomAccess(carol, "doc-1")).toMatchObject({ allowed: false });

    expect((await asAdmin("DELETE", "/admin/rooms/doc-1")).status).toBe(204);
    expect(await liveblocks.checkRoomAccess(carol, "doc-1")).toMatchObject({ allowed: false, reason: "room-not-found" });
    expect((await asAdmin("DELETE", "/admin/rooms/doc-1")).status).toBe(404);
  });

  it("admin - the library's errors keep their status and message, and change nothing", async () => {
    await asAdmin("POST", "/admin/rooms", { roomId: "doc-2" });
    const before = await liveblocks.getRoom("doc-2");

    const duplicate = await asAdmin("POST", "/admin/rooms", { roomId: "doc-2" });
    expect(duplicate).toMatchObject({ status: 409, json: { error: "Conflict", message: 'Room with id "doc-2" already exists.' } });

    const noId = await asAdmin("POST", "/admin/rooms", {});
    expect(noId.status).toBe(422);
    expect(noId.json.message).toContain("'roomId'");

    const badType = await asAdmin("PUT", "/admin/rooms/doc-2/users/bob", { access: "admin" });
    expect(badType.status).toBe(422);
    expect(badType.json.message).toBe(`Invalid value for field 'access': expected "read" or "write", got "admin".`);

    const longId = "x".repeat(41);
    const badKey = await asAdmin("PUT", `/admin/rooms/doc-2/users/${longId}`, { access: "read" });
    expect(badKey.status).toBe(422);
    expect(badKey.json.message).toContain(`usersAccesses`);

    const badMetadata = await asAdmin("POST", "/admin/rooms", { roomId: "doc-3", metadata: 5 });
    expect(badMetadata.status).toBe(422);
    expect(badMetadata.json.message).toContain("'metadata'");
    await expect(liveblocks.getRoom("doc-3")).rejects.toMatchObject({ status: 404 });

    const malformed = await call("PUT", "/admin/rooms/doc-2/access", { user: "admin", raw: "{not json" });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toBe("Bad Request");

    const missing = await asAdmin("PUT", "/admin/rooms/nope/users/bob", { access: "read" });
    expect(missing).toMatchObject({ status: 404, json: { message: 'Room with id "nope" not found.' } });

    expect(await liveblocks.getRoom("doc-2")).toEqual(before);
  });
});

describe("admin routes - properties", () => {
  it("property - any permission type but read/write is a 422 naming 'access', and the room is unchanged", async () => {
    await asAdmin("POST", "/admin/rooms", { roomId: "prop-room" });
    const before = await liveblocks.getRoom("prop-room");
    const notAType = fc.jsonValue().filter((value) => value !== "read" && value !== "write");
    await fc.assert(
      fc.asyncProperty(notAType, fc.constantFrom("users", "groups"), async (access, kind) => {
        const answer = await asAdmin("PUT", `/admin/rooms/prop-room/${kind}/someone`, { access });
        expect(answer.status).toBe(422);
        expect(answer.json.message).toMatch(/^Invalid value for field 'access': expected "read" or "write", got /);
      }),
      { numRuns: 40 },
    );
    expect(await liveblocks.getRoom("prop-room")).toEqual(before);
  });
});

describe("the REST API under /v2, through the official @liveblocks/node", () => {
  it("rest - createRoom, getRoom, updateRoom and getRooms reach the same rooms as the admin routes", async () => {
    const sdk = new Official({ secret: SECRET, baseUrl: base });
    const created = await sdk.createRoom("sdk-room", { defaultAccesses: [], usersAccesses: { erin: ["room:write"] } });
    expect(created).toMatchObject({ id: "sdk-room", usersAccesses: { erin: ["room:write"] } });
    expect(created.createdAt).toBeInstanceOf(Date);

    await asAdmin("PUT", "/admin/rooms/sdk-room/groups/reviewers", { access: "read" });
    expect((await sdk.getRoom("sdk-room")).groupsAccesses).toEqual({ reviewers: ["room:read", "room:presence:write"] });

    await sdk.updateRoom("sdk-room", { defaultAccesses: ["room:read"] });
    expect((await asAdmin("GET", "/admin/rooms/sdk-room")).json.defaultAccesses).toEqual(["room:read"]);

    const page = await sdk.getRooms({ userId: "erin" });
    expect(page.data.map((room) => room.id)).toContain("sdk-room");
    const erin = await tokenOf("erin");
    expect(await liveblocks.checkRoomAccess(erin, "sdk-room")).toMatchObject({ allowed: true, canWrite: true });
  });

  it("rest - a wrong secret is refused (403), no secret is 401, and nothing is created", async () => {
    const wrong = new Official({ secret: "sk_test_not_the_right_secret_0123456789", baseUrl: base });
    const error = await wrong.createRoom("intruder", { defaultAccesses: ["room:write"] }).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OfficialError);
    expect((error as OfficialError).status).toBe(403);
    const anonymous = await fetch(`${base}/v2/rooms`);
    expect(anonymous.status).toBe(401);
    await expect(liveblocks.getRoom("intruder")).rejects.toMatchObject({ status: 404 });
  });

  it("rest - a bad body is 422 naming the field", async () => {
    const sdk = new Official({ secret: SECRET, baseUrl: base });
    // The SDK checks scope names itself; a key over 40 characters only the server refuses.
    const error = await sdk.createRoom("bad-room", { defaultAccesses: [], usersAccesses: { ["k".repeat(41)]: ["room:write"] } }).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect((error as OfficialError).status).toBe(422);
    expect((error as OfficialError).message).toContain("usersAccesses");
    await expect(liveblocks.getRoom("bad-room")).rejects.toMatchObject({ status: 404 });
  });

  it("rest - routes outside /v2 are the app's own 404", async () => {
    const answer = await call("GET", "/v3/rooms");
    expect(answer).toMatchObject({ status: 404, json: { error: "Not Found" } });
  });
});
