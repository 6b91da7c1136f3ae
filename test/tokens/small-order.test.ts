/**
 * Regression: Ed25519 public keys of small order were accepted as
 * verification keys. `node:crypto` imports them, and a signature R = identity, S = 0 then
 * verifies under the identity key for any message, so a JWKS document or a
 * `previousKeys` entry holding one let anyone mint tokens with any claims.
 */
import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { JwksVerifier } from "../../src/tokens/jwks.js";
import { KeyPairSigner } from "../../src/tokens/keypair.js";
import { b64json, ed25519Pair, idClaims } from "./helpers.js";

/** The identity point (0, 1): y = 1, little-endian. */
const IDENTITY_X = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
/** R = identity, S = 0. */
const FORGED_SIGNATURE = Buffer.concat([Buffer.from(IDENTITY_X, "base64url"), Buffer.alloc(32)]);

/**
 * Every encoding of the 8 torsion points, derived here rather than copied:
 * y = 0, 1, p − 1, the two order-8 y, and the non-canonical y = p and p + 1,
 * each with the sign bit of x clear and set.
 */
function smallOrderEncodings(): string[] {
  const p = 2n ** 255n - 19n;
  const y8 = 2707385501144840649318225287225658788936804267575313519463743609750303402022n;
  const encodings: string[] = [];
  for (const y of [0n, 1n, y8, p - y8, p - 1n, p, p + 1n]) {
    const bytes = Buffer.alloc(32);
    for (let i = 0, v = y; i < 32; i++, v >>= 8n) bytes[i] = Number(v & 0xffn);
    encodings.push(bytes.toString("base64url"));
    bytes[31] = bytes[31]! | 0x80;
    encodings.push(bytes.toString("base64url"));
  }
  return encodings;
}

const okp = (x: string, kid = "evil") => ({ kty: "OKP", crv: "Ed25519", x, kid });

describe("Ed25519 keys of small order", () => {
  it("import - refuses the identity key of a JWKS document, under which a forged token (R = identity, S = 0) verifies with any claims", () => {
    const header = b64json({ alg: "EdDSA", typ: "JWT", kid: "evil" });
    const payload = b64json(idClaims({ uid: "admin" }));
    // The attack is real: node:crypto accepts the forged signature for this key.
    const identity = createPublicKey({ key: okp(IDENTITY_X), format: "jwk" });
    expect(verify(null, Buffer.from(`${header}.${payload}`), identity, FORGED_SIGNATURE)).toBe(true);

    expect(() => new JwksVerifier({ jwks: { keys: [okp(IDENTITY_X)] }, alg: "EdDSA" })).toThrow(
      new TypeError("jwks.keys[0] is not a usable public key: it is an Ed25519 key of small order"),
    );
  });

  it("import - the blocklist holds 14 encodings, each a key under which some forged signature verifies", () => {
    const encodings = smallOrderEncodings();
    expect(new Set(encodings).size).toBe(14);
    for (const x of encodings) {
      const key = createPublicKey({ key: okp(x), format: "jwk" });
      const forged = Array.from({ length: 64 }, (_, i) => Buffer.from(`message ${i}`)).filter((message) =>
        verify(null, message, key, FORGED_SIGNATURE),
      );
      expect({ x, forgeable: forged.length > 0 }).toEqual({ x, forgeable: true });
    }
  });

  it("import - refuses every small-order encoding in a JWKS document and names the key", () => {
    const { publicKey } = ed25519Pair();
    const good = publicKey.export({ format: "jwk" });
    for (const x of smallOrderEncodings()) {
      expect(() => new JwksVerifier({ jwks: { keys: [{ ...good, kid: "a" }, { ...good, kid: "b" }, okp(x)] }, alg: "EdDSA" })).toThrow(
        "jwks.keys[2] is not a usable public key: it is an Ed25519 key of small order",
      );
    }
  });

  it("import - refuses a small-order previousKeys entry, as a JWK, a PEM or a KeyObject", () => {
    const { privateKey } = ed25519Pair();
    for (const x of smallOrderEncodings()) {
      const key = createPublicKey({ key: okp(x), format: "jwk" });
      const inputs = [okp(x), key.export({ format: "pem", type: "spki" }).toString(), key];
      for (const input of inputs) {
        expect(() => new KeyPairSigner({ privateKey, previousKeys: [input] })).toThrow(
          "previousKeys[0] is not a usable public key: it is an Ed25519 key of small order",
        );
      }
    }
  });

  it("import - accepts ordinary Ed25519 keys", async () => {
    for (let i = 0; i < 20; i++) {
      const signer = new KeyPairSigner({ privateKey: ed25519Pair().privateKey, previousKeys: [ed25519Pair().publicKey] });
      const verifier = new JwksVerifier({ jwks: signer.jwks(), alg: "EdDSA" });
      await expect(verifier.verify(await signer.sign(idClaims()), { now: idClaims().iat * 1000 })).resolves.toEqual(idClaims());
    }
  });
});
