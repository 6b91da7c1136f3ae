/**
 * `resolveAccess` against `@liveblocks/core` 3.24.2, the code Liveblocks
 * runs for the same decision: `mergeRoomPermissionScopes` then
 * `permissionMatrixFromScopes`, with the user's and groups' entries picked
 * out of the room on the baseline side too. Interleaved rounds, medians,
 * 16 rooms and 16 identities in rotation, so neither side wins on one cached
 * input; every answer is checked equal to the core's before any timing.
 *
 *   npx tsx bench/access.ts
 */
import { deepStrictEqual } from "node:assert/strict";
import { type Permission as CorePermission, mergeRoomPermissionScopes, permissionMatrixFromScopes } from "@liveblocks/core";
import { type AccessIdentity, type RoomAccessRules, resolveAccess } from "../src/index.js";
import { ROUNDS, compareSync } from "./interleave.js";
import { random } from "./rooms-data.js";

const INPUTS = 16;

/** Permission lists as rooms hold them: mostly bases, some per-feature overrides. */
const LISTS = [
  ["room:read"],
  ["room:write"],
  ["room:read", "room:presence:write"],
  ["*:read", "comments:write"],
  ["*:write", "storage:read"],
  ["room:write", "comments:public:read", "feeds:none"],
  ["*:read", "storage:write", "comments:private:none"],
];

type Case = { name: string; rooms: RoomAccessRules[]; identities: AccessIdentity[] };

/** A fresh array per entry, as a store holds it, deeply frozen when `frozen` (a room the encoding cache may keep). */
function room(next: () => number, users: number, groups: number, frozen: boolean): RoomAccessRules {
  const list = () => {
    const scopes = [...LISTS[Math.floor(next() * LISTS.length)]!];
    return frozen ? Object.freeze(scopes) : scopes;
  };
  const map = (prefix: string, count: number) => {
    const entries: Record<string, readonly string[]> = {};
    for (let i = 0; i < count; i++) entries[`${prefix}-${i}`] = list();
    return frozen ? Object.freeze(entries) : entries;
  };
  const rules = {
    defaultAccesses: next() < 0.5 ? (frozen ? Object.freeze([] as string[]) : []) : list(),
    usersAccesses: map("user", users),
    groupsAccesses: map("group", groups),
  };
  return frozen ? Object.freeze(rules) : rules;
}

/** A user in `groups` groups, about half of them in the room; the user has an own entry in about half the identities. */
function identity(next: () => number, users: number, roomGroups: number, groups: number): AccessIdentity {
  const groupIds = new Set<string>();
  while (groupIds.size < groups) {
    groupIds.add(next() < 0.5 ? `group-${Math.floor(next() * roomGroups)}` : `elsewhere-${Math.floor(next() * 1000)}`);
  }
  const userId = next() < 0.5 ? `user-${Math.floor(next() * users)}` : `visitor-${Math.floor(next() * 1000)}`;
  return { userId, groupIds: [...groupIds] };
}

/** With `unreachable`, every room also has a group no identity is in that grants what no other list does, so merging the user's groups never stops early. */
function makeCase(name: string, users: number, roomGroups: number, userGroups: number, frozen: boolean, unreachable = false): Case {
  const next = random(users * 1000 + roomGroups * 10 + userGroups);
  const withAdmins = (rules: RoomAccessRules): RoomAccessRules => {
    if (!unreachable) return rules;
    const groupsAccesses = { ...rules.groupsAccesses, admins: Object.freeze(["*:write", "feeds:write"]) };
    return Object.freeze({ ...rules, groupsAccesses: Object.freeze(groupsAccesses) });
  };
  return {
    name,
    rooms: Array.from({ length: INPUTS }, () => withAdmins(room(next, users, roomGroups, frozen))),
    identities: Array.from({ length: INPUTS }, () => identity(next, users, roomGroups, userGroups)),
  };
}

/** Liveblocks' decision: the user's and groups' entries picked out of the room, merged, expanded. */
function core(room: RoomAccessRules, who: AccessIdentity) {
  const groupsAccesses: CorePermission[][] = [];
  const groups = room.groupsAccesses;
  if (groups !== undefined) {
    for (const groupId of who.groupIds ?? []) {
      if (Object.hasOwn(groups, groupId)) groupsAccesses.push(groups[groupId] as CorePermission[]);
    }
  }
  const users = room.usersAccesses;
  const userAccesses = users !== undefined && Object.hasOwn(users, who.userId) ? (users[who.userId] as CorePermission[]) : [];
  const scopes = mergeRoomPermissionScopes({ defaultAccesses: room.defaultAccesses as CorePermission[], groupsAccesses, userAccesses });
  return { scopes, matrix: permissionMatrixFromScopes(scopes) };
}

function check({ name, rooms, identities }: Case): void {
  const outcomes = new Set<string>();
  for (let i = 0; i < INPUTS; i++) {
    const expected = core(rooms[i]!, identities[i]!);
    const { personal: _personal, ...matrix } = expected.matrix;
    // Twice: the second answer is the one any cache serves.
    for (let pass = 0; pass < 2; pass++) {
      const decision = resolveAccess(rooms[i]!, identities[i]!);
      deepStrictEqual([...decision.scopes], expected.scopes, `${name}, input ${i}: scopes`);
      deepStrictEqual({ ...decision.matrix }, matrix, `${name}, input ${i}: matrix`);
    }
    outcomes.add(expected.scopes.join(" "));
  }
  // A bench where every input had the same answer would measure one path only.
  if (outcomes.size < 3) throw new Error(`${name}: only ${outcomes.size} distinct decisions among the inputs`);
}

const TARGET = 50;
const cases: [Case, number | null][] = [
  [makeCase("small room (3 users, 2 groups), user in 2 groups", 3, 2, 2, true), TARGET],
  [makeCase("100 users + 100 groups, user in 5 groups", 100, 100, 5, true), TARGET],
  [makeCase("100 users + 100 groups, user in 50 groups", 100, 100, 50, true), TARGET],
  [makeCase("same, one group out of reach (no early stop)", 100, 100, 50, true, true), null],
  [makeCase("100 + 100, user in 5 groups, not frozen (a SQL store's copy)", 100, 100, 5, false), null],
];

for (const [c] of cases) check(c);
console.log(`resolveAccess vs @liveblocks/core, median of ${ROUNDS} interleaved rounds, ${INPUTS} rooms x ${INPUTS} identities\n`);
for (const [c, target] of cases) {
  const { rooms, identities } = c;
  // About 10 ms of the baseline per round.
  const start = process.hrtime.bigint();
  for (let i = 0; i < 256; i++) core(rooms[i & 15]!, identities[i & 15]!);
  const baselineIterations = Math.max(16, Math.round((256 * 10e6) / Number(process.hrtime.bigint() - start) / 16) * 16);
  const { ratio, subject, baseline } = await compareSync(
    (i) => core(rooms[i & 15]!, identities[i & 15]!),
    (i) => resolveAccess(rooms[i & 15]!, identities[i & 15]!),
    baselineIterations,
    baselineIterations * 20,
  );
  const speedup = 1 / ratio;
  const verdict = target === null ? "no target" : `target ≥ ${target}x: ${speedup >= target ? "ok" : "UNDER"}`;
  console.log(
    `${c.name.padEnd(60)} ${(subject * 1000).toFixed(0).padStart(6)} ns vs ${(baseline * 1000).toFixed(0).padStart(6)} ns  ${speedup.toFixed(1)}x faster  (${verdict})`,
  );
}
