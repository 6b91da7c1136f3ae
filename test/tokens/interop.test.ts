/**
 * jose agrees with roomgate in both directions: jose verifies what roomgate
 * signs, and roomgate verifies what jose signs with the same key and the
 * same protected header (same member order).
 */
import { createSecretKey, type KeyObject } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { HmacSigner } from "../../src/tokens/hmac.js";
import { JwksVerifier } from "../../src/tokens/jwks.js";
import { KeyPairSigner } from "../../src/tokens/keypair.js";
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
  { alg: "HS256", signer: new HmacSigner({ secret: SECRET }), signingKey: hs256Key(SECRET), verifyingKey: createSecretKey(hs256Key(SECRET)) },
  { alg: "ES256", signer: new KeyPairSigner({ privateKey: es.privateKey, kid: "es" }), signingKey: es.privateKey, verifyingKey: es.publicKey },
  { alg: "EdDSA", signer: new KeyPairSigner({ privateKey: ed.privateKey, kid: "ed" }), signingKey: ed.privateKey, verifyingKey: ed.publicKey },
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
