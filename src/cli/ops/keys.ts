/**
 * `--signing-key <file>`: ES256 or EdDSA private keys (a JWK or a PKCS#8
 * PEM) that serve signs tokens with instead of the secret. The first key
 * signs; every key verifies and is published at `/.well-known/jwks.json`.
 */
import { readFileSync } from "node:fs";
import { type Jwk, KeyPairSigner } from "../../index.js";

/**
 * The signer over the keys in `files` (the first signs, the others still
 * verify, for rotation). Throws an error naming the file and what is wrong,
 * never the key's content.
 *
 * @example
 * ```ts
 * const signer = signerFromKeyFiles(["keys/2026-12.jwk", "keys/2026-11.pem"]);
 * ```
 */
export function signerFromKeyFiles(files: readonly string[]): KeyPairSigner {
  const [first, ...previous] = files.map(readKey);
  try {
    return new KeyPairSigner({ privateKey: first!.key, previousKeys: previous.map(({ key }) => key) });
  } catch (error) {
    throw new Error(`--signing-key: ${(error as Error).message}`, { cause: error });
  }
}

function readKey(file: string): { file: string; key: Jwk | string } {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new Error(`cannot read --signing-key ${file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
  if (text.startsWith("{")) {
    let jwk: unknown;
    try {
      jwk = JSON.parse(text);
    } catch {
      throw new Error(`--signing-key ${file}: not valid JSON (expected a private JWK or a PKCS#8 PEM)`);
    }
    if (typeof jwk !== "object" || jwk === null || typeof (jwk as { d?: unknown }).d !== "string") {
      throw new Error(`--signing-key ${file}: a private JWK (with "d") is needed to sign`);
    }
    return { file, key: jwk as Jwk };
  }
  if (!text.includes("PRIVATE KEY-----")) {
    throw new Error(`--signing-key ${file}: expected a private JWK or a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")`);
  }
  return { file, key: text };
}
