/**
 * The Node build and the Web build agree: byte-identical tokens for the same
 * claims, key and jti (HS256 and EdDSA are deterministic; ES256 signatures
 * are randomised, so there each must verify the other's), and the same
 * verification result, valid or forged, down to the error code and message.
 */
import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import * as node from "../../src/index.js";
import { CRYPTO_IMPLEMENTATION } from "../../src/runtime/crypto/node.js";
import type { JsonObject, TokenClaims } from "../../src/index.js";
import { webBundle } from "./web-build.js";

type Roomgate = typeof node;
let web: Roomgate;
beforeAll(async () => {
  web = (await import((await webBundle()).url)) as Roomgate;
});

const NOW = Date.UTC(2026, 0, 1);
const NOW_S = NOW / 1000;
const text = fc.string({ unit: "binary", maxLength: 24 });
const claims: fc.Arbitrary<TokenClaims> = fc.oneof(
  fc.record({
    k: fc.constant("id" as const),
    pid: text,
    uid: text.filter((s) => s.length > 0),
    ui: fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) as fc.Arbitrary<JsonObject>,
    gids: fc.array(text, { maxLength: 3 }),
    iat: fc.integer({ min: NOW_S - 600, max: NOW_S }),
    exp: fc.integer({ min: NOW_S + 1, max: NOW_S + 3600 }),
    jti: fc.stringMatching(/^[A-Za-z0-9_-]{12}$/),
  }),
  fc.record({
    k: fc.constant("acc" as const),
    pid: text,
    uid: text.filter((s) => s.length > 0),
    perms: fc.dictionary(text, fc.array(fc.constantFrom("room:write", "room:read", "comments:write"), { maxLength: 3 })),
    iat: fc.integer({ min: NOW_S - 600, max: NOW_S }),
    exp: fc.integer({ min: NOW_S + 1, max: NOW_S + 3600 }),
    jti: fc.stringMatching(/^[A-Za-z0-9_-]{12}$/),
  }),
);
const secret = fc.string({ minLength: 1, maxLength: 64 });

/** A forgery of `token`: one character changed, a segment swapped, the alg rewritten, or nothing. */
const forgery = fc.oneof(
  fc.record({ kind: fc.constant("char" as const), at: fc.nat(), char: fc.constantFrom(..."AQgw_-.=+/a0") }),
  fc.record({ kind: fc.constant("alg" as const), alg: fc.constantFrom("none", "HS256", "ES256", "EdDSA", "RS256", "hs256") }),
  fc.record({ kind: fc.constant("same" as const) }),
);
function forge(token: string, how: { kind: string; at?: number; char?: string; alg?: string }): string {
  if (how.kind === "char") {
    const at = (how.at ?? 0) % token.length;
    return token.slice(0, at) + how.char + token.slice(at + 1);
  }
  if (how.kind === "alg") {
    const [, payload, signature] = token.split(".");
    const header = Buffer.from(JSON.stringify({ alg: how.alg, typ: "JWT" })).toString("base64url");
    return `${header}.${payload}.${signature}`;
  }
  return token;
}

/** What a verify comes to: the claims, or the error's class, code and message. */
async function outcome(verify: () => Promise<TokenClaims>): Promise<unknown> {
  try {
    return { ok: await verify() };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { name: e.name, code: e.code, message: e.message };
  }
}

function ed25519Jwk(): node.Jwk {
  return generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as node.Jwk;
}
function es256Jwk(): node.Jwk {
  return generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" }) as node.Jwk;
}

describe("Node build and Web build agree", () => {
  it("setup - the two really are the two implementations", async () => {
    expect(CRYPTO_IMPLEMENTATION).toBe("node");
    expect((await webBundle()).code.includes("crypto.subtle.verify")).toBe(true);
    expect(web.HmacSigner).not.toBe(node.HmacSigner);
  });

  it("HS256 - same token bytes, each verifies the other's, same result on every forgery", async () => {
    await fc.assert(
      fc.asyncProperty(secret, claims, forgery, async (key, c, how) => {
        const n = new node.HmacSigner({ secret: key });
        const w = new web.HmacSigner({ secret: key });
        const token = await n.sign(c);
        expect(await w.sign(c)).toBe(token);
        const forged = forge(token, how);
        const at = { now: NOW };
        const expected = await outcome(() => n.verify(forged, at));
        expect(await outcome(() => w.verify(forged, at))).toEqual(expected);
        // Under another key, both reject alike.
        const other = { secret: `${key}x` };
        expect(await outcome(() => new web.HmacSigner(other).verify(token, at))).toEqual(
          await outcome(() => new node.HmacSigner(other).verify(token, at)),
        );
      }),
      { numRuns: 150 },
    );
  });

  it("EdDSA - same token bytes under the same JWK, same result on every forgery and under a wrong key", async () => {
    const jwk = ed25519Jwk();
    const wrong = ed25519Jwk();
    const n = new node.KeyPairSigner({ privateKey: jwk, kid: "k1" });
    const w = new web.KeyPairSigner({ privateKey: jwk, kid: "k1" });
    expect(w.jwks()).toEqual(n.jwks());
    const nWrong = new node.KeyPairSigner({ privateKey: wrong, kid: "k1" });
    const wWrong = new web.KeyPairSigner({ privateKey: wrong, kid: "k1" });
    await fc.assert(
      fc.asyncProperty(claims, forgery, async (c, how) => {
        const token = await n.sign(c);
        expect(await w.sign(c)).toBe(token);
        const forged = forge(token, how);
        const at = { now: NOW };
        expect(await outcome(() => w.verify(forged, at))).toEqual(await outcome(() => n.verify(forged, at)));
        expect(await outcome(() => wWrong.verify(token, at))).toEqual(await outcome(() => nWrong.verify(token, at)));
      }),
      { numRuns: 60 },
    );
  });

  it("ES256 - each verifies the other's tokens, same result on every forgery, same kid and JWKS", async () => {
    const jwk = es256Jwk();
    const n = new node.KeyPairSigner({ privateKey: jwk });
    const w = new web.KeyPairSigner({ privateKey: jwk });
    expect(w.kid).toBe(n.kid);
    expect(w.jwks()).toEqual(n.jwks());
    const wVerifier = new web.JwksVerifier({ jwks: n.jwks() });
    await fc.assert(
      fc.asyncProperty(claims, forgery, async (c, how) => {
        const fromNode = await n.sign(c);
        const fromWeb = await w.sign(c);
        const at = { now: NOW };
        expect(await n.verify(fromWeb, at)).toEqual(await w.verify(fromNode, at));
        expect(await outcome(() => wVerifier.verify(fromWeb, at))).toEqual(await outcome(() => n.verify(fromWeb, at)));
        const forged = forge(fromNode, how);
        expect(await outcome(() => w.verify(forged, at))).toEqual(await outcome(() => n.verify(forged, at)));
      }),
      { numRuns: 60 },
    );
  });

  it("derivations - the same project id (HKDF) for every secret, in identifyUser's tokens", async () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    const secrets = fc.stringMatching(new RegExp(`^[${alphabet}]{22,60}$`)).filter((s) => new Set(s).size >= 10);
    const pidOf = async (client: { identifyUser(id: string): Promise<{ body: string }> }) => {
      const { token } = JSON.parse((await client.identifyUser("alice")).body) as { token: string };
      return (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { pid: string }).pid;
    };
    await fc.assert(
      fc.asyncProperty(secrets, async (s) => {
        const pid = await pidOf(new node.Liveblocks({ secret: `sk_${s}` }));
        expect(pid).toMatch(/^pr_[\w-]{16}$/);
        expect(await pidOf(new web.Liveblocks({ secret: `sk_${s}` }))).toBe(pid);
      }),
      { numRuns: 50 },
    );
  });
});
