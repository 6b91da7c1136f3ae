/**
 * Global setup of `npm run test:e2e`: builds roomgate once (`npm run build`),
 * since the examples install and load the built package, not the sources.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync("npm", ["run", "build"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
}
