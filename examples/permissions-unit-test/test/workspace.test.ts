/**
 * The app's permission rules tested with `resolveAccess` alone: no store,
 * no tokens, no server. Each test builds a workspace, turns it into room
 * permissions with the app's own `roomAccessesOf`, and asks roomgate who may
 * enter and who is read-only, as Liveblocks would decide it.
 */
import fc from "fast-check";
import { type RoomData, applyRoomPatch, resolveAccess } from "roomgate";
import { describe, expect, it } from "vitest";
import { VIEW, type Workspace, removeMember, roomAccessesOf, roomUpdateOf } from "../workspace.js";

const acme: Workspace = {
  owners: ["olivia"],
  editorsGroup: "acme:editors",
  readerGroups: ["acme:contractors", "acme:auditors"],
  viewers: ["victor"],
  publicLink: false,
};

/** What `user` (with `groupIds`) gets in the room of `workspace`. */
function accessOf(workspace: Workspace, userId: string, groupIds: string[] = []) {
  return resolveAccess(roomAccessesOf(workspace), { userId, groupIds });
}

describe("workspace permissions", () => {
  it("owner - enters with full access", () => {
    expect(accessOf(acme, "olivia")).toMatchObject({ canEnter: true, canWrite: true, isReadOnly: false });
  });

  it("editors group - its members write", () => {
    expect(accessOf(acme, "emma", ["acme:editors"])).toMatchObject({ canEnter: true, canWrite: true });
  });

  it("viewer - enters read-only, and the room lets them show their presence", () => {
    expect(accessOf(acme, "victor")).toMatchObject({ canEnter: true, canWrite: false, isReadOnly: true });
    expect(roomAccessesOf(acme).usersAccesses.victor).toEqual(["room:read", "room:presence:write"]);
  });

  it("outsider - denied while the public link is off", () => {
    expect(accessOf(acme, "mallory")).toMatchObject({ canEnter: false, canWrite: false });
    expect(accessOf(acme, "mallory", ["other:editors"]).canEnter).toBe(false);
  });

  it("public link - anyone signed in may view, no one more than that", () => {
    const shared = { ...acme, publicLink: true };
    expect(accessOf(shared, "mallory")).toMatchObject({ canEnter: true, isReadOnly: true });
    expect(roomAccessesOf(shared).defaultAccesses).toEqual(VIEW);
    // The link adds readers; it takes nothing from editors and owners.
    expect(accessOf(shared, "emma", ["acme:editors"]).canWrite).toBe(true);
    expect(accessOf(shared, "olivia").canWrite).toBe(true);
  });

  it("viewer in the editors group - stays read-only: their own entry overrides their groups", () => {
    expect(accessOf(acme, "victor", ["acme:editors"])).toMatchObject({ canEnter: true, isReadOnly: true });
  });

  it("owner also listed as viewer - keeps full access", () => {
    expect(accessOf({ ...acme, viewers: ["olivia"] }, "olivia").canWrite).toBe(true);
  });

  it("several groups - the user gets the union: a reader group and the editors group write", () => {
    expect(accessOf(acme, "cleo", ["acme:contractors"])).toMatchObject({ canEnter: true, isReadOnly: true });
    expect(accessOf(acme, "cleo", ["acme:contractors", "acme:auditors"])).toMatchObject({ canEnter: true, isReadOnly: true });
    expect(accessOf(acme, "cleo", ["acme:contractors", "acme:editors"])).toMatchObject({ canEnter: true, canWrite: true });
    expect(accessOf(acme, "cleo", ["acme:editors", "acme:contractors"]).canWrite).toBe(true);
  });

  it("removing someone - a removed viewer or owner is denied; their groups still count", () => {
    expect(accessOf(removeMember(acme, "victor"), "victor").canEnter).toBe(false);
    expect(accessOf(removeMember(acme, "olivia"), "olivia").canEnter).toBe(false);
    expect(accessOf(removeMember(acme, "olivia"), "olivia", ["acme:editors"]).canWrite).toBe(true);
  });

  it("removing someone - the update sends null for them, so the stored room loses them", () => {
    const after = removeMember(acme, "victor");
    const patch = roomUpdateOf(acme, after);
    expect(patch.usersAccesses.victor).toBeNull();
    const stored = applyRoomPatch(roomOf(acme), patch);
    expect(resolveAccess(stored, { userId: "victor" }).canEnter).toBe(false);
    expect(stored.usersAccesses).toEqual(roomAccessesOf(after).usersAccesses);
  });

  it("ids are data - a user named __proto__ is an ordinary member", () => {
    const odd = { ...acme, viewers: ["__proto__"], owners: ["constructor"] };
    expect(accessOf(odd, "__proto__")).toMatchObject({ canEnter: true, isReadOnly: true });
    expect(accessOf(odd, "constructor").canWrite).toBe(true);
    expect(accessOf(odd, "toString").canEnter).toBe(false);
  });
});

/** A stored room holding the workspace's permissions, as `createRoom` would keep it. */
function roomOf(workspace: Workspace): RoomData {
  return {
    type: "room",
    id: "doc",
    createdAt: new Date(0),
    organizationId: "default",
    metadata: {},
    ...roomAccessesOf(workspace),
  } as RoomData;
}

const userId: fc.Arbitrary<string> = fc.constantFrom("olivia", "victor", "emma", "cleo", "mallory", "__proto__", "constructor");
const groupId: fc.Arbitrary<string> = fc.constantFrom("acme:editors", "acme:contractors", "acme:auditors", "other", "__proto__");
const users = fc.uniqueArray(userId, { maxLength: 4 });
const groups: fc.Arbitrary<string[]> = fc.uniqueArray(groupId, { maxLength: 4 });
const workspace: fc.Arbitrary<Workspace> = fc.record({
  owners: users,
  editorsGroup: groupId,
  readerGroups: groups,
  viewers: users,
  publicLink: fc.boolean(),
});

describe("workspace permissions - properties", () => {
  it("property - a viewer who is not an owner never writes, whatever their groups", () => {
    fc.assert(
      fc.property(workspace, userId, groups, (ws, user, userGroups) => {
        fc.pre(!ws.owners.includes(user));
        const viewer = { ...ws, viewers: [...ws.viewers.filter((id) => id !== user), user] };
        const access = accessOf(viewer, user, userGroups);
        return access.canEnter && access.isReadOnly && !access.canWrite;
      }),
    );
  });

  it("property - an owner always writes, and only owners and the editors group write", () => {
    fc.assert(
      fc.property(workspace, userId, groups, (ws, user, userGroups) => {
        const access = accessOf(ws, user, userGroups);
        if (ws.owners.includes(user)) return access.canWrite;
        const editor = !ws.viewers.includes(user) && userGroups.includes(ws.editorsGroup);
        return access.canWrite === editor;
      }),
    );
  });

  it("property - with the link off, no one outside the workspace enters", () => {
    fc.assert(
      fc.property(workspace, userId, groups, (ws, user, userGroups) => {
        const listed = ws.owners.includes(user) || ws.viewers.includes(user);
        const grouped = userGroups.some((g) => g === ws.editorsGroup || ws.readerGroups.includes(g));
        return accessOf({ ...ws, publicLink: false }, user, userGroups).canEnter === (listed || grouped);
      }),
    );
  });

  it("property - the stored room after roomUpdateOf decides like the new workspace", () => {
    fc.assert(
      fc.property(workspace, workspace, userId, groups, (before, after, user, userGroups) => {
        const stored = applyRoomPatch(roomOf(before), roomUpdateOf(before, after));
        expect(resolveAccess(stored, { userId: user, groupIds: userGroups })).toBe(accessOf(after, user, userGroups));
      }),
    );
  });
});
