import { createHmac, hkdfSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Liveblocks, generateSecret } from "../../src/index.js";
import { secretMatches } from "../../src/liveblocks/client.js";
import { MIN_SECRET_CHARACTERS, weakSecretReason } from "../../src/tokens/secret.js";

/** An HS256 token forged the way an attacker would once the secret is guessed. */
function forge(secret: string, claims: object): string {
  const key = Buffer.from(hkdfSync("sha256", secret, "", "roomgate/v1/hs256-token-key", 32));
  const input = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

describe("secret strength - a weak secret key is refused", () => {
  it("secret - a short secret such as the old JSDoc example is refused, saying how to make one", () => {
    expect(() => new Liveblocks({ secret: "sk_dev_roomgate" })).toThrow(
      "Invalid value for field 'secret': the secret key is too weak to sign tokens with: it has 12 characters after 'sk_', and at least 22 random ones (128 bits) are needed. Generate one with `npx roomgate secret`",
    );
    expect(() => new Liveblocks({ secret: "sk_" })).toThrow("it has 0 characters after 'sk_'");
  });

  it("secret - a long pattern is refused too", () => {
    expect(() => new Liveblocks({ secret: `sk_${"ab".repeat(20)}` })).toThrow(
      "it uses only 2 distinct characters after 'sk_': it is a pattern, not a random key",
    );
  });

  it("regression - a guessable secret let anyone forge a full-access token to a private room", async () => {
    // The forgery that worked with the old example secret: every step but the constructor still works.
    const weak = "sk_dev_roomgate";
    const strong = generateSecret();
    const liveblocks = new Liveblocks({ secret: strong, now: () => 1_700_000_000_000 });
    await liveblocks.createRoom("private", { defaultAccesses: [] });
    const claims = {
      k: "acc",
      pid: liveblocks.projectId,
      uid: "mallory",
      perms: { "*": ["*:write"] },
      iat: 1_700_000_000,
      exp: 1_700_003_600,
      jti: "forged000001",
    };
    expect(await liveblocks.checkRoomAccess(forge(weak, claims), "private")).toMatchObject({ allowed: false, reason: "invalid-token" });
    // With the real secret the same claims would enter: the test can fail.
    expect(await liveblocks.checkRoomAccess(forge(strong, claims), "private")).toMatchObject({ allowed: true });
  });

  it("generateSecret - sk_ and 43 base64url characters, each call different, always accepted", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const secret = generateSecret();
      expect(secret).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
      expect(weakSecretReason(secret)).toBeUndefined();
      seen.add(secret);
    }
    expect(seen.size).toBe(50);
    expect(MIN_SECRET_CHARACTERS).toBe(22);
  });

  it("secretMatches - only the instance's own secret, whatever the length", () => {
    const secret = generateSecret();
    const liveblocks = new Liveblocks({ secret });
    expect(secretMatches(liveblocks, secret)).toBe(true);
    expect(secretMatches(liveblocks, `${secret}x`)).toBe(false);
    expect(secretMatches(liveblocks, secret.slice(0, -1))).toBe(false);
    expect(secretMatches(liveblocks, "")).toBe(false);
    expect(secretMatches(new Liveblocks({ secret: generateSecret() }), secret)).toBe(false);
  });

  it("secretMatches - true exactly for the secret: prefixes, repeats, one changed character, any string", () => {
    const secret = generateSecret();
    const liveblocks = new Liveblocks({ secret });
    const near = fc.oneof(
      fc.string({ unit: "binary", maxLength: 80 }),
      fc.nat({ max: secret.length }).map((n) => secret.slice(0, n)),
      fc.integer({ min: 2, max: 3 }).map((n) => secret.repeat(n)),
      fc
        .tuple(fc.nat({ max: secret.length - 1 }), fc.integer({ min: 0, max: 0xffff }))
        .map(([at, code]) => secret.slice(0, at) + String.fromCharCode(code) + secret.slice(at + 1)),
      fc.constant(secret),
    );
    fc.assert(
      fc.property(near, (candidate) => secretMatches(liveblocks, candidate) === (candidate === secret)),
      { numRuns: 2000 },
    );
  });
});
