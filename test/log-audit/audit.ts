/**
 * The check that no log of `roomgate serve` holds a token, a secret or an
 * `Authorization` header: by shape (secret keys, JWTs, `Bearer`) and by the
 * exact strings a test knows it used.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** The environment variable naming the folder every spawned serve's output is appended to. */
export const LOG_DIR_ENV = "ROOMGATE_TEST_LOG_DIR";

/** The banner line after this one shows a generated secret on purpose (once, at start): it is not a leak. */
const GENERATED_SECRET_INTRO = "generated one for this run, shown only now:";

const SHAPES: ReadonlyArray<readonly [string, RegExp]> = [
  ["a secret key (sk_…)", /sk_[A-Za-z0-9_-]{22,}/],
  ["a JWT", /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/],
  ["a Bearer credential", /bearer/i],
  ["an Authorization header", /authorization\s*[:=]/i],
];

/**
 * Every leak in `text`, one line each (empty when clean): a line that has
 * one of `known` or the shape of a credential.
 *
 * @example
 * ```ts
 * expect(findLeaks(output, [SECRET, token])).toEqual([]);
 * ```
 */
export function findLeaks(text: string, known: readonly string[] = []): string[] {
  const leaks: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (i > 0 && lines[i - 1]!.includes(GENERATED_SECRET_INTRO)) continue;
    for (const value of known) if (value !== "" && line.includes(value)) leaks.push(`line ${i + 1}: a known secret or token`);
    for (const [what, shape] of SHAPES) if (shape.test(line)) leaks.push(`line ${i + 1}: ${what}`);
  }
  return leaks;
}

/** Appends `output` of one serve process to the run's log folder, when the run has one. */
export function funnelServeLog(name: string, output: string): void {
  const dir = process.env[LOG_DIR_ENV];
  if (dir === undefined || dir === "") return;
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `${name}.log`), output);
}
