import { defineConfig } from "tsup";

const shared = {
  dts: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
  splitting: false,
  treeshake: true,
} as const;

export default defineConfig([
  { ...shared, entry: { index: "src/index.ts" }, format: ["esm", "cjs"] },
  // The conformance suite runs inside the user's own vitest, which is ESM-only.
  { ...shared, entry: { testing: "src/testing/index.ts" }, format: ["esm"], external: ["vitest"] },
]);
