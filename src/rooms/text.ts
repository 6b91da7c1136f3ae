/**
 * Text every store can hold as given: well-formed Unicode (a UTF-8 column
 * cannot encode a lone surrogate, so two ids would become one U+FFFD) without
 * U+0000 (Postgres `text` cannot hold it). Every id, key and value that
 * reaches a store passes this one rule: the facade checks it with its other
 * input rules, and each durable store checks it again for direct callers.
 */

/** The rule a string breaks when a store could not hold it. */
export const NOT_STORABLE = "must not contain NUL characters or unpaired surrogates";

/** Can every store hold `value` as is? */
export function isStorableText(value: string): boolean {
  // `isWellFormed` is ES2024 (Node 20 has it); the project's lib is ES2023.
  return !value.includes("\0") && (value as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Throws a `TypeError` naming `field` unless `value` is text every store can hold. */
export function assertStorableText(value: unknown, field: string): asserts value is string {
  if (typeof value !== "string") throw new TypeError(`${field} must be a string`);
  if (!isStorableText(value)) throw new TypeError(`${field} ${NOT_STORABLE}`);
}
