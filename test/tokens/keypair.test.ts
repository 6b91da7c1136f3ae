import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { describe, expect, it } from "vitest";
import { KeyPairSigner } from "../../src/tokens/keypair.js";
import { b64json, ed25519Pair, es256Pair, expectTokenError, idClaims, NOW } from "./helpers.js";

const at = { now: NOW };
const PUBLIC_MEMBERS = ["alg", "crv", "kid", "kty", "use", "x", "y"];

describe("KeyPairSigner", () => {
  describe.each([
    ["ES256", es256Pair, "EC", "P-256"],
    ["EdDSA", ed25519Pair, "OKP", "Ed25519"],
  ] as const)("%s", (alg, pair, kty, crv) => {
    it("generate - creates a signer whose kid is the key's RFC 7638 thumbprint", async () => {
      const signer = await KeyPairSigner.generate({ alg });
      expect(signer.alg).toBe(alg);
      const [jwk] = signer.jwks().keys;
      expect(signer.kid).toBe(await calculateJwkThumbprint(jwk!));
      expect(signer.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it("generate - keeps a given kid", async () => {
      const signer = await KeyPairSigner.generate({ alg, kid: "2025-06" });
      expect(signer.kid).toBe("2025-06");
      expect(signer.jwks().keys[0]).toMatchObject({ kid: "2025-06", alg, use: "sig", kty, crv });
    });

    it("sign - writes exactly the header {alg, typ, kid} in that order", async () => {
      const signer = await KeyPairSigner.generate({ alg, kid: "k1" });
      const token = await signer.sign(idClaims());
      const [header, payload, signature] = token.split(".") as [string, string, string];
      expect(Buffer.from(header, "base64url").toString()).toBe(`{"alg":"${alg}","typ":"JWT","kid":"k1"}`);
      expect(header).toBe(b64json({ alg, typ: "JWT", kid: "k1" }));
      expect(Buffer.from(payload, "base64url").toString()).toBe(JSON.stringify(idClaims()));
      expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
      await expect(signer.verify(token, at)).resolves.toEqual(idClaims());
    });

    it("constructor - imports a private JWK, a PKCS#8 PEM and a KeyObject as the same key", async () => {
      const { privateKey } = pair();
      const jwk = privateKey.export({ format: "jwk" });
      const inputs: Array<KeyObject | string | typeof jwk> = [
        privateKey,
        privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
        jwk,
      ];
      if (alg === "ES256") inputs.push(privateKey.export({ format: "pem", type: "sec1" }).toString());
      const signers = inputs.map((input) => new KeyPairSigner({ privateKey: input }));
      expect(new Set(signers.map((s) => s.kid)).size).toBe(1);
      const token = await signers[0]!.sign(idClaims());
      for (const signer of signers) await expect(signer.verify(token, at)).resolves.toEqual(idClaims());
    });

    it("constructor - takes the kid of a JWK unless one is given", () => {
      const jwk = { ...pair().privateKey.export({ format: "jwk" }), kid: "from-jwk" };
      expect(new KeyPairSigner({ privateKey: jwk }).kid).toBe("from-jwk");
      expect(new KeyPairSigner({ privateKey: jwk, kid: "given" }).kid).toBe("given");
    });

    it("exportPrivateJwk - persists a generated key: a signer over it verifies earlier tokens", async () => {
      const signer = await KeyPairSigner.generate({ alg });
      const jwk = signer.exportPrivateJwk();
      expect(jwk).toMatchObject({ kty, crv, kid: signer.kid, alg, use: "sig", d: expect.any(String) });
      const restored = new KeyPairSigner({ privateKey: JSON.parse(JSON.stringify(jwk)) });
      expect(restored.kid).toBe(signer.kid);
      await expect(restored.verify(await signer.sign(idClaims()), at)).resolves.toEqual(idClaims());
    });

    it("jwks - publishes public members only, even when previous keys are given as private keys", async () => {
      const signer = new KeyPairSigner({
        privateKey: pair().privateKey,
        previousKeys: [pair().privateKey, pair().privateKey.export({ format: "jwk" })],
      });
      const { keys } = signer.jwks();
      expect(keys).toHaveLength(3);
      for (const key of keys) {
        for (const member of Object.keys(key)) expect(PUBLIC_MEMBERS).toContain(member);
        for (const secret of ["d", "k", "p", "q", "dp", "dq", "qi", "oth"]) expect(key).not.toHaveProperty(secret);
        expect(key).toMatchObject({ kty, crv, alg, use: "sig", kid: expect.any(String) });
      }
      expect(JSON.stringify(signer.jwks())).not.toMatch(/"d"|"k"/);
      expect(keys[0]!.kid).toBe(signer.kid);
    });

    it("jwks - returns a copy that callers cannot use to change the signer", async () => {
      const signer = await KeyPairSigner.generate({ alg, kid: "a" });
      const jwks = signer.jwks();
      jwks.keys[0]!.kid = "b";
      jwks.keys.push(jwks.keys[0]!);
      expect(signer.jwks().keys).toHaveLength(1);
      expect(signer.jwks().keys[0]!.kid).toBe("a");
    });

    it("verify - rotation: old tokens verify during the overlap and fail once the old key is dropped", async () => {
      const old = await KeyPairSigner.generate({ alg, kid: "2025-01" });
      const oldToken = await old.sign(idClaims());
      const nextKey = pair().privateKey;
      const overlap = new KeyPairSigner({ privateKey: nextKey, kid: "2025-06", previousKeys: old.jwks().keys });
      expect(overlap.jwks().keys.map((k) => k.kid)).toEqual(["2025-06", "2025-01"]);
      await expect(overlap.verify(oldToken, at)).resolves.toEqual(idClaims());
      const newToken = await overlap.sign(idClaims());
      expect(JSON.parse(Buffer.from(newToken.split(".")[0]!, "base64url").toString())).toMatchObject({ kid: "2025-06" });
      await expectTokenError(old.verify(newToken, at), "ERR_JWKS_NO_MATCHING_KEY", 'No key matches the kid "2025-06"');

      const after = new KeyPairSigner({ privateKey: nextKey, kid: "2025-06" });
      await expect(after.verify(newToken, at)).resolves.toEqual(idClaims());
      await expectTokenError(after.verify(oldToken, at), "ERR_JWKS_NO_MATCHING_KEY", 'No key matches the kid "2025-01"');
    });

    it("verify - previous keys as PEM and KeyObject are named by thumbprint", async () => {
      const old = pair();
      const oldSigner = new KeyPairSigner({ privateKey: old.privateKey });
      const token = await oldSigner.sign(idClaims());
      for (const previous of [old.publicKey, old.publicKey.export({ format: "pem", type: "spki" }).toString()]) {
        const signer = new KeyPairSigner({ privateKey: pair().privateKey, previousKeys: [previous] });
        await expect(signer.verify(token, at)).resolves.toEqual(idClaims());
      }
    });
  });

  describe("constructor errors", () => {
    const es = es256Pair();
    const ed = ed25519Pair();

    it("constructor - rejects a key of another algorithm than alg", () => {
      expect(() => new KeyPairSigner({ privateKey: es.privateKey, alg: "EdDSA" })).toThrow("privateKey is a ES256 key, not EdDSA");
      expect(() => new KeyPairSigner({ privateKey: ed.privateKey, alg: "ES256" })).toThrow("privateKey is a EdDSA key, not ES256");
      expect(() => new KeyPairSigner({ privateKey: es.privateKey, previousKeys: [ed.publicKey] })).toThrow(
        "previousKeys[0] is a EdDSA key, not ES256",
      );
    });

    it("constructor - rejects curves and key types roomgate does not sign with", () => {
      const k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey;
      const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
      const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
      for (const key of [k1, p384, rsa]) {
        expect(() => new KeyPairSigner({ privateKey: key })).toThrow("privateKey must be a P-256 (ES256) or Ed25519 (EdDSA) key");
      }
    });

    it("constructor - rejects public keys, symmetric keys and JWKs without d as the signing key", () => {
      expect(() => new KeyPairSigner({ privateKey: es.publicKey })).toThrow("privateKey must be a private key, got a public key");
      expect(() => new KeyPairSigner({ privateKey: { kty: "oct", k: "c2VjcmV0" } })).toThrow(
        "privateKey is not a usable private key: symmetric (oct) keys are never used here",
      );
      expect(() => new KeyPairSigner({ privateKey: es.publicKey.export({ format: "jwk" }) })).toThrow(
        'privateKey is not a usable private key: the JWK has no private member "d"',
      );
      expect(() => new KeyPairSigner({ privateKey: "not a pem" })).toThrow(/^privateKey is not a usable private key: /);
      expect(() => new KeyPairSigner({ privateKey: es.privateKey, previousKeys: [{ kty: "oct", k: "c2VjcmV0" }] })).toThrow(
        "previousKeys[0] is not a usable public key: symmetric (oct) keys are never used here",
      );
    });

    it("constructor - rejects a JWK whose own alg or use disagrees", () => {
      const jwk = es.privateKey.export({ format: "jwk" });
      expect(() => new KeyPairSigner({ privateKey: { ...jwk, alg: "ES384" } })).toThrow(
        'privateKey declares "alg" "ES384" but is a ES256 key',
      );
      expect(() => new KeyPairSigner({ privateKey: { ...jwk, use: "enc" } })).toThrow('privateKey declares "use" "enc", not "sig"');
    });

    it("constructor - rejects an empty or overlong kid and two keys with one kid", () => {
      expect(() => new KeyPairSigner({ privateKey: es.privateKey, kid: "" })).toThrow(
        "The kid of privateKey must be a string of 1 to 256 characters",
      );
      expect(() => new KeyPairSigner({ privateKey: es.privateKey, kid: "k".repeat(257) })).toThrow(TypeError);
      const other = { ...es256Pair().publicKey.export({ format: "jwk" }), kid: "same" };
      expect(() => new KeyPairSigner({ privateKey: es.privateKey, kid: "same", previousKeys: [other] })).toThrow(
        'Two keys have the kid "same"',
      );
    });

    it("constructor - accepts a SEC1 EC PEM", () => {
      const pem = es.privateKey.export({ format: "pem", type: "sec1" }).toString();
      expect(createPrivateKey(pem).type).toBe("private");
      expect(new KeyPairSigner({ privateKey: pem }).alg).toBe("ES256");
    });

    it("generate - rejects an algorithm roomgate does not sign with, before generating anything", async () => {
      await expect(KeyPairSigner.generate({ alg: "RS256" as never })).rejects.toThrow(
        'KeyPairSigner supports "ES256" and "EdDSA", not "RS256"',
      );
    });

    it("generate - without options creates a P-256 key (node:crypto, no jose)", async () => {
      const signer = await KeyPairSigner.generate();
      expect(signer.alg).toBe("ES256");
      expect(signer.exportPrivateJwk()).toMatchObject({ kty: "EC", crv: "P-256", d: expect.any(String), kid: signer.kid });
    });
  });
});
