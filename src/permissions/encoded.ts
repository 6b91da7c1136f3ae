/**
 * Access rules encoded once. A deeply frozen rules object (as `MemoryStore`
 * hands out its stored room) cannot change, so its permission lists are
 * encoded on first use and kept beside it in a `WeakMap` keyed by the object
 * itself: a store that writes a new version hands out a new object, which
 * gets a fresh encoding, and the old one is collected with its record.
 * Anything not deeply frozen is never cached, since it could change between
 * two decisions.
 */
import type { RoomAccessRules } from "./rules.js";
import { encodeScopes, strongestOf } from "./scopes.js";

/** @internal A frozen room's permission lists, encoded. */
export type EncodedRules = {
  /** `defaultAccesses`, encoded. */
  readonly defaults: number;
  /** `usersAccesses` by user id. */
  readonly users: ReadonlyMap<string, number>;
  /** `groupsAccesses` by group id. */
  readonly groups: ReadonlyMap<string, number>;
  /** The same groups as parallel arrays, for rooms with a few groups. */
  readonly groupIds: readonly string[];
  readonly groupCodes: readonly number[];
  /** Per resource the strongest level any group sets: merging can stop once it is reached. */
  readonly groupsCeiling: number;
};

/**
 * `false`: seen once, frozen (a store that builds a fresh frozen object per
 * read, like `PostgresStore` without its cache, would pay an encoding per
 * call for nothing, so the second sighting encodes); `null`: frozen but not
 * cacheable (an accessor, an unfrozen list).
 */
const ENCODED = new WeakMap<object, EncodedRules | false | null>();

/** Rooms with at most this many groups are matched by scanning the user's group list. */
const FEW_GROUPS = 4;

/**
 * @internal The cached encoding of `rules`: `undefined` when `rules` may
 * still change (not deeply frozen) and must be read afresh, and on the
 * first sighting of a frozen object.
 */
export function encodedRulesOf(rules: RoomAccessRules): EncodedRules | undefined {
  const known = ENCODED.get(rules);
  if (known) return known;
  if (known === null) return undefined;
  // Checked before anything is stored, so an unfrozen object (a SQL store's fresh copy) costs no cache entry.
  if (!Object.isFrozen(rules)) return undefined;
  if (known === undefined) {
    ENCODED.set(rules, false);
    return undefined;
  }
  const encoded = encodeFrozen(rules);
  ENCODED.set(rules, encoded);
  return encoded ?? undefined;
}

/** @internal The encoding of `rules` if it has one already; never encodes or records anything. */
export function knownEncoding(rules: object): EncodedRules | undefined {
  return ENCODED.get(rules) || undefined;
}

/**
 * @internal The user's groups merged by highest access. Iterates the user's
 * groups against the room's map, or the room's few groups against the user's
 * list, whichever is smaller, and stops at the room's ceiling.
 */
export function encodedGroups(encoded: EncodedRules, groupIds: readonly string[]): number {
  const ceiling = encoded.groupsCeiling;
  let merged = 0;
  const count = encoded.groupIds.length;
  if (count <= FEW_GROUPS && count < groupIds.length) {
    for (let j = 0; j < count; j++) {
      if (!groupIds.includes(encoded.groupIds[j]!)) continue;
      merged = strongestOf(merged, encoded.groupCodes[j]!);
      if (merged === ceiling) break;
    }
    return merged;
  }
  const groups = encoded.groups;
  for (let i = 0; i < groupIds.length; i++) {
    const code = groups.get(groupIds[i]!);
    if (code === undefined) continue;
    merged = strongestOf(merged, code);
    if (merged === ceiling) break;
  }
  return merged;
}

/** The encoding of a frozen object, or `null` if some part of it could still change or is not plain data. */
function encodeFrozen(rules: RoomAccessRules): EncodedRules | null {
  const defaults = frozenList(dataProperty(rules, "defaultAccesses"));
  if (defaults === null) return null;
  const users = frozenAccesses(dataProperty(rules, "usersAccesses"));
  const groups = frozenAccesses(dataProperty(rules, "groupsAccesses"));
  if (users === null || groups === null) return null;
  let groupsCeiling = 0;
  for (const code of groups.values()) groupsCeiling = strongestOf(groupsCeiling, code);
  return {
    defaults: encodeScopes(defaults),
    users,
    groups,
    groupIds: [...groups.keys()],
    groupCodes: [...groups.values()],
    groupsCeiling,
  };
}

const ABSENT = Symbol("absent");
const NOT_DATA = Symbol("not data");

/** An own data property's value, `ABSENT` if there is none anywhere on the chain, else `NOT_DATA`. */
function dataProperty(object: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(object, key);
  if (descriptor === undefined) return key in object ? NOT_DATA : ABSENT;
  return "value" in descriptor ? descriptor.value : NOT_DATA;
}

/** A frozen array of data elements, else `null`. */
function frozenList(value: unknown): readonly unknown[] | null {
  if (!Array.isArray(value) || !Object.isFrozen(value)) return null;
  for (let i = 0; i < value.length; i++) if (dataProperty(value, String(i)) === NOT_DATA) return null;
  return value;
}

/** A frozen map of frozen lists, encoded by id; an absent map is empty; anything else is `null`. */
function frozenAccesses(value: unknown): Map<string, number> | null {
  const encoded = new Map<string, number>();
  if (value === ABSENT || value === undefined) return encoded;
  if (typeof value !== "object" || value === null || !Object.isFrozen(value)) return null;
  // Own names, enumerable or not, exactly what `Object.hasOwn` finds (`__proto__` included).
  for (const id of Object.getOwnPropertyNames(value)) {
    const list = frozenList(dataProperty(value, id));
    if (list === null) return null;
    encoded.set(id, encodeScopes(list));
  }
  return encoded;
}
