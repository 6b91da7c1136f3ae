/**
 * `startServer` with `--signing-key` files: tokens issued over HTTP are
 * key-pair signed and verify against the published JWKS, fetched by jose
 * and by roomgate's own remote verifier.
 */
import { generateKeyPairSync } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/cli/serve.js";
import { JwksVerifier } from "../../src/index.js";
import { tempDir } from "./helpers.js";

const SECRET = "sk_test_roomgate_keys_0123456789abcdef";
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];

let running: RunningServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function keyFiles() {
  dir = tempDir();
  const current = join(dir, "current.jwk");
  const previous = join(dir, "previous.pem");
  const ed = generateKeyPairSync("ed25519");
  writeFileSync(current, JSON.stringify({ ...ed.privateKey.export({ format: "jwk" }), kid: "key-2026-12" }), { mode: 0o600 });
  const older = generateKeyPairSync("ed25519");
  writeFileSync(previous, older.privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  return { current, previous };
}

async function identify(userId: string): Promise<string> {
  const response = await fetch(`${running!.url}/v2/identify-user`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

describe("serve --signing-key", () => {
  it("signing key - the first key signs, every key is published without private members, and tokens verify remotely", async () => {
    const { current, previous } = keyFiles();
    const lines: string[] = [];
    running = await startServer({
      port: 0,
      host: "127.0.0.1",
      secret: SECRET,
      store: { kind: "memory" },
      log: (line) => lines.push(line),
      signingKeys: [current, previous],
    });
    expect(lines.join("\n")).toContain("signed with key key-2026-12 (EdDSA)");
    // No secret needed for the key set.
    const response = await fetch(`${running.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys[0]).toMatchObject({ kid: "key-2026-12", alg: "EdDSA", kty: "OKP", crv: "Ed25519", use: "sig" });
    expect(jwks.keys[1]!.kid).toMatch(/^[\w-]{43}$/);
    for (const key of jwks.keys) for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);

    const token = await identify("alice");
    expect(decodeProtectedHeader(token)).toEqual({ alg: "EdDSA", typ: "JWT", kid: "key-2026-12" });
    const url = new URL(`${running.url}/.well-known/jwks.json`);
    const { payload } = await jwtVerify(token, createRemoteJWKSet(url), { algorithms: ["EdDSA"] });
    expect(payload).toMatchObject({ k: "id", uid: "alice" });
    const claims = await JwksVerifier.remote(url, { alg: "EdDSA" }).verify(token);
    expect(claims).toMatchObject({ k: "id", uid: "alice" });
    // HS256 over the secret no longer signs: jose refuses the token with a key derived from it.
    await expect(jwtVerify(token, new TextEncoder().encode(SECRET))).rejects.toThrow();
  });

  it("signing key - an ES256 PKCS#8 PEM signs with its thumbprint as kid", async () => {
    dir = tempDir();
    const file = join(dir, "es256.pem");
    writeFileSync(file, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "pem", type: "pkcs8" }));
    running = await startServer({
      port: 0,
      host: "127.0.0.1",
      secret: SECRET,
      store: { kind: "memory" },
      log: () => {},
      signingKeys: [file],
    });
    const jwks = (await (await fetch(`${running.url}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toEqual([
      { kty: "EC", crv: "P-256", x: expect.any(String), y: expect.any(String), kid: expect.any(String), alg: "ES256", use: "sig" },
    ]);
    const token = await identify("bob");
    expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", typ: "JWT", kid: jwks.keys[0]!.kid });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${running.url}/.well-known/jwks.json`)));
    expect(payload.uid).toBe("bob");
  });

  it("signing key - a bad key file stops the start with a message naming the file, not its content", async () => {
    dir = tempDir();
    const file = join(dir, "public.jwk");
    const { publicKey } = generateKeyPairSync("ed25519");
    writeFileSync(file, JSON.stringify(publicKey.export({ format: "jwk" })));
    await expect(
      startServer({ port: 0, host: "127.0.0.1", secret: SECRET, store: { kind: "memory" }, log: () => {}, signingKeys: [file] }),
    ).rejects.toThrow(`--signing-key ${file}: a private JWK (with "d") is needed to sign`);
    const pem = join(dir, "not-a-key.txt");
    writeFileSync(pem, "hello");
    await expect(
      startServer({ port: 0, host: "127.0.0.1", secret: SECRET, store: { kind: "memory" }, log: () => {}, signingKeys: [pem] }),
    ).rejects.toThrow(/not-a-key.txt: expected a private JWK or a PKCS#8 PEM/);
  });
});
