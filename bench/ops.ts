/**
 * What the operations of `roomgate serve` cost: `POST /v2/identify-user`
 * requests per second over loopback against two `roomgate serve --memory`
 * processes, one with metrics and JSON request logs on (the default), one
 * with both off (`--disable-metrics --log-format off`). Logs go to a file,
 * as a log collector would take them. Rounds alternate so drift on this
 * shared machine hits both alike; the ratio is the median of the per-round
 * ratios of requests per second (target: off/on ≤ 1.1×). Rounds are short
 * (0.5 s) and many (25): this VM's speed changes by up to 2x within
 * seconds, and longer rounds let one side run in a slow spell the other missed.
 *
 *   npx tsx bench/ops.ts   (runs dist/cli.js when built, else the sources through tsx)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const SECRET = "sk_bench_ops_0123456789abcdef0123456789";
const CONNECTIONS = 16;
const ROUND_MS = Number(process.env["BENCH_OPS_ROUND_MS"] ?? 500);
const ROUNDS = Number(process.env["BENCH_OPS_ROUNDS"] ?? 25);
const TARGET = 1.1;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST_CLI = join(ROOT, "dist/cli.js");
const fromDist = existsSync(DIST_CLI);
const dir = mkdtempSync(join(tmpdir(), "roomgate-bench-ops-"));
writeFileSync(join(dir, "secret"), SECRET, { mode: 0o600 });

async function start(name: string, flags: string[]): Promise<{ child: ChildProcess; url: string; logFile: string }> {
  const logFile = join(dir, `${name}.log`);
  const out = openSync(logFile, "w");
  const tsx = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
  const entry = fromDist ? [DIST_CLI] : ["--import", tsx, join(ROOT, "src/cli/index.ts")];
  const args = [...entry, "serve", "--memory", "--port", "0", "--secret-file", join(dir, "secret"), ...flags];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", out, "inherit"] });
  for (let i = 0; i < 200; i++) {
    const match = /listening on (http:\/\/\S+)/.exec(readFileSync(logFile, "utf8"));
    if (match) return { child, url: match[1]!, logFile };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGTERM");
  throw new Error(`${name} did not start`);
}

/** CPU seconds `pid` has used (user + system), from /proc; `NaN` where there is no /proc. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

type Pool = { url: URL; agent: Agent };

function post(pool: Pool, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${SECRET}`, "content-type": "application/json" };
    const req = request(new URL("/v2/identify-user", pool.url), { method: "POST", agent: pool.agent, headers }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end(body);
  });
}

/** Completed requests per second during `ms`, every answer checked to be 200. */
async function load(pool: Pool, ms: number): Promise<{ rate: number; requests: number }> {
  const body = JSON.stringify({ userId: "alice", groupIds: ["eng"], userInfo: { name: "Alice" } });
  const deadline = Date.now() + ms;
  let done = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const status = await post(pool, body);
      if (status !== 200) throw new Error(`status ${status}`);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { rate: (done * 1000) / (Date.now() - started), requests: done };
}

const servers = {
  off: await start("off", ["--disable-metrics", "--log-format", "off"]),
  on: await start("on", process.env["BENCH_OPS_ON"]?.split(" ") ?? ["--log-format", "json"]),
};
const pools = {
  off: { url: new URL(servers.off.url), agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }) },
  on: { url: new URL(servers.on.url), agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }) },
};
try {
  await load(pools.off, 1000);
  await load(pools.on, 1000);
  const ratios: number[] = [];
  const rates = { off: [] as number[], on: [] as number[] };
  // Server CPU per request: what the server itself spends, whatever else the shared machine runs.
  const cpu = { off: [] as number[], on: [] as number[] };
  const cpuRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
    for (const name of order) {
      const before = cpuSeconds(servers[name].child.pid);
      const { rate, requests } = await load(pools[name], ROUND_MS);
      rates[name].push(rate);
      cpu[name].push(((cpuSeconds(servers[name].child.pid) - before) * 1e6) / requests);
    }
    ratios.push(rates.off.at(-1)! / rates.on.at(-1)!);
    cpuRatios.push(cpu.on.at(-1)! / cpu.off.at(-1)!);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const r = median(ratios);
  const logged = readFileSync(servers.on.logFile, "utf8")
    .split("\n")
    .filter((line) => line.startsWith('{"time"')).length;
  const scrape = await fetch(`${servers.on.url}/metrics`).then((res) => res.text());
  const counted = /roomgate_tokens_issued_total\{kind="id"\} (\d+)/.exec(scrape)?.[1];
  console.log(
    `roomgate serve (${fromDist ? "dist" : "sources via tsx"}), POST /v2/identify-user over loopback: metrics + JSON logs off ${median(rates.off).toFixed(0)} req/s vs on ${median(rates.on).toFixed(0)} req/s  off/on ${r.toFixed(2)}x  (target <= ${TARGET}x: ${r <= TARGET ? "ok" : "OVER"})`,
  );
  console.log(
    `  server CPU per request: off ${median(cpu.off).toFixed(1)} µs vs on ${median(cpu.on).toFixed(1)} µs  on/off ${median(cpuRatios).toFixed(2)}x`,
  );
  console.log(`  per round off/on: ${ratios.map((x) => x.toFixed(2)).join(" ")}`);
  console.log(
    `  on: ${logged} request lines (${(statSync(servers.on.logFile).size / 1e6).toFixed(1)} MB), ${counted} tokens counted in /metrics`,
  );
} finally {
  pools.off.agent.destroy();
  pools.on.agent.destroy();
  for (const { child } of Object.values(servers)) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
