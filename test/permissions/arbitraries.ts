/** fast-check generators for permission sets, rooms and identities. */
import fc from "fast-check";
import type { RoomAccessRules } from "../../src/index.js";

const FEATURE_SCOPES = {
  storage: ["storage:read", "storage:write", "storage:none"],
  comments: ["comments:read", "comments:write", "comments:none"],
  "comments:public": ["comments:public:read", "comments:public:write", "comments:public:none"],
  "comments:private": ["comments:private:read", "comments:private:write", "comments:private:none"],
  feeds: ["feeds:read", "feeds:write", "feeds:none"],
} as const;

/** Ids that must stay data: prototype names among ordinary ones. */
export const ID_POOL = [
  "alice",
  "bob",
  "carol",
  "Alice",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "engineering",
  "ops",
  "a/b",
  "a:b",
];

/** A valid, non-empty permission set, scopes in any order. */
export const validSet = fc
  .record({
    base: fc.constantFrom("*:read", "*:write", "room:read", "room:write"),
    features: fc.record(
      Object.fromEntries(
        Object.entries(FEATURE_SCOPES).map(([feature, scopes]) => [feature, fc.option(fc.constantFrom(...scopes), { nil: undefined })]),
      ) as Record<keyof typeof FEATURE_SCOPES, fc.Arbitrary<string | undefined>>,
    ),
    presence: fc.integer({ min: 0, max: 2 }),
  })
  .chain(({ base, features, presence }) => {
    const scopes = [
      base,
      ...Object.values(features).filter((s): s is string => s !== undefined),
      ...Array.from({ length: presence }, () => "room:presence:write"),
    ];
    return fc.shuffledSubarray(scopes, { minLength: scopes.length, maxLength: scopes.length });
  });

/** `[]` or a valid set, as `defaultAccesses` allows. */
export const defaultSet = fc.oneof(fc.constant([] as string[]), validSet);

/** A record with own keys (including `__proto__`) from the id pool. */
export function accesses(values: fc.Arbitrary<string[]>) {
  return fc
    .uniqueArray(fc.tuple(fc.constantFrom(...ID_POOL), values), {
      selector: ([id]) => id,
      maxLength: 6,
    })
    .map((entries) => Object.fromEntries(entries) as Record<string, string[]>);
}

export const room: fc.Arbitrary<Required<RoomAccessRules>> = fc.record({
  defaultAccesses: defaultSet,
  groupsAccesses: accesses(validSet),
  usersAccesses: accesses(validSet),
});

export const identity = fc.record({
  userId: fc.constantFrom(...ID_POOL),
  groupIds: fc.uniqueArray(fc.constantFrom(...ID_POOL, "nobody", "designers"), { maxLength: 5 }),
});

type Rules = Required<RoomAccessRules>;

/** A deep copy, frozen all the way down as `MemoryStore` freezes its records. */
export function deepFrozen(rules: Rules): Rules {
  const freezeMap = (map: Rules["usersAccesses"]) => {
    const copy: Record<string, readonly string[]> = {};
    for (const id of Object.keys(map)) Object.defineProperty(copy, id, { value: Object.freeze([...map[id]!]), enumerable: true });
    return Object.freeze(copy);
  };
  return Object.freeze({
    defaultAccesses: Object.freeze([...rules.defaultAccesses]),
    usersAccesses: freezeMap(rules.usersAccesses),
    groupsAccesses: freezeMap(rules.groupsAccesses),
  });
}
