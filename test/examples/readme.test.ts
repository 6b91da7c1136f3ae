/**
 * The README's resolveAccess example, run as a reader would paste it: every
 * `console.log(x); // y` line must print y.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as roomgate from "../../src/index.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

function codeBlockContaining(marker: string): string {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.includes(marker));
  if (block === undefined) throw new Error(`README has no ts block with ${marker}`);
  return block;
}

describe("README", () => {
  it("resolveAccess example - prints what its comments say", () => {
    const block = codeBlockContaining('import { resolveAccess } from "roomgate";');
    const body = block.replace(/^import .*$/m, "");
    const printed: unknown[] = [];
    const expected: unknown[] = [];
    for (const line of body.split("\n")) {
      const comment = line.match(/console\.log\(.*\);\s*\/\/\s*(.+)$/);
      if (comment) expected.push(JSON.parse(comment[1]!));
    }
    const run = new Function("resolveAccess", "console", body);
    run(roomgate.resolveAccess, { log: (value: unknown) => printed.push(value) });
    expect(expected).toHaveLength(4);
    expect(printed).toEqual(expected);
  });
});
