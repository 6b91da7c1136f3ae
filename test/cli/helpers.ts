/** `roomgate serve` as a child process, the way a user starts it. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { funnelServeLog } from "../log-audit/audit.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** Absolute, so the child can run in any working directory. */
export const CLI = join(ROOT, "src/cli/index.ts");
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

/** The node arguments that run the `roomgate` command from source. */
export function cliArgs(...args: string[]): string[] {
  return ["--import", TSX, CLI, ...args];
}

/** A fresh temporary directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "roomgate-cli-"));
}

export type ServeProcess = {
  child: ChildProcess;
  url: string;
  /** Everything printed on stdout so far. */
  output(): string;
  /** Everything printed on stderr so far. */
  errors(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
};

/**
 * Spawns `src/cli/index.ts` through tsx's loader in one node process (npx
 * would put two processes between the test and the server's signals) and
 * waits for the banner line with the bound address. It runs in `cwd`, by
 * default a temporary directory of its own (removed on stop), so the default
 * `./roomgate.db` never lands in the repository.
 */
export async function spawnServe(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<ServeProcess> {
  const own = cwd === undefined ? tempDir() : undefined;
  const child = spawn(process.execPath, cliArgs("serve", "--port", "0", ...args), {
    cwd: cwd ?? own,
    env: { ...process.env, ROOMGATE_SECRET: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit");
  // Every serve's output lands in the run's log folder, checked for credentials when the run ends.
  child.once("close", () => funnelServeLog(`serve-${child.pid}`, `${stdout}\n${stderr}`));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) {
        child.stdout!.off("data", check);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => reject(new Error(`roomgate serve exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    url,
    output: () => stdout,
    errors: () => stderr,
    async stop() {
      if (child.exitCode === null && !child.killed) child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      if (own !== undefined) rmSync(own, { recursive: true, force: true });
      return code;
    },
  };
}
