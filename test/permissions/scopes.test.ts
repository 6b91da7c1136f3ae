import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Permission, isPermission, permissionMatrixOf, validatePermissionSet } from "../../src/index.js";
import { validSet } from "./arbitraries.js";

const STRICT = { allowEmpty: false };
const BASE_MESSAGE = "Permissions must include exactly one of *:read, *:write (or the legacy aliases room:read, room:write), got";

describe("Permission", () => {
  it("catalogue - has every scope of the reference, with @liveblocks/core's names", () => {
    expect(Object.values(Permission).sort()).toEqual(
      [
        "*:read",
        "*:write",
        "room:read",
        "room:write",
        "room:presence:write",
        "storage:read",
        "storage:write",
        "storage:none",
        "comments:read",
        "comments:write",
        "comments:none",
        "comments:public:read",
        "comments:public:write",
        "comments:public:none",
        "comments:private:read",
        "comments:private:write",
        "comments:private:none",
        "feeds:read",
        "feeds:write",
        "feeds:none",
      ].sort(),
    );
    expect(Permission.Write).toBe("*:write");
    expect(Permission.LegacyRoomPresenceWrite).toBe("room:presence:write");
  });

  it("isPermission - accepts known scopes only", () => {
    expect(isPermission("comments:public:none")).toBe(true);
    expect(isPermission("room:admin")).toBe(false);
    expect(isPermission("__proto__")).toBe(false);
    expect(isPermission(42)).toBe(false);
  });
});

describe("validatePermissionSet", () => {
  it("seed types - full, read with presence and private are valid", () => {
    expect(validatePermissionSet(["room:write"], STRICT)).toBe(true);
    expect(validatePermissionSet(["room:read", "room:presence:write"], STRICT)).toBe(true);
    expect(validatePermissionSet([], { allowEmpty: true })).toBe(true);
  });

  it("empty - rejected unless allowEmpty, with the base-scope message", () => {
    expect(validatePermissionSet([], STRICT)).toBe(`${BASE_MESSAGE} none`);
  });

  it("not an array - says so", () => {
    expect(validatePermissionSet("room:write", STRICT)).toBe("Permission list must be an array");
    expect(validatePermissionSet({ 0: "room:write" }, STRICT)).toBe("Permission list must be an array");
    expect(validatePermissionSet(null, { allowEmpty: true })).toBe("Permission list must be an array");
  });

  it("non-string entry - names it", () => {
    expect(validatePermissionSet(["*:read", 3], STRICT)).toBe("Not a valid permission: 3");
    expect(validatePermissionSet([{ a: 1 }], STRICT)).toBe('Not a valid permission: {"a":1}');
  });

  it("rule 1 - unknown scopes are listed, before any other rule", () => {
    expect(validatePermissionSet(["room:admin", "*:read", "*:write", "x"], STRICT)).toBe("Unknown permission scope(s): room:admin, x");
  });

  it("rule 2 - exactly one base scope, duplicates count", () => {
    expect(validatePermissionSet(["storage:write"], STRICT)).toBe(`${BASE_MESSAGE} none`);
    expect(validatePermissionSet(["room:presence:write"], STRICT)).toBe(`${BASE_MESSAGE} none`);
    expect(validatePermissionSet(["*:read", "room:write"], STRICT)).toBe(`${BASE_MESSAGE} *:read, room:write`);
    expect(validatePermissionSet(["*:read", "*:read"], STRICT)).toBe(`${BASE_MESSAGE} *:read, *:read`);
  });

  it("rule 3 - at most one scope per feature; comments visibilities are features of their own", () => {
    const message = (feature: string) => `Permissions can include at most one scope per feature, got multiple "${feature}" scopes`;
    expect(validatePermissionSet(["*:read", "storage:read", "storage:write"], STRICT)).toBe(message("storage"));
    expect(validatePermissionSet(["*:read", "feeds:none", "feeds:none"], STRICT)).toBe(message("feeds"));
    expect(validatePermissionSet(["*:read", "comments:public:read", "comments:public:write"], STRICT)).toBe(message("comments:public"));
    expect(
      validatePermissionSet(
        ["*:read", "comments:read", "comments:public:write", "comments:private:none", "feeds:write", "storage:none"],
        STRICT,
      ),
    ).toBe(true);
  });

  it("rule 3 - room:presence:write may repeat", () => {
    expect(validatePermissionSet(["*:read", "room:presence:write", "room:presence:write"], STRICT)).toBe(true);
  });

  it("order - the first failing rule wins", () => {
    expect(validatePermissionSet(["storage:read", "storage:write", "nope"], STRICT)).toBe("Unknown permission scope(s): nope");
    expect(validatePermissionSet(["storage:read", "storage:write"], STRICT)).toBe(`${BASE_MESSAGE} none`);
  });

  it("property - every generated valid set is accepted", () => {
    fc.assert(fc.property(validSet, (scopes) => validatePermissionSet(scopes, STRICT) === true));
  });

  it("property - adding an unknown scope is always rejected naming it", () => {
    fc.assert(
      fc.property(
        validSet,
        fc.string().filter((s) => !isPermission(s)),
        (scopes, extra) => validatePermissionSet([...scopes, extra], STRICT) === `Unknown permission scope(s): ${extra}`,
      ),
    );
  });

  it("property - never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.anything(), fc.boolean(), (value, allowEmpty) => {
        const result = validatePermissionSet(value, { allowEmpty });
        return result === true || typeof result === "string";
      }),
    );
  });
});

describe("permissionMatrixOf", () => {
  it("legacy aliases - room:write and room:read equal *:write and *:read", () => {
    expect(permissionMatrixOf(["room:write"])).toEqual(permissionMatrixOf(["*:write"]));
    expect(permissionMatrixOf(["room:read", "room:presence:write"])).toEqual(permissionMatrixOf(["*:read"]));
  });

  it("comments fallback - visibilities default to comments, which defaults to room", () => {
    expect(permissionMatrixOf(["*:read", "comments:write", "comments:private:none"])).toEqual({
      room: "read",
      storage: "read",
      comments: "write",
      "comments:public": "write",
      "comments:private": "none",
      feeds: "read",
    });
  });

  it("no base - every level is none", () => {
    expect(Object.values(permissionMatrixOf(["storage:write", "comments:write"]))).toEqual(Array(6).fill("none"));
  });
});

describe("validatePermissionSet - bad values", () => {
  it("validatePermissionSet - returns a message for an array nested 200,000 deep instead of throwing (regression: RangeError while describing it)", () => {
    let value: unknown = "room:write";
    for (let i = 0; i < 200_000; i++) value = [value];
    expect(validatePermissionSet(["room:write", value] as never, STRICT)).toBe("Not a valid permission: an array");
  });

  it("validatePermissionSet - describes a long or throwing value briefly", () => {
    expect(validatePermissionSet([{ k: "x".repeat(10_000) }] as never, STRICT)).toMatch(/^Not a valid permission: \{"k":"x{80,}…$/);
    const hostile = {
      toJSON: () => {
        throw new Error("no");
      },
    };
    expect(validatePermissionSet([hostile] as never, STRICT)).toBe("Not a valid permission: an object");
    expect(validatePermissionSet([10n] as never, STRICT)).toBe("Not a valid permission: bigint");
  });
});
