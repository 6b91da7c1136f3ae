import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRequestHandler } from "../../src/http/index.js";
import { KeyPairSigner, type Liveblocks } from "../../src/index.js";
import { SECRET, T0, decodePayload, makeLiveblocks } from "../liveblocks/helpers.js";
import { type TestServer, startServer } from "./helpers.js";

let liveblocks: Liveblocks;
let server: TestServer;

beforeEach(async () => {
  ({ liveblocks } = makeLiveblocks());
  server = await startServer(liveblocks);
});
afterEach(async () => {
  await server.close();
});

async function expectError(response: Response, status: number, message: RegExp | string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: string; message: string };
  expect(typeof body.error).toBe("string");
  expect(body.error.length).toBeGreaterThan(0);
  if (typeof message === "string") expect(body.message).toBe(message);
  else expect(body.message).toMatch(message);
  return body;
}

/** `{ error, message, suggestion? }` exactly, and the status. */
async function expectBody(response: Response, status: number, body: { error: string; message: string; suggestion?: string }) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await response.json()).toEqual(body);
}

const SECRET_SUGGESTION = "Send the secret key of this roomgate server as `Authorization: Bearer sk_…`.";

describe("error bodies - Liveblocks' shape, { error: code, message }", () => {
  it("401 - no bearer token is MISSING_SECRET_KEY", async () => {
    await expectBody(await server.call("GET", "/v2/rooms", undefined, { authorization: "" }), 401, {
      error: "MISSING_SECRET_KEY",
      message: "Missing secret key",
      suggestion: SECRET_SUGGESTION,
    });
  });

  it("403 - a wrong secret is INVALID_SECRET_KEY", async () => {
    await expectBody(await server.call("GET", "/v2/rooms", undefined, { authorization: `Bearer ${SECRET}x` }), 403, {
      error: "INVALID_SECRET_KEY",
      message: "Invalid secret key",
      suggestion: SECRET_SUGGESTION,
    });
  });

  it("404 - a missing room is ROOM_NOT_FOUND", async () => {
    await expectBody(await server.call("GET", "/v2/rooms/nope"), 404, {
      error: "ROOM_NOT_FOUND",
      message: 'Room with id "nope" not found.',
    });
    await expectBody(await server.call("POST", "/v2/rooms/nope", { metadata: {} }), 404, {
      error: "ROOM_NOT_FOUND",
      message: 'Room with id "nope" not found.',
    });
  });

  it("404 - an unknown path is ROUTE_NOT_FOUND", async () => {
    await expectBody(await server.call("GET", "/v2/nothing"), 404, { error: "ROUTE_NOT_FOUND", message: "No route for GET /v2/nothing." });
  });

  it("405 - a wrong method is METHOD_NOT_ALLOWED", async () => {
    await expectBody(await server.call("PUT", "/v2/rooms/r1", {}), 405, {
      error: "METHOD_NOT_ALLOWED",
      message: "Method PUT is not allowed here; use GET or POST or DELETE.",
    });
  });

  it("409 - a taken room id is ROOM_ALREADY_EXISTS, on create and on rename", async () => {
    await liveblocks.createRoom("r1", { defaultAccesses: [] });
    await liveblocks.createRoom("r2", { defaultAccesses: [] });
    await expectBody(await server.call("POST", "/v2/rooms", { id: "r1", defaultAccesses: [] }), 409, {
      error: "ROOM_ALREADY_EXISTS",
      message: 'Room with id "r1" already exists.',
    });
    await expectBody(await server.call("POST", "/v2/rooms/r2/update-room-id", { newRoomId: "r1" }), 409, {
      error: "ROOM_ALREADY_EXISTS",
      message: 'Room with id "r1" already exists.',
    });
  });

  it("422 - a field that breaks a rule is UNPROCESSABLE_ENTITY", async () => {
    await expectBody(await server.call("POST", "/v2/rooms", { id: "r", defaultAccesses: [], metadata: 1 }), 422, {
      error: "UNPROCESSABLE_ENTITY",
      message: "Invalid value for field 'metadata': must be an object",
    });
    await expectBody(await server.call("POST", "/v2/rooms", "[1]"), 422, {
      error: "UNPROCESSABLE_ENTITY",
      message: "Invalid value for field 'body': must be a JSON object",
    });
    await expectBody(await server.call("POST", "/v2/identify-user", { userId: "alice", groupIds: "eng" }), 422, {
      error: "UNPROCESSABLE_ENTITY",
      message: "Invalid value for field 'groupIds': must be an array of strings",
    });
    await expectBody(await server.call("POST", "/v2/authorize-user", { userId: "bob", permissions: { "a*b": ["room:read"] } }), 422, {
      error: "UNPROCESSABLE_ENTITY",
      message: "Invalid room name or pattern",
    });
  });

  it("422 - a cursor the server did not issue is INVALID_CURSOR, a bad query INVALID_QUERY", async () => {
    await expectBody(await server.call("GET", "/v2/rooms?startingAfter=zzz"), 422, {
      error: "INVALID_CURSOR",
      message: "Invalid value for field 'startingAfter': is not a cursor this server issued",
    });
    await expectBody(await server.call("GET", `/v2/rooms?startingAfter=${"a".repeat(5000)}`), 422, {
      error: "INVALID_CURSOR",
      message: "Invalid value for field 'startingAfter': is not a valid cursor",
    });
    const query = await server.call("GET", "/v2/rooms?query=roomId%5E");
    expect(query.status).toBe(422);
    expect(await query.json()).toMatchObject({
      error: "INVALID_QUERY",
      message: expect.stringMatching(/^Invalid value for field 'query': /),
    });
  });

  it("400 - malformed JSON is MALFORMED_JSON, bad percent-encoding INVALID_PATH", async () => {
    const malformed = await server.call("POST", "/v2/rooms", "{nope");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: "MALFORMED_JSON", message: expect.stringMatching(/^Malformed JSON body: /) });
    await expectBody(await server.call("GET", "/v2/rooms/%E0%A4%A"), 400, {
      error: "INVALID_PATH",
      message: "The path is not valid percent-encoding.",
    });
  });

  it("413 - a body over the limit is BODY_TOO_LARGE", async () => {
    const small = await startServer(liveblocks, { maxBodyBytes: 16 });
    try {
      await expectBody(await small.call("POST", "/v2/rooms", { id: "r", defaultAccesses: [] }), 413, {
        error: "BODY_TOO_LARGE",
        message: "Request body is larger than 16 bytes.",
      });
    } finally {
      await small.close();
    }
  });

  it("503 - a signer that fails is TOKEN_SIGNING_FAILED", async () => {
    const { liveblocks: failing } = makeLiveblocks({
      signer: {
        alg: "HS256",
        kid: undefined,
        sign: () => Promise.reject(new Error("HSM unplugged")),
        verify: () => Promise.reject(new Error("unused")),
      },
    });
    const response = await createRequestHandler(failing)(
      new Request("http://x/v2/identify-user", {
        method: "POST",
        headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
        body: JSON.stringify({ userId: "alice" }),
      }),
    );
    await expectBody(response, 503, {
      error: "TOKEN_SIGNING_FAILED",
      message: 'Could not sign the token. See "error" for more information.',
    });
  });
});

describe("authentication", () => {
  it("secret - a request without Authorization answers 401 Missing secret key", async () => {
    const response = await server.call("GET", "/v2/rooms", undefined, {
      authorization: "",
    });
    const body = await expectError(response, 401, "Missing secret key");
    expect(body.error).toBe("MISSING_SECRET_KEY");
  });

  it("secret - a wrong secret answers 403", async () => {
    const response = await server.call("GET", "/v2/rooms", undefined, {
      authorization: `Bearer ${SECRET}x`,
    });
    await expectError(response, 403, "Invalid secret key");
  });

  it("secret - a non-Bearer scheme answers 401", async () => {
    const response = await server.call("GET", "/v2/rooms", undefined, {
      authorization: `Basic ${SECRET}`,
    });
    await expectError(response, 401, "Missing secret key");
  });
});

describe("routing", () => {
  it("route - an unknown path answers 404 JSON", async () => {
    await expectError(await server.call("GET", "/v2/nothing"), 404, /No route for GET/);
    await expectError(await server.call("GET", "/"), 404, /No route/);
    await expectError(await server.call("GET", "/v2/rooms/"), 404, /No route/);
  });

  it("route - a wrong method answers 405 with Allow", async () => {
    const response = await server.call("PUT", "/v2/rooms/r1", {});
    await expectError(response, 405, /PUT is not allowed/);
    expect(response.headers.get("allow")).toBe("GET, POST, DELETE");
    const identify = await server.call("GET", "/v2/identify-user");
    expect(identify.status).toBe(405);
    expect(identify.headers.get("allow")).toBe("POST");
  });

  it("route - a room id is percent-decoded once", async () => {
    await liveblocks.createRoom("a/b", { defaultAccesses: [] });
    await liveblocks.createRoom("a%2Fb", { defaultAccesses: [] });
    const once = await server.call("GET", "/v2/rooms/a%2Fb");
    expect(((await once.json()) as { id: string }).id).toBe("a/b");
    const twice = await server.call("GET", "/v2/rooms/a%252Fb");
    expect(((await twice.json()) as { id: string }).id).toBe("a%2Fb");
  });

  it("route - bad percent-encoding answers 400", async () => {
    await expectError(await server.call("GET", "/v2/rooms/%E0%A4%A"), 400, /percent-encoding/);
  });

  it("route - basePath serves under a prefix and 404s outside it", async () => {
    const prefixed = await startServer(liveblocks, {
      basePath: "/api/liveblocks/",
    });
    try {
      expect((await prefixed.call("GET", "/api/liveblocks/v2/rooms")).status).toBe(200);
      await expectError(await prefixed.call("GET", "/v2/rooms"), 404, /No route/);
      await expectError(await prefixed.call("GET", "/api/liveblocksv2/rooms"), 404, /No route/);
    } finally {
      await prefixed.close();
    }
  });
});

describe("bodies", () => {
  it("body - malformed JSON answers 400", async () => {
    await expectError(await server.call("POST", "/v2/rooms", "{nope"), 400, /^Malformed JSON body/);
  });

  it("body - a JSON body that is not an object answers 422 naming the body", async () => {
    await expectError(await server.call("POST", "/v2/rooms", "[1]"), 422, /'body'/);
    await expectError(await server.call("POST", "/v2/rooms"), 422, /'body'/);
  });

  it("body - over 1 MiB answers 413, by content-length or while streaming", async () => {
    const big = JSON.stringify({
      id: "r",
      defaultAccesses: [],
      metadata: { k: "x".repeat(1024 * 1024) },
    });
    await expectError(await server.call("POST", "/v2/rooms", big), 413, /larger than 1048576 bytes/);
    // Chunked, no content-length: only counting while reading catches it.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
        for (let i = 0; i < 20; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/v2/rooms`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}` },
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectError(response, 413, /larger than/);
  });

  it("body - the Web handler counts while reading a stream with no content-length", async () => {
    const handler = createRequestHandler(liveblocks, { maxBodyBytes: 10 });
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"id":"r",'));
        c.enqueue(new TextEncoder().encode('"defaultAccesses":[]}'));
        c.close();
      },
    });
    const request = new Request("http://x/v2/rooms", {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}` },
      body,
      duplex: "half",
    } as RequestInit);
    const response = await handler(request);
    expect(response.status).toBe(413);
  });
});

describe("auth routes", () => {
  it("identify-user - answers the facade's token", async () => {
    const response = await server.call("POST", "/v2/identify-user", {
      userId: "alice",
      groupIds: ["eng"],
      userInfo: { name: "Alice" },
    });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    expect(decodePayload(token)).toMatchObject({
      k: "id",
      uid: "alice",
      gids: ["eng"],
      ui: { name: "Alice" },
    });
    expect((await liveblocks.verifyToken(token)).uid).toBe("alice");
  });

  it("identify-user - a missing userId answers 422 naming the field", async () => {
    await expectError(await server.call("POST", "/v2/identify-user", {}), 422, /'userId'/);
  });

  it("identify-user - facade validation failures arrive as JSON with the facade's status", async () => {
    const response = await server.call("POST", "/v2/identify-user", {
      userId: "alice",
      groupIds: "eng",
    });
    await expectError(response, 422, /groupIds/);
  });

  it("authorize-user - answers an access token with the permissions", async () => {
    const response = await server.call("POST", "/v2/authorize-user", {
      userId: "bob",
      permissions: { "org:*": ["room:read"] },
      organizationId: "acme",
    });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    expect(decodePayload(token)).toMatchObject({
      k: "acc",
      uid: "bob",
      perms: { "org:*": ["room:read"] },
    });
  });

  it("authorize-user - a bad pattern or scope answers 422 with the SDK's message", async () => {
    await expectError(
      await server.call("POST", "/v2/authorize-user", {
        userId: "bob",
        permissions: { "a*b": ["room:read"] },
      }),
      422,
      "Invalid room name or pattern",
    );
    await expectError(
      await server.call("POST", "/v2/authorize-user", {
        userId: "bob",
        permissions: { r: ["room:fly"] },
      }),
      422,
      /Not a valid permission/,
    );
    await expectError(
      await server.call("POST", "/v2/authorize-user", {
        userId: "bob",
        permissions: ["room:read"],
      }),
      422,
      /'permissions'/,
    );
  });
});

describe("room routes", () => {
  it("POST /v2/rooms - creates and answers the room JSON with ISO dates in milliseconds", async () => {
    const response = await server.call("POST", "/v2/rooms", {
      id: "r1",
      defaultAccesses: ["room:read"],
      usersAccesses: { alice: ["room:write"] },
      metadata: { status: "open" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      type: "room",
      id: "r1",
      organizationId: "default",
      createdAt: new Date(T0).toISOString(),
      metadata: { status: "open" },
      defaultAccesses: ["room:read"],
      groupsAccesses: {},
      usersAccesses: { alice: ["room:write"] },
    });
    expect(new Date(T0).toISOString()).toMatch(/\.\d{3}Z$/);
  });

  it("POST /v2/rooms - an existing id answers 409; ?idempotent answers the existing room", async () => {
    await server.call("POST", "/v2/rooms", { id: "r1", defaultAccesses: [] });
    await expectError(await server.call("POST", "/v2/rooms", { id: "r1", defaultAccesses: [] }), 409, 'Room with id "r1" already exists.');
    const again = await server.call("POST", "/v2/rooms?idempotent", {
      id: "r1",
      defaultAccesses: ["room:write"],
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { defaultAccesses: string[] }).defaultAccesses).toEqual([]);
  });

  it("POST /v2/rooms - invalid fields answer 422 naming the field and the rule", async () => {
    await expectError(
      await server.call("POST", "/v2/rooms", {
        id: "a*b",
        defaultAccesses: [],
      }),
      422,
      /'id'|roomId/,
    );
    await expectError(await server.call("POST", "/v2/rooms", { id: 7, defaultAccesses: [] }), 422, /id/);
    await expectError(
      await server.call("POST", "/v2/rooms", {
        id: "r",
        defaultAccesses: ["room:fly"],
      }),
      422,
      /defaultAccesses/,
    );
  });

  it("GET /v2/rooms/:id - 404 for a missing room with the facade's message", async () => {
    await expectError(await server.call("GET", "/v2/rooms/nope"), 404, 'Room with id "nope" not found.');
  });

  it("POST /v2/rooms/:id - patches, null removes", async () => {
    await liveblocks.createRoom("r1", {
      defaultAccesses: [],
      usersAccesses: { alice: ["room:write"] },
    });
    const response = await server.call("POST", "/v2/rooms/r1", {
      usersAccesses: { alice: null, bob: ["room:read"] },
      metadata: { a: "1" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      usersAccesses: { bob: ["room:read"] },
      metadata: { a: "1" },
    });
    await expectError(await server.call("POST", "/v2/rooms/missing", { metadata: { a: "1" } }), 404, /not found/);
  });

  it("DELETE /v2/rooms/:id - answers 204", async () => {
    await liveblocks.createRoom("r1", { defaultAccesses: [] });
    const response = await server.call("DELETE", "/v2/rooms/r1");
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    await expect(liveblocks.getRoom("r1")).rejects.toMatchObject({
      status: 404,
    });
  });

  it("POST /v2/rooms/:id/upsert - creates then updates", async () => {
    const created = await server.call("POST", "/v2/rooms/r1/upsert", {
      update: { metadata: { a: "1" } },
      create: { defaultAccesses: ["room:read"] },
    });
    expect(await created.json()).toMatchObject({
      id: "r1",
      defaultAccesses: ["room:read"],
      metadata: { a: "1" },
    });
    const updated = await server.call("POST", "/v2/rooms/r1/upsert", {
      update: { metadata: { a: "2" } },
    });
    expect(await updated.json()).toMatchObject({ metadata: { a: "2" } });
  });

  it("POST /v2/rooms/:id/update-room-id - renames; 404 and 409 as the facade says", async () => {
    await liveblocks.createRoom("old", { defaultAccesses: [] });
    await liveblocks.createRoom("taken", { defaultAccesses: [] });
    const renamed = await server.call("POST", "/v2/rooms/old/update-room-id", {
      newRoomId: "new",
    });
    expect(await renamed.json()).toMatchObject({ id: "new" });
    await expectError(
      await server.call("POST", "/v2/rooms/old/update-room-id", {
        newRoomId: "x",
      }),
      404,
      /not found/,
    );
    await expectError(
      await server.call("POST", "/v2/rooms/new/update-room-id", {
        newRoomId: "taken",
      }),
      409,
      /already exists/,
    );
  });

  it("GET /v2/rooms - filters by every query parameter and paginates", async () => {
    for (let i = 0; i < 5; i++) {
      await liveblocks.createRoom(`org:${i}`, {
        defaultAccesses: [],
        usersAccesses: i % 2 === 0 ? { alice: ["room:write"] } : {},
        groupsAccesses: i === 1 ? { eng: ["room:read"] } : {},
        metadata: { status: i < 3 ? "open" : "closed" },
      });
    }
    await liveblocks.createRoom("other", {
      defaultAccesses: [],
      metadata: { status: "open" },
    });
    const ids = async (qs: string) => {
      const response = await server.call("GET", `/v2/rooms?${qs}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as {
        data: { id: string }[];
        nextCursor: string | null;
      };
      return page.data.map((room) => room.id).sort();
    };
    expect(await ids("userId=alice")).toEqual(["org:0", "org:2", "org:4"]);
    expect(await ids("userId=alice&groupIds=eng,ops")).toEqual(["org:0", "org:1", "org:2", "org:4"]);
    expect(await ids("metadata.status=open")).toEqual(["org:0", "org:1", "org:2", "other"]);
    expect(await ids(`query=${encodeURIComponent('roomId^"org:" AND metadata["status"]:"open"')}`)).toEqual(["org:0", "org:1", "org:2"]);
    const first = (await (await server.call("GET", "/v2/rooms?limit=4")).json()) as {
      data: unknown[];
      nextCursor: string;
    };
    expect(first.data).toHaveLength(4);
    const second = (await (await server.call("GET", `/v2/rooms?limit=4&startingAfter=${encodeURIComponent(first.nextCursor)}`)).json()) as {
      data: unknown[];
      nextCursor: string | null;
    };
    expect(second.data).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
  });

  it("GET /v2/rooms - bad limit, cursor or query answer 422 naming the field", async () => {
    await expectError(await server.call("GET", "/v2/rooms?limit=0"), 422, /limit/);
    await expectError(await server.call("GET", "/v2/rooms?limit=abc"), 422, /limit/);
    await expectError(await server.call("GET", "/v2/rooms?startingAfter=zzz"), 422, /startingAfter/);
    await expectError(await server.call("GET", "/v2/rooms?query=roomId%5E"), 422, /query/);
  });
});

describe("roomgate's own routes", () => {
  it("check-access - answers the entry decision", async () => {
    await liveblocks.createRoom("r1", {
      defaultAccesses: [],
      usersAccesses: { alice: ["room:write"] },
    });
    const { body } = await liveblocks.identifyUser("alice");
    const { token } = JSON.parse(body) as { token: string };
    const allowed = await server.call("POST", "/v2/rooms/r1/check-access", {
      token,
    });
    expect(await allowed.json()).toMatchObject({
      allowed: true,
      userId: "alice",
      canWrite: true,
    });
    const denied = await server.call("POST", "/v2/rooms/r2/check-access", {
      token,
    });
    expect(await denied.json()).toMatchObject({
      allowed: false,
      reason: "room-not-found",
    });
    await expectError(await server.call("POST", "/v2/rooms/r1/check-access", { token: 1 }), 422, /'token'/);
  });

  it("revoke-tokens / revocation - stores and reads the cutoff in epoch ms", async () => {
    const before = await server.call("GET", "/v2/users/alice/revocation");
    expect(await before.json()).toEqual({ issuedBefore: null });
    const revoked = await server.call("POST", "/v2/users/alice/revoke-tokens", {
      issuedBefore: 1_700_000_000_000,
    });
    expect(revoked.status).toBe(204);
    const after = await server.call("GET", "/v2/users/alice/revocation");
    expect(await after.json()).toEqual({ issuedBefore: 1_700_000_000_000 });
    expect((await server.call("POST", "/v2/users/bob/revoke-tokens")).status).toBe(204);
    expect(await (await server.call("GET", "/v2/users/bob/revocation")).json()).toEqual({ issuedBefore: T0 });
    await expectError(
      await server.call("POST", "/v2/users/bob/revoke-tokens", {
        issuedBefore: "soon",
      }),
      422,
      /issuedBefore/,
    );
  });

  it("jwks - published without a secret when public keys are given; otherwise a route like any other (401, then 404)", async () => {
    expect((await fetch(`${server.url}/.well-known/jwks.json`)).status).toBe(401);
    expect((await server.call("GET", "/.well-known/jwks.json")).status).toBe(404);
    const signer = await KeyPairSigner.generate();
    const { liveblocks: signed } = makeLiveblocks({ signer });
    const withKeys = await startServer(signed, { publicKeys: signer });
    try {
      const response = await fetch(`${withKeys.url}/.well-known/jwks.json`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(signer.jwks());
    } finally {
      await withKeys.close();
    }
  });
});

describe("unexpected errors", () => {
  it("500 - a store failure is logged once and answered without internals", async () => {
    const onError = vi.fn();
    const { liveblocks: broken } = makeLiveblocks();
    vi.spyOn(broken.store, "get").mockRejectedValue(new Error("disk on fire at /var/secret"));
    const handler = createRequestHandler(broken, { onError });
    const response = await handler(
      new Request("http://x/v2/rooms/r1", {
        headers: { authorization: `Bearer ${SECRET}` },
      }),
    );
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/disk|secret/);
    expect(JSON.parse(text)).toEqual({ error: "INTERNAL_SERVER_ERROR", message: "An unexpected error occurred on the server." });
    expect(onError).toHaveBeenCalledTimes(1);
  });
});
