/**
 * The decision table: every layered, encoded permission matrix maps to one
 * frozen decision, with Liveblocks' fallbacks (storage, comments and feeds
 * default to the room level; each comment visibility to comments) and its
 * canonical scope order. Pure and synchronous.
 */
import {
  type AccessLevel,
  type Permission,
  type PermissionMatrix,
  RESOURCE_SHIFT,
  RESOURCES,
  encodeScopes,
  fieldsSetBy,
} from "./scopes.js";

/**
 * The outcome of resolving access. Decisions are shared and frozen: the same
 * matrix always yields the same object.
 */
export type AccessDecision = {
  /** The user may enter the room (`room` is not `none`). */
  readonly canEnter: boolean;
  /** The user may write storage. */
  readonly canWrite: boolean;
  /** The user may write comments of some visibility. */
  readonly canComment: boolean;
  /** `!canWrite`: what `@liveblocks/client` shows as read-only. */
  readonly isReadOnly: boolean;
  /** The canonical scopes that give exactly `matrix`. */
  readonly scopes: readonly Permission[];
  /** The level of every resource. */
  readonly matrix: PermissionMatrix;
};

const ROOM = RESOURCE_SHIFT.room;
const LEVEL_NAME: readonly AccessLevel[] = ["none", "none", "read", "write"];

/** One frozen decision per possible encoded matrix (4^6), built on first use. */
const DECISIONS: (AccessDecision | undefined)[] = new Array(1 << 12);

/**
 * @internal The decision for an encoded, layered explicit matrix.
 */
export function decisionFor(code: number): AccessDecision {
  return (DECISIONS[code] ??= buildDecision(code));
}

function buildDecision(code: number): AccessDecision {
  const level = (shift: number) => (code >> shift) & 3;
  const room = level(ROOM);
  const matrix = {} as Record<(typeof RESOURCES)[number], AccessLevel>;
  if (room === 0) {
    for (const resource of RESOURCES) matrix[resource] = "none";
  } else {
    const comments = level(RESOURCE_SHIFT.comments) || room;
    const fallback: Record<(typeof RESOURCES)[number], number> = {
      room,
      storage: room,
      comments: room,
      "comments:public": comments,
      "comments:private": comments,
      feeds: room,
    };
    for (const resource of RESOURCES) {
      matrix[resource] = LEVEL_NAME[level(RESOURCE_SHIFT[resource]) || fallback[resource]]!;
    }
  }
  const canWrite = matrix.storage === "write";
  const decision: AccessDecision = {
    canEnter: matrix.room !== "none",
    canWrite,
    canComment: matrix.comments === "write" || matrix["comments:public"] === "write" || matrix["comments:private"] === "write",
    isReadOnly: !canWrite,
    scopes: Object.freeze(canonicalScopes(matrix)),
    matrix: Object.freeze(matrix),
  };
  return Object.freeze(decision);
}

/** The shortest scope list that yields `matrix`, in Liveblocks' order. */
function canonicalScopes(matrix: PermissionMatrix): Permission[] {
  const scopes: Permission[] = [];
  const base = matrix.room;
  if (base !== "none") scopes.push(base === "write" ? "*:write" : "*:read");
  if (matrix.storage !== base) scopes.push(`storage:${matrix.storage}`);
  if (matrix.comments !== base) scopes.push(`comments:${matrix.comments}`);
  if (matrix["comments:public"] !== matrix.comments) {
    scopes.push(`comments:public:${matrix["comments:public"]}`);
  }
  if (matrix["comments:private"] !== matrix.comments) {
    scopes.push(`comments:private:${matrix["comments:private"]}`);
  }
  if (matrix.feeds !== base) scopes.push(`feeds:${matrix.feeds}`);
  return scopes;
}

/** A layer overrides every resource it sets, in both directions. */
export function overlay(below: number, layer: number): number {
  return (below & ~fieldsSetBy(layer)) | layer;
}

/**
 * Turns a scope list into its full permission matrix, the way
 * `permissionMatrixFromScopes` in `@liveblocks/core` does.
 *
 * @example
 * ```ts
 * permissionMatrixOf(["*:read", "comments:write"]).comments; // "write"
 * ```
 */
export function permissionMatrixOf(scopes: readonly string[]): PermissionMatrix {
  return decisionFor(encodeScopes(scopes)).matrix;
}
