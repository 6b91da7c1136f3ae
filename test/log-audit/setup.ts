/**
 * Global setup of the test runs: a folder every `spawnServe` appends its
 * child's stdout and stderr to, and at the end of the run a check of all of
 * it for secrets, tokens and `Bearer` (see `findLeaks`); a leak fails the run.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LOG_DIR_ENV, findLeaks } from "./audit.js";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "roomgate-serve-logs-"));
  // Set before the workers start, so they and the servers they spawn inherit it.
  process.env[LOG_DIR_ENV] = dir;
  return () => {
    const leaks: string[] = [];
    let files = 0;
    for (const file of readdirSync(dir)) {
      files++;
      for (const leak of findLeaks(readFileSync(join(dir, file), "utf8"))) leaks.push(`${file} ${leak}`);
    }
    if (leaks.length > 0) {
      // Vitest reports an error thrown here but still exits 0: the exit code is set too. The logs are kept for reading.
      process.exitCode = 1;
      throw new Error(`roomgate serve logged credentials (logs kept in ${dir}):\n${leaks.join("\n")}`);
    }
    rmSync(dir, { recursive: true, force: true });
    if (process.env["ROOMGATE_LOG_AUDIT_VERBOSE"]) console.log(`log audit: ${files} serve logs, no credentials`);
  };
}
