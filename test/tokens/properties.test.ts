import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HmacSigner } from "../../src/tokens/hmac.js";
import { JwksVerifier } from "../../src/tokens/jwks.js";
import { KeyPairSigner } from "../../src/tokens/keypair.js";
import type { JsonObject, TokenClaims, TokenVerifier } from "../../src/tokens/types.js";
import { ed25519Pair, es256Pair, idClaims, NOW, NOW_S, replaceAt, SECRET } from "./helpers.js";

const at = { now: NOW };
const es256Signer = new KeyPairSigner({ privateKey: es256Pair().privateKey, kid: "es" });
const signers: Array<[string, { sign(c: TokenClaims): Promise<string> }, TokenVerifier]> = [
  ["HS256", new HmacSigner({ secret: SECRET }), new HmacSigner({ secret: SECRET })],
  ["ES256", es256Signer, es256Signer],
  ["ES256 via JwksVerifier", es256Signer, new JwksVerifier({ jwks: es256Signer.jwks() })],
  [
    "EdDSA",
    ...(() => {
      const s = new KeyPairSigner({ privateKey: ed25519Pair().privateKey });
      return [s, s] as const;
    })(),
  ],
];

/** Any string, lone surrogates included (JSON.stringify escapes them). */
const text = fc.string({ unit: "binary", maxLength: 40 });
const userInfo: fc.Arbitrary<JsonObject> = fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }) as fc.Arbitrary<JsonObject>;
const times = fc
  .tuple(fc.integer({ min: NOW_S - 3000, max: NOW_S + 60 }), fc.integer({ min: 1, max: 86_400 }))
  .filter(([iat, lifetime]) => iat + lifetime > NOW_S - 60);

const idTokenClaims: fc.Arbitrary<TokenClaims> = fc
  .record(
    {
      pid: text,
      uid: text.filter((s) => s.length > 0),
      ui: userInfo,
      gids: fc.array(text, { maxLength: 5 }),
      times,
      jti: fc.stringMatching(/^[A-Za-z0-9_-]{12}$/),
    },
    { requiredKeys: ["pid", "uid", "times", "jti"] },
  )
  .map(({ pid, uid, ui, gids, times: [iat, lifetime], jti }) => ({
    k: "id" as const,
    pid,
    uid,
    ...(ui === undefined ? {} : { ui }),
    ...(gids === undefined ? {} : { gids }),
    iat,
    exp: iat + lifetime,
    jti,
  }));

const accessTokenClaims: fc.Arbitrary<TokenClaims> = fc
  .record({
    pid: text,
    uid: text.filter((s) => s.length > 0),
    perms: fc.dictionary(text, fc.array(text, { maxLength: 4 }), { maxKeys: 10 }),
    times,
    jti: fc.stringMatching(/^[A-Za-z0-9_-]{12}$/),
  })
  .map(({ pid, uid, perms, times: [iat, lifetime], jti }) => ({ k: "acc" as const, pid, uid, perms, iat, exp: iat + lifetime, jti }));

describe.each(signers)("properties, %s", (_name, signer, verifier) => {
  it("sign - verify round-trips arbitrary valid claims", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(idTokenClaims, accessTokenClaims), async (claims) => {
        const token = await signer.sign(claims);
        const verified = await verifier.verify(token, at);
        // What JSON carries: the signer serialises with JSON.stringify.
        expect(JSON.parse(JSON.stringify(verified))).toEqual(JSON.parse(JSON.stringify(claims)));
      }),
      { numRuns: 300 },
    );
  });

  it("verify - no single-character change of a valid token ever verifies", async () => {
    const tokens = await Promise.all([
      signer.sign(idClaims({ ui: { name: "Ada" } })),
      signer.sign({ k: "acc", pid: "p", uid: "u", perms: { "r:*": ["*:read"] }, iat: NOW_S, exp: NOW_S + 60, jti: "0123456789ab" }),
    ]);
    const replacement = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ".split(""));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...tokens), fc.nat(), replacement, async (token, position, char) => {
        const index = position % token.length;
        fc.pre(token[index] !== char);
        await expect(verifier.verify(replaceAt(token, index, char), at)).rejects.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it("verify - changing any one position (to the next base64url character) is rejected", async () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const token = await signer.sign(idClaims({ ui: { name: "Ada" } }));
    for (let index = 0; index < token.length; index++) {
      const char = token[index]!;
      const next = char === "." ? "A" : alphabet[(alphabet.indexOf(char) + 1) % 64]!;
      await expect(verifier.verify(replaceAt(token, index, next), at)).rejects.toThrow();
    }
  });

  it("verify - every last-character change of the signature is rejected (no aliasing)", async () => {
    const token = await signer.sign(idClaims());
    for (const char of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") {
      if (char === token.at(-1)) continue;
      await expect(verifier.verify(replaceAt(token, token.length - 1, char), at)).rejects.toThrow();
    }
  });
});
