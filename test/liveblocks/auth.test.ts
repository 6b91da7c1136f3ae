import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyPairSigner, Liveblocks, TokenError } from "../../src/index.js";
import { SECRET, T0, decodePayload, makeLiveblocks, tokenOf } from "./helpers.js";

describe("new Liveblocks", () => {
  it("secret - must start with sk_, with the SDK's message", () => {
    expect(() => new Liveblocks({ secret: "pk_abc" })).toThrow(
      "Invalid value for field 'secret'. Secret keys must start with 'sk_'. Please provide the secret key from your Liveblocks dashboard at https://liveblocks.io/dashboard/apikeys.",
    );
  });

  it("secret - only word characters and dashes, with the SDK's message", () => {
    expect(() => new Liveblocks({ secret: "sk_abc def" })).toThrow(
      "Invalid chars found in field 'secret'. Please check that you correctly copied the secret key from your Liveblocks dashboard at https://liveblocks.io/dashboard/apikeys.",
    );
  });

  it("secret - missing or empty is a non-empty-string error", () => {
    // @ts-expect-error testing a JavaScript caller
    expect(() => new Liveblocks({})).toThrow("Invalid value for field 'secret'. Please provide a non-empty string.");
    expect(() => new Liveblocks({ secret: "" })).toThrow("Please provide a non-empty string");
  });

  it("options - bad tokenTtl, clockTolerance and limits fail at construction", () => {
    expect(() => new Liveblocks({ secret: SECRET, tokenTtl: 0 })).toThrow(
      "Invalid value for field 'tokenTtl'. Please provide a positive number of seconds.",
    );
    expect(() => new Liveblocks({ secret: SECRET, clockTolerance: -1 })).toThrow(
      "Invalid value for field 'clockTolerance'. Please provide a non-negative number of seconds.",
    );
    expect(() => new Liveblocks({ secret: SECRET, limits: { accessesEntries: 0 } })).toThrow(
      "Invalid value for field 'limits.accessesEntries'. Please provide a positive integer.",
    );
    // @ts-expect-error testing a JavaScript caller
    expect(() => new Liveblocks({ secret: SECRET, limits: { acessEntries: 5 } })).toThrow("Unknown limit 'acessEntries'.");
    expect(new Liveblocks({ secret: SECRET, clockTolerance: 0, limits: { pageSize: 500 } })).toBeInstanceOf(Liveblocks);
  });

  it("projectId - derived from the secret, stable, and different per secret", () => {
    const a = new Liveblocks({ secret: SECRET }).projectId;
    expect(a).toMatch(/^pr_[\w-]{16}$/);
    expect(new Liveblocks({ secret: SECRET }).projectId).toBe(a);
    expect(new Liveblocks({ secret: `${SECRET}x` }).projectId).not.toBe(a);
    expect(new Liveblocks({ secret: SECRET, projectId: "pr_mine" }).projectId).toBe("pr_mine");
  });
});

describe("identifyUser", () => {
  it("claims - exactly the reference claims, in order", async () => {
    const { liveblocks } = makeLiveblocks();
    const result = await liveblocks.identifyUser(
      { userId: "alice", groupIds: ["eng", "ops"] },
      { userInfo: { name: "Alice", color: "#f00" } },
    );
    expect(result.status).toBe(200);
    const token = tokenOf(result.body);
    const payload = decodePayload(token);
    expect(Object.keys(payload)).toEqual(["k", "pid", "uid", "ui", "gids", "iat", "exp", "jti"]);
    expect(payload).toEqual({
      k: "id",
      pid: liveblocks.projectId,
      uid: "alice",
      ui: { name: "Alice", color: "#f00" },
      gids: ["eng", "ops"],
      iat: T0 / 1000,
      exp: T0 / 1000 + 3600,
      jti: "jti000000000",
    });
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString())).toEqual({
      alg: "HS256",
      typ: "JWT",
    });
  });

  it("claims - ui and gids only when given; [] groups kept", async () => {
    const { liveblocks } = makeLiveblocks();
    const bare = decodePayload(tokenOf((await liveblocks.identifyUser("bob")).body));
    expect(Object.keys(bare)).toEqual(["k", "pid", "uid", "iat", "exp", "jti"]);
    const empty = decodePayload(tokenOf((await liveblocks.identifyUser({ userId: "bob", groupIds: [] })).body));
    expect(empty.gids).toEqual([]);
  });

  it("tokenTtl - sets exp - iat", async () => {
    const { liveblocks } = makeLiveblocks({ tokenTtl: 60 });
    const payload = decodePayload(tokenOf((await liveblocks.identifyUser("bob")).body));
    expect((payload.exp as number) - (payload.iat as number)).toBe(60);
  });

  it("uniqueness - two tokens for the same user in the same millisecond differ", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, now: () => T0 });
    const [a, b] = await Promise.all([liveblocks.identifyUser("alice"), liveblocks.identifyUser("alice")]);
    expect(tokenOf(a.body)).not.toBe(tokenOf(b.body));
    expect(decodePayload(tokenOf(a.body)).jti).toMatch(/^[\w-]{12}$/);
  });

  it("verifies - the issued token verifies as an ID token", async () => {
    const { liveblocks } = makeLiveblocks();
    const token = tokenOf((await liveblocks.identifyUser("alice")).body);
    await expect(liveblocks.verifyToken(token, { kind: "id" })).resolves.toMatchObject({ k: "id", uid: "alice" });
    await expect(liveblocks.verifyToken(token, { kind: "acc" })).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM_INVALID",
    });
  });

  it("programmer errors - an empty or missing userId throws the SDK's message", async () => {
    const { liveblocks } = makeLiveblocks();
    const message =
      "Invalid value for field 'userId'. Please provide a non-empty string. For more information: https://liveblocks.io/docs/api-reference/liveblocks-node#authorize";
    await expect(liveblocks.identifyUser("")).rejects.toThrow(message);
    await expect(liveblocks.identifyUser({ userId: "" })).rejects.toThrow(message);
    // @ts-expect-error testing a JavaScript caller
    await expect(liveblocks.identifyUser({ groupIds: [] })).rejects.toThrow(message);
  });

  it("bad input - 422 with a message naming the field and the rule", async () => {
    const { liveblocks } = makeLiveblocks();
    const cases: [Parameters<typeof liveblocks.identifyUser>, string][] = [
      [["u".repeat(129)], "Invalid value for field 'userId': must be at most 128 characters"],
      [[{ userId: "a", groupIds: Array(101).fill("g") }], "Invalid value for field 'groupIds': must have at most 100 entries"],
      [[{ userId: "a", groupIds: ["g".repeat(41)] }], "Invalid value for field 'groupIds[0]': must be at most 40 characters"],
      [[{ userId: "a", groupIds: [""] }], "Invalid value for field 'groupIds[0]': must be a non-empty string"],
      // @ts-expect-error testing a JavaScript caller
      [[{ userId: "a", groupIds: "eng" }], "Invalid value for field 'groupIds': must be an array of strings"],
      [["a", { userInfo: { bio: "x".repeat(1100) } }], "Invalid value for field 'userInfo': must be at most 1024 bytes as JSON, got 1110"],
      // @ts-expect-error testing a JavaScript caller
      [["a", { userInfo: ["not", "an", "object"] }], "Invalid value for field 'userInfo': must be a JSON object"],
      // @ts-expect-error testing a JavaScript caller
      [[{ userId: "a", group: ["x"] }], "Invalid value for field 'group': is not a known field"],
    ];
    for (const [args, message] of cases) {
      const result = await liveblocks.identifyUser(...args);
      expect(result).toEqual({ status: 422, body: message });
    }
  });

  it("userInfo - a cycle is a 422, not a crash", async () => {
    const { liveblocks } = makeLiveblocks();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // @ts-expect-error testing a JavaScript caller
    const result = await liveblocks.identifyUser("a", { userInfo: cyclic });
    expect(result).toEqual({ status: 422, body: "Invalid value for field 'userInfo': must be serializable as JSON" });
  });

  it("signer failure - 503 with the error, never a throw", async () => {
    const failing = new Error("HSM offline");
    const { liveblocks } = makeLiveblocks({
      signer: {
        alg: "HS256",
        kid: undefined,
        sign: async () => {
          throw failing;
        },
        verify: async () => {
          throw new TokenError("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "no");
        },
      },
    });
    const result = await liveblocks.identifyUser("alice");
    expect(result.status).toBe(503);
    expect(result.error).toBe(failing);
    expect(result.body).toBe('Could not sign the token. See "error" for more information.');
  });

  it("custom signer - whatever it returns, the body stays valid JSON", async () => {
    const { liveblocks } = makeLiveblocks({
      signer: { alg: "HS256", kid: undefined, sign: async () => 'we"ird\\token', verify: async () => ({}) as never },
    });
    const result = await liveblocks.identifyUser("alice");
    expect(JSON.parse(result.body)).toEqual({ token: 'we"ird\\token' });
  });

  it("key-pair signer - ES256 tokens carry the kid and verify", async () => {
    const signer = await KeyPairSigner.generate({ kid: "k1" });
    const { liveblocks } = makeLiveblocks({ signer });
    const token = tokenOf((await liveblocks.identifyUser("alice")).body);
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString())).toEqual({
      alg: "ES256",
      typ: "JWT",
      kid: "k1",
    });
    await expect(liveblocks.verifyToken(token)).resolves.toMatchObject({ uid: "alice" });
  });

  it("property - any valid identity round-trips through the token", async () => {
    const { liveblocks } = makeLiveblocks();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 128 }),
        // Group ids travel comma-joined: a comma is refused (hardening round two, item 6).
        fc.option(
          fc.array(
            fc.string({ minLength: 1, maxLength: 40 }).filter((id) => !id.includes(",")),
            { maxLength: 100 },
          ),
          {
            nil: undefined,
          },
        ),
        async (userId, groupIds) => {
          const result = await liveblocks.identifyUser({ userId, ...(groupIds && { groupIds }) });
          expect(result.status).toBe(200);
          const claims = await liveblocks.verifyToken(tokenOf(result.body), { kind: "id" });
          expect(claims.uid).toBe(userId);
          expect(claims.k === "id" && claims.gids).toEqual(groupIds ?? undefined);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("prepareSession", () => {
  it("authorize - access token with perms, in claim order", async () => {
    const { liveblocks } = makeLiveblocks();
    const session = liveblocks.prepareSession("alice", { userInfo: { name: "Alice" } });
    session.allow("org:*", session.READ_ACCESS).allow("org:doc", session.FULL_ACCESS);
    session.allow("org:*", ["comments:write"]);
    const result = await session.authorize();
    expect(result.status).toBe(200);
    const payload = decodePayload(tokenOf(result.body));
    expect(Object.keys(payload)).toEqual(["k", "pid", "uid", "perms", "ui", "iat", "exp", "jti"]);
    expect(payload).toMatchObject({
      k: "acc",
      uid: "alice",
      perms: { "org:*": ["*:read", "comments:write"], "org:doc": ["*:write"] },
      ui: { name: "Alice" },
      exp: T0 / 1000 + 3600,
    });
  });

  it("constants - FULL_ACCESS and READ_ACCESS", () => {
    const { liveblocks } = makeLiveblocks();
    const session = liveblocks.prepareSession("a");
    expect(session.FULL_ACCESS).toEqual(["*:write"]);
    expect(session.READ_ACCESS).toEqual(["*:read"]);
  });

  it("allow - the SDK's errors and messages", () => {
    const { liveblocks } = makeLiveblocks();
    const session = liveblocks.prepareSession("a");
    // @ts-expect-error testing a JavaScript caller
    expect(() => session.allow(42, ["*:read"])).toThrow("Room name or pattern must be a string");
    expect(() => session.allow("a*b", ["*:read"])).toThrow("Invalid room name or pattern");
    expect(() => session.allow("", ["*:read"])).toThrow("Invalid room name or pattern");
    expect(() => session.allow("x".repeat(129), ["*:read"])).toThrow("Invalid room name or pattern");
    expect(() => session.allow("r", [])).toThrow("Permission list cannot be empty");
    // @ts-expect-error testing a JavaScript caller
    expect(() => session.allow("r", "*:read")).toThrow("Permission list must be an array");
    expect(() => session.allow("r", ["room:admin"])).toThrow("Not a valid permission: room:admin");
  });

  it("allow - at most 10 patterns; adding scopes to a known one is fine", () => {
    const { liveblocks } = makeLiveblocks();
    const session = liveblocks.prepareSession("a");
    for (let i = 0; i < 10; i++) session.allow(`room-${i}`, ["*:read"]);
    session.allow("room-3", ["*:write"]);
    expect(() => session.allow("room-10", ["*:read"])).toThrow("You cannot add permissions for more than 10 rooms in a single token");
  });

  it("authorize - twice throws; allow after authorize throws", async () => {
    const { liveblocks } = makeLiveblocks();
    const session = liveblocks.prepareSession("a").allow("*", ["*:read"]);
    await session.authorize();
    await expect(session.authorize()).rejects.toThrow("You cannot reuse Session instances. Please create a new session every time.");
    expect(() => session.allow("x", ["*:read"])).toThrow("You can no longer change these permissions.");
  });

  it("userId - empty throws the SDK's message", () => {
    const { liveblocks } = makeLiveblocks();
    expect(() => liveblocks.prepareSession("")).toThrow("Invalid value for field 'userId'. Please provide a non-empty string.");
  });

  it("bad userInfo - 422 from authorize", async () => {
    const { liveblocks } = makeLiveblocks();
    // @ts-expect-error testing a JavaScript caller
    const result = await liveblocks.prepareSession("a", { userInfo: "Alice" }).allow("*", ["*:read"]).authorize();
    expect(result).toEqual({ status: 422, body: "Invalid value for field 'userInfo': must be a JSON object" });
  });

  it("reserved patterns - __proto__ is an ordinary room id in perms", async () => {
    const { liveblocks } = makeLiveblocks();
    const result = await liveblocks.prepareSession("a").allow("__proto__", ["*:read"]).authorize();
    const claims = await liveblocks.verifyToken(tokenOf(result.body), { kind: "acc" });
    expect(claims.k === "acc" && Object.keys(claims.perms)).toEqual(["__proto__"]);
    expect(decodePayload(tokenOf(result.body)).perms).toEqual(JSON.parse('{"__proto__":["*:read"]}'));
  });
});
