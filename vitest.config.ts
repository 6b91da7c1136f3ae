import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

/** `roomgate/<name>` → `src/<name>.ts` or `src/<name>/index.ts`, as tsup builds it. */
function entrySource(name: string): string {
  const file = src(`${name}.ts`);
  return existsSync(file) ? file : src(`${name}/index.ts`);
}

export default defineConfig({
  resolve: {
    // The examples import "roomgate" as their users do; the fast suite runs them against the sources.
    alias: [
      { find: /^roomgate$/, replacement: src("index.ts") },
      ...["testing", "sqlite", "postgres", "http", "hocuspocus", "websocket", "y-websocket", "webhooks"].map((name) => ({
        find: new RegExp(`^roomgate/${name}$`),
        replacement: entrySource(name),
      })),
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.e2e.test.ts", "**/*.edge.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Every spawned `roomgate serve` logs to one folder, checked for credentials at the end of the run.
    globalSetup: ["./test/log-audit/setup.ts"],
    benchmark: {
      include: ["bench/**/*.bench.ts"],
    },
  },
});
