/**
 * Token issuing's fast path (claims serialised in one pass, the identity and
 * userInfo checked by hand, a synchronous signer) against the reference it
 * replaces: jose's tokens byte for byte, the `sign(claims)` path of the same
 * signer, and the zod schema for what it accepts.
 */
import fc from "fast-check";
import { SignJWT } from "jose";
import { describe, expect, it, vi } from "vitest";
import { DEFAULT_LIMITS, HmacSigner, KeyPairSigner, Liveblocks, type TokenClaims, type TokenSigner } from "../../src/index.js";
import { registerPayloadSigning } from "../../src/tokens/signers.js";
import { checkIdentityFast } from "../../src/liveblocks/identity-fast-path.js";
import { checkInput, createSchemas } from "../../src/liveblocks/schemas.js";
import { hs256Key } from "../tokens/helpers.js";
import { SECRET, T0, decodePayload, makeLiveblocks, tokenOf } from "./helpers.js";

const IAT = T0 / 1000;

/** The claims identifyUser should sign, built as an object in claim order, for jose. */
function idClaims(pid: string, uid: string, ui: object | undefined, gids: string[] | undefined, jti: string) {
  return { k: "id", pid, uid, ...(ui !== undefined && { ui }), ...(gids !== undefined && { gids }), iat: IAT, exp: IAT + 3600, jti };
}

/** A signer that is roomgate's HMAC signer seen only through `sign(claims)`: the generic path. */
function throughSign(signer: TokenSigner): TokenSigner {
  return {
    alg: signer.alg,
    kid: signer.kid,
    sign: (claims) => signer.sign(claims),
    verify: (token, options) => signer.verify(token, options),
  };
}

const userInfos = [
  undefined,
  { name: "Ada Lovelace", avatar: "https://example.com/a.png" },
  { name: 'Åsa «quoted "name"» \\ 😀 \u2028', tags: ["x", 1, true, null], nested: { deep: [{}] }, skipped: undefined },
];
const groupLists = [undefined, [], ["engineering", "design", "team-1", "all-hands", "région-ü"]];
const userIds = ["alice", 'o"brien\\', "üser 😀", "__proto__"];

describe("identifyUser - the token bytes", () => {
  it("HS256 - byte-identical to jose's SignJWT over the same claims, jti and iat", async () => {
    const { liveblocks } = makeLiveblocks();
    let n = 0;
    const key = hs256Key(SECRET);
    for (const uid of userIds) {
      for (const ui of userInfos) {
        for (const gids of groupLists) {
          const result = await liveblocks.identifyUser(
            { userId: uid, ...(gids && { groupIds: gids }) },
            ui === undefined ? undefined : { userInfo: ui as never },
          );
          expect(result.status).toBe(200);
          const jti = `jti${String(n++).padStart(9, "0")}`;
          const jose = await new SignJWT(idClaims(liveblocks.projectId, uid, ui, gids, jti))
            .setProtectedHeader({ alg: "HS256", typ: "JWT" })
            .sign(key);
          expect(tokenOf(result.body)).toBe(jose);
        }
      }
    }
  });

  it("HS256 - the same bytes through sign(claims) as through the one-pass payload", async () => {
    const fast = makeLiveblocks().liveblocks;
    const generic = makeLiveblocks({ signer: throughSign(new HmacSigner({ secret: SECRET })) }).liveblocks;
    for (const uid of userIds) {
      for (const ui of userInfos) {
        for (const gids of groupLists) {
          const args = [
            { userId: uid, ...(gids && { groupIds: gids }) },
            ui === undefined ? undefined : { userInfo: ui as never },
          ] as const;
          expect((await fast.identifyUser(...args)).body).toBe((await generic.identifyUser(...args)).body);
        }
      }
    }
  });

  it("access tokens - the same bytes through sign(claims), perms with a __proto__ pattern included", async () => {
    const fast = makeLiveblocks().liveblocks;
    const generic = makeLiveblocks({ signer: throughSign(new HmacSigner({ secret: SECRET })) }).liveblocks;
    for (const ui of userInfos) {
      const [a, b] = [fast, generic].map((liveblocks) =>
        liveblocks
          .prepareSession("üser 😀", ui === undefined ? undefined : { userInfo: ui as never, organizationId: "org" })
          .allow("__proto__", ["room:write"])
          .allow("org:*", ["*:read", "comments:write"])
          .authorize(),
      );
      const mine = await a!;
      expect(mine.status).toBe(200);
      expect(mine.body).toBe((await b!).body);
      expect(Object.keys(decodePayload(tokenOf(mine.body)).perms as object)).toEqual(["__proto__", "org:*"]);
    }
  });

  it("ES256 - the same signed payload as sign(claims), and it verifies", async () => {
    const signer = await KeyPairSigner.generate();
    const fast = makeLiveblocks({ signer }).liveblocks;
    const generic = makeLiveblocks({ signer: throughSign(signer) }).liveblocks;
    const args = [{ userId: "alice", groupIds: groupLists[2]! }, { userInfo: userInfos[2] as never }] as const;
    const [mine, theirs] = [tokenOf((await fast.identifyUser(...args)).body), tokenOf((await generic.identifyUser(...args)).body)];
    // ECDSA signatures are randomised: the header and payload must match.
    expect(mine.slice(0, mine.lastIndexOf("."))).toBe(theirs.slice(0, theirs.lastIndexOf(".")));
    await expect(fast.verifyToken(mine, { kind: "id" })).resolves.toMatchObject({ uid: "alice", gids: groupLists[2] });
  });
});

describe("identifyUser - which signing path", () => {
  it("a subclass that overrides sign is called through sign", async () => {
    const calls: TokenClaims[] = [];
    class LoggingSigner extends HmacSigner {
      override async sign(claims: TokenClaims): Promise<string> {
        calls.push(claims);
        return super.sign(claims);
      }
    }
    const { liveblocks } = makeLiveblocks({ signer: new LoggingSigner({ secret: SECRET }) });
    const groupIds = ["eng"];
    const token = tokenOf((await liveblocks.identifyUser({ userId: "alice", groupIds })).body);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ k: "id", uid: "alice", gids: ["eng"] });
    // The signer may keep the claims: it gets its own copy of the groups.
    expect((calls[0] as { gids: string[] }).gids).not.toBe(groupIds);
    await expect(liveblocks.verifyToken(token)).resolves.toMatchObject({ uid: "alice" });
  });

  it("a spy on sign sees every token, ID and access", async () => {
    const signer = new HmacSigner({ secret: SECRET });
    const { liveblocks } = makeLiveblocks({ signer });
    const spy = vi.spyOn(signer, "sign");
    await liveblocks.identifyUser("alice");
    await liveblocks.prepareSession("bob").allow("*", ["*:read"]).authorize();
    expect(spy.mock.calls.map(([claims]) => [claims.k, claims.uid])).toEqual([
      ["id", "alice"],
      ["acc", "bob"],
    ]);
  });

  it("an asynchronous payload signer (as a Web-crypto build has) resolves, and its failure is a 503", async () => {
    const hmac = new HmacSigner({ secret: SECRET });
    const failure = new Error("key store offline");
    let fail = false;
    const signer: TokenSigner = { alg: "HS256", kid: undefined, sign: (claims) => hmac.sign(claims), verify: (t, o) => hmac.verify(t, o) };
    registerPayloadSigning(signer, signer.sign, async (json) => {
      if (fail) throw failure;
      return hmac.sign(JSON.parse(json) as TokenClaims);
    });
    const { liveblocks } = makeLiveblocks({ signer });
    const ok = await liveblocks.identifyUser({ userId: "alice", groupIds: ["eng"] }, { userInfo: { name: "A" } });
    await expect(liveblocks.verifyToken(tokenOf(ok.body))).resolves.toMatchObject({ uid: "alice", gids: ["eng"], ui: { name: "A" } });
    fail = true;
    expect(await liveblocks.identifyUser("alice")).toEqual({
      status: 503,
      body: 'Could not sign the token. See "error" for more information.',
      error: failure,
    });
  });

  it("a token over the size limit is a 503 carrying ERR_JWT_TOO_LARGE, not a throw", async () => {
    const { liveblocks } = makeLiveblocks({ limits: { userInfoBytes: 20_000 } });
    const result = await liveblocks.identifyUser("alice", { userInfo: { bio: "x".repeat(9000) } });
    expect(result.status).toBe(503);
    expect(result.error).toMatchObject({ code: "ERR_JWT_TOO_LARGE" });
  });
});

describe("identifyUser - userInfo serialised once", () => {
  it("toJSON turning userInfo into a non-object is a 422 (was: a token no verifier accepts, or a TypeError)", async () => {
    const { liveblocks } = makeLiveblocks();
    for (const toJSON of [() => "Ada", () => undefined, () => [1]]) {
      expect(await liveblocks.identifyUser("alice", { userInfo: { toJSON } as never })).toEqual({
        status: 422,
        body: "Invalid value for field 'userInfo': must be a JSON object",
      });
    }
  });

  it("toJSON returning an object is signed as that object", async () => {
    const { liveblocks } = makeLiveblocks();
    const result = await liveblocks.identifyUser("alice", { userInfo: { toJSON: () => ({ name: "Ada" }) } as never });
    expect(decodePayload(tokenOf(result.body)).ui).toEqual({ name: "Ada" });
  });

  it("userInfo is read once: a getter's later value is not what gets signed", async () => {
    const { liveblocks } = makeLiveblocks({ limits: { userInfoBytes: 30 } });
    let reads = 0;
    const userInfo = {
      get name() {
        reads++;
        return reads === 1 ? "short" : "x".repeat(100);
      },
    };
    const result = await liveblocks.identifyUser("alice", { userInfo: userInfo as never });
    expect(reads).toBe(1);
    expect(decodePayload(tokenOf(result.body)).ui).toEqual({ name: "short" });
  });
});

describe("checkIdentityFast - agrees with the identity schema", () => {
  // Small limits, so the generated strings and arrays cross them often.
  const limits = { ...DEFAULT_LIMITS, userIdLength: 4, groupIdLength: 3, groupIds: 3, organizationIdLength: 4 };
  const schema = createSchemas(limits).identity;
  // Mostly valid values, so that one broken rule decides often, at every limit.
  const text = fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 4 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
    { weight: 2, arbitrary: fc.constantFrom("", "a\0", "\uD800", "a\uDC00b", "😀", "😀😀😀", "😀😀😀😀😀", "__proto__") },
  );
  const value = fc.oneof(
    { weight: 6, arbitrary: text },
    { weight: 1, arbitrary: fc.constantFrom(undefined, null, 0, 1.5, true, {}, [], new Date(0)) },
    { weight: 1, arbitrary: fc.array(text, { maxLength: 5 }) },
  );
  const fields = fc.record(
    {
      userId: value,
      groupIds: fc.oneof({ weight: 4, arbitrary: fc.array(value, { maxLength: 4 }) }, value),
      organizationId: value,
      tenantId: value,
    },
    { requiredKeys: [] },
  );
  const identity = fc.oneof(
    { weight: 3, arbitrary: text },
    { weight: 6, arbitrary: fields },
    // An unknown key, now and then.
    { weight: 1, arbitrary: fc.tuple(fields, value).map(([known, other]) => ({ ...known, other })) },
    { weight: 1, arbitrary: fc.constantFrom(null, undefined, 42, ["alice"], JSON.parse('{"userId":"a","__proto__":"x"}') as unknown) },
  );

  it("property - accepts exactly what the schema accepts, with the same data", () => {
    let accepted = 0;
    fc.assert(
      fc.property(identity, (input) => {
        const fast = checkIdentityFast(input, limits);
        const reference = checkInput(schema, typeof input === "string" ? { userId: input } : input, "identity");
        expect(fast !== undefined).toBe(reference.ok);
        if (fast !== undefined && reference.ok) {
          accepted++;
          expect(fast.userId).toBe(reference.data.userId);
          expect(fast.groupIds).toEqual(reference.data.groupIds);
        }
      }),
      { numRuns: 3000 },
    );
    // Both sides of the property were exercised.
    expect(accepted).toBeGreaterThan(100);
  });

  it("what it leaves to the schema gets the schema's message (a class instance, an unknown key)", async () => {
    const { liveblocks } = makeLiveblocks();
    class Person {
      userId = "alice";
    }
    const person = await liveblocks.identifyUser(new Person());
    expect(person.status, person.body).toBe(200);
    expect(decodePayload(tokenOf(person.body)).uid).toBe("alice");
    expect(await liveblocks.identifyUser(JSON.parse('{"userId":"a","__proto__":["x"]}') as { userId: string })).toEqual({
      status: 422,
      body: "Invalid value for field '__proto__': is not a known field",
    });
  });
});

describe("Liveblocks - unchanged outside the fast path", () => {
  it("a custom projectId that is not a string still signs what JSON.stringify would", async () => {
    const { liveblocks } = makeLiveblocks({ projectId: 42 as unknown as string });
    const result = await liveblocks.identifyUser("alice");
    expect(decodePayload(tokenOf(result.body)).pid).toBe(42);
  });

  it("a token id generator returning a non-string is serialised as JSON.stringify would", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, now: () => T0, generateTokenId: () => 7 as unknown as string });
    expect(decodePayload(tokenOf((await liveblocks.identifyUser("alice")).body)).jti).toBe(7);
  });
});
