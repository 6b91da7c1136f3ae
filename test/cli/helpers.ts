/** `roomgate serve` as a child process, the way a user starts it. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export type ServeProcess = {
  child: ChildProcess;
  url: string;
  /** Everything printed on stdout so far. */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
};

/**
 * Spawns `src/cli/index.ts` through tsx's loader in one node process (npx
 * would put two processes between the test and the server's signals) and
 * waits for the banner line with the bound address.
 */
export async function spawnServe(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/index.ts", "serve", "--port", "0", ...args], {
    cwd: ROOT,
    env: { ...process.env, ROOMGATE_SECRET: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "exit");
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
    async stop() {
      if (child.exitCode === null && !child.killed) child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
