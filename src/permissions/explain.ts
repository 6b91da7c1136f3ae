/**
 * Why a user gets what `resolveAccess` gives: per resource, which layer set
 * the level (the default, which group, the user's entry, or a fallback) and
 * what every layer said, plus the organization check of room entry. Pure
 * and synchronous; the decision it carries is always `resolveAccess`'s.
 */
import { type AccessDecision, decisionFor, overlay } from "./decision.js";
import type { AccessIdentity, RoomAccessRules } from "./rules.js";
import { type AccessLevel, RESOURCE_SHIFT, RESOURCES, type Resource, encodeScopes, strongestOf } from "./scopes.js";

/** The organization of a room or an identity that names none (Liveblocks' default). */
const DEFAULT_ORGANIZATION = "default";

/** Who is asking, as an ID token would carry it: the organization is `"default"` when absent, as for a token without one. */
export type ExplainIdentity = AccessIdentity & { readonly organizationId?: string | undefined };

/** A room's permissions and its organization (`"default"` when absent), as `getRoom` returns them. */
export type ExplainRoom = RoomAccessRules & { readonly organizationId?: string | undefined };

/**
 * What set a resource's level. `scope` is the scope of that layer's list
 * that gave it (`"room:read"`); `fallback` means no layer set the resource,
 * so it follows `from` (`storage`, `comments` and `feeds` follow `room`;
 * each comment visibility follows `comments`); `nothing` means no layer
 * grants entry at all, so every level is `none`.
 */
export type AccessSource =
  | { readonly layer: "user"; readonly scope: string }
  | { readonly layer: "group"; readonly groupId: string; readonly scope: string }
  | { readonly layer: "default"; readonly scope: string }
  | { readonly layer: "fallback"; readonly from: Resource }
  | { readonly layer: "nothing" };

/** What one layer says of a resource: a level, or `null` when its list does not set it. */
export type LayerLevel = AccessLevel | null;

/** One resource explained. */
export type ResourceExplanation = {
  /** The effective level: `decision.matrix[resource]`. */
  readonly level: AccessLevel;
  /** The layer that set it. */
  readonly decidedBy: AccessSource;
  /** What `defaultAccesses` says. */
  readonly default: LayerLevel;
  /** What each of the identity's groups that has an entry says, in the identity's order. */
  readonly groups: readonly { readonly groupId: string; readonly level: LayerLevel }[];
  /** What the user's entry says (`null` also when there is no entry). */
  readonly user: LayerLevel;
};

/**
 * The explanation of one identity's access to one room.
 *
 * - `decision` is exactly `resolveAccess(room, identity)`: the permissions
 *   alone, whatever the organizations.
 * - `allowed` is what room entry decides with an ID token of this identity:
 *   `decision.canEnter`, and the room in the identity's organization.
 */
export type AccessExplanation = {
  readonly allowed: boolean;
  /** `allowed`, or why not: the organizations differ, or no layer grants entry. */
  readonly reason: "allowed" | "organization-mismatch" | "no-access";
  /** One sentence for a share dialog or a support tool. */
  readonly summary: string;
  readonly decision: AccessDecision;
  readonly organization: { readonly room: string; readonly identity: string };
  /** The user has an entry in `usersAccesses`. */
  readonly hasUserEntry: boolean;
  /** The identity's groups that have an entry in `groupsAccesses`, in the identity's order, once each. */
  readonly matchedGroups: readonly string[];
  /** Every resource of `RESOURCES`, explained. */
  readonly resources: { readonly [R in Resource]: ResourceExplanation };
};

const LEVELS: readonly LayerLevel[] = [null, "none", "read", "write"];
const ROOM = RESOURCE_SHIFT.room;

/**
 * Explains `resolveAccess(room, identity)`: per resource, the layer that
 * decided it (the default, which group, the user's entry, or a fallback to
 * `room` / `comments`) and what each layer said, and whether room entry
 * allows it once the organizations are compared (a room of another
 * organization is denied whatever its permissions, as `checkRoomAccess`
 * denies it).
 *
 * @example
 * ```ts
 * import { explainAccess } from "roomgate";
 *
 * const room = { defaultAccesses: [], groupsAccesses: { contractors: ["room:read"] } };
 * const why = explainAccess(room, { userId: "carol", groupIds: ["contractors"] });
 * why.summary; // 'Read-only: group "contractors" grants room:read, and user "carol" has no entry.'
 * why.resources.storage.decidedBy; // { layer: "fallback", from: "room" }
 * why.resources.room.decidedBy; // { layer: "group", groupId: "contractors", scope: "room:read" }
 * ```
 */
export function explainAccess(room: ExplainRoom, identity: ExplainIdentity): AccessExplanation {
  const defaults = room.defaultAccesses;
  const defaultCode = encodeScopes(defaults);
  // The identity's groups with an entry, once each, in the identity's order.
  const matched: { groupId: string; scopes: readonly string[]; code: number }[] = [];
  const groupsAccesses = room.groupsAccesses;
  const groupIds = identity.groupIds;
  let groupsCode = 0;
  if (groupsAccesses !== undefined && groupIds !== undefined) {
    for (let i = 0; i < groupIds.length; i++) {
      const groupId = groupIds[i]!;
      if (!Object.hasOwn(groupsAccesses, groupId) || matched.some((group) => group.groupId === groupId)) continue;
      const scopes = groupsAccesses[groupId]!;
      const code = encodeScopes(scopes);
      matched.push({ groupId, scopes, code });
      groupsCode = strongestOf(groupsCode, code);
    }
  }
  const usersAccesses = room.usersAccesses;
  const userScopes =
    usersAccesses !== undefined && Object.hasOwn(usersAccesses, identity.userId) ? usersAccesses[identity.userId]! : undefined;
  const userCode = userScopes === undefined ? 0 : encodeScopes(userScopes);

  let layered = overlay(defaultCode, groupsCode);
  layered = overlay(layered, userCode);
  const decision = decisionFor(layered);

  const resources = {} as Record<Resource, ResourceExplanation>;
  for (const resource of RESOURCES) {
    const shift = RESOURCE_SHIFT[resource];
    const at = (code: number) => LEVELS[(code >> shift) & 3]!;
    resources[resource] = {
      level: decision.matrix[resource],
      decidedBy: sourceOf(resource, layered, userCode, groupsCode, matched, userScopes, defaults),
      default: at(defaultCode),
      groups: matched.map((group) => ({ groupId: group.groupId, level: at(group.code) })),
      user: at(userCode),
    };
  }

  const organization = {
    room: room.organizationId ?? DEFAULT_ORGANIZATION,
    identity: identity.organizationId ?? DEFAULT_ORGANIZATION,
  };
  const reason = organization.room !== organization.identity ? "organization-mismatch" : decision.canEnter ? "allowed" : "no-access";
  const matchedGroups = matched.map((group) => group.groupId);
  return {
    allowed: reason === "allowed",
    reason,
    summary: summarize(reason, decision, resources, identity, matchedGroups, userScopes !== undefined, organization),
    decision,
    organization,
    hasUserEntry: userScopes !== undefined,
    matchedGroups,
    resources,
  };
}

/** The layer that set `resource` in the layered code, topmost first; a fallback when none did. */
function sourceOf(
  resource: Resource,
  layered: number,
  userCode: number,
  groupsCode: number,
  matched: readonly { groupId: string; scopes: readonly string[]; code: number }[],
  userScopes: readonly string[] | undefined,
  defaults: readonly string[],
): AccessSource {
  const shift = RESOURCE_SHIFT[resource];
  const level = (layered >> shift) & 3;
  if (((layered >> ROOM) & 3) === 0) return NOTHING;
  if (level === 0) return resource === "comments:public" || resource === "comments:private" ? FROM_COMMENTS : FROM_ROOM;
  const name = LEVELS[level] as AccessLevel;
  if (((userCode >> shift) & 3) !== 0) return { layer: "user", scope: scopeOf(userScopes!, resource, name) };
  if (((groupsCode >> shift) & 3) !== 0) {
    // The first of the user's groups that gives the merged (strongest) level.
    const group = matched.find((candidate) => ((candidate.code >> shift) & 3) === level)!;
    return { layer: "group", groupId: group.groupId, scope: scopeOf(group.scopes, resource, name) };
  }
  return { layer: "default", scope: scopeOf(defaults, resource, name) };
}

const NOTHING: AccessSource = Object.freeze({ layer: "nothing" });
const FROM_ROOM: AccessSource = Object.freeze({ layer: "fallback", from: "room" });
const FROM_COMMENTS: AccessSource = Object.freeze({ layer: "fallback", from: "comments" });

/** The scope of `scopes` that sets `resource` to `level` (a comment visibility may be set by the list's `comments` scope). */
function scopeOf(scopes: readonly string[], resource: Resource, level: AccessLevel): string {
  const names =
    resource === "room"
      ? [`*:${level}`, `room:${level}`]
      : resource === "comments:public" || resource === "comments:private"
        ? [`${resource}:${level}`, `comments:${level}`]
        : [`${resource}:${level}`];
  for (const name of names) if (scopes.includes(name)) return name;
  return names[0]!;
}

/** The one sentence of an explanation. */
function summarize(
  reason: AccessExplanation["reason"],
  decision: AccessDecision,
  resources: Record<Resource, ResourceExplanation>,
  identity: ExplainIdentity,
  matchedGroups: readonly string[],
  hasUserEntry: boolean,
  organization: AccessExplanation["organization"],
): string {
  const user = `user ${JSON.stringify(identity.userId)}`;
  if (reason === "organization-mismatch") {
    return `Denied: the room is in organization ${JSON.stringify(organization.room)}, the identity in ${JSON.stringify(organization.identity)}.`;
  }
  if (reason === "no-access") {
    const groups = (identity.groupIds?.length ?? 0) === 0 ? "no groups" : "no group with an entry";
    return `Denied: the default access is empty, ${user} has no entry, and ${groups}.`;
  }
  // Read-only or not is storage's level; say who set it, through the fallback to room if need be.
  const storage = resources.storage.decidedBy;
  const decided = storage.layer === "fallback" ? resources.room.decidedBy : storage;
  const head = decision.canWrite ? "Can write" : "Read-only";
  let by: string;
  if (decided.layer === "user") by = `the entry of ${user} grants ${decided.scope}`;
  else if (decided.layer === "group") by = `group ${JSON.stringify(decided.groupId)} grants ${decided.scope}`;
  else if (decided.layer === "default") by = `the default access grants ${decided.scope}`;
  else by = "no layer sets storage"; // unreachable once entry is granted: room is set by some layer
  if (decided.layer !== "user") by += hasUserEntry ? "" : `, and ${user} has no entry`;
  if (decided.layer === "default") by += matchedGroups.length === 0 ? " nor any group" : "";
  return `${head}: ${by}.`;
}
