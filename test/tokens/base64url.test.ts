/**
 * `canonicalBase64urlText`, the payload decoding of the verification hot
 * path, in both crypto implementations, against the rule it stands for:
 * a segment passes only when it is non-empty unpadded base64url in its one
 * canonical spelling (re-encoding its bytes gives the same text back), and
 * then yields the UTF-8 text of those bytes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as node from "../../src/runtime/crypto/node.js";
import * as web from "../../src/runtime/crypto/web.js";

/** The rule, spelled the slow way. */
function oracle(segment: string): string | undefined {
  if (segment.length === 0) return undefined;
  const bytes = Buffer.from(segment, "base64url");
  return bytes.toString("base64url") === segment ? bytes.toString("utf8") : undefined;
}

/** Text mostly of base64url characters, with the near misses a forger would try. */
const segment = fc.oneof(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString("base64url")),
  fc.string({ unit: fc.constantFrom(..."ABCxyz019-_+/=. \n\u00e9"), maxLength: 24 }),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.nat(), fc.constantFrom(..."AQgw-_+/=.~é")).map(([bytes, at, char]) => {
    const text = Buffer.from(bytes).toString("base64url");
    const i = at % text.length;
    return `${text.slice(0, i)}${char}${text.slice(i + 1)}`;
  }),
);

describe("canonicalBase64urlText", () => {
  for (const [name, implementation] of [
    ["node", node],
    ["web", web],
  ] as const) {
    it(`property (${name}) - passes exactly the canonical spellings, with their UTF-8 text`, () => {
      fc.assert(
        fc.property(segment, (text) => {
          expect(implementation.canonicalBase64urlText(text)).toBe(oracle(text));
        }),
        { numRuns: 5000 },
      );
    });
  }

  it("canonicalBase64urlText - refuses padding, the standard alphabet, set unused bits and a dangling character", () => {
    const ok = Buffer.from('{"k":"id"}').toString("base64url");
    expect(node.canonicalBase64urlText(ok)).toBe('{"k":"id"}');
    for (const bad of ["", `${ok}=`, "YQ==", "YR", "YWJ", "YWJjZ", "a+b/", "YW Jj", `${ok.slice(0, -1)}+`]) {
      expect(node.canonicalBase64urlText(bad), bad).toBeUndefined();
      expect(web.canonicalBase64urlText(bad), bad).toBeUndefined();
    }
  });
});
