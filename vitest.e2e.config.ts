import { defineConfig } from "vitest/config";

/**
 * `npm run test:e2e`: the slow end-to-end tests (`*.e2e.test.ts`), run against
 * the built package as users receive it (no source aliases): a real `next
 * build` and `next start`, headless Chromium. `npm test` excludes them.
 */
export default defineConfig({
  test: {
    include: ["**/*.e2e.test.ts"],
    exclude: ["**/node_modules/**", "**/.next/**", "**/dist/**"],
    globalSetup: ["./test/e2e-setup.ts", "./test/log-audit/setup.ts"],
    // One at a time: each builds and starts servers of its own, on 2 cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
