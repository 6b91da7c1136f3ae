/**
 * The identity check of the token hot path, written by hand: `identifyUser`
 * and `session.authorize()` accept the usual identity shapes without paying
 * for a zod parse. It accepts only what the `identity` schema accepts (a
 * property test holds them together) and leaves everything else to the schema.
 */
import { isStorableText } from "../rooms/text.js";
import { isPlainObject } from "../runtime/json.js";
import type { Limits } from "./limits.js";
import { isWireGroupId } from "./schemas.js";

/** Code points in `text`, as zod counts a string's length: a surrogate pair is one. */
function codePointLength(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if ((text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      count--;
      i++;
    }
  }
  return count;
}

/** `1..max` characters a store can hold: the rules of the schemas' `boundedString`, checked by hand. */
function isBoundedString(value: unknown, max: number): value is string {
  if (typeof value !== "string" || value.length === 0) return false;
  // Only a string over the limit in UTF-16 units can be within it in code points.
  if (value.length > max && codePointLength(value) > max) return false;
  return isStorableText(value);
}

/** An identity the hand-written check accepted. */
export type CheckedIdentity = { userId: string; groupIds: string[] | undefined; organizationId?: string | undefined };

/**
 * The `identity` schema's rules checked by hand, for the shapes nearly every
 * call has: a user id, or a plain object with `userId` and optionally
 * `groupIds`, `organizationId`, `tenantId`. It only ever accepts what the
 * schema accepts (a property test holds them together); `undefined` means
 * "ask the schema", which also words the error. `groupIds` is the caller's
 * array, not a copy.
 * @internal
 */
export function checkIdentityFast(value: unknown, limits: Limits): CheckedIdentity | undefined {
  if (typeof value === "string") return isBoundedString(value, limits.userIdLength) ? { userId: value, groupIds: undefined } : undefined;
  if (!isPlainObject(value)) return undefined;
  // for-in, as zod's strict object walks keys: an inherited enumerable key is unknown to both.
  for (const key in value) {
    if (key !== "userId" && key !== "groupIds" && key !== "organizationId" && key !== "tenantId") return undefined;
  }
  const { userId, groupIds, organizationId, tenantId } = value;
  if (!isBoundedString(userId, limits.userIdLength)) return undefined;
  if (organizationId !== undefined && !isBoundedString(organizationId, limits.organizationIdLength)) return undefined;
  if (tenantId !== undefined && !isBoundedString(tenantId, limits.organizationIdLength)) return undefined;
  // `tenantId` is the deprecated name: `organizationId` wins when both are given.
  const organization = (organizationId ?? tenantId) as string | undefined;
  if (groupIds === undefined) return { userId, groupIds: undefined, organizationId: organization };
  if (!Array.isArray(groupIds) || groupIds.length > limits.groupIds) return undefined;
  for (let i = 0; i < groupIds.length; i++) {
    const groupId: unknown = groupIds[i];
    if (!isBoundedString(groupId, limits.groupIdLength) || !isWireGroupId(groupId)) return undefined;
  }
  return { userId, groupIds: groupIds as string[], organizationId: organization };
}

/**
 * The `roomId` schema's rules checked by hand (1..`roomIdLength` storable
 * characters, no `*`, not `.` or `..`), for the entry check's hot path. It
 * only ever accepts what the schema accepts; `false` means "ask the schema".
 * @internal
 */
export function isRoomIdFast(value: unknown, limits: Limits): value is string {
  return isBoundedString(value, limits.roomIdLength) && !value.includes("*") && value !== "." && value !== "..";
}
