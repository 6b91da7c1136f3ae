import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidRoomPattern, matchesRoomPattern, permissionMatrixOf, resolveTokenAccess } from "../../src/index.js";
import { validSet } from "./arbitraries.js";

describe("isValidRoomPattern", () => {
  it("accepts - *, ids up to 128 characters, one trailing *", () => {
    for (const ok of ["*", "a", "org:*", "x".repeat(128), `${"x".repeat(128)}*`, "a b/c:d", "__proto__"]) {
      expect(isValidRoomPattern(ok)).toBe(true);
    }
  });

  it("rejects - empty, too long, * elsewhere or twice, non-strings", () => {
    for (const bad of ["", "x".repeat(129), "a*b", "**", "*a", "a**", 5, null, undefined]) {
      expect(isValidRoomPattern(bad)).toBe(false);
    }
  });
});

describe("matchesRoomPattern", () => {
  it("prefix - a trailing * matches by literal prefix", () => {
    expect(matchesRoomPattern("org:*", "org:1")).toBe(true);
    expect(matchesRoomPattern("org:*", "org:")).toBe(true);
    expect(matchesRoomPattern("org:*", "org")).toBe(false);
    expect(matchesRoomPattern("org.*", "orgX")).toBe(false);
    expect(matchesRoomPattern("*", "anything")).toBe(true);
  });

  it("exact - without * only the same id matches, case-sensitively", () => {
    expect(matchesRoomPattern("room", "room")).toBe(true);
    expect(matchesRoomPattern("room", "Room")).toBe(false);
    expect(matchesRoomPattern("room", "room2")).toBe(false);
  });
});

describe("resolveTokenAccess", () => {
  it("no match - no access", () => {
    const decision = resolveTokenAccess({ "org:*": ["*:write"] }, "other");
    expect(decision.canEnter).toBe(false);
    expect(decision.scopes).toEqual([]);
  });

  it("wildcard - * grants every room", () => {
    expect(resolveTokenAccess({ "*": ["*:read"] }, "anything").scopes).toEqual(["*:read"]);
  });

  it("exact wins - an exact room id decides alone, over any pattern", () => {
    const perms = { "*": ["*:write"], "doc-1": ["*:read"] };
    expect(resolveTokenAccess(perms, "doc-1").scopes).toEqual(["*:read"]);
    expect(resolveTokenAccess(perms, "doc-2").scopes).toEqual(["*:write"]);
  });

  it("room - takes the strongest level among matching patterns", () => {
    const perms = { "org:*": ["*:write"], "org:team:*": ["*:read"] };
    expect(resolveTokenAccess(perms, "org:team:doc").matrix.room).toBe("write");
  });

  it("features - the most specific pattern that sets a resource wins, even if weaker", () => {
    const perms = {
      "*": ["*:write", "storage:write", "comments:write"],
      "org:*": ["*:read", "storage:none"],
    };
    const decision = resolveTokenAccess(perms, "org:doc");
    expect(decision.matrix).toMatchObject({ room: "write", storage: "none", comments: "write" });
    expect(decision.isReadOnly).toBe(true);
  });

  it("features - a resource no pattern sets falls back to room", () => {
    const decision = resolveTokenAccess({ "a*": ["*:read"], "ab*": ["*:write", "storage:read"] }, "abc");
    expect(decision.matrix).toMatchObject({ room: "write", storage: "read", feeds: "write" });
  });

  it("comments fallback - a pattern's comments level stands for its unset visibilities", () => {
    const perms = { "*": ["*:write", "comments:public:none"], "o*": ["*:read", "comments:read"] };
    const { matrix } = resolveTokenAccess(perms, "org");
    expect(matrix.comments).toBe("read");
    expect(matrix["comments:public"]).toBe("read");
  });

  it("exact over same-length pattern - abc beats abc* for room abc", () => {
    const perms = { "abc*": ["*:write", "storage:write"], abc: ["*:read"] };
    expect(resolveTokenAccess(perms, "abc").scopes).toEqual(["*:read"]);
    expect(resolveTokenAccess(perms, "abcd").scopes).toEqual(["*:write"]);
  });

  it("reserved ids - __proto__ as room id and pattern is data", () => {
    const perms = JSON.parse('{"__proto__":["*:read"],"constructor*":["*:write"]}');
    expect(resolveTokenAccess(perms, "__proto__").scopes).toEqual(["*:read"]);
    expect(resolveTokenAccess(perms, "constructorX").scopes).toEqual(["*:write"]);
    expect(resolveTokenAccess({}, "__proto__").canEnter).toBe(false);
    expect(resolveTokenAccess({}, "constructor").canEnter).toBe(false);
  });

  it("property - a single matching pattern gives exactly its own matrix", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 0, maxLength: 20 }).filter((s) => !s.includes("*")),
        fc.string({ maxLength: 10 }),
        validSet,
        (prefix, rest, scopes) => {
          const roomId = prefix + rest;
          fc.pre(roomId.length > 0);
          expect(resolveTokenAccess({ [`${prefix}*`]: scopes }, roomId).matrix).toEqual(permissionMatrixOf(scopes));
        },
      ),
    );
  });

  it("property - a more specific pattern never lowers room below a broader grant", () => {
    fc.assert(
      fc.property(validSet, validSet, (broad, narrow) => {
        const d = resolveTokenAccess({ "*": broad, "x*": narrow }, "xy");
        const levels = ["none", "read", "write"];
        const expected = Math.max(levels.indexOf(permissionMatrixOf(broad).room), levels.indexOf(permissionMatrixOf(narrow).room));
        expect(levels.indexOf(d.matrix.room)).toBe(expected);
      }),
    );
  });
});
