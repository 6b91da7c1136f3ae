import { describe, expect, it } from "vitest";
import { HmacSigner } from "../../src/tokens/hmac.js";
import { randomTokenId } from "../../src/tokens/ids.js";
import { accessClaims, b64json, expectTokenError, forge, hmacRaw, hs256Key, idClaims, NOW, SECRET } from "./helpers.js";

describe("HmacSigner", () => {
  const signer = new HmacSigner({ secret: SECRET });

  it("constructor - pins HS256 and no kid", () => {
    expect(signer.alg).toBe("HS256");
    expect(signer.kid).toBeUndefined();
  });

  it("constructor - rejects an empty or missing secret", () => {
    expect(() => new HmacSigner({ secret: "" })).toThrow("HmacSigner needs a non-empty secret (a string or bytes)");
    expect(() => new HmacSigner({ secret: new Uint8Array() })).toThrow(TypeError);
    expect(() => new HmacSigner({} as never)).toThrow(TypeError);
    expect(() => new HmacSigner({ secret: 42 } as never)).toThrow(TypeError);
  });

  it("sign - writes exactly the header {alg, typ} and the claims in their own order", async () => {
    const claims = idClaims({ ui: { name: "Alice" } });
    const token = await signer.sign(claims);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    expect(header).toBe(b64json({ alg: "HS256", typ: "JWT" }));
    expect(Buffer.from(header, "base64url").toString()).toBe('{"alg":"HS256","typ":"JWT"}');
    expect(Buffer.from(payload, "base64url").toString()).toBe(JSON.stringify(claims));
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("sign - MACs with HKDF-SHA256(secret, info roomgate/v1/hs256-token-key), never the raw secret", async () => {
    const token = await signer.sign(idClaims());
    const body = token.slice(0, token.lastIndexOf("."));
    expect(token).toBe(forge(body.split(".")[0]!, body.split(".")[1]!, hmacRaw(hs256Key(SECRET))));
    expect(token).not.toBe(forge(body.split(".")[0]!, body.split(".")[1]!, hmacRaw(SECRET)));
  });

  it("sign - accepts the secret as bytes, with the same key as the string", async () => {
    const fromBytes = new HmacSigner({ secret: new TextEncoder().encode(SECRET) });
    const claims = idClaims();
    expect(await fromBytes.sign(claims)).toBe(await signer.sign(claims));
  });

  it("verify - round-trips ID and access tokens", async () => {
    for (const claims of [idClaims(), accessClaims({ ui: { a: [1, { b: null }] } }), idClaims({ jti: randomTokenId() })]) {
      await expect(signer.verify(await signer.sign(claims), { now: NOW })).resolves.toEqual(claims);
    }
  });

  it("verify - rejects tokens of a signer with another secret", async () => {
    const other = new HmacSigner({ secret: `${SECRET}x` });
    await expectTokenError(
      signer.verify(await other.sign(idClaims()), { now: NOW }),
      "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
      "The token's signature is invalid",
    );
  });

  it("verify - uses the real clock when no now is given", async () => {
    const iat = Math.floor(Date.now() / 1000);
    await expect(signer.verify(await signer.sign(idClaims({ iat, exp: iat + 60 })))).resolves.toMatchObject({ iat });
    await expectTokenError(signer.verify(await signer.sign(idClaims())), "ERR_JWT_EXPIRED", /^The token expired/);
  });
});
