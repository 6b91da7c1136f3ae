/**
 * `GET /v2/rooms/:id` requests per second over loopback: `roomgate serve` on
 * PostgreSQL (the built CLI, as users run it) beside a bare `node:http`
 * server running the same single `SELECT` through `pg`
 * (bench/serve-postgres-bare.ts). Both read one room of a schema of their
 * own (dropped at the end). The load generator keeps 16 keep-alive requests
 * in flight for 1 s per round; 15 rounds alternate which server goes first,
 * so drift on this shared machine hits both alike; the ratio is the median
 * of the per-round ratios (target >= 0.8x). Rounds are short and many: this
 * VM's speed changes by up to 2x within seconds, and 2 s rounds (7 of them)
 * let one server run a slow spell the other missed. It also prints each
 * server's own CPU time per request, from /proc, and every round's ratio.
 *
 *   npx tsx bench/serve-postgres.ts   (builds dist/ first if it is missing)
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "node:http";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = "sk_bench_serve_0123456789abcdef0123456789";
const CONNECTIONS = 16;
const ROUND_MS = Number(process.env["BENCH_SERVE_ROUND_MS"] ?? 1000);
const ROUNDS = Number(process.env["BENCH_SERVE_ROUNDS"] ?? 15);
const TARGET = 0.8;
const ROOM = "bench-room";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCHEMA = `roomgate_bench_serve_${process.pid}_${randomBytes(3).toString("hex")}`;

if (!existsSync(`${ROOT}dist/cli.js`)) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });

/** Spawns a server and resolves to its URL once `pattern` (with the port or URL) appears on stdout. */
async function start(args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  // Stdout goes to a file, as a deployment's logs go to a collector: a pipe read by this
  // (busy) load generator would make the server's synchronous log writes wait for it.
  const logFile = join(mkdtempSync(join(tmpdir(), "roomgate-bench-")), "stdout.log");
  const out = openSync(logFile, "w");
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", out, "inherit"], env: { ...process.env, ...env } });
  closeSync(out);
  let exited: number | null | undefined;
  child.once("exit", (code) => (exited = code));
  for (let attempt = 0; attempt < 300; attempt++) {
    const match = pattern.exec(readFileSync(logFile, "utf8"));
    if (match) return { child, url: match[1]!.startsWith("http") ? match[1]! : `http://127.0.0.1:${match[1]}` };
    if (exited !== undefined) throw new Error(`${args.join(" ")} exited with ${exited}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error(`${args.join(" ")} did not start within 15 s`);
}

/** CPU seconds `pid` has used (user + system), from /proc; `NaN` where there is no /proc. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

type Pool = { url: URL; agent: Agent };

function send(pool: Pool, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: pool.url.hostname,
        port: pool.url.port,
        method,
        path,
        agent: pool.agent,
        headers: { authorization: `Bearer ${SECRET}`, ...(body !== undefined && { "content-type": "application/json" }) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.once("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.once("error", reject);
      },
    );
    req.once("error", reject);
    req.end(body);
  });
}

/** Completed requests per second during `ms`, every answer checked to be the room. */
async function load(pool: Pool, ms: number): Promise<{ rate: number; requests: number }> {
  const deadline = Date.now() + ms;
  let done = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const { status, text } = await send(pool, "GET", `/v2/rooms/${ROOM}`);
      if (status !== 200 || !text.includes(ROOM)) throw new Error(`status ${status}: ${text.slice(0, 200)}`);
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return { rate: (done * 1000) / (Date.now() - started), requests: done };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const servers: Record<"roomgate" | "bare", { child: ChildProcess; url: string }> = {} as never;
const pools: Record<string, Pool> = {};
try {
  servers.roomgate = await start(
    [
      ...(process.env["BENCH_PROFILE"] ? ["--cpu-prof", "--cpu-prof-dir", process.env["BENCH_PROFILE"]] : []),
      "dist/cli.js",
      "serve",
      "--port",
      "0",
      "--database-url",
      DATABASE_URL,
      "--schema",
      SCHEMA,
    ],
    /listening on (http:\/\/\S+)/,
    { ROOMGATE_SECRET: SECRET },
  );
  pools.roomgate = { url: new URL(servers.roomgate.url), agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }) };
  const created = await send(
    pools.roomgate,
    "POST",
    "/v2/rooms",
    JSON.stringify({ id: ROOM, defaultAccesses: ["room:read"], metadata: { title: "Bench" } }),
  );
  if (created.status !== 200) throw new Error(`createRoom answered ${created.status}: ${created.text}`);
  servers.bare = await start(["--import", "tsx", "bench/serve-postgres-bare.ts", DATABASE_URL, SCHEMA], /^(\d+)\n/);
  pools.bare = { url: new URL(servers.bare.url), agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }) };

  await load(pools.bare!, 1000);
  await load(pools.roomgate!, 1000);
  const ratios: number[] = [];
  const rates = { roomgate: [] as number[], bare: [] as number[] };
  const cpu = { roomgate: [] as number[], bare: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["bare", "roomgate"] as const) : (["roomgate", "bare"] as const);
    for (const name of order) {
      const before = cpuSeconds(servers[name].child.pid);
      const { rate, requests } = await load(pools[name]!, ROUND_MS);
      rates[name].push(rate);
      cpu[name].push(((cpuSeconds(servers[name].child.pid) - before) * 1e6) / requests);
    }
    ratios.push(rates.roomgate.at(-1)! / rates.bare.at(-1)!);
  }
  const r = median(ratios);
  console.log(
    `GET /v2/rooms/:id on PostgreSQL over loopback: roomgate serve ${median(rates.roomgate).toFixed(0)} req/s vs bare node:http + pg ${median(rates.bare).toFixed(0)} req/s  ${r.toFixed(2)}x  (target >= ${TARGET}x: ${r >= TARGET ? "ok" : "UNDER"})`,
  );
  console.log(
    `server CPU per request: roomgate ${median(cpu.roomgate).toFixed(1)} µs vs bare ${median(cpu.bare).toFixed(1)} µs  (node ${process.version})`,
  );
  console.log(`  per round roomgate/bare: ${ratios.map((x) => x.toFixed(2)).join(" ")}`);
} finally {
  for (const pool of Object.values(pools)) pool.agent.destroy();
  for (const { child } of Object.values(servers)) child.kill("SIGTERM");
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await client.end();
}
