import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TokenError } from "../../src/tokens/errors.js";
import { JwksVerifier } from "../../src/tokens/jwks.js";
import { KeyPairSigner } from "../../src/tokens/keypair.js";
import { b64json, es256Pair, expectTokenError, forge, hmacRaw, idClaims, NOW } from "./helpers.js";

const at = { now: NOW };

describe("JwksVerifier (inline document)", () => {
  it("verify - accepts tokens of every key of the document", async () => {
    const a = await KeyPairSigner.generate({ kid: "a" });
    const b = await KeyPairSigner.generate({ kid: "b" });
    const verifier = new JwksVerifier({ jwks: { keys: [...a.jwks().keys, ...b.jwks().keys] } });
    expect(verifier.alg).toBe("ES256");
    for (const signer of [a, b]) await expect(verifier.verify(await signer.sign(idClaims()), at)).resolves.toEqual(idClaims());
    const c = await KeyPairSigner.generate({ kid: "c" });
    await expectTokenError(verifier.verify(await c.sign(idClaims()), at), "ERR_JWKS_NO_MATCHING_KEY", 'No key matches the kid "c"');
  });

  it("verify - EdDSA when pinned", async () => {
    const signer = await KeyPairSigner.generate({ alg: "EdDSA" });
    const verifier = new JwksVerifier({ jwks: signer.jwks(), alg: "EdDSA" });
    await expect(verifier.verify(await signer.sign(idClaims()), at)).resolves.toEqual(idClaims());
    expect(() => new JwksVerifier({ jwks: signer.jwks() })).toThrow("The JWKS document has no ES256 signature key");
  });

  it("constructor - skips symmetric keys, encryption keys and keys of other algorithms", async () => {
    const signer = await KeyPairSigner.generate({ kid: "sig" });
    const [jwk] = signer.jwks().keys;
    const other = await KeyPairSigner.generate({ alg: "EdDSA", kid: "ed" });
    const verifier = new JwksVerifier({
      jwks: {
        keys: [
          { kty: "oct", k: "c2VjcmV0", kid: "hmac" },
          { ...(await KeyPairSigner.generate()).jwks().keys[0]!, use: "enc", kid: "enc" },
          { ...(await KeyPairSigner.generate()).jwks().keys[0]!, alg: "ECDH-ES", kid: "ecdh" },
          ...other.jwks().keys,
          jwk!,
        ],
      },
    });
    await expect(verifier.verify(await signer.sign(idClaims()), at)).resolves.toEqual(idClaims());
    // The skipped HMAC key can never verify anything, whatever the header says.
    const hs = forge({ alg: "HS256", typ: "JWT", kid: "hmac" }, idClaims(), hmacRaw(Buffer.from("secret")));
    await expectTokenError(
      verifier.verify(hs, at),
      "ERR_JWS_ALG_NOT_ALLOWED",
      '"alg" "HS256" is not allowed: this verifier accepts only "ES256"',
    );
    const es = forge({ alg: "ES256", typ: "JWT", kid: "enc" }, idClaims(), () => "A".repeat(86));
    await expectTokenError(verifier.verify(es, at), "ERR_JWKS_NO_MATCHING_KEY", 'No key matches the kid "enc"');
  });

  it("constructor - names a key without kid by its thumbprint, as KeyPairSigner does", async () => {
    const { privateKey, publicKey } = es256Pair();
    const signer = new KeyPairSigner({ privateKey });
    const verifier = new JwksVerifier({ jwks: { keys: [publicKey.export({ format: "jwk" })] } });
    await expect(verifier.verify(await signer.sign(idClaims()), at)).resolves.toEqual(idClaims());
  });

  it("constructor - rejects documents without usable keys, malformed keys and unsupported algorithms", () => {
    expect(() => new JwksVerifier({ jwks: { keys: [] } })).toThrow("The JWKS document has no ES256 signature key");
    expect(() => new JwksVerifier({ jwks: {} as never })).toThrow('A JWKS document is an object with a "keys" array');
    expect(() => new JwksVerifier({ jwks: { keys: [{ kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }] } })).toThrow(
      /^jwks\.keys\[0\] is not a usable public key: /,
    );
    expect(() => new JwksVerifier({ jwks: { keys: [] }, alg: "HS256" as never })).toThrow(
      'JwksVerifier supports "ES256" and "EdDSA", not "HS256"',
    );
  });
});

describe("JwksVerifier.remote (real HTTP server on loopback)", () => {
  let server: Server;
  let url: string;
  let document: unknown = { keys: [] };
  let requests = 0;
  let respond: (req: IncomingMessage, res: ServerResponse) => void;

  const serveJson = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(document));
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      respond(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests = 0;
    respond = serveJson;
  });

  it("verify - fetches the document once and verifies with it", async () => {
    const signer = await KeyPairSigner.generate({ kid: "r1" });
    document = signer.jwks();
    const verifier = JwksVerifier.remote(url);
    for (let i = 0; i < 3; i++) await expect(verifier.verify(await signer.sign(idClaims()), at)).resolves.toEqual(idClaims());
    expect(requests).toBe(1);
  });

  it("verify - EdDSA documents", async () => {
    const signer = await KeyPairSigner.generate({ alg: "EdDSA", kid: "ed" });
    document = signer.jwks();
    const verifier = JwksVerifier.remote(new URL(url), { alg: "EdDSA" });
    expect(verifier.alg).toBe("EdDSA");
    await expect(verifier.verify(await signer.sign(idClaims()), at)).resolves.toEqual(idClaims());
  });

  it("verify - an unknown kid refetches the document: a rotated-in key verifies, an unknown one is rejected", async () => {
    const first = await KeyPairSigner.generate({ kid: "2025-01" });
    document = first.jwks();
    const verifier = JwksVerifier.remote(url, { cooldownDuration: 0 });
    await expect(verifier.verify(await first.sign(idClaims()), at)).resolves.toEqual(idClaims());

    const second = new KeyPairSigner({ privateKey: es256Pair().privateKey, kid: "2025-06", previousKeys: first.jwks().keys });
    document = second.jwks();
    await expect(verifier.verify(await second.sign(idClaims()), at)).resolves.toEqual(idClaims());
    expect(requests).toBe(2);

    const stranger = await KeyPairSigner.generate({ kid: "../../x" });
    await expectTokenError(
      verifier.verify(await stranger.sign(idClaims()), at),
      "ERR_JWKS_NO_MATCHING_KEY",
      'No key matches the kid "../../x"',
    );
  });

  it("verify - within the cooldown an unknown kid does not refetch", async () => {
    const signer = await KeyPairSigner.generate({ kid: "k" });
    document = signer.jwks();
    const verifier = JwksVerifier.remote(url, { cooldownDuration: 60_000 });
    await verifier.verify(await signer.sign(idClaims()), at);
    const stranger = await KeyPairSigner.generate({ kid: "unknown" });
    for (let i = 0; i < 5; i++) {
      await expectTokenError(
        verifier.verify(await stranger.sign(idClaims()), at),
        "ERR_JWKS_NO_MATCHING_KEY",
        'No key matches the kid "unknown"',
      );
    }
    expect(requests).toBe(1);
  });

  it("verify - rejects forged headers before any request", async () => {
    const verifier = JwksVerifier.remote(url);
    const claims = b64json(idClaims());
    await expectTokenError(
      verifier.verify(`${b64json({ alg: "none", typ: "JWT", kid: "k" })}.${claims}.`, at),
      "ERR_JWS_ALG_NOT_ALLOWED",
      /none/,
    );
    await expectTokenError(
      verifier.verify(`${b64json({ alg: "ES256", typ: "JWT", kid: "k", jku: url })}.${claims}.${"A".repeat(86)}`, at),
      "ERR_JWS_INVALID_HEADER",
      'The "jku" header is not allowed: roomgate never takes a key from the token',
    );
    await expectTokenError(
      verifier.verify(`${b64json({ alg: "ES256", typ: "JWT" })}.${claims}.${"A".repeat(86)}`, at),
      "ERR_JWS_INVALID_HEADER",
      'The JWT header has no "kid" string',
    );
    await expectTokenError(verifier.verify("x".repeat(9000), at), "ERR_JWT_TOO_LARGE", /^The token is 9000 characters/);
    expect(requests).toBe(0);
  });

  it("verify - a tampered token is rejected after the key is found", async () => {
    const signer = await KeyPairSigner.generate({ kid: "t" });
    document = signer.jwks();
    const verifier = JwksVerifier.remote(url);
    const token = await signer.sign(idClaims());
    const [h, , s] = token.split(".");
    await expectTokenError(
      verifier.verify(`${h}.${b64json(idClaims({ uid: "mallory" }))}.${s}`, at),
      "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
      "The token's signature is invalid",
    );
  });

  it("verify - a server that does not answer rejects with VerifierUnavailableError, not a TokenError", async () => {
    respond = () => {
      // Never answers.
    };
    const signer = await KeyPairSigner.generate({ kid: "slow" });
    const verifier = JwksVerifier.remote(url, { timeoutDuration: 100 });
    const err = await verifier.verify(await signer.sign(idClaims()), at).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(TokenError);
    expect(err).toMatchObject({ name: "VerifierUnavailableError", code: "ERR_VERIFIER_UNAVAILABLE" });
  });

  it("constructor - rejects URLs that are not http(s)", () => {
    expect(() => JwksVerifier.remote("file:///etc/jwks.json")).toThrow("The JWKS URL must be http(s), got file:");
    expect(() => JwksVerifier.remote("not a url")).toThrow(TypeError);
  });
});
