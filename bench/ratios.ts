/**
 * Interleaved ratios: each roomgate operation and its raw baseline run in
 * alternating rounds, so a noisy machine (CPU steal, frequency changes) slows
 * both alike; the reported ratio is the median of the per-round ratios.
 * vitest bench (the *.bench.ts files) runs one bench after another, which on
 * this shared 2-core VM let baselines drift by 1.7x between runs.
 *
 *   npx tsx bench/ratios.ts
 */
import { createHmac, generateKeyPairSync, hkdfSync, sign, timingSafeEqual, verify } from "node:crypto";
import { KeyPairSigner, Liveblocks, type RoomAccesses } from "../src/index.js";
import { ROUNDS, compare } from "./interleave.js";

const SECRET = "sk_bench_0123456789abcdef0123456789abcdef";

async function ratio(name: string, target: number | null, baseline: () => unknown, subject: () => unknown, iterations: number) {
  const { ratio: r, subject: mine, baseline: base } = await compare(baseline, subject, iterations);
  const verdict = target === null ? "no target" : `target ${target}x: ${r <= target ? "ok" : "OVER"}`;
  console.log(`${name.padEnd(58)} ${mine.toFixed(1).padStart(7)} µs vs ${base.toFixed(1).padStart(6)} µs  ${r.toFixed(2)}x  (${verdict})`);
}

const es256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const esSigner = new KeyPairSigner({ privateKey: es256.privateKey, kid: "bench" });
const hs = new Liveblocks({ secret: SECRET });
const es = new Liveblocks({ secret: SECRET, signer: esSigner });
const hmacKey = Buffer.from(hkdfSync("sha256", SECRET, "", "roomgate/v1/hs256-token-key", 32));
const identity = { userId: "user-8d2f41", groupIds: ["engineering", "design"] };
const userInfo = { name: "Ada Lovelace", avatar: "https://example.com/avatars/ada.png" };
const tokenOf = (body: string) => (JSON.parse(body) as { token: string }).token;
const hsToken = tokenOf((await hs.identifyUser(identity, { userInfo })).body);
const esToken = tokenOf((await es.identifyUser(identity, { userInfo })).body);
const split = (token: string): [Buffer, Buffer] => {
  const dot = token.lastIndexOf(".");
  return [Buffer.from(token.slice(0, dot)), Buffer.from(token.slice(dot + 1), "base64url")];
};
const [esInput, esSignature] = split(esToken);
const [hsInput, hsSignature] = split(hsToken);

const room = {
  defaultAccesses: [] as [],
  usersAccesses: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`user-${i}`, ["room:write"]])) as RoomAccesses,
  groupsAccesses: Object.fromEntries([
    ...Array.from({ length: 99 }, (_, i) => [`group-${i}`, ["room:read"]]),
    ["design", ["room:write"]],
  ]) as RoomAccesses,
};
await hs.createRoom("big-room", room);
await es.createRoom("big-room", room);

const rawEsSign = () => sign("sha256", esInput, { key: es256.privateKey, dsaEncoding: "ieee-p1363" });
const rawEsVerify = () => verify("sha256", esInput, { key: es256.publicKey, dsaEncoding: "ieee-p1363" }, esSignature);
const rawHmac = () => createHmac("sha256", hmacKey).update(hsInput).digest();
const rawHmacVerify = () => timingSafeEqual(createHmac("sha256", hmacKey).update(hsInput).digest(), hsSignature);

console.log(`median of ${ROUNDS} interleaved rounds (roomgate vs raw node:crypto)\n`);
await ratio("identifyUser, KeyPairSigner ES256 vs crypto.sign", 1.3, rawEsSign, () => es.identifyUser(identity, { userInfo }), 200);
await ratio("identifyUser, HmacSigner vs createHmac", 3, rawHmac, () => hs.identifyUser(identity, { userInfo }), 2000);
await ratio("verifyToken, KeyPairSigner ES256 vs crypto.verify", 1.3, rawEsVerify, () => es.verifyToken(esToken), 100);
await ratio("verifyToken, HmacSigner vs createHmac + timingSafeEqual", 3, rawHmacVerify, () => hs.verifyToken(hsToken), 2000);
await ratio(
  "checkRoomAccess, 100 users + 100 groups, ES256 vs crypto.verify",
  1.3,
  rawEsVerify,
  () => es.checkRoomAccess(esToken, "big-room"),
  100,
);
await ratio(
  "checkRoomAccess, 100 users + 100 groups, HS256 vs HMAC verify",
  null,
  rawHmacVerify,
  () => hs.checkRoomAccess(hsToken, "big-room"),
  2000,
);
