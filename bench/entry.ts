/**
 * The entry check measured from outside the project, as a user calls it:
 * the BUILT package (`dist/index.js`, run `npm run build` first), an ES256
 * `KeyPairSigner.generate()`, a room of 100 users and 100 groups in the
 * default store, an ID token with 5 groups and `userInfo` from
 * `identifyUser`, the same token every call. Baseline: a bare
 * `crypto.verify` of that token's ES256 signature (`dsaEncoding:
 * "ieee-p1363"`, the public key imported once from the signer's JWKS, the
 * bytes decoded once), in interleaved rounds of the same run. Ratios are
 * the median of per-round ratios, by wall clock and by the process's CPU
 * time (on a loaded VM the CPU time is the steadier of the two).
 *
 * The rounds start after 3 s of untimed calls of every side (see
 * `WARM_MS`), and the whole measurement runs in five fresh processes; the
 * verdict is on the median process, and each process's ratio is printed.
 *
 *   npm run build && npx tsx bench/entry.ts            # the built package
 *   npx tsx bench/entry.ts --source                    # src/ through tsx, for comparison
 */
import { spawnSync } from "node:child_process";
import { createPublicKey, type JsonWebKey, verify } from "node:crypto";
import { median } from "./interleave.js";

const PROCESSES = 5;
const TARGET = 1.15;

if (process.env["ROOMGATE_BENCH_CHILD"] === undefined) {
  const results: Record<string, { wall: number; cpu: number; us: number; baseUs: number }[]> = {};
  for (let run = 0; run < PROCESSES; run++) {
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
      encoding: "utf8",
      env: { ...process.env, ROOMGATE_BENCH_CHILD: "1" },
      stdio: ["ignore", "pipe", "inherit"],
      timeout: 120_000,
    });
    if (child.status !== 0)
      throw new Error(`the measuring process failed (status ${child.status}, ${String(child.error ?? child.signal)})`);
    for (const line of child.stdout.split("\n")) {
      if (line.startsWith("{")) {
        const { name, wall, cpu, us, baseUs } = JSON.parse(line) as { name: string; wall: number; cpu: number; us: number; baseUs: number };
        (results[name] ??= []).push({ wall, cpu, us, baseUs });
      } else if (run === 0 && line !== "" && !line.startsWith(" ")) console.log(line.replace(/\.$/, `, ${PROCESSES} processes`));
    }
  }
  for (const [name, rows] of Object.entries(results)) {
    const wall = median(rows.map((row) => row.wall));
    const cpu = median(rows.map((row) => row.cpu));
    const verdict = Math.max(wall, cpu) <= TARGET ? "ok" : "OVER";
    const each = rows.map((row) => row.wall.toFixed(2)).join(" ");
    const us = `${median(rows.map((row) => row.us)).toFixed(1)} µs vs ${median(rows.map((row) => row.baseUs)).toFixed(1)} µs`;
    console.log(
      `${name.padEnd(40)} ${us}  wall ${wall.toFixed(3)}x  cpu ${cpu.toFixed(3)}x  (per process: ${each})  (target ≤ ${TARGET}x: ${verdict})`,
    );
  }
  process.exit(0);
}

const fromSource = process.argv.includes("--source");
// A path in a variable: the bench type-checks before `dist/` exists (CI builds after typechecking).
const entry = fromSource ? "../src/index.js" : "../dist/index.js";
const roomgate = (await import(entry)) as typeof import("../src/index.js");
const { KeyPairSigner, Liveblocks } = roomgate;

const ROUNDS = 41;
const CALLS = 100;
/**
 * Untimed calls of every side first. For its first seconds a process runs
 * in phases where every call slows down, the entry check more than the bare
 * verification (runs of rounds at 1.15-1.2x, then 1.05x again, with the same
 * code: no deoptimisation, the same functions optimised, not tied to a CPU);
 * a server deciding entries all day runs in the steady state after them.
 */
const WARM_MS = 3000;

const signer = await KeyPairSigner.generate({ alg: "ES256" });
const liveblocks = new Liveblocks({ secret: "sk_bench_entry_0123456789abcdef0123", signer });
const usersAccesses: Record<string, ["room:write"]> = {};
const groupsAccesses: Record<string, ["room:read"]> = {};
for (let i = 0; i < 100; i++) usersAccesses[`user-${i}`] = ["room:write"];
for (let i = 0; i < 100; i++) groupsAccesses[`group-${i}`] = ["room:read"];
await liveblocks.createRoom("room-100", { defaultAccesses: [], usersAccesses, groupsAccesses });
const response = await liveblocks.identifyUser(
  { userId: "user-8d2f41", groupIds: ["group-3", "group-57", "engineering", "design", "all-hands"] },
  { userInfo: { name: "Ada Lovelace", avatar: "https://example.com/avatars/ada.png" } },
);
const token = (JSON.parse(response.body) as { token: string }).token;

const publicKey = createPublicKey({ key: signer.jwks().keys[0] as JsonWebKey, format: "jwk" });
const dot = token.lastIndexOf(".");
const signingInput = Buffer.from(token.slice(0, dot));
const signature = Buffer.from(token.slice(dot + 1), "base64url");
const bareVerify = () => verify("sha256", signingInput, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);

// Checked before timing: every side does the work it claims.
if (!bareVerify()) throw new Error("the bare verification failed");
const access = await liveblocks.checkRoomAccess(token, "room-100");
if (!access.allowed || access.canWrite || access.groupIds.length !== 5) throw new Error(`unexpected decision: ${JSON.stringify(access)}`);
const claims = await liveblocks.verifyToken(token, { kind: "id" });
if (claims.k !== "id" || claims.gids?.length !== 5) throw new Error("verifyToken lost the groups");

type Sample = { wall: number; cpu: number };
async function timeOf(fn: () => unknown): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await fn();
  const wall = Number(process.hrtime.bigint() - start) / CALLS / 1000;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / CALLS };
}

async function compare(name: string, subject: () => unknown): Promise<void> {
  for (let warm = 0; warm < 5; warm++) {
    await timeOf(bareVerify);
    await timeOf(subject);
  }
  const rows = { wall: [] as number[], cpu: [] as number[], wallRatio: [] as number[], cpuRatio: [] as number[], base: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const base = await timeOf(bareVerify);
    const mine = await timeOf(subject);
    rows.wall.push(mine.wall);
    rows.cpu.push(mine.cpu);
    rows.base.push(base.wall);
    rows.wallRatio.push(mine.wall / base.wall);
    rows.cpuRatio.push(mine.cpu / base.cpu);
  }
  const wallRatio = median(rows.wallRatio);
  const cpuRatio = median(rows.cpuRatio);
  console.log(JSON.stringify({ name, wall: wallRatio, cpu: cpuRatio, us: median(rows.wall), baseUs: median(rows.base) }));
}

console.log(
  `${fromSource ? "src/ (tsx)" : "dist/index.js"}, Node ${process.version}, median of ${ROUNDS} interleaved rounds of ${CALLS} calls after ${WARM_MS / 1000} s of warm-up, vs bare crypto.verify ES256.`,
);
const sides = [bareVerify, () => liveblocks.checkRoomAccess(token, "room-100"), () => liveblocks.verifyToken(token)];
for (const until = performance.now() + WARM_MS; performance.now() < until;) for (const side of sides) await timeOf(side);
await compare("checkRoomAccess, 100 users + 100 groups", () => liveblocks.checkRoomAccess(token, "room-100"));
await compare("verifyToken", () => liveblocks.verifyToken(token));
