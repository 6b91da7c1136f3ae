/**
 * The hand-written claim check of the verification hot path (`claimsFast`)
 * against the zod schema it stands in for: whatever it accepts, the schema
 * accepts with the same output (values, key order, `perms` as a
 * null-prototype map); whatever the schema refuses, it refuses.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { claimsFast, tokenClaims } from "../../src/tokens/claims.js";

/** A value for a claim: mostly of the right type, sometimes of a wrong one or out of range. */
const claimValue = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constant(""),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Infinity, -Infinity, NaN, 1e999),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }), fc.integer()), {
    maxKeys: 3,
  }),
);

/** Payloads as JSON.parse gives them: every claim present or not, right or wrong, plus unknown keys. */
const payload = fc
  .record(
    {
      k: fc.oneof(fc.constantFrom("id", "acc", "ID", ""), claimValue),
      pid: fc.oneof(fc.string({ maxLength: 8 }), claimValue),
      uid: fc.oneof(fc.string({ maxLength: 8 }), claimValue),
      ui: fc.oneof(fc.jsonValue({ maxDepth: 2 }), claimValue),
      gids: fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }), claimValue),
      perms: fc.oneof(fc.dictionary(fc.string({ maxLength: 6 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 })), claimValue),
      oid: fc.oneof(fc.string({ maxLength: 6 }), claimValue),
      iat: fc.oneof(fc.integer({ min: 0, max: 2e9 }), claimValue),
      exp: fc.oneof(fc.integer({ min: 0, max: 2e9 }), claimValue),
      jti: fc.oneof(fc.string({ maxLength: 12 }), claimValue),
      nbf: fc.oneof(fc.integer({ min: 0, max: 2e9 }), claimValue),
      extra: claimValue,
    },
    { requiredKeys: [] },
  )
  .chain((value) => fc.tuple(fc.constant(value), fc.boolean()))
  // Through JSON, as a token's payload arrives, sometimes with an own "__proto__" key.
  .map(([value, proto]) => {
    const json = JSON.stringify(value);
    const withProto = json === "{}" ? '{"__proto__":["x"]}' : `{"__proto__":["x"],${json.slice(1)}`;
    return JSON.parse(proto ? withProto : json) as Record<string, unknown>;
  });

describe("claimsFast", () => {
  it("property - accepts only what the claim schema accepts, with the schema's output and key order", () => {
    fc.assert(
      fc.property(payload, (value) => {
        const fast = claimsFast(value);
        const schema = tokenClaims.safeParse(value);
        if (fast === undefined) return;
        expect(schema.success).toBe(true);
        expect(Object.keys(fast)).toEqual(Object.keys(schema.data!));
        expect(fast).toStrictEqual(schema.data);
      }),
      { numRuns: 3000 },
    );
  });

  it("property - a payload the schema accepts is decided by hand too (the schema only words errors)", () => {
    const valid = fc.record(
      {
        k: fc.constantFrom("id", "acc"),
        pid: fc.string({ maxLength: 8 }),
        uid: fc.string({ minLength: 1, maxLength: 8 }),
        ui: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        gids: fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }),
        perms: fc.dictionary(fc.string({ maxLength: 6 }), fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 })),
        oid: fc.string({ minLength: 1, maxLength: 6 }),
        iat: fc.integer({ min: 0, max: 2e9 }),
        exp: fc.integer({ min: 0, max: 2e9 }),
        jti: fc.string({ minLength: 1, maxLength: 12 }),
        nbf: fc.integer({ min: 0, max: 2e9 }),
      },
      { requiredKeys: ["k", "pid", "uid", "iat", "exp", "jti", "perms"] },
    );
    fc.assert(
      fc.property(valid, (value) => {
        expect(tokenClaims.safeParse(value).success).toBe(true);
        expect(claimsFast(value)).toStrictEqual(tokenClaims.safeParse(value).data);
      }),
      { numRuns: 1000 },
    );
  });

  it("claimsFast - refuses infinite times, an empty uid or jti, a non-string group and a non-array permission list", () => {
    const base = { k: "id", pid: "p", uid: "u", iat: 1, exp: 2, jti: "j" };
    expect(claimsFast(base)).toEqual(base);
    for (const bad of [
      { iat: Infinity },
      { exp: NaN },
      { nbf: -Infinity },
      { uid: "" },
      { jti: "" },
      { gids: ["a", 1] },
      { ui: [] },
      { ui: null },
      { oid: "" },
      { k: "acc", perms: { r: "room:write" } },
      { k: "acc" },
    ]) {
      expect(claimsFast({ ...base, ...bad }), JSON.stringify(bad)).toBeUndefined();
      expect(tokenClaims.safeParse({ ...base, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
