/**
 * The scope catalogue: every permission scope Liveblocks knows, the resources
 * they govern, the access levels, and the validation of a permission set.
 * Pure: no I/O, no imports from the rest of roomgate.
 */

/**
 * Every permission scope, by name. Same names and values as
 * `Permission` in `@liveblocks/core`.
 *
 * @example
 * ```ts
 * await liveblocks.createRoom("my-room", { defaultAccesses: [Permission.Read] });
 * ```
 */
export const Permission = Object.freeze({
  /** Base scope: enter the room, read everything. */
  Read: "*:read",
  /** Base scope: enter the room, write everything. */
  Write: "*:write",
  /** Legacy alias of `*:write`. */
  RoomWrite: "room:write",
  /** Legacy alias of `*:read`. */
  RoomRead: "room:read",
  StorageRead: "storage:read",
  StorageWrite: "storage:write",
  StorageNone: "storage:none",
  CommentsWrite: "comments:write",
  CommentsRead: "comments:read",
  CommentsNone: "comments:none",
  CommentsPublicWrite: "comments:public:write",
  CommentsPublicRead: "comments:public:read",
  CommentsPublicNone: "comments:public:none",
  CommentsPrivateWrite: "comments:private:write",
  CommentsPrivateRead: "comments:private:read",
  CommentsPrivateNone: "comments:private:none",
  FeedsRead: "feeds:read",
  FeedsWrite: "feeds:write",
  FeedsNone: "feeds:none",
  /** Legacy; carries nothing (read access always allows presence). */
  LegacyRoomPresenceWrite: "room:presence:write",
} as const);

/**
 * One permission scope, such as `"*:write"` or `"comments:read"`.
 *
 * @example
 * ```ts
 * const scopes: Permission[] = ["*:read", "comments:write"];
 * ```
 */
export type Permission = (typeof Permission)[keyof typeof Permission];

/**
 * A room's permission list (`defaultAccesses`, or one entry of
 * `usersAccesses` / `groupsAccesses`). Same as `RoomPermissions` in
 * `@liveblocks/node`.
 *
 * @example
 * ```ts
 * const readWithPresence: RoomPermissions = ["room:read", "room:presence:write"];
 * ```
 */
export type RoomPermissions = Permission[];

/** @deprecated Use `RoomPermissions` instead (as in `@liveblocks/node`). */
export type RoomPermission = RoomPermissions;

/**
 * Per-user or per-group permission lists of a room, keyed by id.
 *
 * @example
 * ```ts
 * const usersAccesses: RoomAccesses = { alice: ["*:write"] };
 * ```
 */
export type RoomAccesses = Record<string, RoomPermissions>;

/**
 * The resources a scope can govern, the base (`room`) first.
 *
 * @example
 * ```ts
 * for (const resource of RESOURCES) console.log(resource, decision.matrix[resource]);
 * ```
 */
export const RESOURCES = Object.freeze(["room", "storage", "comments", "comments:public", "comments:private", "feeds"] as const);

/**
 * One resource of {@link RESOURCES}.
 *
 * @example
 * ```ts
 * const resource: Resource = "storage";
 * ```
 */
export type Resource = (typeof RESOURCES)[number];

/**
 * Access levels, weakest first: `none < read < write`.
 *
 * @example
 * ```ts
 * ACCESS_LEVELS.indexOf("read") < ACCESS_LEVELS.indexOf("write"); // true
 * ```
 */
export const ACCESS_LEVELS = Object.freeze(["none", "read", "write"] as const);

/**
 * One access level of {@link ACCESS_LEVELS}.
 *
 * @example
 * ```ts
 * const level: AccessLevel = "read";
 * ```
 */
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/**
 * The resolved access level for every resource.
 *
 * @example
 * ```ts
 * const matrix: PermissionMatrix = resolveAccess(room, { userId: "alice" }).matrix;
 * ```
 */
export type PermissionMatrix = { readonly [R in Resource]: AccessLevel };

/** The four base scopes; a valid set has exactly one. */
const BASE_SCOPES: ReadonlySet<string> = new Set<string>([Permission.Read, Permission.Write, Permission.RoomRead, Permission.RoomWrite]);

const ALL_SCOPES: ReadonlySet<string> = new Set<string>(Object.values(Permission));

/**
 * Is `value` a known permission scope?
 *
 * @example
 * ```ts
 * isPermission("storage:write"); // true
 * isPermission("storage:admin"); // false
 * ```
 */
export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && ALL_SCOPES.has(value);
}

// --- Encoded matrices -------------------------------------------------------
// Internally an explicit matrix is a 12-bit integer: two bits per resource in
// RESOURCES order, 0 = not set, 1 = none, 2 = read, 3 = write. Layering and
// merging become bit operations, and a decision can be looked up per code.

/** @internal Encoded level values (`0` means "not set by this layer"). */
const LEVEL_CODE = Object.freeze({ none: 1, read: 2, write: 3 } as const);

/** @internal Bit offset of each resource in an encoded matrix. */
export const RESOURCE_SHIFT = Object.freeze({
  room: 0,
  storage: 2,
  comments: 4,
  "comments:public": 6,
  "comments:private": 8,
  feeds: 10,
} as const satisfies Record<Resource, number>);

/**
 * scope → `level << shift` packed with its field mask above bit 12, one small
 * integer so encoding reads no tuple; `room:presence:write` maps to nothing.
 */
const SCOPE_CODES: ReadonlyMap<string, number> = new Map(
  Object.values(Permission).flatMap((scope): [string, number][] => {
    if (scope === Permission.LegacyRoomPresenceWrite) return [];
    const shift = RESOURCE_SHIFT[scopeResource(scope)];
    const level = scope.slice(scope.lastIndexOf(":") + 1) as AccessLevel;
    return [[scope, (LEVEL_CODE[level] << shift) | ((3 << shift) << 12)]];
  }),
);

/** The resource a known non-legacy scope governs. */
function scopeResource(scope: string): Resource {
  if (BASE_SCOPES.has(scope)) return "room";
  return scope.slice(0, scope.lastIndexOf(":")) as Resource;
}

const PUBLIC_SHIFT = RESOURCE_SHIFT["comments:public"];
const PRIVATE_SHIFT = RESOURCE_SHIFT["comments:private"];
const COMMENTS_SHIFT = RESOURCE_SHIFT.comments;

/**
 * @internal The explicit matrix of one scope list: for each resource the
 * highest level among its scopes; `comments:public` / `comments:private`
 * fall back to this list's `comments` level. Unknown scopes count for nothing.
 */
export function encodeScopes(scopes: readonly unknown[]): number {
  let code = 0;
  for (let i = 0; i < scopes.length; i++) {
    const packed = SCOPE_CODES.get(scopes[i] as string);
    if (packed === undefined) continue;
    const value = packed & 0xfff;
    const mask = packed >> 12;
    if (value > (code & mask)) code = (code & ~mask) | value;
  }
  const comments = (code >> COMMENTS_SHIFT) & 3;
  if (comments !== 0) {
    if (((code >> PUBLIC_SHIFT) & 3) === 0) code |= comments << PUBLIC_SHIFT;
    if (((code >> PRIVATE_SHIFT) & 3) === 0) code |= comments << PRIVATE_SHIFT;
  }
  return code;
}

/** @internal A mask with `11` in every field that `code` sets. */
export function fieldsSetBy(code: number): number {
  return ((code | (code >> 1)) & 0b010101010101) * 3;
}

/** Per field, the stronger of two 6-bit halves (three fields each): index `a << 6 | b`. */
const STRONGER_HALF = (() => {
  const table = new Uint8Array(1 << 12);
  for (let a = 0; a < 64; a++) {
    for (let b = 0; b < 64; b++) {
      let out = 0;
      for (let shift = 0; shift < 6; shift += 2) out |= Math.max((a >> shift) & 3, (b >> shift) & 3) << shift;
      table[(a << 6) | b] = out;
    }
  }
  return table;
})();

/** @internal Per resource, the stronger of two encoded matrices (two table reads). */
export function strongestOf(a: number, b: number): number {
  return STRONGER_HALF[((a & 63) << 6) | (b & 63)]! | (STRONGER_HALF[(a & 0xfc0) | (b >> 6)]! << 6);
}

// --- Validation -------------------------------------------------------------

/**
 * Checks a permission set against the rules of Liveblocks (first failure
 * wins): every scope known, exactly one base scope, at most one scope per
 * feature. `allowEmpty` accepts `[]` (only `defaultAccesses` may be empty).
 *
 * @returns `true`, or the message that says what is wrong.
 * @example
 * ```ts
 * validatePermissionSet(["*:read", "comments:write"], { allowEmpty: false }); // true
 * validatePermissionSet(["storage:write"], { allowEmpty: false });
 * // "Permissions must include exactly one of *:read, *:write (or the legacy aliases room:read, room:write), got none"
 * ```
 */
export function validatePermissionSet(scopes: unknown, options: { allowEmpty: boolean }): true | string {
  if (!Array.isArray(scopes)) return "Permission list must be an array";
  for (const scope of scopes) {
    if (typeof scope !== "string") return `Not a valid permission: ${describe(scope)}`;
  }
  if (scopes.length === 0 && options.allowEmpty) return true;

  const unknown = scopes.filter((scope) => !ALL_SCOPES.has(scope));
  if (unknown.length > 0) return `Unknown permission scope(s): ${unknown.join(", ")}`;

  const bases = scopes.filter((scope) => BASE_SCOPES.has(scope));
  if (bases.length !== 1) {
    return (
      `Permissions must include exactly one of ${Permission.Read}, ${Permission.Write} ` +
      `(or the legacy aliases ${Permission.RoomRead}, ${Permission.RoomWrite}), ` +
      `got ${bases.length === 0 ? "none" : bases.join(", ")}`
    );
  }

  const features = new Set<string>();
  for (const scope of scopes as string[]) {
    if (BASE_SCOPES.has(scope) || scope === Permission.LegacyRoomPresenceWrite) continue;
    const feature = scopeResource(scope);
    if (features.has(feature)) {
      return `Permissions can include at most one scope per feature, got multiple "${feature}" scopes`;
    }
    features.add(feature);
  }
  return true;
}

/** Longest description of a bad value in a message. */
const DESCRIBED_LENGTH = 100;

/**
 * A short text for a bad value: JSON for a primitive or a flat array or
 * object, else its kind. Never recursive, so no input (an array nested a
 * million deep) overflows the stack while a message is made.
 */
function describe(value: unknown): string {
  const kind = Array.isArray(value) ? "an array" : typeof value === "object" && value !== null ? "an object" : typeof value;
  if (typeof value === "object" && value !== null && !isFlat(value)) return kind;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return kind; // a throwing toJSON or getter, a BigInt
  }
  if (text === undefined) return kind;
  return text.length <= DESCRIBED_LENGTH ? text : `${text.slice(0, DESCRIBED_LENGTH)}…`;
}

/** At most 16 own entries, none of them an object: JSON of it stays small and flat. */
function isFlat(value: object): boolean {
  const keys = Object.keys(value);
  if (keys.length > 16) return false;
  for (const key of keys) {
    const entry = (value as Record<string, unknown>)[key];
    if (typeof entry === "object" && entry !== null) return false;
  }
  return true;
}
