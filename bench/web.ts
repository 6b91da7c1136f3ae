/**
 * The Web build (WebCrypto, what edge-light / workerd / worker / deno
 * resolve to) beside the Node build (node:crypto), on this Node: identifyUser
 * and verifyToken, HS256 and ES256. Interleaved rounds, median of per-round
 * ratios, as bench/ratios.ts; results are checked before anything is timed.
 * The ratio is Web ÷ Node: above 1 means the Web build is slower.
 *
 *   npx tsx bench/web.ts
 */
import { generateKeyPairSync } from "node:crypto";
import * as node from "../src/index.js";
import { webBundle } from "../test/edge/web-build.js";

const web = (await import((await webBundle()).url)) as typeof node;
const SECRET = "sk_bench_0123456789abcdef0123456789abcdef";
const ROUNDS = 31;

async function timeOf(fn: () => unknown, iterations: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

async function ratio(name: string, baseline: () => unknown, subject: () => unknown, iterations: number): Promise<void> {
  await timeOf(baseline, iterations * 3);
  await timeOf(subject, iterations * 3);
  const ratios: number[] = [];
  const base: number[] = [];
  const mine: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const b = await timeOf(baseline, iterations);
    const s = await timeOf(subject, iterations);
    base.push(b);
    mine.push(s);
    ratios.push(s / b);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  console.log(
    `${name.padEnd(44)} web ${median(mine).toFixed(1).padStart(6)} µs vs node ${median(base).toFixed(1).padStart(6)} µs  ${median(ratios).toFixed(2)}x`,
  );
}

const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
const identity = { userId: "user-8d2f41", groupIds: ["engineering", "design"] };
const userInfo = { name: "Ada Lovelace", avatar: "https://example.com/avatars/ada.png" };
const tokenOf = (body: string) => (JSON.parse(body) as { token: string }).token;

for (const alg of ["HS256", "ES256"] as const) {
  const make = (roomgate: typeof node) =>
    new roomgate.Liveblocks(
      alg === "HS256" ? { secret: SECRET } : { secret: SECRET, signer: new roomgate.KeyPairSigner({ privateKey: jwk }) },
    );
  const n = make(node);
  const w = make(web);
  const nToken = tokenOf((await n.identifyUser(identity, { userInfo })).body);
  const wToken = tokenOf((await w.identifyUser(identity, { userInfo })).body);
  // Checked before timing: each build verifies the other's token.
  if ((await w.verifyToken(nToken)).uid !== identity.userId || (await n.verifyToken(wToken)).uid !== identity.userId) {
    throw new Error(`${alg}: the builds do not verify each other's tokens`);
  }
  await ratio(
    `identifyUser ${alg}`,
    () => n.identifyUser(identity, { userInfo }),
    () => w.identifyUser(identity, { userInfo }),
    400,
  );
  await ratio(
    `verifyToken ${alg}`,
    () => n.verifyToken(nToken),
    () => w.verifyToken(nToken),
    400,
  );
}
