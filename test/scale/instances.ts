/**
 * `roomgate serve` from the built package (`dist/cli.js`, as `npm run
 * test:e2e`'s global setup builds it), one process per instance, the way a
 * user or a container starts it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BUILT_CLI = join(ROOT, "dist/cli.js");

export type Instance = {
  child: ChildProcess;
  url: string;
  output(): string;
  /** SIGTERM (or `signal`), then the exit code and signal. */
  stop(signal?: NodeJS.Signals): Promise<[number | null, NodeJS.Signals | null]>;
};

/**
 * Spawns `command args` and waits (at most `timeoutMs`) for the banner's
 * `listening on <url>` line.
 */
export async function spawnListening(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
): Promise<Instance> {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within ${timeoutMs} ms: ${output}`)), timeoutMs);
      const check = () => {
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout!.on("data", check);
      child.stderr!.on("data", check);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${command} exited with ${code}: ${output}`));
      });
    });
    return { child, url, output: () => output, stop };
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
}

/** `roomgate serve` on PostgreSQL, a free loopback port, the secret from the environment. */
export function spawnServe(databaseUrl: string, schema: string, secret: string): Promise<Instance> {
  return spawnListening(
    process.execPath,
    [BUILT_CLI, "serve", "--host", "127.0.0.1", "--port", "0", "--database-url", databaseUrl, "--schema", schema],
    { ...process.env, ROOMGATE_SECRET: secret },
  );
}
