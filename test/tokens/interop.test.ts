/**
 * jose agrees with roomgate in both directions: jose verifies what roomgate
 * signs, and roomgate verifies what jose signs with the same key and the
 * same protected header (same member order).
 */
import { createSecretKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from "jose";
import { describe, expect, it } from "vitest";
import { HmacSigner } from "../../src/tokens/hmac.js";
import { JwksVerifier } from "../../src/tokens/jwks.js";
import { KeyPairSigner } from "../../src/tokens/keypair.js";
import type { Jwk } from "../../src/tokens/keys.js";
import type { TokenSigner } from "../../src/tokens/types.js";
import { accessClaims, ed25519Pair, es256Pair, hs256Key, idClaims, NOW, SECRET } from "./helpers.js";

type Case = {
  alg: "HS256" | "ES256" | "EdDSA";
  signer: TokenSigner;
  /** What jose signs with, and what it verifies with. */
  signingKey: KeyObject | Uint8Array;
  verifyingKey: KeyObject | Uint8Array;
};

const es = es256Pair();
const ed = ed25519Pair();
const cases: Case[] = [
  {
    alg: "HS256",
    signer: new HmacSigner({ secret: SECRET }),
    signingKey: hs256Key(SECRET),
    verifyingKey: createSecretKey(hs256Key(SECRET)),
  },
  {
    alg: "ES256",
    signer: new KeyPairSigner({ privateKey: es.privateKey, kid: "es" }),
    signingKey: es.privateKey,
    verifyingKey: es.publicKey,
  },
  {
    alg: "EdDSA",
    signer: new KeyPairSigner({ privateKey: ed.privateKey, kid: "ed" }),
    signingKey: ed.privateKey,
    verifyingKey: ed.publicKey,
  },
];

describe.each(cases)("jose interop, $alg", ({ alg, signer, signingKey, verifyingKey }) => {
  const header = signer.kid === undefined ? { alg, typ: "JWT" } : { alg, typ: "JWT", kid: signer.kid };

  it("sign - jose.jwtVerify accepts roomgate's tokens with the same key", async () => {
    for (const claims of [idClaims({ ui: { name: "Ada" } }), accessClaims()]) {
      const token = await signer.sign(claims);
      const { payload, protectedHeader } = await jwtVerify(token, verifyingKey, {
        algorithms: [alg],
        typ: "JWT",
        currentDate: new Date(NOW),
      });
      expect(payload).toEqual(claims);
      expect(protectedHeader).toEqual(header);
    }
  });

  it("verify - accepts jose.SignJWT tokens with the same key and the same header", async () => {
    for (const claims of [idClaims(), accessClaims({ ui: { team: ["a", "b"] } })]) {
      const token = await new SignJWT(claims).setProtectedHeader(header).sign(signingKey);
      const own = await signer.sign(claims);
      // Same header and payload bytes; HS256 and Ed25519 signatures are deterministic too.
      if (alg === "ES256") expect(token.slice(0, token.lastIndexOf("."))).toBe(own.slice(0, own.lastIndexOf(".")));
      else expect(token).toBe(own);
      await expect(signer.verify(token, { now: NOW })).resolves.toEqual(claims);
    }
  });

  it("verify - rejects jose.SignJWT tokens whose header members come in another order", async () => {
    const reordered = Object.fromEntries(Object.entries(header).reverse()) as typeof header;
    const token = await new SignJWT(idClaims()).setProtectedHeader(reordered).sign(signingKey);
    await expect(signer.verify(token, { now: NOW })).rejects.toMatchObject({ code: "ERR_JWS_INVALID_HEADER" });
  });

  if (alg !== "HS256") {
    it("verify - JwksVerifier accepts jose.SignJWT tokens too", async () => {
      const verifier = new JwksVerifier({ jwks: (signer as KeyPairSigner).jwks(), alg: alg as "ES256" | "EdDSA" });
      const token = await new SignJWT(idClaims()).setProtectedHeader(header).sign(signingKey);
      await expect(verifier.verify(token, { now: NOW })).resolves.toEqual(idClaims());
    });
  }
});

describe.each(["ES256", "EdDSA"] as const)("jose keys, %s", (alg) => {
  it("constructor - imports a key pair jose generated and exported, and jose verifies the tokens", async () => {
    const pair = await generateKeyPair(alg === "EdDSA" ? "Ed25519" : "ES256", { extractable: true });
    const privateJwk: JWK = await exportJWK(pair.privateKey);
    const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: "from-jose" };
    const signer = new KeyPairSigner({ privateKey: privateJwk, kid: "from-jose" });
    const token = await signer.sign(idClaims());
    await expect(jwtVerify(token, pair.publicKey, { algorithms: [alg], currentDate: new Date(NOW) })).resolves.toMatchObject({
      payload: idClaims(),
    });
    const verifier = new JwksVerifier({ jwks: { keys: [publicJwk] }, alg });
    await expect(verifier.verify(token, { now: NOW })).resolves.toEqual(idClaims());
  });

  it("generate - the node:crypto key exports a private JWK that jose imports and signs with", async () => {
    const signer = await KeyPairSigner.generate({ alg, kid: "k" });
    const jwk: JWK = signer.exportPrivateJwk();
    expect(jwk).toMatchObject({ kid: "k", alg, use: "sig", d: expect.any(String) });
    const key = await importJWK(jwk, alg);
    const token = await new SignJWT(idClaims()).setProtectedHeader({ alg, typ: "JWT", kid: "k" }).sign(key);
    await expect(signer.verify(token, { now: NOW })).resolves.toEqual(idClaims());
    const publicKey = await importJWK(signer.jwks().keys[0]!, alg);
    await expect(jwtVerify(await signer.sign(idClaims()), publicKey, { currentDate: new Date(NOW) })).resolves.toMatchObject({
      payload: idClaims(),
    });
  });

  it("Jwk - is assignable from and to jose's JWK and from node:crypto's JsonWebKey", () => {
    const fromJose: JWK = { kty: "OKP", crv: "Ed25519", x: "x", kid: "k", alg: "EdDSA", use: "sig", key_ops: ["verify"], ext: true };
    const fromNode: JsonWebKey = ed25519Pair().publicKey.export({ format: "jwk" });
    const ours: Jwk[] = [fromJose, fromNode];
    const backToJose: JWK[] = ours;
    expect(backToJose).toHaveLength(2);
  });
});
