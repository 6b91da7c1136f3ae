import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * The token and permission tests again, in Vercel's Edge runtime VM
 * (`@edge-runtime/vm`), against the Web crypto implementation: every import
 * of `src/runtime/crypto/node.ts` is swapped for `web.ts`, as the Web build
 * (`dist/web.js`) does. Part of `npm test`.
 */
const web = fileURLToPath(new URL("./src/runtime/crypto/web.ts", import.meta.url));

const baseAlias = base.resolve?.alias;

export default defineConfig({
  resolve: {
    alias: [
      { find: /^(?:\.\.?\/)+(?:src\/)?(?:runtime\/)?crypto\/node\.js$/, replacement: web },
      ...(Array.isArray(baseAlias) ? baseAlias : []),
    ],
  },
  test: {
    name: "edge",
    environment: "edge-runtime",
    // The token files that use only secrets and JWKs; the others build keys as
    // Node KeyObjects or PEM, which the Web build does not take.
    include: ["test/tokens/{errors,hmac,ids,remote-jwks}.test.ts", "test/permissions/**/*.test.ts", "test/**/*.edge.test.ts"],
    exclude: ["**/node_modules/**", "**/*.e2e.test.ts", "test/edge/bun/**"],
    testTimeout: 30_000,
  },
});
