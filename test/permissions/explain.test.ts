import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RESOURCES, explainAccess, resolveAccess } from "../../src/index.js";
import { deepFrozen, identity, room } from "./arbitraries.js";

describe("explainAccess", () => {
  it("explainAccess - its decision always equals resolveAccess", () => {
    fc.assert(
      fc.property(room, identity, fc.boolean(), (rules, who, frozen) => {
        const input = frozen ? deepFrozen(rules) : rules;
        const explained = explainAccess(input, who);
        expect(explained.decision).toBe(resolveAccess(input, who));
        expect(explained.allowed).toBe(explained.decision.canEnter);
        for (const resource of RESOURCES) expect(explained.resources[resource].level).toBe(explained.decision.matrix[resource]);
      }),
      { numRuns: 500 },
    );
  });

  it("explainAccess - the deciding layer says the effective level, and every layer above it is silent", () => {
    fc.assert(
      fc.property(room, identity, (rules, who) => {
        const explained = explainAccess(rules, who);
        const { layers } = explained;
        for (const resource of RESOURCES) {
          const { decidedBy, level } = explained.resources[resource];
          const user = layers.user?.[resource] ?? null;
          const groups = layers.groups.map((group) => ({ groupId: group.groupId, level: group.levels[resource] }));
          if (decidedBy.layer === "user") expect(user).toBe(level);
          if (decidedBy.layer === "group") {
            expect(user).toBeNull();
            expect(groups.find((group) => group.groupId === decidedBy.groupId)?.level).toBe(level);
            // Merged by highest: no group says more than the decider.
            const rank = (l: string | null) => (l === null ? 0 : ["none", "read", "write"].indexOf(l) + 1);
            for (const group of groups) expect(rank(group.level)).toBeLessThanOrEqual(rank(level));
          }
          if (decidedBy.layer === "default") {
            expect(user).toBeNull();
            expect(groups.every((group) => group.level === null)).toBe(true);
            expect(layers.default[resource]).toBe(level);
          }
          if (decidedBy.layer === "fallback") expect(level).toBe(explained.resources[decidedBy.from].level);
          if (decidedBy.layer === "nothing") expect(level).toBe("none");
          if ("scope" in decidedBy) expect(decidedBy.scope.endsWith(`:${level}`)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("explainAccess - read-only through a group with no user entry names the group and its scope", () => {
    const room = { defaultAccesses: [], groupsAccesses: { contractors: ["room:read"], staff: ["room:write"] } };
    const why = explainAccess(room, { userId: "carol", groupIds: ["contractors"] });
    expect(why.allowed).toBe(true);
    expect(why.decision.isReadOnly).toBe(true);
    expect(why.resources.room.decidedBy).toEqual({ layer: "group", groupId: "contractors", scope: "room:read" });
    expect(why.resources.storage.decidedBy).toEqual({ layer: "fallback", from: "room" });
    expect(why.layers.groups).toEqual([{ groupId: "contractors", levels: expect.objectContaining({ room: "read", storage: null }) }]);
    expect(why.layers.user).toBeNull();
    expect(why.summary).toBe('Read-only: group "contractors" grants room:read, and user "carol" has no entry.');
  });

  it("explainAccess - a user entry lowering the default is the decider of every resource it sets", () => {
    const room = { defaultAccesses: ["room:write"], usersAccesses: { alice: ["room:read", "comments:write"] } };
    const why = explainAccess(room, { userId: "alice" });
    expect(why.resources.room).toEqual({ level: "read", decidedBy: { layer: "user", scope: "room:read" } });
    expect(why.layers.default.room).toBe("write");
    expect(why.layers.user).toEqual({
      room: "read",
      storage: null,
      comments: "write",
      "comments:public": "write",
      "comments:private": "write",
      feeds: null,
    });
    expect(why.resources["comments:public"].decidedBy).toEqual({ layer: "user", scope: "comments:write" });
    expect(why.summary).toBe('Read-only: the entry of user "alice" grants room:read.');
  });

  it("explainAccess - the strongest group decides, the first of equals in the identity's order", () => {
    const room = { defaultAccesses: [], groupsAccesses: { a: ["*:read"], b: ["*:write"], c: ["*:write"] } };
    const why = explainAccess(room, { userId: "u", groupIds: ["a", "c", "b", "c"] });
    expect(why.layers.groups.map((group) => group.groupId)).toEqual(["a", "c", "b"]);
    expect(why.resources.room.decidedBy).toEqual({ layer: "group", groupId: "c", scope: "*:write" });
  });

  it("explainAccess - no layer grants entry: denied, every resource decided by nothing", () => {
    const why = explainAccess({ defaultAccesses: [], groupsAccesses: { g: ["*:read"] } }, { userId: "u", groupIds: ["h"] });
    expect(why).toMatchObject({ allowed: false, reason: "no-access" });
    for (const resource of RESOURCES) expect(why.resources[resource].decidedBy).toEqual({ layer: "nothing" });
    expect(why.summary).toBe('Denied: the default access is empty, user "u" has no entry, and no group with an entry.');
  });

  it("explainAccess - a room of another organization is denied with the reason named, the decision unchanged", () => {
    const room = { defaultAccesses: ["*:write"], organizationId: "acme" };
    const why = explainAccess(room, { userId: "u" });
    expect(why).toMatchObject({ allowed: false, reason: "organization-mismatch", organization: { room: "acme", identity: "default" } });
    expect(why.decision.canEnter).toBe(true);
    expect(why.summary).toContain('organization "acme"');
    expect(explainAccess(room, { userId: "u", organizationId: "acme" }).allowed).toBe(true);
    expect(explainAccess({ defaultAccesses: ["*:write"] }, { userId: "u", organizationId: "acme" }).reason).toBe("organization-mismatch");
  });

  it("explainAccess - reserved ids are data", () => {
    const room = { defaultAccesses: [], usersAccesses: Object.fromEntries([["__proto__", ["*:write"]]]) };
    expect(explainAccess(room, { userId: "__proto__" }).resources.room.decidedBy).toEqual({ layer: "user", scope: "*:write" });
    expect(explainAccess(room, { userId: "constructor" }).allowed).toBe(false);
  });
});

describe("README", () => {
  it("explainAccess example - every `value; // expected` line holds", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((b) => b.includes('import { explainAccess } from "roomgate";'));
    expect(block).toBeDefined();
    const body = block!.replace(/^import .*$/m, "");
    const checks: [string, string][] = [];
    for (const line of body.split("\n")) {
      const match = line.match(/^(why\.[\w.]+); \/\/ (.+)$/);
      if (match) checks.push([match[1]!, match[2]!]);
    }
    expect(checks.length).toBeGreaterThanOrEqual(5);
    const setup = body
      .split("\n")
      .filter((line) => !line.startsWith("why."))
      .join("\n");
    for (const [expression, expected] of checks) {
      const actual = new Function("explainAccess", `${setup}\nreturn ${expression};`)(explainAccess);
      expect(actual, expression).toEqual(new Function(`return ${expected};`)());
    }
  });
});
