import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { permissionMatrixOf, resolveAccess } from "../../src/index.js";
import { ID_POOL, identity, room, validSet } from "./arbitraries.js";

describe("resolveAccess", () => {
  describe("seed permission types", () => {
    it("full access - enters, writes, not read-only", () => {
      const decision = resolveAccess({ defaultAccesses: ["room:write"] }, { userId: "u" });
      expect(decision).toMatchObject({ canEnter: true, canWrite: true, isReadOnly: false, canComment: true });
      expect(decision.scopes).toEqual(["*:write"]);
    });

    it("read with presence - enters read-only", () => {
      const decision = resolveAccess({ defaultAccesses: ["room:read", "room:presence:write"] }, { userId: "u" });
      expect(decision).toMatchObject({ canEnter: true, canWrite: false, isReadOnly: true, canComment: false });
      expect(decision.scopes).toEqual(["*:read"]);
    });

    it("private - nobody enters", () => {
      const decision = resolveAccess({ defaultAccesses: [] }, { userId: "u", groupIds: ["g"] });
      expect(decision).toMatchObject({ canEnter: false, canWrite: false, isReadOnly: true, canComment: false });
      expect(decision.scopes).toEqual([]);
      expect(Object.values(decision.matrix)).toEqual(Array(6).fill("none"));
    });
  });

  describe("reference examples", () => {
    it("user lowers default - default room:write, user room:read → *:read", () => {
      const room = { defaultAccesses: ["room:write"], usersAccesses: { alice: ["room:read"] } };
      expect(resolveAccess(room, { userId: "alice" }).scopes).toEqual(["*:read"]);
      expect(resolveAccess(room, { userId: "alice" }).isReadOnly).toBe(true);
      expect(resolveAccess(room, { userId: "bob" }).scopes).toEqual(["*:write"]);
    });

    it("groups merge by highest - eng *:read, ops *:write → *:write", () => {
      const room = { defaultAccesses: [], groupsAccesses: { eng: ["*:read"], ops: ["*:write"] } };
      expect(resolveAccess(room, { userId: "u", groupIds: ["eng", "ops"] }).scopes).toEqual(["*:write"]);
      expect(resolveAccess(room, { userId: "u", groupIds: ["ops", "eng"] }).scopes).toEqual(["*:write"]);
      expect(resolveAccess(room, { userId: "u", groupIds: ["eng"] }).scopes).toEqual(["*:read"]);
    });

    it("group lowers default - default room:write, eng room:read → *:read", () => {
      const room = { defaultAccesses: ["room:write"], groupsAccesses: { eng: ["room:read"] } };
      expect(resolveAccess(room, { userId: "u", groupIds: ["eng"] }).scopes).toEqual(["*:read"]);
      expect(resolveAccess(room, { userId: "u", groupIds: ["design"] }).scopes).toEqual(["*:write"]);
    });

    it("feature override - *:write with storage:read enters, comments, read-only", () => {
      const decision = resolveAccess({ defaultAccesses: ["*:write", "storage:read"] }, { userId: "u" });
      expect(decision.scopes).toEqual(["*:write", "storage:read"]);
      expect(decision).toMatchObject({ canEnter: true, canComment: true, isReadOnly: true, canWrite: false });
    });
  });

  describe("layers", () => {
    it("user raises - private room, user *:write enters and writes", () => {
      const room = { defaultAccesses: [], usersAccesses: { alice: ["*:write"] } };
      expect(resolveAccess(room, { userId: "alice" })).toMatchObject({ canEnter: true, canWrite: true });
    });

    it("user raises over group - group *:read, user *:write → *:write", () => {
      const room = { defaultAccesses: [], groupsAccesses: { g: ["*:read"] }, usersAccesses: { u: ["*:write"] } };
      expect(resolveAccess(room, { userId: "u", groupIds: ["g"] }).scopes).toEqual(["*:write"]);
    });

    it("user lowers group - group *:write, user *:read → *:read", () => {
      const room = { defaultAccesses: [], groupsAccesses: { g: ["*:write"] }, usersAccesses: { u: ["*:read"] } };
      expect(resolveAccess(room, { userId: "u", groupIds: ["g"] }).scopes).toEqual(["*:read"]);
    });

    it("group raises default - default *:read, group *:write → *:write", () => {
      const room = { defaultAccesses: ["*:read"], groupsAccesses: { g: ["*:write"] } };
      expect(resolveAccess(room, { userId: "u", groupIds: ["g"] }).scopes).toEqual(["*:write"]);
    });

    it("per feature - a layer overrides only the resources it sets", () => {
      const room = {
        defaultAccesses: ["*:write", "comments:none"],
        usersAccesses: { u: ["*:read", "storage:write"] },
      };
      const decision = resolveAccess(room, { userId: "u" });
      expect(decision.matrix).toEqual({
        room: "read",
        storage: "write",
        comments: "none",
        "comments:public": "none",
        "comments:private": "none",
        feeds: "read",
      });
      expect(decision.scopes).toEqual(["*:read", "storage:write", "comments:none"]);
    });

    it("comments fallback in groups - a group's comments level stands for its unset visibilities", () => {
      const room = {
        defaultAccesses: [],
        groupsAccesses: { a: ["*:read", "comments:public:write"], b: ["*:read", "comments:read"] },
      };
      const { matrix, scopes } = resolveAccess(room, { userId: "u", groupIds: ["a", "b"] });
      expect(matrix.comments).toBe("read");
      expect(matrix["comments:public"]).toBe("write");
      expect(matrix["comments:private"]).toBe("read");
      expect(scopes).toEqual(["*:read", "comments:public:write"]);
    });

    it("comments fallback across layers - user comments:none hides both visibilities set below", () => {
      const room = {
        defaultAccesses: ["*:write", "comments:public:read", "comments:private:read"],
        usersAccesses: { u: ["*:write", "comments:none"] },
      };
      const { matrix, canComment } = resolveAccess(room, { userId: "u" });
      expect(matrix["comments:public"]).toBe("none");
      expect(matrix["comments:private"]).toBe("none");
      expect(canComment).toBe(false);
    });

    it("canComment - write on any one comment visibility is enough", () => {
      const decision = resolveAccess({ defaultAccesses: ["*:read", "comments:private:write"] }, { userId: "u" });
      expect(decision.canComment).toBe(true);
      expect(decision.isReadOnly).toBe(true);
    });

    it("groups only count when the room names them, matched case-sensitively", () => {
      const room = { defaultAccesses: [], groupsAccesses: { Eng: ["*:write"] } };
      expect(resolveAccess(room, { userId: "u", groupIds: ["eng"] }).canEnter).toBe(false);
      expect(resolveAccess(room, { userId: "u", groupIds: ["Eng"] }).canEnter).toBe(true);
    });
  });

  describe("reserved ids", () => {
    for (const id of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"]) {
      it(`${id} - a user or group with that id gets exactly what the room says about it`, () => {
        const empty = { defaultAccesses: [], usersAccesses: {}, groupsAccesses: {} };
        expect(resolveAccess(empty, { userId: id, groupIds: [id] }).canEnter).toBe(false);

        const parsed = JSON.parse(
          `{"defaultAccesses":[],"usersAccesses":{${JSON.stringify(id)}:["*:read"]},"groupsAccesses":{${JSON.stringify(id)}:["*:write"]}}`,
        );
        expect(resolveAccess(parsed, { userId: id }).scopes).toEqual(["*:read"]);
        expect(resolveAccess(parsed, { userId: "x", groupIds: [id] }).scopes).toEqual(["*:write"]);
        expect(resolveAccess(parsed, { userId: "x" }).canEnter).toBe(false);

        const nullProto = Object.assign(Object.create(null), { [id]: ["*:write"] });
        expect(resolveAccess({ defaultAccesses: [], usersAccesses: nullProto }, { userId: id }).canWrite).toBe(true);
      });
    }
  });

  describe("decisions", () => {
    it("frozen - a caller cannot change a shared decision", () => {
      const decision = resolveAccess({ defaultAccesses: ["*:write"] }, { userId: "u" });
      expect(Object.isFrozen(decision)).toBe(true);
      expect(Object.isFrozen(decision.scopes)).toBe(true);
      expect(Object.isFrozen(decision.matrix)).toBe(true);
    });
  });

  describe("properties", () => {
    it("the user's level decides every resource the user's entry sets", () => {
      fc.assert(
        fc.property(room, identity, validSet, (r, who, userSet) => {
          const withUser = { ...r, usersAccesses: { ...r.usersAccesses, [who.userId]: userSet } };
          Object.defineProperty(withUser.usersAccesses, who.userId, { value: userSet, enumerable: true });
          const { matrix } = resolveAccess(withUser, who);
          const own = permissionMatrixOf(userSet);
          expect(matrix.room).toBe(own.room);
          for (const [scope, resource] of [
            ["storage:", "storage"],
            ["feeds:", "feeds"],
          ] as const) {
            if (userSet.some((s) => s.startsWith(scope))) expect(matrix[resource]).toBe(own[resource]);
          }
          if (userSet.some((s) => s.startsWith("comments:") && s.split(":").length === 2)) {
            expect(matrix.comments).toBe(own.comments);
          }
        }),
      );
    });

    it("group order never matters", () => {
      fc.assert(
        fc.property(room, identity, fc.infiniteStream(fc.nat()), (r, who, seeds) => {
          const shuffled = [...who.groupIds].sort(() => (seeds.next().value % 3) - 1);
          expect(resolveAccess(r, { ...who, groupIds: shuffled })).toBe(resolveAccess(r, who));
        }),
      );
    });

    it("adding a group the room does not mention changes nothing", () => {
      fc.assert(
        fc.property(room, identity, fc.string(), (r, who, extra) => {
          fc.pre(!Object.hasOwn(r.groupsAccesses, extra));
          expect(resolveAccess(r, { ...who, groupIds: [...who.groupIds, extra] })).toBe(resolveAccess(r, who));
        }),
      );
    });

    it("a private room with no entry for the user never lets them in", () => {
      fc.assert(
        fc.property(room, identity, (r, who) => {
          const groupIds = who.groupIds.filter((g) => !Object.hasOwn(r.groupsAccesses, g));
          const privateRoom = { ...r, defaultAccesses: [] };
          fc.pre(!Object.hasOwn(r.usersAccesses, who.userId));
          expect(resolveAccess(privateRoom, { userId: who.userId, groupIds }).canEnter).toBe(false);
        }),
      );
    });

    it("scopes parsed back give the same matrix", () => {
      fc.assert(
        fc.property(room, identity, (r, who) => {
          const decision = resolveAccess(r, who);
          expect(permissionMatrixOf(decision.scopes)).toEqual(decision.matrix);
        }),
      );
    });

    it("never throws on any valid room, and flags agree with the matrix", () => {
      fc.assert(
        fc.property(room, identity, (r, who) => {
          const d = resolveAccess(r, who);
          expect(d.canEnter).toBe(d.matrix.room !== "none");
          expect(d.isReadOnly).toBe(d.matrix.storage !== "write");
          expect(d.canWrite).toBe(!d.isReadOnly);
        }),
      );
    });

    it("ids in the pool only ever match themselves", () => {
      fc.assert(
        fc.property(fc.constantFrom(...ID_POOL), fc.constantFrom(...ID_POOL), (granted, asking) => {
          const r = { defaultAccesses: [], usersAccesses: Object.fromEntries([[granted, ["*:read"]]]) };
          expect(resolveAccess(r, { userId: asking }).canEnter).toBe(granted === asking);
        }),
      );
    });
  });
});
