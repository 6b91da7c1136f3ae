/**
 * Interleaved ratios: each roomgate operation and its raw baseline run in
 * alternating rounds, so a noisy machine (CPU steal, frequency changes) slows
 * both alike; the reported ratio is the median of the per-round ratios.
 * vitest bench (the *.bench.ts files) runs one bench after another, which on
 * this shared 2-core VM let baselines drift by 1.7x between runs.
 *
 *   npx tsx bench/ratios.ts
 */
import { createHmac, createSecretKey, generateKeyPairSync, hkdfSync, sign, timingSafeEqual, verify } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { KeyPairSigner, Liveblocks, MemoryStore, randomTokenId, type RoomAccesses } from "../src/index.js";
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
// A store of its own: instances with one secret share the default store, and both create "big-room".
const es = new Liveblocks({ secret: SECRET, signer: esSigner, store: new MemoryStore() });
const hmacKey = Buffer.from(hkdfSync("sha256", SECRET, "", "roomgate/v1/hs256-token-key", 32));
const identity = { userId: "user-8d2f41", groupIds: ["engineering", "design"] };
const userInfo = { name: "Ada Lovelace", avatar: "https://example.com/avatars/ada.png" };
const tokenOf = (body: string) => (JSON.parse(body) as { token: string }).token;
// What users verify: an ID token with 5 groups and userInfo (bench/entry.ts times the same from the built package).
const tokenIdentity = { userId: identity.userId, groupIds: [...identity.groupIds, "group-3", "all-hands", "region-1"] };
const hsToken = tokenOf((await hs.identifyUser(tokenIdentity, { userInfo })).body);
const esToken = tokenOf((await es.identifyUser(tokenIdentity, { userInfo })).body);
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
// --- identifyUser against a JWT built by hand ---------------------------------
// 16 identities of 5 groups with userInfo, taken in turn by both sides, so
// neither wins on one cached input. The hand-built JWT is what a user would
// write with node:crypto: the same claims (fresh iat and jti) stringified,
// base64url, HMAC (or ECDSA) over a key imported once.
const identities = Array.from({ length: 16 }, (_, i) => ({
  identity: { userId: `user-${i}-8d2f41`, groupIds: ["engineering", "design", `team-${i}`, "all-hands", `region-${i % 4}`] },
  userInfo: { name: `Ada Lovelace ${i}`, avatar: `https://example.com/avatars/${i}.png` },
}));
const hmacKeyObject = createSecretKey(hmacKey);
const handBuiltJwt = (header: string, signature: (input: string) => string, i: number): string => {
  const { identity, userInfo } = identities[i]!;
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    k: "id",
    pid: hs.projectId,
    uid: identity.userId,
    ui: userInfo,
    gids: identity.groupIds,
    iat,
    exp: iat + 3600,
    jti: randomTokenId(),
  };
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${input}.${signature(input)}`;
};
const hsHeader = hsToken.slice(0, hsToken.indexOf("."));
const esHeader = esToken.slice(0, esToken.indexOf("."));
const handHs = (i: number) => handBuiltJwt(hsHeader, (input) => createHmac("sha256", hmacKeyObject).update(input).digest("base64url"), i);
const handEs = (i: number) =>
  handBuiltJwt(
    esHeader,
    (input) => sign("sha256", Buffer.from(input), { key: es256.privateKey, dsaEncoding: "ieee-p1363" }).toString("base64url"),
    i,
  );

// Checked before timing: both sides' tokens verify and carry the same claims, in the same order.
const comparable = (claims: object) => JSON.stringify({ ...claims, iat: 0, exp: 0, jti: "" });
for (const [liveblocks, hand] of [
  [hs, handHs],
  [es, handEs],
] as const) {
  for (let i = 0; i < identities.length; i++) {
    const { identity, userInfo } = identities[i]!;
    const mine = await liveblocks.verifyToken(tokenOf((await liveblocks.identifyUser(identity, { userInfo })).body), { kind: "id" });
    const theirs = await liveblocks.verifyToken(hand(i), { kind: "id" });
    if (comparable(mine) !== comparable(theirs) || !isDeepStrictEqual(JSON.parse(comparable(mine)), JSON.parse(comparable(theirs)))) {
      throw new Error(`identity ${i}: identifyUser and the hand-built JWT differ: ${comparable(mine)} vs ${comparable(theirs)}`);
    }
  }
}
const hsInputs = identities.map((_, i) => split(handHs(i))[0]);
let handTurn = 0;
let mineTurn = 0;
const identifyNext = (liveblocks: Liveblocks) => {
  const { identity, userInfo } = identities[mineTurn++ & 15]!;
  return liveblocks.identifyUser(identity, { userInfo });
};

await ratio(
  "identifyUser HS256, 5 groups + userInfo vs hand-built JWT",
  1.25,
  () => handHs(handTurn++ & 15),
  () => identifyNext(hs),
  2000,
);
await ratio(
  "identifyUser HS256, 5 groups + userInfo vs bare HMAC",
  null,
  () =>
    createHmac("sha256", hmacKey)
      .update(hsInputs[handTurn++ & 15]!)
      .digest(),
  () => identifyNext(hs),
  2000,
);
await ratio(
  "identifyUser ES256, 5 groups + userInfo vs hand-built JWT",
  1.15,
  () => handEs(handTurn++ & 15),
  () => identifyNext(es),
  200,
);
await ratio("identifyUser, KeyPairSigner ES256 vs crypto.sign", 1.3, rawEsSign, () => es.identifyUser(identity, { userInfo }), 200);
await ratio("identifyUser, HmacSigner vs createHmac", 3, rawHmac, () => hs.identifyUser(identity, { userInfo }), 2000);
await ratio(
  "verifyToken, KeyPairSigner ES256, 5 groups + userInfo vs crypto.verify",
  1.15,
  rawEsVerify,
  () => es.verifyToken(esToken),
  100,
);
await ratio("verifyToken, HmacSigner, 5 groups + userInfo vs HMAC verify", 3, rawHmacVerify, () => hs.verifyToken(hsToken), 2000);
await ratio(
  "checkRoomAccess, 100 users + 100 groups, ES256 vs crypto.verify",
  1.15,
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
