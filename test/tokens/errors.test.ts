import { readFileSync } from "node:fs";
import { errors as joseErrors } from "jose";
import { describe, expect, it } from "vitest";
import { TokenError, VerifierUnavailableError } from "../../src/tokens/errors.js";

const SOURCE = new URL("../../src/tokens/errors.ts", import.meta.url);

/** Each `TokenErrorCode` with the comment above it, read from the source the README is written from. */
function documentedCodes(): Map<string, string> {
  const text = readFileSync(SOURCE, "utf8");
  const union = text.slice(text.indexOf("export type TokenErrorCode"), text.indexOf("export class TokenError"));
  const codes = new Map<string, string>();
  for (const [, comment, code] of union.matchAll(/\/\*\*([\s\S]*?)\*\/\s*\|\s*"(ERR_[A-Z_]+)"/g)) {
    codes.set(code!, comment!.replace(/\s*\*\s*/g, " "));
  }
  return codes;
}

describe("TokenError", () => {
  it("constructor - carries a stable code, the message and its own name", () => {
    const err = new TokenError("ERR_JWT_EXPIRED", "The token expired");
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(TokenError);
    expect(err.name).toBe("TokenError");
    expect(err.code).toBe("ERR_JWT_EXPIRED");
    expect(err.message).toBe("The token expired");
    expect(String(err)).toBe("TokenError: The token expired");
  });

  it("codes - each says truly whether jose 6 uses the same code or it is roomgate's own", () => {
    const joseCodes = new Set(Object.values(joseErrors).map((cls) => (cls as { code?: string }).code));
    expect(joseCodes.has("ERR_JWT_EXPIRED")).toBe(true);
    const codes = documentedCodes();
    expect(codes.size).toBe(10);
    for (const [code, comment] of codes) {
      const ownership = comment.includes("jose's code too") ? "jose" : comment.includes("roomgate's own") ? "roomgate" : "undocumented";
      expect({ code, ownership }).toEqual({ code, ownership: joseCodes.has(code) ? "jose" : "roomgate" });
      // A roomgate code names the jose code(s) that cover the case, and they exist.
      for (const [, named] of comment.matchAll(/`(ERR_[A-Z_]+)`/g)) expect(joseCodes).toContain(named);
    }
  });
});

describe("VerifierUnavailableError", () => {
  it("constructor - is not a TokenError, and callers can narrow on its code", () => {
    const cause = new Error("connect ECONNREFUSED");
    const err: unknown = new VerifierUnavailableError("The JWKS at https://a.example/jwks could not be fetched", { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TokenError);
    expect(err).toMatchObject({ name: "VerifierUnavailableError", code: "ERR_VERIFIER_UNAVAILABLE", cause });
    expect(String(err)).toBe("VerifierUnavailableError: The JWKS at https://a.example/jwks could not be fetched");
  });
});

describe("roomgate's package", () => {
  it("engines - admits only Node versions whose require() loads the ESM-only jose and @noble/hashes the CommonJS build requires", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      engines: { node: string };
      dependencies: Record<string, string>;
    };
    // require(esm) is unflagged from Node 20.19 and 22.12; 21 is not supported.
    expect(pkg.engines.node).toBe("^20.19.0 || >=22.12.0");
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(["jose", "@noble/hashes"]));
  });
});
