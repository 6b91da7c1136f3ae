/**
 * Token signing and verification against the raw `node:crypto` primitives
 * and jose. Each describe holds the primitive, jose and roomgate, so the
 * summary's "× faster than" lines give the multiples directly.
 * Targets: roomgate ≤ 1.3× raw for ES256, ≤ 3× raw for HS256.
 *
 * Run: npx vitest bench --run bench/tokens.bench.ts
 */
import { createHmac, generateKeyPairSync, hkdfSync, sign, timingSafeEqual, verify } from "node:crypto";
import { importJWK, jwtVerify, SignJWT, type CryptoKey } from "jose";
import { bench, describe } from "vitest";
import { Liveblocks, type RoomAccesses, type RoomPermission } from "../src/index.js";
import { HmacSigner, KeyPairSigner, randomTokenId, type IdTokenClaims } from "../src/tokens/index.js";

const SECRET = "sk_bench_0123456789abcdef0123456789abcdef";

/** A typical ID token, as `identifyUser` would build it. */
function claims(): IdTokenClaims {
  const iat = Math.floor(Date.now() / 1000);
  return {
    k: "id",
    pid: "pr_6f1c2b7e9a",
    uid: "user-8d2f41",
    ui: { name: "Ada Lovelace", avatar: "https://example.com/avatars/ada.png" },
    gids: ["engineering", "design"],
    iat,
    exp: iat + 3600,
    jti: randomTokenId(),
  };
}

/** Long runs with warm-up: this 2-core VM's noise would otherwise swamp the ratios. */
const options = { time: 1500, warmupTime: 300, warmupIterations: 500 };

// --- keys, imported once -----------------------------------------------------

const es256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
const es256Signer = new KeyPairSigner({ privateKey: es256.privateKey, kid: "bench" });
const hmacSigner = new HmacSigner({ secret: SECRET });
const hmacKey = Buffer.from(hkdfSync("sha256", SECRET, "", "roomgate/v1/hs256-token-key", 32));

const joseEsPrivate = (await importJWK({ ...es256.privateKey.export({ format: "jwk" }), alg: "ES256" }, "ES256")) as CryptoKey;
const joseEsPublic = (await importJWK({ ...es256.publicKey.export({ format: "jwk" }), alg: "ES256" }, "ES256")) as CryptoKey;
// importJWK returns raw bytes for "oct" keys; a CryptoKey is jose's imported form.
const joseHmac = await crypto.subtle.importKey("raw", hmacKey, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);

// --- roomgate's facade over both signers ------------------------------------

const hsLiveblocks = new Liveblocks({ secret: SECRET });
const esLiveblocks = new Liveblocks({ secret: SECRET, signer: es256Signer });
const identity = { userId: "user-8d2f41", groupIds: ["engineering", "design"] };
const userInfo = { name: "Ada Lovelace", avatar: "https://example.com/avatars/ada.png" };
const tokenOf = (body: string) => (JSON.parse(body) as { token: string }).token;
const hsIdToken = tokenOf((await hsLiveblocks.identifyUser(identity, { userInfo })).body);
const esIdToken = tokenOf((await esLiveblocks.identifyUser(identity, { userInfo })).body);

// A room with 100 users and 100 groups, the user entering through one group.
const bigRoom: { defaultAccesses: RoomPermission; usersAccesses: RoomAccesses; groupsAccesses: RoomAccesses } = {
  defaultAccesses: [],
  usersAccesses: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`user-${i}`, ["room:write"]])),
  groupsAccesses: Object.fromEntries([...Array.from({ length: 99 }, (_, i) => [`group-${i}`, ["room:read"]]), ["design", ["room:write"]]]),
};
await hsLiveblocks.createRoom("big-room", bigRoom);
await esLiveblocks.createRoom("big-room", bigRoom);
for (const liveblocks of [hsLiveblocks, esLiveblocks]) {
  const access = await liveblocks.checkRoomAccess(liveblocks === hsLiveblocks ? hsIdToken : esIdToken, "big-room");
  if (!access.allowed || !access.canWrite) throw new Error("bench setup: expected write access");
}

// --- fixed tokens and signing inputs for the verify rows ----------------------

const es256Token = await es256Signer.sign(claims());
const hmacToken = await hmacSigner.sign(claims());
const [esInput, esSignature] = splitSigned(es256Token);
const [hsInput, hsSignature] = splitSigned(hmacToken);
const esInputBytes = Buffer.from(esInput);
const joseEsToken = await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", typ: "JWT", kid: "bench" }).sign(joseEsPrivate);
const joseHsToken = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(joseHmac);

function splitSigned(token: string): [string, Buffer] {
  const dot = token.lastIndexOf(".");
  return [token.slice(0, dot), Buffer.from(token.slice(dot + 1), "base64url")];
}

describe("ES256 sign", () => {
  bench(
    "raw crypto.sign (ieee-p1363)",
    () => {
      sign("sha256", esInputBytes, { key: es256.privateKey, dsaEncoding: "ieee-p1363" });
    },
    options,
  );
  bench(
    "roomgate KeyPairSigner.sign",
    async () => {
      await es256Signer.sign(claims());
    },
    options,
  );
  bench(
    "roomgate identifyUser (KeyPairSigner)",
    async () => {
      await esLiveblocks.identifyUser(identity, { userInfo });
    },
    options,
  );
  bench(
    "jose SignJWT",
    async () => {
      await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", typ: "JWT", kid: "bench" }).sign(joseEsPrivate);
    },
    options,
  );
});

describe("ES256 verify", () => {
  bench(
    "raw crypto.verify (ieee-p1363)",
    () => {
      if (!verify("sha256", esInputBytes, { key: es256.publicKey, dsaEncoding: "ieee-p1363" }, esSignature)) throw new Error();
    },
    options,
  );
  bench(
    "roomgate KeyPairSigner.verify",
    async () => {
      await es256Signer.verify(es256Token);
    },
    options,
  );
  bench(
    "roomgate verifyToken (KeyPairSigner)",
    async () => {
      await esLiveblocks.verifyToken(esIdToken);
    },
    options,
  );
  bench(
    "jose jwtVerify",
    async () => {
      await jwtVerify(joseEsToken, joseEsPublic, { algorithms: ["ES256"] });
    },
    options,
  );
});

describe("HS256 sign", () => {
  bench(
    "raw createHmac",
    () => {
      createHmac("sha256", hmacKey).update(hsInput).digest("base64url");
    },
    options,
  );
  bench(
    "roomgate HmacSigner.sign",
    async () => {
      await hmacSigner.sign(claims());
    },
    options,
  );
  bench(
    "roomgate identifyUser (HmacSigner)",
    async () => {
      await hsLiveblocks.identifyUser(identity, { userInfo });
    },
    options,
  );
  bench(
    "jose SignJWT",
    async () => {
      await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(joseHmac);
    },
    options,
  );
});

describe("HS256 verify", () => {
  bench(
    "raw createHmac + timingSafeEqual",
    () => {
      if (!timingSafeEqual(createHmac("sha256", hmacKey).update(hsInput).digest(), hsSignature)) throw new Error();
    },
    options,
  );
  bench(
    "roomgate HmacSigner.verify",
    async () => {
      await hmacSigner.verify(hmacToken);
    },
    options,
  );
  bench(
    "roomgate verifyToken (HmacSigner)",
    async () => {
      await hsLiveblocks.verifyToken(hsIdToken);
    },
    options,
  );
  bench(
    "jose jwtVerify",
    async () => {
      await jwtVerify(joseHsToken, joseHmac, { algorithms: ["HS256"] });
    },
    options,
  );
});

describe("checkRoomAccess, ID token, room with 100 users and 100 groups (ES256)", () => {
  bench(
    "raw crypto.verify (ieee-p1363)",
    () => {
      if (!verify("sha256", esInputBytes, { key: es256.publicKey, dsaEncoding: "ieee-p1363" }, esSignature)) throw new Error();
    },
    options,
  );
  bench(
    "roomgate checkRoomAccess (KeyPairSigner, MemoryStore)",
    async () => {
      await esLiveblocks.checkRoomAccess(esIdToken, "big-room");
    },
    options,
  );
});

describe("checkRoomAccess, ID token, room with 100 users and 100 groups (HS256)", () => {
  bench(
    "raw createHmac + timingSafeEqual",
    () => {
      if (!timingSafeEqual(createHmac("sha256", hmacKey).update(hsInput).digest(), hsSignature)) throw new Error();
    },
    options,
  );
  bench(
    "roomgate checkRoomAccess (HmacSigner, MemoryStore)",
    async () => {
      await hsLiveblocks.checkRoomAccess(hsIdToken, "big-room");
    },
    options,
  );
});
