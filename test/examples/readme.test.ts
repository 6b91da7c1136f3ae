/**
 * The README's resolveAccess example, run as a reader would paste it: every
 * `console.log(x); // y` line must print y.
 */
import { readFileSync } from "node:fs";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
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

  describe("Using it in an app", () => {
    const SECRET = "sk_readme_example_0123456789abcdefghij";
    afterEach(() => {
      delete (globalThis as { __roomgate?: unknown }).__roomgate;
    });

    /** Evaluates the README's lib/liveblocks.ts as a module load would; returns its `liveblocks` export. */
    function loadLibModule(): roomgate.Liveblocks {
      const block = codeBlockContaining("globalThis as typeof globalThis & { __roomgate?: Liveblocks }");
      const js = ts.transpileModule(block, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      const body = `${js.replace(/^import .*$/m, "").replace(/^export const /m, "const ")}\nreturn liveblocks;`;
      return new Function("Liveblocks", "process", body)(roomgate.Liveblocks, { env: { ROOMGATE_SECRET: SECRET } });
    }

    it("lib/liveblocks.ts example - a module reload (next dev) gets the same instance and its rooms", async () => {
      const first = loadLibModule();
      await first.getOrCreateRoom("doc", { defaultAccesses: [] });
      const reloaded = loadLibModule();
      expect(reloaded).toBe(first);
      expect((await reloaded.getRoom("doc")).id).toBe("doc");
    });

    it("new Liveblocks - instances with the README's secret share the default store; another secret does not", async () => {
      const a = new roomgate.Liveblocks({ secret: SECRET });
      const b = new roomgate.Liveblocks({ secret: SECRET });
      await a.getOrCreateRoom("doc", { defaultAccesses: [] });
      expect((await b.getRoom("doc")).id).toBe("doc");
      const other = new roomgate.Liveblocks({ secret: `${SECRET}_other` });
      await expect(other.getRoom("doc")).rejects.toMatchObject({ status: 404 });
    });

    it("README - no module example creates a room at its top level (next build would run it)", () => {
      const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
      // A block with an export is a module; the API reference's snippets are not.
      const modules = blocks.filter((block) => /^export /m.test(block));
      expect(modules.length).toBeGreaterThanOrEqual(3);
      for (const block of modules) expect(block).not.toMatch(/^(await )?liveblocks\.(createRoom|getOrCreateRoom|upsertRoom)\(/m);
    });
  });
});
