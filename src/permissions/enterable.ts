/**
 * Which layers let a user enter: the question `getRooms({ accessibleBy })`
 * asks of every store. No scope lowers `room` (there is no `*:none`), and a
 * layer overrides only what it sets, so a user may enter exactly when some
 * layer that applies to them (the default, one of their groups' entries,
 * their own entry) sets a base scope. Pure and synchronous.
 */
import { type AccessDecision, decisionFor, overlay } from "./decision.js";
import { RESOURCE_SHIFT, encodeScopes } from "./scopes.js";

/** The base scopes: a list grants entry exactly when it holds one of them. */
export const BASE_SCOPES: readonly string[] = Object.freeze(["*:read", "*:write", "room:read", "room:write"]);

/**
 * @internal Does `scopes`, as one layer, set the room's base level? A user
 * enters a room exactly when one of the layers that apply to them does, so
 * `resolveAccess(room, identity).canEnter` equals
 * `grantsEntry(default) || grantsEntry(user entry) || some group entry grantsEntry`.
 */
export function grantsEntry(scopes: readonly unknown[]): boolean {
  return ((encodeScopes(scopes) >> RESOURCE_SHIFT.room) & 3) !== 0;
}

/**
 * @internal What one entry gives on its own: `defaultAccesses` overlaid with
 * `entry` (a user's or one group's list), i.e. `resolveAccess` for a user
 * with that entry and no other, or for a member of that group alone.
 */
export function accessWithEntry(defaultAccesses: readonly unknown[], entry: readonly unknown[] | undefined): AccessDecision {
  const defaults = encodeScopes(defaultAccesses);
  return decisionFor(entry === undefined ? defaults : overlay(defaults, encodeScopes(entry)));
}
