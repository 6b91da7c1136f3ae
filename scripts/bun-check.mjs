// `npm run test:bun` (after `npm run build`; .ci/run runs it): the built
// package's token and access paths under Bun, from the binary that the
// `@oven/bun-linux-x64` dev dependency ships. On another platform the binary
// is absent: the check says so and is skipped (exit 0), never silently.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bun = join(root, "node_modules", "@oven", "bun-linux-x64", "bin", "bun");
if (!existsSync(join(root, "dist", "web.js"))) {
  console.error("bun check: dist/web.js is missing; run `npm run build` first");
  process.exit(1);
}
if (process.platform !== "linux" || process.arch !== "x64" || !existsSync(bun)) {
  console.log(`bun check: SKIPPED - no Bun binary for ${process.platform}-${process.arch} (@oven/bun-linux-x64 is linux-x64 only)`);
  process.exit(0);
}
const result = spawnSync(bun, ["run", join(root, "scripts", "bun", "check.ts")], { cwd: root, stdio: "inherit" });
process.exit(result.status ?? 1);
