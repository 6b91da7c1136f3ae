/**
 * The one way a constructor option is checked and refused, worded as
 * `@liveblocks/node` words its own: `Invalid value for field '<name>'.
 * Please provide <rule>.` An absent option takes its default.
 */

/** The error for option `name` that breaks `rule` ("a positive integer"). */
export function invalidOption(name: string, rule: string): TypeError {
  return new TypeError(`Invalid value for field '${name}'. Please provide ${rule}.`);
}

/** A safe integer of at least `min` (default 0), or `fallback` when absent. */
export function integerOption(name: string, value: unknown, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidOption(name, rangeRule("an integer", min, max));
  }
  return value;
}

/** A number of milliseconds (`Infinity` allowed unless `finite`), above 0 when `positive`, or `fallback` when absent. */
export function millisecondsOption(
  name: string,
  value: unknown,
  fallback: number,
  rule: { positive?: boolean; finite?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const bad =
    typeof value !== "number" ||
    Number.isNaN(value) ||
    value < 0 ||
    (rule.positive === true && value === 0) ||
    (rule.finite === true && !Number.isFinite(value));
  if (bad)
    throw invalidOption(name, `a ${rule.positive ? "positive" : "non-negative"} ${rule.finite ? "finite " : ""}number of milliseconds`);
  return value;
}

function rangeRule(kind: string, min: number, max: number): string {
  if (max !== Number.MAX_SAFE_INTEGER) return `${kind} from ${min} to ${max}`;
  if (min === 0) return `a non-negative ${kind.replace(/^an? /, "")}`;
  if (min === 1) return `a positive ${kind.replace(/^an? /, "")}`;
  return `${kind} of at least ${min}`;
}
