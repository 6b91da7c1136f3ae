/**
 * The zod schemas of every input of a `Liveblocks` method, built once per
 * instance from its limits, and the 422 `LiveblocksError` that names the
 * first field a value breaks. Maps keyed by user-supplied ids are checked by
 * hand inside them (zod 4's `z.record` drops a `__proto__` key) and come out
 * as null-prototype objects. The identity check of the token hot path,
 * written without zod, is in `identity-fast-path.ts`.
 */
import { z } from "zod";
import { isStorableText, NOT_STORABLE } from "../rooms/text.js";
import { type LiveblocksError, invalidField } from "../protocol/errors.js";
import { type Limits, MAX_CURSOR_LENGTH } from "./limits.js";
import { Permission, type RoomPermission, validatePermissionSet } from "../permissions/scopes.js";
import type { RoomData, RoomMetadata, RoomPatch } from "../rooms/types.js";
import { utf8Length } from "../runtime/crypto/node.js";
import { isPlainObject } from "../runtime/json.js";
import type { JsonObject } from "../tokens/types.js";

type Dict<T> = Record<string, T>;

/** A field path as users write it: `usersAccesses.alice`, `groupIds[2]`, `metadata["a b"]`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/**
 * `getRooms` fields whose every failure has its own code, so a client (a
 * `RestStore`) tells a rejected cursor from other 422s without reading the
 * message. No other schema has these names at its top level.
 */
const FIELD_CODES: ReadonlyMap<PropertyKey, "INVALID_CURSOR" | "INVALID_QUERY"> = new Map([
  ["startingAfter", "INVALID_CURSOR"],
  ["query", "INVALID_QUERY"],
]);

/** The first problem zod found, as a 422 naming the field and the rule. */
function toLiveblocksError(error: z.ZodError, root: string): LiveblocksError {
  const issue = error.issues[0]!;
  if (issue.code === "unrecognized_keys") {
    return invalidField(formatPath([...issue.path, issue.keys[0]!]), "is not a known field");
  }
  const field = issue.path.length > 0 ? formatPath(issue.path) : root;
  const code = issue.path.length > 0 ? FIELD_CODES.get(issue.path[0]!) : undefined;
  return invalidField(field, issue.message, code);
}

/**
 * Parses `value` with `schema`: the data, or the 422 `LiveblocksError` that
 * names the first bad field.
 * @internal
 */
export function checkInput<T extends z.ZodType>(
  schema: T,
  value: unknown,
  root: string,
): { ok: true; data: z.output<T> } | { ok: false; error: LiveblocksError } {
  const result = schema.safeParse(value);
  return result.success ? { ok: true, data: result.data } : { ok: false, error: toLiveblocksError(result.error, root) };
}

/**
 * Parses `value` with `schema` or throws the 422 `LiveblocksError`.
 * @internal
 */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, root: string): z.output<T> {
  const result = checkInput(schema, value, root);
  if (!result.ok) throw result.error;
  return result.data;
}

function nullProto<T>(): Dict<T> {
  return Object.create(null) as Dict<T>;
}

const text = (rule: string) => z.string({ error: rule });

/** At most `max` characters a store can hold (possibly empty); the length is checked first. */
const storableText = (max: number, rule = `must be at most ${max} characters`) =>
  text("must be a string").max(max, { message: rule, abort: true }).refine(isStorableText, NOT_STORABLE);

/**
 * Group ids travel comma-joined on Liveblocks' wire (`GET /v2/rooms?groupIds=a,b`),
 * so a comma inside one would split it into others' groups: refused wherever
 * a group id enters (token `groupIds`, `groupsAccesses` keys, `getRooms`).
 */
export const GROUP_ID_RULE = "must not contain ',' (group ids travel comma-joined)";

/** Can `id` travel in a comma-joined list of group ids? */
export function isWireGroupId(id: string): boolean {
  return !id.includes(",");
}

/** Room ids a URL path cannot name: `.` and `..` are collapsed by URL parsing. */
export const ROOM_ID_DOTS_RULE = "must not be '.' or '..' (no URL path can name them)";

const CUTOFF_RULE = "must be a Date or an integer of epoch milliseconds";

/** `1..max` characters a store can hold. */
function boundedString(max: number) {
  // `abort`: a string over the limit is not walked by the checks after it.
  return text("must be a string")
    .min(1, { message: "must be a non-empty string", abort: true })
    .max(max, { message: `must be at most ${max} characters`, abort: true })
    .refine(isStorableText, NOT_STORABLE);
}

/**
 * The rules of a stored permission list: bounded before anything walks it
 * (a valid set has at most one base scope, one `room:presence:write` and
 * one scope per feature, so a longer list only pads), then Liveblocks' own.
 */
function checkPermissionList(value: unknown, limits: Limits, allowEmpty: boolean): string | true {
  if (Array.isArray(value)) {
    const max = limits.permissionScopes;
    if (value.length > max) return `must have at most ${max} scopes, got ${value.length}`;
    if (value.indexOf(Permission.LegacyRoomPresenceWrite) !== value.lastIndexOf(Permission.LegacyRoomPresenceWrite)) {
      return `must include ${Permission.LegacyRoomPresenceWrite} at most once`;
    }
  }
  return validatePermissionSet(value, { allowEmpty });
}

function permissionSet(limits: Limits, allowEmpty: boolean) {
  return z
    .custom<RoomPermission>()
    .superRefine((value, ctx) => {
      if (value === undefined) {
        ctx.addIssue({ code: "custom", message: "is required" });
        return;
      }
      const verdict = checkPermissionList(value, limits, allowEmpty);
      if (verdict !== true) ctx.addIssue({ code: "custom", message: verdict });
    })
    .transform((value) => [...value] as RoomPermission);
}

/**
 * A map keyed by user-supplied ids. `nullable` allows `null` values (update
 * patches); `maxEntries` bounds the non-null values; a patch may also remove
 * up to as many entries again.
 */
function idMap<V>(options: {
  maxEntries: number;
  maxKeyLength: number;
  nullable: boolean;
  checkValue: (value: unknown) => string | true;
  /** A rule of its own for keys (group ids), beside length and storable text. */
  checkKey?: (key: string) => string | true;
  /** A copy of a value that passed `checkValue`. */
  copyValue: (value: unknown) => unknown;
}) {
  const { maxEntries, maxKeyLength, nullable } = options;
  return z
    .custom<Dict<V>>()
    .superRefine((value, ctx) => {
      if (!isPlainObject(value)) {
        ctx.addIssue({ code: "custom", message: "must be an object" });
        return;
      }
      const keys = Object.keys(value);
      const set = nullable ? keys.filter((key) => value[key] !== null).length : keys.length;
      if (set > maxEntries) {
        ctx.addIssue({ code: "custom", message: `must have at most ${maxEntries} entries, got ${set}` });
        return;
      }
      if (keys.length > maxEntries * 2) {
        ctx.addIssue({ code: "custom", message: `can change at most ${maxEntries * 2} entries at once` });
        return;
      }
      for (const key of keys) {
        if (key.length < 1 || key.length > maxKeyLength) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `keys must be 1 to ${maxKeyLength} characters, got ${key.length}`,
          });
          return;
        }
        if (!isStorableText(key)) {
          ctx.addIssue({ code: "custom", path: [key], message: `keys ${NOT_STORABLE}` });
          return;
        }
        const keyVerdict = options.checkKey?.(key) ?? true;
        if (keyVerdict !== true) {
          ctx.addIssue({ code: "custom", path: [key], message: `keys ${keyVerdict}` });
          return;
        }
        const entry = value[key];
        if (entry === null && nullable) continue;
        const verdict = options.checkValue(entry);
        if (verdict !== true) {
          ctx.addIssue({ code: "custom", path: [key], message: verdict });
          return;
        }
      }
    })
    .transform((value) => {
      const out = nullProto<V>();
      for (const key of Object.keys(value)) {
        const entry = value[key];
        // A null survives only where `nullable` let it through the check.
        out[key] = (entry === null ? null : options.copyValue(entry)) as V;
      }
      return out;
    });
}

function accessesMap<N extends boolean>(limits: Limits, nullable: N, keys: "users" | "groups") {
  return idMap<N extends true ? RoomPermission | null : RoomPermission>({
    ...(keys === "groups" && { checkKey: (key: string) => (isWireGroupId(key) ? true : GROUP_ID_RULE) }),
    maxEntries: limits.accessesEntries,
    maxKeyLength: limits.accessesKeyLength,
    nullable,
    checkValue: (value) => checkPermissionList(value, limits, false),
    copyValue: (value) => [...(value as RoomPermission)],
  });
}

function metadataMap<N extends boolean>(limits: Limits, nullable: N) {
  const max = limits.metadataValueLength;
  const maxItems = limits.metadataArrayValues;
  return idMap<N extends true ? string | string[] | null : string | string[]>({
    maxEntries: limits.metadataEntries,
    maxKeyLength: limits.metadataKeyLength,
    nullable,
    checkValue: (value) => {
      // Counted before a single item is looked at.
      if (Array.isArray(value) && value.length > maxItems) {
        return `must have at most ${maxItems} strings, got ${value.length}`;
      }
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) {
        if (typeof item !== "string") return "must be a string or an array of strings";
        if (item.length > max) return `must be at most ${max} characters, got ${item.length}`;
        if (!isStorableText(item)) return NOT_STORABLE;
      }
      return true;
    },
    copyValue: (value) => (Array.isArray(value) ? [...value] : value),
  });
}

/** userInfo fields that must be strings when present, as `@liveblocks/client` types them. */
const USER_INFO_STRINGS: ReadonlySet<string> = new Set(["name", "avatar", "color"]);

/**
 * userInfo's rules, written once: a plain object whose JSON is an object
 * (no `toJSON` turning it into something else) of at most `maxBytes` bytes.
 * Returns that JSON, which is the very text signed into the token (it is
 * serialised once), or the rule the value breaks.
 * @internal
 */
export function serializeUserInfo(value: unknown, maxBytes: number): string | { rule: string } {
  if (!isPlainObject(value)) return { rule: "must be a JSON object" };
  let json: string | undefined;
  let notString: string | undefined;
  try {
    // The fields Liveblocks' clients read (BaseUserMeta's info) must be strings when present;
    // checked on the values being serialised, so a getter is read once.
    json = JSON.stringify(value, function (this: unknown, key: string, entry: unknown) {
      if (this === value && notString === undefined && entry !== undefined && typeof entry !== "string" && USER_INFO_STRINGS.has(key)) {
        notString = key;
      }
      return entry;
    }) as string | undefined;
  } catch {
    return { rule: "must be serializable as JSON" };
  }
  if (notString !== undefined) return { rule: `'${notString}' must be a string` };
  if (json === undefined || json.charCodeAt(0) !== 0x7b /* { */) return { rule: "must be a JSON object" };
  // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only near the limit.
  if (json.length * 3 > maxBytes) {
    const bytes = utf8Length(json);
    if (bytes > maxBytes) return { rule: `must be at most ${maxBytes} bytes as JSON, got ${bytes}` };
  }
  return json;
}

/** A JSON object whose serialized form fits `maxBytes` (the rules of {@link serializeUserInfo}). */
function jsonObject(maxBytes: number) {
  return z.custom<JsonObject>().superRefine((value, ctx) => {
    const json = serializeUserInfo(value, maxBytes);
    if (typeof json !== "string") ctx.addIssue({ code: "custom", message: json.rule });
  });
}

/** The schemas of one `Liveblocks` instance, built once from its limits. */
export function createSchemas(limits: Limits) {
  const roomId = boundedString(limits.roomIdLength)
    .refine((id) => !id.includes("*"), { message: "must not contain '*'" })
    .refine((id) => id !== "." && id !== "..", { message: ROOM_ID_DOTS_RULE });
  const organizationId = boundedString(limits.organizationIdLength);
  const pageSize = z
    .number({ error: "must be a number" })
    .int(`must be an integer between 1 and ${limits.pageSize}`)
    .min(1, `must be an integer between 1 and ${limits.pageSize}`)
    .max(limits.pageSize, `must be an integer between 1 and ${limits.pageSize}`);
  const groupIds = z
    .array(boundedString(limits.groupIdLength).refine(isWireGroupId, GROUP_ID_RULE), { error: "must be an array of strings" })
    .max(limits.groupIds, `must have at most ${limits.groupIds} entries`);
  const createRoom = z.strictObject({
    defaultAccesses: permissionSet(limits, true),
    groupsAccesses: accessesMap(limits, false, "groups").optional(),
    usersAccesses: accessesMap(limits, false, "users").optional(),
    metadata: metadataMap(limits, false).optional(),
    organizationId: organizationId.optional(),
    tenantId: organizationId.optional(),
  });
  const updateRoom = z.strictObject({
    defaultAccesses: permissionSet(limits, true).nullable().optional(),
    // `null` clears the whole map.
    groupsAccesses: accessesMap(limits, true, "groups").nullable().optional(),
    usersAccesses: accessesMap(limits, true, "users").nullable().optional(),
    metadata: metadataMap(limits, true).nullable().optional(),
    // Accepted and ignored, as Liveblocks does: a room's organization never changes.
    organizationId: z.unknown().optional(),
  });
  const queryMetadata = idMap<string>({
    maxEntries: limits.metadataEntries,
    maxKeyLength: limits.metadataKeyLength,
    nullable: false,
    checkValue: (value) => (typeof value !== "string" ? "must be a string" : isStorableText(value) ? true : NOT_STORABLE),
    copyValue: (value) => value,
  });
  const groupId = boundedString(limits.groupIdLength).refine(isWireGroupId, GROUP_ID_RULE);
  const memberIds = z
    .array(boundedString(limits.userIdLength), { error: "must be an array of strings" })
    .max(limits.groupMembersPerCall, `must have at most ${limits.groupMembersPerCall} entries`);
  const cursor = text("must be a string").max(MAX_CURSOR_LENGTH, "is not a valid cursor");
  const groupsPage = {
    limit: pageSize.optional(),
    startingAfter: cursor.optional(),
    organizationId: organizationId.optional(),
  };
  return {
    roomId,
    pageSize,
    createGroup: z.strictObject({
      groupId,
      memberIds: memberIds.optional(),
      organizationId: organizationId.optional(),
      tenantId: organizationId.optional(),
      scopes: z.strictObject({ mention: z.boolean({ error: "must be a boolean" }).optional() }, { error: "must be an object" }).optional(),
    }),
    group: z.strictObject({ groupId }),
    groupMembers: z.strictObject({ groupId, memberIds: memberIds.min(1, "must have at least 1 entry") }),
    getGroups: z.strictObject(groupsPage),
    getUserGroups: z.strictObject({ userId: boundedString(limits.userIdLength), ...groupsPage }),
    createRoom,
    updateRoom,
    upsertRoom: z.strictObject({
      update: updateRoom.refine((update) => Object.keys(update).some((key) => key !== "organizationId"), {
        message: "must specify at least one field",
      }),
      create: createRoom.optional(),
    }),
    getRooms: z.strictObject({
      limit: pageSize.optional(),
      startingAfter: text("must be a string").max(MAX_CURSOR_LENGTH, "is not a valid cursor").optional(),
      userId: boundedString(limits.userIdLength).optional(),
      groupIds: groupIds.optional(),
      organizationId: organizationId.optional(),
      tenantId: organizationId.optional(),
      // roomgate's: the rooms this identity may enter.
      accessibleBy: z
        .strictObject({ userId: boundedString(limits.userIdLength), groupIds: groupIds.optional() }, { error: "must be an object" })
        .optional(),
      metadata: queryMetadata.optional(),
      query: z
        .union(
          [
            storableText(limits.queryLength),
            z.strictObject({
              metadata: queryMetadata.optional(),
              roomId: z.strictObject({ startsWith: storableText(limits.roomIdLength) }).optional(),
            }),
          ],
          { error: "must be a query string or a query object" },
        )
        .optional(),
    }),
    identity: z.strictObject({
      userId: boundedString(limits.userIdLength),
      groupIds: groupIds.optional(),
      organizationId: organizationId.optional(),
      tenantId: organizationId.optional(),
    }),
    userInfo: jsonObject(limits.userInfoBytes).optional(),
    updateRoomId: z.strictObject({ currentRoomId: roomId, newRoomId: roomId }),
    getRoomAccessList: z.strictObject({ limit: pageSize.optional(), startingAfter: cursor.optional() }, { error: "must be an object" }),
    // Any id a store may hold a cutoff for (no length limit: a read or a
    // clearing must reach cutoffs set under other limits), as every store can hold it.
    tokenRevocation: z.strictObject({
      userId: text("must be a string").min(1, "must be a non-empty string").refine(isStorableText, NOT_STORABLE),
    }),
    revokeTokens: z.strictObject({
      userId: boundedString(limits.userIdLength),
      // Every store keeps a cutoff as a 64-bit integer; the upper bound (now + tolerance) is the facade's, as it reads the clock.
      issuedBefore: z
        .union([z.date(), z.number()], { error: CUTOFF_RULE })
        .transform((value) => +value)
        .refine(Number.isSafeInteger, CUTOFF_RULE)
        .optional(),
    }),
  };
}

/** The schemas of one instance. */
export type Schemas = ReturnType<typeof createSchemas>;

/** A validated update body as a store patch. */
export function toRoomPatch(update: z.output<Schemas["updateRoom"]>): RoomPatch {
  const patch: RoomPatch = {};
  if (update.defaultAccesses !== undefined) patch.defaultAccesses = update.defaultAccesses;
  if (update.usersAccesses !== undefined) patch.usersAccesses = update.usersAccesses;
  if (update.groupsAccesses !== undefined) patch.groupsAccesses = update.groupsAccesses;
  if (update.metadata !== undefined) patch.metadata = update.metadata;
  return patch;
}

/**
 * Limits that depend on the stored room (entries after a patch), checked in
 * the store's atomic section.
 */
export function assertRoomLimits(limits: Limits): (room: RoomData) => void {
  return (room) => {
    const check = (field: string, map: Dict<unknown> | RoomMetadata, max: number) => {
      const count = Object.keys(map).length;
      if (count > max) {
        throw invalidField(field, `must have at most ${max} entries, got ${count}`);
      }
    };
    check("usersAccesses", room.usersAccesses, limits.accessesEntries);
    check("groupsAccesses", room.groupsAccesses, limits.accessesEntries);
    check("metadata", room.metadata, limits.metadataEntries);
  };
}
