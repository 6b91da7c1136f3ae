// Run by Bun (scripts/bun-check.mjs): the built package's token and access
// paths on Bun, both builds — the Node build (what Bun resolves "roomgate"
// to: Bun matches none of the Web conditions, and has node:crypto) and the Web build (dist/web.js, what the
// edge-light / workerd / worker / deno conditions resolve to) — and the two
// agree: same HS256 and EdDSA token bytes, each verifies the other's.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import * as nodeBuild from "../../dist/index.js";
import * as webBuild from "../../dist/web.js";

const SECRET = "sk_bun_0123456789abcdefghijKLMNOP";
let checks = 0;
async function check(name: string, body: () => Promise<void>): Promise<void> {
  await body();
  checks++;
  console.log(`bun ${Bun.version}: ok - ${name}`);
}

async function tokenOf(response: { status: number; body: string }): Promise<string> {
  assert.equal(response.status, 200, response.body);
  return (JSON.parse(response.body) as { token: string }).token;
}

for (const [label, roomgate] of [
  ["node build", nodeBuild],
  ["web build", webBuild],
] as const) {
  await check(`${label}: identifyUser, verifyToken, prepareSession, checkRoomAccess`, async () => {
    const liveblocks = new roomgate.Liveblocks({ secret: SECRET });
    const id = await tokenOf(await liveblocks.identifyUser({ userId: "alice", groupIds: ["eng"] }));
    assert.equal((await liveblocks.verifyToken(id)).uid, "alice");
    const session = liveblocks.prepareSession("bob");
    session.allow("org:*", session.READ_ACCESS);
    const access = await tokenOf(await session.authorize());
    assert.equal((await liveblocks.verifyToken(access, { kind: "acc" })).k, "acc");
    const allowed = await liveblocks.checkRoomAccess(access, "org:1");
    assert.equal(allowed.allowed && allowed.isReadOnly, true);
    assert.equal((await liveblocks.checkRoomAccess(access, "other")).allowed, false);
    const forged = `${access.slice(0, -2)}${access.endsWith("AA") ? "BA" : "AA"}`;
    assert.equal((await liveblocks.checkRoomAccess(forged, "org:1")).allowed, false);
    await assert.rejects(new roomgate.Liveblocks({ secret: `${SECRET}x` }).verifyToken(id), {
      code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    });
    assert.equal(roomgate.matchesRoomPattern("org:*", "org:1"), true);
  });
}

await check("both builds: the same HS256 and EdDSA tokens, each verifies the other's ES256 tokens", async () => {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { k: "id" as const, pid: "pr_x", uid: "ü ☃", gids: ["g"], iat, exp: iat + 60, jti: "abcdefghijkl" };
  const hs = [new nodeBuild.HmacSigner({ secret: SECRET }), new webBuild.HmacSigner({ secret: SECRET })];
  assert.equal(await hs[1]!.sign(claims), await hs[0]!.sign(claims));
  const ed = generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });
  const eds = [new nodeBuild.KeyPairSigner({ privateKey: ed }), new webBuild.KeyPairSigner({ privateKey: ed })];
  assert.equal(await eds[1]!.sign(claims), await eds[0]!.sign(claims));
  const es = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  const ess = [new nodeBuild.KeyPairSigner({ privateKey: es }), new webBuild.KeyPairSigner({ privateKey: es })];
  assert.deepEqual(await ess[0]!.verify(await ess[1]!.sign(claims)), await ess[1]!.verify(await ess[0]!.sign(claims)));
});

console.log(`bun: ${checks} checks passed`);
