/**
 * Shape guards for parsed JSON: the one check every layer makes before it
 * reads the fields of a value that came over the wire, from a store or from
 * a verifier.
 */

/** A non-null object that is not an array: what a JSON object parses to. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An object literal's shape: a non-array object whose prototype is `Object.prototype` or `null`. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
