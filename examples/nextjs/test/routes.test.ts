/**
 * The Next.js example's route modules, called directly with Web `Request`s
 * (no `next` needed): the app's own code over a real SQLite file.
 * `npm run test:e2e` runs the same routes under `next build` / `next start`.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { generateSecret } from "roomgate";
import { Liveblocks as Official } from "@liveblocks/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as auth from "../app/api/liveblocks-auth/route";
import * as authEdge from "../app/api/liveblocks-auth-edge/route";
import * as share from "../app/api/rooms/[roomId]/share/route";
import * as rest from "../app/v2/[...path]/route";
import { closeLiveblocks, getLiveblocks } from "../lib/liveblocks";

const dir = mkdtempSync(join(tmpdir(), "roomgate-nextjs-"));
const secret = generateSecret();
const origin = "http://app.test";

beforeAll(() => {
  // The example picks Postgres when DATABASE_URL is set; this file tests the SQLite default.
  delete process.env.DATABASE_URL;
  delete process.env.ROOMGATE_SECRET;
  process.env.ROOMGATE_DB_FILE = join(dir, "nested", "roomgate.db");
});

afterAll(async () => {
  await closeLiveblocks();
  rmSync(dir, { recursive: true, force: true });
});

function as(userId: string | null, init: RequestInit & { groups?: string } = {}): RequestInit {
  const headers = new Headers(init.headers);
  if (userId !== null) headers.set("x-user-id", userId);
  if (init.groups !== undefined) headers.set("x-user-groups", init.groups);
  return { ...init, headers };
}

async function signIn(userId: string, groups?: string): Promise<string> {
  const response = await auth.POST(new Request(`${origin}/api/liveblocks-auth`, as(userId, { method: "POST", groups })));
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

function shareRequest(roomId: string, userId: string | null, method: string, body?: unknown): Promise<Response> {
  const request = new Request(`${origin}/api/rooms/${encodeURIComponent(roomId)}/share`, {
    ...as(userId, { method }),
    ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const handler = { GET: share.GET, POST: share.POST, DELETE: share.DELETE, PATCH: share.PATCH }[method]!;
  return handler(request, { params: Promise.resolve({ roomId }) });
}

async function sharing(response: Response) {
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as {
    visibility: string;
    users: { id: string; access: string }[];
    groups: { id: string; access: string }[];
  };
}

async function roomAccess(userId: string, roomId: string, groups?: string) {
  const liveblocks = await getLiveblocks();
  return liveblocks.checkRoomAccess(await signIn(userId, groups), roomId);
}

describe("without ROOMGATE_SECRET", () => {
  it("lib/liveblocks - the first request answers 500 saying how to make a secret", async () => {
    const response = await auth.POST(new Request(`${origin}/api/liveblocks-auth`, as("alice", { method: "POST" })));
    expect(response.status).toBe(500);
    expect(((await response.json()) as { message: string }).message).toMatch(/ROOMGATE_SECRET is not set.*npx roomgate secret/);
    // Set it now: the failed start is not remembered.
    process.env.ROOMGATE_SECRET = secret;
  });
});

describe("app/api/liveblocks-auth", () => {
  it("POST - signs an ID token for the signed-in user and groups, which verifies", async () => {
    const token = await signIn("alice", "engineering, design");
    const claims = await (await getLiveblocks()).verifyToken(token);
    expect(claims).toMatchObject({ k: "id", uid: "alice", gids: ["engineering", "design"], ui: { name: "alice" } });
  });

  it("POST - the token enters a room that grants the user's group", async () => {
    const liveblocks = await getLiveblocks();
    await liveblocks.createRoom("auth-room", { defaultAccesses: [], groupsAccesses: { engineering: ["room:write"] } });
    expect(await roomAccess("dana", "auth-room", "engineering")).toMatchObject({ allowed: true, canWrite: true });
    expect(await roomAccess("dana", "auth-room")).toMatchObject({ allowed: false, reason: "no-access" });
  });

  it("POST - 401 without a signed-in user", async () => {
    const response = await auth.POST(new Request(`${origin}/api/liveblocks-auth`, { method: "POST" }));
    expect(response.status).toBe(401);
  });
});

describe("app/api/liveblocks-auth-edge", () => {
  it("declares the Edge runtime, and signs a token the shared instance verifies; 401 without a user", async () => {
    expect(authEdge.runtime).toBe("edge");
    const response = await authEdge.POST(new Request(`${origin}/api/liveblocks-auth-edge`, as("erin", { method: "POST", groups: "eng" })));
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    expect(await (await getLiveblocks()).verifyToken(token)).toMatchObject({ k: "id", uid: "erin", gids: ["eng"] });
    expect((await authEdge.POST(new Request(`${origin}/api/liveblocks-auth-edge`, { method: "POST" }))).status).toBe(401);
  });
});

describe("app/api/rooms/[roomId]/share", () => {
  it("GET - a new room is private with its opener as editor; the SQLite file is created", async () => {
    const state = await sharing(await shareRequest("doc-1", "alice", "GET"));
    expect(state).toEqual({
      roomId: "doc-1",
      visibility: "private",
      publicAccess: null,
      users: [{ id: "alice", access: "write" }],
      groups: [],
    });
    expect(await roomAccess("bob", "doc-1")).toMatchObject({ allowed: false, reason: "no-access" });
    expect(existsSync(join(dir, "nested", "roomgate.db"))).toBe(true);
  });

  it("POST - inviting a user with read access lets them enter read-only", async () => {
    const state = await sharing(await shareRequest("doc-1", "alice", "POST", { userId: "bob", access: "read" }));
    expect(state.users).toContainEqual({ id: "bob", access: "read" });
    expect(await roomAccess("bob", "doc-1")).toMatchObject({ allowed: true, isReadOnly: true, canWrite: false });
  });

  it("POST - a reader may not share; 403 changes nothing", async () => {
    const response = await shareRequest("doc-1", "bob", "POST", { userId: "mallory", access: "write" });
    expect(response.status).toBe(403);
    expect((await (await getLiveblocks()).getRoom("doc-1")).usersAccesses).not.toHaveProperty("mallory");
  });

  it("POST - inviting a group with write access lets its members edit", async () => {
    const state = await sharing(await shareRequest("doc-1", "alice", "POST", { groupId: "design", access: "write" }));
    expect(state.groups).toEqual([{ id: "design", access: "write" }]);
    expect(await roomAccess("erin", "doc-1", "design")).toMatchObject({ allowed: true, canWrite: true, isReadOnly: false });
  });

  it("DELETE - removing a user takes their access away", async () => {
    const state = await sharing(await shareRequest("doc-1", "alice", "DELETE", { userId: "bob" }));
    expect(state.users.map((user) => user.id)).toEqual(["alice"]);
    expect(await roomAccess("bob", "doc-1")).toMatchObject({ allowed: false });
  });

  it("PATCH - public lets anyone view, private takes it back", async () => {
    expect(await sharing(await shareRequest("doc-1", "alice", "PATCH", { visibility: "public" }))).toMatchObject({
      visibility: "public",
      publicAccess: "read",
    });
    expect(await roomAccess("carol", "doc-1")).toMatchObject({ allowed: true, isReadOnly: true });
    expect((await sharing(await shareRequest("doc-1", "alice", "PATCH", { visibility: "private" }))).visibility).toBe("private");
    expect((await (await getLiveblocks()).getRoom("doc-1")).defaultAccesses).toEqual([]);
    expect(await roomAccess("carol", "doc-1")).toMatchObject({ allowed: false });
  });

  it.each([
    [{ userId: "bob", access: "admin" }, "access", 'must be "read" or "write"'],
    [{ userId: "bob" }, "access", 'must be "read" or "write"'],
    [{ userId: "bob", groupId: "x", access: "read" }, "userId", "give either a userId or a groupId"],
    [{ access: "read" }, "userId", "give either a userId or a groupId"],
    [{ groupId: 7, access: "read" }, "groupId", "must be a non-empty string"],
    [[1, 2], "body", "must be a JSON object"],
    ["{not json", "body", "must be JSON"],
  ])("POST - bad input %j answers 422 naming the field and changes nothing", async (body, field, rule) => {
    const before = await (await getLiveblocks()).getRoom("doc-1");
    const response = await shareRequest("doc-1", "alice", "POST", body);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({ error: "UNPROCESSABLE_ENTITY", message: `Invalid value for field '${field}': ${rule}` });
    expect(await (await getLiveblocks()).getRoom("doc-1")).toEqual(before);
  });

  it("POST - input roomgate rejects comes back with roomgate's status, code and message", async () => {
    const response = await shareRequest("doc-1", "alice", "POST", { userId: "u".repeat(41), access: "read" });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: "UNPROCESSABLE_ENTITY", message: expect.stringMatching(/usersAccesses/) });
    const badRoom = await shareRequest("x".repeat(200), "alice", "GET");
    expect(badRoom.status).toBe(422);
    expect(((await badRoom.json()) as { message: string }).message).toMatch(/roomId/);
  });

  it("PATCH - an unknown visibility answers 422 naming it", async () => {
    const response = await shareRequest("doc-1", "alice", "PATCH", { visibility: "secret" });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { message: string }).message).toBe(
      `Invalid value for field 'visibility': must be "private" or "public"`,
    );
  });

  it("GET - 401 without a signed-in user, 403 for someone without access", async () => {
    expect((await shareRequest("doc-1", null, "GET")).status).toBe(401);
    expect((await shareRequest("doc-1", "stranger", "GET")).status).toBe(403);
  });

  it("POST - any JSON body answers 200 or 422, and 422 changes nothing (property)", async () => {
    const liveblocks = await getLiveblocks();
    await shareRequest("prop-room", "alice", "GET");
    const id = fc.oneof(
      fc.constantFrom("bob", "design", "", "__proto__", "constructor", "u".repeat(41)),
      fc.string({ maxLength: 45 }),
      fc.integer(),
    );
    const body = fc.oneof(
      fc.record({ userId: id, groupId: id, access: fc.oneof(fc.constantFrom("read", "write"), fc.anything()) }, { requiredKeys: [] }),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(body, async (input) => {
        const before = await liveblocks.getRoom("prop-room");
        const response = await shareRequest("prop-room", "alice", "POST", JSON.stringify(input));
        const after = await liveblocks.getRoom("prop-room");
        expect([200, 422]).toContain(response.status);
        if (response.status === 422) {
          expect(((await response.json()) as { message: string }).message).toMatch(/^Invalid value for field '[^']+'/);
          expect(after).toEqual(before);
        } else {
          const target = input as { userId?: string; groupId?: string; access: "read" | "write" };
          const accesses = target.userId !== undefined ? after.usersAccesses : after.groupsAccesses;
          const key = (target.userId ?? target.groupId)!;
          expect(Object.hasOwn(accesses, key)).toBe(true);
          expect(accesses[key]).toContain(target.access === "write" ? "room:write" : "room:read");
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("app/v2/[...path] (createRequestHandler)", () => {
  const call = (method: string, path: string, init: { body?: unknown; key?: string | null } = {}) =>
    rest[method as "GET" | "POST"](
      new Request(`${origin}${path}`, {
        method,
        headers: {
          ...(init.key !== null && { authorization: `Bearer ${init.key ?? secret}` }),
          ...(init.body !== undefined && { "content-type": "application/json" }),
        },
        ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      }),
    );

  it("POST /v2/rooms and GET /v2/rooms/:id - create and read a room with the secret", async () => {
    const created = await call("POST", "/v2/rooms", { body: { id: "rest-room", defaultAccesses: ["room:read", "room:presence:write"] } });
    expect(created.status).toBe(200);
    const read = await call("GET", "/v2/rooms/rest-room");
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ type: "room", id: "rest-room", defaultAccesses: ["room:read", "room:presence:write"] });
  });

  it("POST /v2/rooms/:id/check-access - the entry decision over HTTP", async () => {
    const response = await call("POST", "/v2/rooms/rest-room/check-access", { body: { token: await signIn("zoe") } });
    expect(await response.json()).toMatchObject({ allowed: true, userId: "zoe", isReadOnly: true });
  });

  it("@liveblocks/node with baseUrl <app>/api - reaches app/v2 (the SDK drops baseUrl's path)", async () => {
    // Next.js routes by path: hand each request the SDK makes to the module its path names.
    const requested: string[] = [];
    vi.stubGlobal("fetch", async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      const { pathname } = new URL(request.url);
      requested.push(pathname);
      if (!pathname.startsWith("/v2/")) return new Response("not found", { status: 404 });
      return rest[request.method as "GET" | "POST"](request);
    });
    try {
      const sdk = new Official({ secret, baseUrl: `${origin}/api` });
      expect((await sdk.getRoom("rest-room")).id).toBe("rest-room");
      expect((await sdk.getRooms()).data.map((room) => room.id)).toContain("rest-room");
    } finally {
      vi.unstubAllGlobals();
    }
    expect(requested).toEqual(["/v2/rooms/rest-room", "/v2/rooms"]);
  });

  it("GET /v2/rooms/:id - 401 without the secret, 403 with another", async () => {
    expect((await call("GET", "/v2/rooms/rest-room", { key: null })).status).toBe(401);
    expect((await call("GET", "/v2/rooms/rest-room", { key: generateSecret() })).status).toBe(403);
  });
});
