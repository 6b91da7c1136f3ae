/**
 * One row per attack or malformation, against every verifier: the HS256
 * signer, the ES256 and EdDSA key-pair signers, and a JWKS verifier. Each
 * row asserts the error code and the message. Where a check sits after the
 * signature, the token is forged with the real key, so the row proves the
 * check itself and not merely a bad signature.
 */
import { createHmac, createPublicKey, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { HmacSigner } from "../../src/tokens/hmac.js";
import { JwksVerifier } from "../../src/tokens/jwks.js";
import { KeyPairSigner } from "../../src/tokens/keypair.js";
import type { PublicJwk } from "../../src/tokens/keys.js";
import type { TokenClaims, TokenSigner, TokenVerifier } from "../../src/tokens/types.js";
import {
  accessClaims,
  b64,
  b64json,
  ed25519Pair,
  eddsaRaw,
  es256Pair,
  es256Raw,
  expectTokenError,
  forge,
  hmacRaw,
  hs256Key,
  idClaims,
  NOW,
  NOW_S,
  replaceAt,
  SECRET,
  type RawSigner,
} from "./helpers.js";

type Setup = {
  name: string;
  alg: "HS256" | "ES256" | "EdDSA";
  kid: string | undefined;
  verifier: TokenVerifier;
  /** Signs with the verifier's own key. */
  raw: RawSigner;
  /** Public key and its published JWK, for the algorithm-confusion rows. */
  publicKey?: KeyObject;
  jwk?: PublicJwk;
};

const es256 = es256Pair();
const eddsa = ed25519Pair();
const es256Signer = new KeyPairSigner({ privateKey: es256.privateKey, kid: "es-1" });
const eddsaSigner = new KeyPairSigner({ privateKey: eddsa.privateKey, kid: "ed-1" });

const setups: Setup[] = [
  { name: "HmacSigner", alg: "HS256", kid: undefined, verifier: new HmacSigner({ secret: SECRET }), raw: hmacRaw(hs256Key(SECRET)) },
  {
    name: "KeyPairSigner ES256",
    alg: "ES256",
    kid: "es-1",
    verifier: es256Signer,
    raw: es256Raw(es256.privateKey),
    publicKey: es256.publicKey,
    jwk: es256Signer.jwks().keys[0]!,
  },
  {
    name: "KeyPairSigner EdDSA",
    alg: "EdDSA",
    kid: "ed-1",
    verifier: eddsaSigner,
    raw: eddsaRaw(eddsa.privateKey),
    publicKey: eddsa.publicKey,
    jwk: eddsaSigner.jwks().keys[0]!,
  },
  {
    name: "JwksVerifier ES256",
    alg: "ES256",
    kid: "es-1",
    verifier: new JwksVerifier({ jwks: es256Signer.jwks() }),
    raw: es256Raw(es256.privateKey),
    publicKey: es256.publicKey,
    jwk: es256Signer.jwks().keys[0]!,
  },
];

const at = { now: NOW };

describe.each(setups)("$name", (setup) => {
  const { alg, kid, verifier, raw } = setup;
  const header = kid === undefined ? { alg, typ: "JWT" } : { alg, typ: "JWT", kid };
  const token = (claims: unknown, h: object | string = header, signer: RawSigner = raw) => forge(h, claims, signer);
  const verify = (t: unknown, options: Parameters<TokenVerifier["verify"]>[1] = at) => verifier.verify(t as string, options);

  it("verify - accepts a well-formed token signed with its key", async () => {
    await expect(verify(token(idClaims()))).resolves.toEqual(idClaims());
    await expect(verify(token(accessClaims()))).resolves.toEqual(accessClaims());
  });

  describe("algorithm", () => {
    it.each(["none", "NONE", "nOnE"])('verify - rejects alg "%s" with an empty signature (2015 "alg: none" disclosure)', async (none) => {
      const h = b64json({ ...header, alg: none });
      await expectTokenError(
        verify(`${h}.${b64json(idClaims())}.`),
        "ERR_JWS_ALG_NOT_ALLOWED",
        'Unsigned tokens ("alg": "none") are never accepted',
      );
    });

    it('verify - rejects alg "none" even with a valid signature over the token', async () => {
      await expectTokenError(
        verify(token(idClaims(), { ...header, alg: "none" })),
        "ERR_JWS_ALG_NOT_ALLOWED",
        'Unsigned tokens ("alg": "none") are never accepted',
      );
    });

    it.each(["HS256", "HS512", "ES256", "ES384", "RS256", "EdDSA", "Ed25519", "PS256", "es256", ""].filter((a) => a !== alg))(
      'verify - rejects alg "%s", any algorithm but the pinned one',
      async (other) => {
        await expectTokenError(
          verify(token(idClaims(), { ...header, alg: other })),
          "ERR_JWS_ALG_NOT_ALLOWED",
          `"alg" ${JSON.stringify(other)} is not allowed: this verifier accepts only "${alg}"`,
        );
      },
    );

    it("verify - rejects a header without alg", async () => {
      await expectTokenError(
        verify(token(idClaims(), kid === undefined ? { typ: "JWT" } : { typ: "JWT", kid })),
        "ERR_JWS_INVALID_HEADER",
        'The JWT header has no "alg" string',
      );
    });

    if (setup.publicKey !== undefined) {
      const publicKey = setup.publicKey;
      const confusion = {
        "PEM (SPKI)": publicKey.export({ format: "pem", type: "spki" }).toString(),
        "JWK (JSON text)": JSON.stringify(publicKey.export({ format: "jwk" })),
        "JWK of the JWKS": JSON.stringify(setup.jwk),
        "DER (SPKI)": publicKey.export({ format: "der", type: "spki" }),
      };
      it.each(Object.entries(confusion))(
        "verify - rejects HS256 signed with the public key as HMAC secret, %s form (CVE-2016-10555, CVE-2023-48223)",
        async (_form, secret) => {
          const hs = { alg: "HS256", typ: "JWT", kid };
          const forged = forge(hs, idClaims(), (input) => createHmac("sha256", secret).update(input).digest("base64url"));
          await expectTokenError(
            verify(forged),
            "ERR_JWS_ALG_NOT_ALLOWED",
            `"alg" "HS256" is not allowed: this verifier accepts only "${alg}"`,
          );
        },
      );
    }
  });

  describe("kid", () => {
    const message = (shown: string) =>
      kid === undefined ? `No key matches the kid ${shown}: this verifier's tokens carry no kid` : `No key matches the kid ${shown}`;

    it.each(["../../x", "__proto__", "constructor", "toString", ""])('verify - rejects the unknown kid "%s"', async (unknown) => {
      await expectTokenError(
        verify(token(idClaims(), { alg, typ: "JWT", kid: unknown })),
        "ERR_JWKS_NO_MATCHING_KEY",
        message(JSON.stringify(unknown)),
      );
    });

    it("verify - rejects a 5 kB unknown kid and echoes only its first 64 characters", async () => {
      const huge = "k".repeat(5000);
      const err = await expectTokenError(
        verify(token(idClaims(), { alg, typ: "JWT", kid: huge })),
        "ERR_JWKS_NO_MATCHING_KEY",
        message(`"${"k".repeat(64)}"… (5000 characters)`),
      );
      expect(err.message.length).toBeLessThan(200);
    });

    it("verify - rejects a 10 kB kid as too large before decoding it", async () => {
      await expectTokenError(
        verify(token(idClaims(), { alg, typ: "JWT", kid: "k".repeat(10_000) })),
        "ERR_JWT_TOO_LARGE",
        /^The token is \d+ characters, over the limit of 8192$/,
      );
    });

    if (kid !== undefined) {
      it("verify - rejects a kid that is not a string", async () => {
        await expectTokenError(
          verify(token(idClaims(), { alg, typ: "JWT", kid: 1 })),
          "ERR_JWS_INVALID_HEADER",
          'The JWT header has no "kid" string',
        );
      });

      it("verify - rejects a token signed by another key under the same kid", async () => {
        const other = alg === "EdDSA" ? eddsaRaw(ed25519Pair().privateKey) : es256Raw(es256Pair().privateKey);
        await expectTokenError(
          verify(token(idClaims(), header, other)),
          "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
          "The token's signature is invalid",
        );
      });
    } else {
      it("verify - rejects a token signed with another secret", async () => {
        const other = hmacRaw(hs256Key("sk_test_another_secret_0123456789"));
        await expectTokenError(
          verify(token(idClaims(), header, other)),
          "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
          "The token's signature is invalid",
        );
      });

      it("verify - rejects a token whose HMAC key is the raw secret, not the derived key", async () => {
        await expectTokenError(
          verify(token(idClaims(), header, hmacRaw(SECRET))),
          "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
          "The token's signature is invalid",
        );
      });
    }
  });

  describe("header", () => {
    it.each([
      ["jku", "https://attacker.example/jwks.json"],
      ["x5u", "https://attacker.example/cert.pem"],
      ["jwk", { kty: "oct", k: "c2VjcmV0" }],
      ["x5c", ["MIIB"]],
    ])('verify - rejects a "%s" header: keys never come from the token (CVE-2018-0114)', async (name, value) => {
      await expectTokenError(
        verify(token(idClaims(), { ...header, [name]: value })),
        "ERR_JWS_INVALID_HEADER",
        `The "${name}" header is not allowed: roomgate never takes a key from the token`,
      );
    });

    it("verify - rejects any crit header, even an empty one", async () => {
      for (const crit of [["exp"], ["b64"], ["x-unknown"], []]) {
        await expectTokenError(
          verify(token(idClaims(), { ...header, crit, "x-unknown": true, b64: false })),
          "ERR_JWS_INVALID_HEADER",
          'The "crit" header is not supported: no extension is understood',
        );
      }
    });

    it("verify - rejects a zip header", async () => {
      await expectTokenError(
        verify(token(idClaims(), { ...header, zip: "DEF" })),
        "ERR_JWS_INVALID_HEADER",
        'The "zip" header is not allowed: tokens are never compressed',
      );
    });

    it.each([["at+jwt"], ["jwt"], [null], [undefined]])("verify - rejects typ %s", async (typ) => {
      await expectTokenError(verify(token(idClaims(), { ...header, typ })), "ERR_JWS_INVALID_HEADER", '"typ" must be "JWT"');
    });

    it("verify - rejects the right members in another order or with extra members", async () => {
      const expected = kid === undefined ? "alg, typ" : "alg, typ, kid";
      const reordered = kid === undefined ? { typ: "JWT", alg } : { kid, typ: "JWT", alg };
      await expectTokenError(
        verify(token(idClaims(), reordered)),
        "ERR_JWS_INVALID_HEADER",
        `Unexpected JWT header: roomgate tokens have exactly ${expected}, in that order (got ${JSON.stringify(Object.keys(reordered).join(", "))})`,
      );
      await expectTokenError(
        verify(token(idClaims(), { ...header, cty: "JWT" })),
        "ERR_JWS_INVALID_HEADER",
        `Unexpected JWT header: roomgate tokens have exactly ${expected}, in that order (got ${JSON.stringify([...Object.keys(header), "cty"].join(", "))})`,
      );
      await expectTokenError(
        verify(token(idClaims(), b64(`${JSON.stringify(header)} `))),
        "ERR_JWS_INVALID_HEADER",
        /^Unexpected JWT header/,
      );
    });

    it.each([
      ["not JSON", b64("{alg:"), "The JWT header is not JSON"],
      ["a JSON array", b64json([header]), "The JWT header must be a JSON object"],
      ["a JSON string", b64json("JWT"), "The JWT header must be a JSON object"],
      ["empty", "", "The JWT header is not unpadded base64url"],
      ["padded", `${b64json(header)}=`, "The JWT header is not unpadded base64url"],
      [
        "plain base64 with + or /",
        Buffer.from(JSON.stringify({ ...header, x: "??>>" })).toString("base64"),
        "The JWT header is not unpadded base64url",
      ],
    ])("verify - rejects a header that is %s", async (_what, h, message) => {
      await expectTokenError(verify(`${h}.${b64json(idClaims())}.${"A".repeat(43)}`), "ERR_JWT_MALFORMED", message);
    });
  });

  describe("segments", () => {
    // One value per row, wrapped: Bun's it.each (like Jest's) spreads an array row into arguments.
    it.each([[null], [undefined], [42], [{}], [["a.b.c"]]])("verify - rejects a token that is not a string (%s)", async (value) => {
      await expectTokenError(verify(value), "ERR_JWT_MALFORMED", /^A token must be a string, got /);
    });

    it.each(["", "abc", "a.b", "a.b.c.d", "..", "...", `${"a".repeat(10)}.${"b".repeat(10)}`])(
      'verify - rejects "%s", which does not have three segments',
      async (value) => {
        const expected = value === ".." ? "The JWT header is not unpadded base64url" : "A JWT must have three segments separated by dots";
        await expectTokenError(verify(value), "ERR_JWT_MALFORMED", expected);
      },
    );

    it("verify - rejects a valid token with a fourth segment appended", async () => {
      await expectTokenError(verify(`${token(idClaims())}.`), "ERR_JWT_MALFORMED", "A JWT must have three segments separated by dots");
    });

    it("verify - rejects padding and the + / characters of plain base64 in the payload", async () => {
      const valid = token(idClaims());
      const [h, p] = valid.split(".") as [string, string, string];
      const variants = [
        `${p}=`,
        `${p}==`,
        Buffer.from(JSON.stringify(idClaims({ uid: "??>>" }))).toString("base64"),
        `${p.slice(0, 10)}+${p.slice(11)}`,
        `${p.slice(0, 10)}/${p.slice(11)}`,
        `${p.slice(0, 10)} ${p.slice(11)}`,
        `${p.slice(0, 10)}é${p.slice(11)}`,
      ];
      for (const payload of variants) {
        // Signed with the real key: the format check rejects, not the signature.
        const input = `${h}.${payload}`;
        await expectTokenError(verify(`${input}.${raw(input)}`), "ERR_JWT_MALFORMED", "The JWT payload is not unpadded base64url");
      }
    });

    it("verify - rejects padding, the + / characters and a wrong length in the signature", async () => {
      const valid = token(idClaims());
      const sig = valid.slice(valid.lastIndexOf(".") + 1);
      const body = valid.slice(0, valid.lastIndexOf("."));
      const std = Buffer.from(sig, "base64url").toString("base64");
      const bytes = alg === "HS256" ? 32 : 64;
      const message = `The signature must be ${bytes} bytes (${sig.length} unpadded base64url characters) for ${alg}`;
      for (const bad of [
        std,
        `${sig}=`,
        `${sig.slice(0, 5)}+${sig.slice(6)}`,
        `${sig.slice(0, 5)}/${sig.slice(6)}`,
        sig.slice(0, -1),
        `${sig}A`,
        "",
      ]) {
        await expectTokenError(verify(`${body}.${bad}`), "ERR_JWT_MALFORMED", message);
      }
    });

    it("verify - rejects a non-canonical last signature character that decodes to the same bytes", async () => {
      const valid = token(idClaims());
      const last = valid.at(-1)!;
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      // The next character differs only in the unused low bits.
      const alias = alphabet[alphabet.indexOf(last) + 1]!;
      const aliased = replaceAt(valid, valid.length - 1, alias);
      expect(Buffer.from(aliased.slice(aliased.lastIndexOf(".") + 1), "base64url")).toEqual(
        Buffer.from(valid.slice(valid.lastIndexOf(".") + 1), "base64url"),
      );
      await expectTokenError(verify(aliased), "ERR_JWT_MALFORMED", /^The signature must be/);
    });

    it.each([
      ["an array", [idClaims()]],
      ["a string", "claims"],
      ["a number", 42],
      ["null", null],
      ["true", true],
    ])("verify - rejects a signed payload that is %s, not a JSON object", async (_what, payload) => {
      await expectTokenError(verify(token(b64json(payload))), "ERR_JWT_MALFORMED", "The JWT payload must be a JSON object");
    });

    it("verify - rejects a signed payload that is not JSON", async () => {
      await expectTokenError(verify(token(b64("{k:'id'}"))), "ERR_JWT_MALFORMED", "The JWT payload is not JSON");
    });

    it("verify - rejects a 9 KiB token as too large, before decoding anything", async () => {
      await expectTokenError(verify("a".repeat(9 * 1024)), "ERR_JWT_TOO_LARGE", "The token is 9216 characters, over the limit of 8192");
      // Even a well-formed, well-signed one.
      await expectTokenError(
        verify(token(idClaims({ ui: { bio: "x".repeat(7000) } }))),
        "ERR_JWT_TOO_LARGE",
        /^The token is \d+ characters, over the limit of 8192$/,
      );
    });
  });

  describe("signature", () => {
    it("verify - rejects a tampered payload", async () => {
      const valid = token(idClaims());
      const [h, , s] = valid.split(".") as [string, string, string];
      const forged = `${h}.${b64json(idClaims({ uid: "mallory" }))}.${s}`;
      await expectTokenError(verify(forged), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "The token's signature is invalid");
    });

    it("verify - rejects a tampered signature", async () => {
      const valid = token(idClaims());
      const index = valid.lastIndexOf(".") + 10;
      const forged = replaceAt(valid, index, valid[index] === "A" ? "B" : "A");
      await expectTokenError(verify(forged), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "The token's signature is invalid");
    });

    it("verify - rejects an all-zero signature", async () => {
      const valid = token(idClaims());
      const body = valid.slice(0, valid.lastIndexOf("."));
      const zeros = Buffer.alloc(alg === "HS256" ? 32 : 64).toString("base64url");
      await expectTokenError(verify(`${body}.${zeros}`), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "The token's signature is invalid");
    });
  });

  describe("time", () => {
    it("verify - rejects an expired token, tolerance included", async () => {
      await expectTokenError(
        verify(token(idClaims({ iat: NOW_S - 7200, exp: NOW_S - 60 }))),
        "ERR_JWT_EXPIRED",
        `The token expired: "exp" is ${NOW_S - 60}, now is ${NOW_S} (clock tolerance 60 s)`,
      );
      await expect(verify(token(idClaims({ iat: NOW_S - 7200, exp: NOW_S - 59 })))).resolves.toMatchObject({ k: "id" });
      await expectTokenError(
        verify(token(idClaims({ iat: NOW_S - 7200, exp: NOW_S })), { now: NOW, clockTolerance: 0 }),
        "ERR_JWT_EXPIRED",
        `The token expired: "exp" is ${NOW_S}, now is ${NOW_S} (clock tolerance 0 s)`,
      );
    });

    it("verify - rejects nbf in the future beyond the tolerance", async () => {
      await expectTokenError(
        verify(token({ ...idClaims(), nbf: NOW_S + 61 })),
        "ERR_JWT_NOT_YET_VALID",
        `The token is not valid yet: "nbf" is ${NOW_S + 61}, now is ${NOW_S} (clock tolerance 60 s)`,
      );
      await expect(verify(token({ ...idClaims(), nbf: NOW_S + 60 }))).resolves.toMatchObject({ nbf: NOW_S + 60 });
    });

    it("verify - rejects iat in the future beyond the tolerance, accepts it within", async () => {
      await expectTokenError(
        verify(token(idClaims({ iat: NOW_S + 61, exp: NOW_S + 3661 }))),
        "ERR_JWT_ISSUED_IN_FUTURE",
        `The token is issued in the future: "iat" is ${NOW_S + 61}, now is ${NOW_S} (clock tolerance 60 s)`,
      );
      await expect(verify(token(idClaims({ iat: NOW_S + 60, exp: NOW_S + 3660 })))).resolves.toMatchObject({ iat: NOW_S + 60 });
      await expect(
        verify(token(idClaims({ iat: NOW_S + 100, exp: NOW_S + 3700 })), { now: NOW, clockTolerance: 120 }),
      ).resolves.toMatchObject({ iat: NOW_S + 100 });
    });

    it("verify - reads the clock from options.now in milliseconds", async () => {
      const t = token(idClaims());
      await expect(verify(t, { now: NOW + 3_659_999 })).resolves.toMatchObject({ k: "id" });
      await expectTokenError(verify(t, { now: NOW + 3_660_000 }), "ERR_JWT_EXPIRED", /^The token expired/);
    });

    it("verify - rejects an invalid clock or tolerance as a programmer error", async () => {
      const t = token(idClaims());
      await expect(verify(t, { now: NOW, clockTolerance: -1 })).rejects.toThrow(TypeError);
      await expect(verify(t, { now: NOW, clockTolerance: Number.NaN })).rejects.toThrow(TypeError);
      await expect(verify(t, { now: Number.NaN })).rejects.toThrow(TypeError);
    });
  });

  describe("claims", () => {
    it.each([
      ["exp", "2000000000", 'Invalid "exp" claim: expected number, received string'],
      ["iat", "1735689600", 'Invalid "iat" claim: expected number, received string'],
      ["exp", null, 'Invalid "exp" claim: expected number, received null'],
      ["exp", [NOW_S + 60], 'Invalid "exp" claim: expected number, received array'],
      ["nbf", "now", 'Invalid "nbf" claim: expected number, received string'],
    ])('verify - rejects "%s" that is not a number (%j)', async (name, value, message) => {
      await expectTokenError(verify(token({ ...idClaims(), [name]: value })), "ERR_JWT_CLAIM_INVALID", message);
    });

    it("verify - rejects an exp that JSON parses to Infinity", async () => {
      const payload = b64(JSON.stringify(idClaims()).replace(/"exp":\d+/, '"exp":1e999'));
      await expectTokenError(verify(token(payload)), "ERR_JWT_CLAIM_INVALID", /^Invalid "exp" claim: /);
    });

    it.each(["exp", "iat", "jti", "uid", "pid"])('verify - rejects a missing "%s"', async (name) => {
      const claims: Record<string, unknown> = idClaims();
      delete claims[name];
      await expectTokenError(verify(token(claims)), "ERR_JWT_CLAIM_INVALID", `Missing "${name}" claim`);
    });

    it('verify - rejects an access token without "perms" or with ill-typed "perms"', async () => {
      const { perms: _perms, ...noPerms } = accessClaims();
      await expectTokenError(verify(token(noPerms)), "ERR_JWT_CLAIM_INVALID", 'Missing "perms" claim');
      for (const perms of [["*:read"], { room: "*:read" }, { room: [1] }, null]) {
        await expectTokenError(
          verify(token({ ...accessClaims(), perms })),
          "ERR_JWT_CLAIM_INVALID",
          'Invalid "perms" claim: expected an object mapping room ids or patterns to arrays of scopes',
        );
      }
    });

    it.each([
      ["k", "admin", 'Invalid "k" claim: expected "id" or "acc"'],
      ["k", undefined, 'Invalid "k" claim: expected "id" or "acc"'],
      ["uid", 7, 'Invalid "uid" claim: expected string, received number'],
      ["uid", "", /^Invalid "uid" claim: /],
      ["gids", "eng", 'Invalid "gids" claim: expected array, received string'],
      ["gids", [1], /^Invalid "gids" claim: /],
      ["ui", ["a"], 'Invalid "ui" claim: expected a JSON object'],
      ["ui", "alice", 'Invalid "ui" claim: expected a JSON object'],
    ])('verify - rejects an ill-typed "%s" (%j)', async (name, value, message) => {
      await expectTokenError(verify(token({ ...idClaims(), [name]: value })), "ERR_JWT_CLAIM_INVALID", message);
    });

    it("verify - rejects exp not after iat", async () => {
      await expectTokenError(
        verify(token(idClaims({ exp: NOW_S }))),
        "ERR_JWT_CLAIM_INVALID",
        'Invalid "exp" claim: it must be after "iat"',
      );
    });

    it("verify - rejects a wrong pid when projectId is given", async () => {
      await expectTokenError(
        verify(token(idClaims({ pid: "pr_other" })), { now: NOW, projectId: "pr_test" }),
        "ERR_JWT_CLAIM_INVALID",
        'Unexpected "pid" claim: the token is for project "pr_other", expected "pr_test"',
      );
      await expect(verify(token(idClaims()), { now: NOW, projectId: "pr_test" })).resolves.toMatchObject({ pid: "pr_test" });
    });

    it("verify - rejects an ID token where an access token is expected, and vice versa", async () => {
      await expectTokenError(
        verify(token(idClaims()), { now: NOW, kind: "acc" }),
        "ERR_JWT_CLAIM_INVALID",
        'Unexpected "k" claim: expected an access token ("k": "acc"), got an ID token ("k": "id")',
      );
      await expectTokenError(
        verify(token(accessClaims()), { now: NOW, kind: "id" }),
        "ERR_JWT_CLAIM_INVALID",
        'Unexpected "k" claim: expected an ID token ("k": "id"), got an access token ("k": "acc")',
      );
      await expect(verify(token(accessClaims()), { now: NOW, kind: "acc" })).resolves.toMatchObject({ k: "acc" });
    });

    it("verify - keeps a __proto__ room id in perms as data, in a null-prototype map", async () => {
      const payload = b64(
        '{"k":"acc","pid":"p","uid":"u","perms":{"__proto__":["*:read"],"a":["*:write"]},"iat":1735689600,"exp":1735693200,"jti":"j"}',
      );
      const claims = (await verify(token(payload))) as TokenClaims & { k: "acc" };
      expect(Object.getPrototypeOf(claims.perms)).toBeNull();
      expect(Object.keys(claims.perms)).toEqual(["__proto__", "a"]);
      expect(Object.hasOwn(claims.perms, "__proto__")).toBe(true);
      expect(claims.perms["__proto__"]).toEqual(["*:read"]);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    });

    it("verify - drops unknown claims from the result", async () => {
      await expect(verify(token({ ...idClaims(), admin: true, sub: "root" }))).resolves.toEqual(idClaims());
    });
  });
});

describe("sign", () => {
  const signers: Array<[string, TokenSigner]> = [
    ["HmacSigner", new HmacSigner({ secret: SECRET })],
    ["KeyPairSigner ES256", es256Signer],
  ];

  it.each(signers)("sign - %s refuses claims whose token would exceed 8 KiB, and signs up to the limit", async (_name, signer) => {
    let largest = "";
    for (let size = 5800; size < 6300; size++) {
      const claims = idClaims({ ui: { bio: "x".repeat(size) } });
      let token: string;
      try {
        token = await signer.sign(claims);
      } catch (err) {
        expect(err).toMatchObject({
          code: "ERR_JWT_TOO_LARGE",
          message: expect.stringMatching(/^The token would be 8\d{3} characters, over the limit of 8192/),
        });
        break;
      }
      largest = token;
    }
    expect(largest.length).toBeGreaterThan(8185);
    expect(largest.length).toBeLessThanOrEqual(8192);
    await expect(signer.verify(largest, at)).resolves.toMatchObject({ uid: "alice" });
  });

  it("sign - two tokens differ when only jti differs", async () => {
    for (const [, signer] of signers) {
      const a = await signer.sign(idClaims({ jti: "aaaaaaaaaaaa" }));
      const b = await signer.sign(idClaims({ jti: "aaaaaaaaaaab" }));
      expect(a).not.toBe(b);
      expect(a.split(".")[1]).not.toBe(b.split(".")[1]);
    }
  });
});

describe("JwksVerifier", () => {
  it("verify - rejects HS256 signed with each published JWK as secret", async () => {
    const verifier = new JwksVerifier({ jwks: es256Signer.jwks() });
    const jwk = es256Signer.jwks().keys[0]!;
    const publicPem = createPublicKey({ key: jwk, format: "jwk" }).export({ format: "pem", type: "spki" });
    for (const secret of [JSON.stringify(jwk), publicPem]) {
      const forged = forge({ alg: "HS256", typ: "JWT", kid: jwk.kid }, idClaims(), hmacRaw(secret));
      await expectTokenError(
        verifier.verify(forged, at),
        "ERR_JWS_ALG_NOT_ALLOWED",
        '"alg" "HS256" is not allowed: this verifier accepts only "ES256"',
      );
    }
  });
});
