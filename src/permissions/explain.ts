/**
 * Why a user gets what `resolveAccess` gives: per resource, which layer set
 * the level (the default, which group, the user's entry, or a fallback) and
 * what every layer said, plus the organization check of room entry. Pure
 * and synchronous; the decision it carries is always `resolveAccess`'s.
 */
import { type AccessDecision, decisionFor, overlay } from "./decision.js";
import { encodedRulesOf } from "./encoded.js";
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

/**
 * What one layer's list sets, per resource: a level, or `null` where the
 * list says nothing (a comment visibility the list does not name follows
 * the list's own `comments`). Shared and frozen: the same list encoding
 * always gives the same object.
 */
export type LayerLevels = { readonly [R in Resource]: LayerLevel };

/** One resource explained: its effective level and the layer that set it. */
export type ResourceExplanation = {
  /** The effective level: `decision.matrix[resource]`. */
  readonly level: AccessLevel;
  /** The layer that set it. */
  readonly decidedBy: AccessSource;
};

/**
 * The explanation of one identity's access to one room.
 *
 * - `decision` is exactly `resolveAccess(room, identity)`: the permissions
 *   alone, whatever the organizations.
 * - `allowed` is what room entry decides with an ID token of this identity:
 *   `decision.canEnter`, and the room in the identity's organization.
 *
 * `explainAccess` builds `summary`, `resources` and `layers` when first read
 * (getters), so a check of `allowed` costs what `resolveAccess` costs;
 * `toJSON()` gives every part as plain data.
 */
export type AccessExplanation = {
  readonly allowed: boolean;
  /** `allowed`, or why not: the organizations differ, or no layer grants entry. */
  readonly reason: "allowed" | "organization-mismatch" | "no-access";
  /** One sentence for a share dialog or a support tool. */
  readonly summary: string;
  readonly decision: AccessDecision;
  readonly organization: { readonly room: string; readonly identity: string };
  /** Every resource of `RESOURCES`: its level and what set it. */
  readonly resources: { readonly [R in Resource]: ResourceExplanation };
  /** What each layer said, per resource, in the order they apply. */
  readonly layers: {
    readonly default: LayerLevels;
    /** The identity's groups that have an entry, in the identity's order, once each. */
    readonly groups: readonly { readonly groupId: string; readonly levels: LayerLevels }[];
    /** The user's entry, or `null` when there is none. */
    readonly user: LayerLevels | null;
  };
};

const LEVELS: readonly LayerLevel[] = [null, "none", "read", "write"];
const ROOM = RESOURCE_SHIFT.room;

/** One frozen {@link LayerLevels} per encoded list (4^6), built on first use. */
const LAYER_LEVELS: (LayerLevels | undefined)[] = new Array(1 << 12);

function layerLevels(code: number): LayerLevels {
  return (LAYER_LEVELS[code] ??= Object.freeze({
    room: LEVELS[(code >> RESOURCE_SHIFT.room) & 3]!,
    storage: LEVELS[(code >> RESOURCE_SHIFT.storage) & 3]!,
    comments: LEVELS[(code >> RESOURCE_SHIFT.comments) & 3]!,
    "comments:public": LEVELS[(code >> RESOURCE_SHIFT["comments:public"]) & 3]!,
    "comments:private": LEVELS[(code >> RESOURCE_SHIFT["comments:private"]) & 3]!,
    feeds: LEVELS[(code >> RESOURCE_SHIFT.feeds) & 3]!,
  }));
}

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
export function explainAccess(room: ExplainRoom, identity: ExplainIdentity): AccessExplanation & { toJSON(): AccessExplanation } {
  const defaults = room.defaultAccesses;
  // A deeply frozen room (MemoryStore's rules) has its lists encoded once already, as resolveAccess reads them.
  const encoded = encodedRulesOf(room);
  const defaultCode = encoded === undefined ? encodeScopes(defaults) : encoded.defaults;
  // The identity's groups with an entry, once each, in the identity's order.
  const matched: Matched[] = [];
  const groupsAccesses = room.groupsAccesses;
  const groupIds = identity.groupIds;
  let groupsCode = 0;
  if (groupsAccesses !== undefined && groupIds !== undefined) {
    for (let i = 0; i < groupIds.length; i++) {
      const groupId = groupIds[i]!;
      if (!Object.hasOwn(groupsAccesses, groupId) || isMatched(matched, groupId)) continue;
      const scopes = groupsAccesses[groupId]!;
      const code = encoded?.groups.get(groupId) ?? encodeScopes(scopes);
      matched.push({ groupId, scopes, code, levels: layerLevels(code) });
      groupsCode = strongestOf(groupsCode, code);
    }
  }
  const usersAccesses = room.usersAccesses;
  const userScopes =
    usersAccesses !== undefined && Object.hasOwn(usersAccesses, identity.userId) ? usersAccesses[identity.userId]! : undefined;
  const userCode = userScopes === undefined ? 0 : (encoded?.users.get(identity.userId) ?? encodeScopes(userScopes));

  const layered = overlay(overlay(defaultCode, groupsCode), userCode);
  return new Explanation(
    decisionFor(layered),
    { layered, defaultCode, userCode, groupsCode, matched, userScopes, defaults },
    identity,
    room.organizationId ?? DEFAULT_ORGANIZATION,
    identity.organizationId ?? DEFAULT_ORGANIZATION,
  );
}

/**
 * An explanation whose parts are built when first read: the decision and
 * the verdict cost what `resolveAccess` costs, and a caller that reads only
 * `allowed` or `summary` pays for nothing else. `toJSON` gives every part,
 * so it travels as plain JSON.
 */
class Explanation implements AccessExplanation {
  readonly allowed: boolean;
  readonly reason: AccessExplanation["reason"];
  readonly decision: AccessDecision;
  readonly #layers: Layers;
  readonly #identity: ExplainIdentity;
  readonly #roomOrganization: string;
  readonly #identityOrganization: string;
  #resources: AccessExplanation["resources"] | undefined;
  #layerLevels: AccessExplanation["layers"] | undefined;
  #summary: string | undefined;

  constructor(decision: AccessDecision, layers: Layers, identity: ExplainIdentity, roomOrganization: string, identityOrganization: string) {
    this.decision = decision;
    this.#layers = layers;
    this.#identity = identity;
    this.#roomOrganization = roomOrganization;
    this.#identityOrganization = identityOrganization;
    this.reason = roomOrganization !== identityOrganization ? "organization-mismatch" : decision.canEnter ? "allowed" : "no-access";
    this.allowed = this.reason === "allowed";
  }

  get organization(): AccessExplanation["organization"] {
    return { room: this.#roomOrganization, identity: this.#identityOrganization };
  }

  get resources(): AccessExplanation["resources"] {
    if (this.#resources !== undefined) return this.#resources;
    const matrix = this.decision.matrix;
    const layers = this.#layers;
    // One literal, each resource by name: a loop with computed keys cost several times more.
    return (this.#resources = Object.freeze({
      room: { level: matrix.room, decidedBy: sourceOf(RESOURCE_SHIFT.room, layers) },
      storage: { level: matrix.storage, decidedBy: sourceOf(RESOURCE_SHIFT.storage, layers) },
      comments: { level: matrix.comments, decidedBy: sourceOf(RESOURCE_SHIFT.comments, layers) },
      "comments:public": { level: matrix["comments:public"], decidedBy: sourceOf(RESOURCE_SHIFT["comments:public"], layers) },
      "comments:private": { level: matrix["comments:private"], decidedBy: sourceOf(RESOURCE_SHIFT["comments:private"], layers) },
      feeds: { level: matrix.feeds, decidedBy: sourceOf(RESOURCE_SHIFT.feeds, layers) },
    }));
  }

  get layers(): AccessExplanation["layers"] {
    if (this.#layerLevels !== undefined) return this.#layerLevels;
    const { matched, userScopes, userCode, defaultCode } = this.#layers;
    return (this.#layerLevels = Object.freeze({
      default: layerLevels(defaultCode),
      groups: Object.freeze(matched.map((group) => Object.freeze({ groupId: group.groupId, levels: group.levels }))),
      user: userScopes === undefined ? null : layerLevels(userCode),
    }));
  }

  get summary(): string {
    return (this.#summary ??= summarize(
      this.reason,
      this.decision,
      this.resources,
      this.#identity,
      this.#layers.matched.length,
      this.#layers.userScopes !== undefined,
      this.organization,
    ));
  }

  /** Every part, as plain data: what `JSON.stringify` writes. */
  toJSON(): AccessExplanation {
    return {
      allowed: this.allowed,
      reason: this.reason,
      summary: this.summary,
      decision: this.decision,
      organization: this.organization,
      resources: this.resources,
      layers: this.layers,
    };
  }
}

/** A group of the identity with an entry, encoded. */
type Matched = { groupId: string; scopes: readonly string[]; code: number; levels: LayerLevels };

function isMatched(matched: readonly Matched[], groupId: string): boolean {
  for (let i = 0; i < matched.length; i++) if (matched[i]!.groupId === groupId) return true;
  return false;
}

/** What one explanation reads of each layer. */
type Layers = {
  readonly layered: number;
  readonly defaultCode: number;
  readonly userCode: number;
  readonly groupsCode: number;
  readonly matched: readonly Matched[];
  readonly userScopes: readonly string[] | undefined;
  readonly defaults: readonly string[];
};

/** The layer that set `resource` in the layered code, topmost first; a fallback when none did. */
function sourceOf(shift: number, { layered, userCode, groupsCode, matched, userScopes, defaults }: Layers): AccessSource {
  const level = (layered >> shift) & 3;
  if (((layered >> ROOM) & 3) === 0) return NOTHING;
  if (level === 0) return shift === PUBLIC_SHIFT || shift === PRIVATE_SHIFT ? FROM_COMMENTS : FROM_ROOM;
  if (((userCode >> shift) & 3) !== 0) return { layer: "user", scope: scopeOf(userScopes!, shift, level) };
  if (((groupsCode >> shift) & 3) !== 0) {
    // The first of the user's groups that gives the merged (strongest) level.
    let group = matched[0]!;
    for (let i = 0; i < matched.length; i++) {
      if (((matched[i]!.code >> shift) & 3) === level) {
        group = matched[i]!;
        break;
      }
    }
    return { layer: "group", groupId: group.groupId, scope: scopeOf(group.scopes, shift, level) };
  }
  return { layer: "default", scope: scopeOf(defaults, shift, level) };
}

const NOTHING: AccessSource = Object.freeze({ layer: "nothing" });
const FROM_ROOM: AccessSource = Object.freeze({ layer: "fallback", from: "room" });
const FROM_COMMENTS: AccessSource = Object.freeze({ layer: "fallback", from: "comments" });

const PUBLIC_SHIFT = RESOURCE_SHIFT["comments:public"];
const PRIVATE_SHIFT = RESOURCE_SHIFT["comments:private"];

/**
 * By `shift / 2 * 4 + level code`, the scopes of one list that set that
 * resource to that level, preferred first (a comment visibility may be set
 * by the list's `comments` scope).
 */
const SCOPE_NAMES: readonly (readonly string[])[] = (() => {
  const names: string[][] = [];
  for (const resource of RESOURCES) {
    for (let code = 0; code < 4; code++) {
      const level = LEVELS[code] ?? "none";
      names[(RESOURCE_SHIFT[resource] / 2) * 4 + code] =
        resource === "room"
          ? [`*:${level}`, `room:${level}`]
          : resource === "comments:public" || resource === "comments:private"
            ? [`${resource}:${level}`, `comments:${level}`]
            : [`${resource}:${level}`];
    }
  }
  return names;
})();

/** The scope of `scopes` that sets the resource at `shift` to level code `level`. */
function scopeOf(scopes: readonly string[], shift: number, level: number): string {
  const names = SCOPE_NAMES[(shift / 2) * 4 + level]!;
  for (let i = 0; i < names.length; i++) if (scopes.includes(names[i]!)) return names[i]!;
  return names[0]!;
}

/** `id` as a JSON string, without the call when nothing needs escaping. */
function quote(id: string): string {
  return NEEDS_ESCAPE.test(id) ? JSON.stringify(id) : `"${id}"`;
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029\ud800-\udfff]/;

/** The one sentence of an explanation. */
function summarize(
  reason: AccessExplanation["reason"],
  decision: AccessDecision,
  resources: { readonly [R in Resource]: ResourceExplanation },
  identity: ExplainIdentity,
  matchedGroups: number,
  hasUserEntry: boolean,
  organization: AccessExplanation["organization"],
): string {
  const user = `user ${quote(identity.userId)}`;
  if (reason === "organization-mismatch") {
    return `Denied: the room is in organization ${quote(organization.room)}, the identity in ${quote(organization.identity)}.`;
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
  else if (decided.layer === "group") by = `group ${quote(decided.groupId)} grants ${decided.scope}`;
  else if (decided.layer === "default") by = `the default access grants ${decided.scope}`;
  else by = "no layer sets storage"; // unreachable once entry is granted: room is set by some layer
  if (decided.layer !== "user") by += hasUserEntry ? "" : `, and ${user} has no entry`;
  if (decided.layer === "default") by += matchedGroups === 0 ? " nor any group" : "";
  return `${head}: ${by}.`;
}
