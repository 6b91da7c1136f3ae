/**
 * Groups as the Liveblocks REST API v2 writes them: the JSON the HTTP
 * handler answers and the REST store reads. Dates are ISO-8601 strings with
 * milliseconds; `tenantId` repeats `organizationId`, as Liveblocks still
 * sends it.
 */
import type { GroupData } from "../rooms/types.js";
import { isObject } from "../runtime/json.js";

/** A group as JSON on the wire (what `@liveblocks/node` parses). */
export type GroupJson = Omit<GroupData, "createdAt" | "updatedAt" | "members"> & {
  createdAt: string;
  updatedAt: string;
  members: { id: string; addedAt: string }[];
};

/**
 * The wire form of `group`.
 *
 * @example
 * ```ts
 * new Response(JSON.stringify(groupToJson(group)), { headers: { "content-type": "application/json" } });
 * ```
 */
export function groupToJson(group: GroupData): GroupJson {
  return {
    type: "group",
    id: group.id,
    tenantId: group.organizationId,
    organizationId: group.organizationId,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
    scopes: group.scopes.mention === true ? { mention: true } : {},
    members: group.members.map((member) => ({ id: member.id, addedAt: member.addedAt.toISOString() })),
  };
}

/**
 * A group read from the wire, checked field by field.
 *
 * @throws {TypeError} naming the first field that is not what a group has.
 * @example
 * ```ts
 * const group = groupFromJson(await response.json());
 * ```
 */
export function groupFromJson(value: unknown): GroupData {
  if (!isObject(value)) throw new TypeError("A group must be a JSON object");
  const id = value["id"];
  if (typeof id !== "string" || id.length === 0) throw new TypeError('A group needs a non-empty string "id"');
  const organization = value["organizationId"] ?? value["tenantId"];
  const organizationId = typeof organization === "string" ? organization : "default";
  const scopes = value["scopes"];
  const members = value["members"];
  if (!Array.isArray(members)) throw new TypeError('A group\'s "members" must be an array');
  return {
    type: "group",
    id,
    tenantId: organizationId,
    organizationId,
    createdAt: toDate(value["createdAt"], "createdAt"),
    updatedAt: toDate(value["updatedAt"], "updatedAt"),
    scopes: isObject(scopes) && scopes["mention"] === true ? { mention: true } : {},
    members: members.map((member: unknown, i) => {
      if (!isObject(member) || typeof member["id"] !== "string") throw new TypeError(`A group's "members[${i}].id" must be a string`);
      return { id: member["id"], addedAt: toDate(member["addedAt"], `members[${i}].addedAt`) };
    }),
  };
}

function toDate(value: unknown, field: string): Date {
  const date = typeof value === "string" ? new Date(value) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new TypeError(`A group's "${field}" must be an ISO-8601 date string`);
  }
  return date;
}
