/**
 * The Web build's module graph: what `edge-light`, `workerd`, `worker` and
 * `deno` resolve to must import nothing from Node and touch no Node global.
 * The graph is bundled from the sources here (fast, no `npm run build`);
 * scripts/package-check.mjs checks the built dist/web.js the same way.
 */
import { describe, expect, it } from "vitest";
import { webBundle } from "./web-build.js";

describe("Web build graph", () => {
  it("imports - nothing external, no node: module (zod is bundled here, external in dist/web.js)", async () => {
    const { externalImports, code } = await webBundle();
    expect(externalImports).toEqual([]);
    expect(code.match(/\bfrom\s*["']node:|import\(\s*["']node:|require\(/)?.[0]).toBeUndefined();
    // Not SQLite, Postgres, the HTTP server or the CLI.
    expect(code.match(/better-sqlite3|from\s*["']pg["']|createServer/)?.[0]).toBeUndefined();
  });

  it("globals - no Buffer, process or setImmediate (edge-runtime has none of them)", async () => {
    const { code } = await webBundle();
    // Property accesses on the globals and calls of setImmediate; zod's own `process(` method is not one.
    const uses = [...code.matchAll(/(?<![.\w$])(?:Buffer|process)\s*\.|(?<![.\w$])setImmediate\s*\(/g)].map((m) => m[0]);
    expect(uses).toEqual([]);
  });

  it("crypto - the bundle holds the Web implementation, not the Node one", async () => {
    const { code } = await webBundle();
    expect(code.includes("crypto.subtle.sign")).toBe(true);
    expect(code.includes("createHmac")).toBe(false);
  });
});
