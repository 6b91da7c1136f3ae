/**
 * `POST /v2/identify-user` requests per second over loopback: roomgate's
 * handler (toNodeListener) beside a bare node:http server that signs the same
 * token. Each server runs in its own process; the load generator here keeps
 * 16 keep-alive connections busy for a fixed time per round. Rounds
 * alternate so drift on this shared machine hits both alike; the ratio is
 * the median of the per-round ratios.
 *
 *   npm run build && npx tsx bench/http.ts
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";

const SECRET = "sk_bench_http_0123456789abcdef0123456789";
const CONNECTIONS = 16;
const ROUND_MS = 2000;
const ROUNDS = 7;
const TARGET = 0.9;
const ROOT = fileURLToPath(new URL("..", import.meta.url));

async function start(mode: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/http-server.ts", mode], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
  return { child, url: `http://127.0.0.1:${port}` };
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

/** A keep-alive client of one server (node:http: the bench needs no dependency). */
type Pool = { url: URL; agent: Agent };

function post(pool: Pool, path: string, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, pool.url), { method: "POST", agent: pool.agent, headers }, (res) => {
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
      const status = await post(pool, "/v2/identify-user", { authorization: `Bearer ${SECRET}`, "content-type": "application/json" }, body);
      if (status !== 200) throw new Error(`status ${status}`);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { rate: (done * 1000) / (Date.now() - started), requests: done };
}

const servers = { roomgate: await start("roomgate"), bare: await start("bare") };
const pools = {
  roomgate: { url: new URL(servers.roomgate.url), agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }) },
  bare: { url: new URL(servers.bare.url), agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }) },
};
try {
  // Warm-up: JIT both paths before measuring.
  await load(pools.bare, 1000);
  await load(pools.roomgate, 1000);
  const ratios: number[] = [];
  const rates = { roomgate: [] as number[], bare: [] as number[] };
  // Server CPU per request: what the server itself spends, whatever the load generator costs.
  const cpu = { roomgate: [] as number[], bare: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["bare", "roomgate"] as const) : (["roomgate", "bare"] as const);
    for (const name of order) {
      const before = cpuSeconds(servers[name].child.pid);
      const { rate, requests } = await load(pools[name], ROUND_MS);
      rates[name].push(rate);
      cpu[name].push(((cpuSeconds(servers[name].child.pid) - before) * 1e6) / requests);
    }
    ratios.push(rates.roomgate.at(-1)! / rates.bare.at(-1)!);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const r = median(ratios);
  console.log(
    `POST /v2/identify-user over loopback: roomgate ${median(rates.roomgate).toFixed(0)} req/s vs bare node:http ${median(rates.bare).toFixed(0)} req/s  ${r.toFixed(2)}x  (target >= ${TARGET}x: ${r >= TARGET ? "ok" : "UNDER"})`,
  );
  console.log(
    `server CPU per request: roomgate ${median(cpu.roomgate).toFixed(1)} µs vs bare ${median(cpu.bare).toFixed(1)} µs  (bare/roomgate ${(median(cpu.bare) / median(cpu.roomgate)).toFixed(2)}x)`,
  );
} finally {
  pools.roomgate.agent.destroy();
  pools.bare.agent.destroy();
  for (const { child } of Object.values(servers)) child.kill("SIGTERM");
}
