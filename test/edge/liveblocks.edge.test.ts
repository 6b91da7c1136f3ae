/**
 * What an Edge auth route does, in Vercel's Edge runtime VM
 * (`vitest.edge.config.ts`: environment `edge-runtime`, the Web crypto
 * implementation swapped in): `new Liveblocks({ secret })` with the memory
 * store, identifyUser, prepareSession, verifyToken, checkRoomAccess with
 * access tokens, and the pure permission functions. Named `*.edge.test.ts`:
 * only that config runs it.
 */
import { describe, expect, it } from "vitest";
import {
  isValidRoomPattern,
  JwksVerifier,
  KeyPairSigner,
  Liveblocks,
  matchesRoomPattern,
  MemoryStore,
  resolveTokenAccess,
  TokenError,
} from "../../src/index.js";
import { CRYPTO_IMPLEMENTATION } from "../../src/runtime/crypto/node.js";

const SECRET = "sk_edge_0123456789abcdefghijKLMNOP";

async function tokenOf(response: { status: number; body: string }): Promise<string> {
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as { token: string }).token;
}

describe("Edge runtime (Web build)", () => {
  it("runtime - this is the Edge VM (EdgeRuntime is set) with the Web implementation", () => {
    expect(CRYPTO_IMPLEMENTATION).toBe("web");
    expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe("string");
  });

  it("identifyUser - issues an ID token that verifyToken accepts and another secret rejects", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET });
    const token = await tokenOf(await liveblocks.identifyUser({ userId: "alice", groupIds: ["eng"] }, { userInfo: { name: "Alice" } }));
    const claims = await liveblocks.verifyToken(token);
    expect(claims).toMatchObject({ k: "id", uid: "alice", gids: ["eng"], ui: { name: "Alice" } });
    const other = new Liveblocks({ secret: "sk_other_0123456789abcdefghijKLMNOP" });
    await expect(other.verifyToken(token)).rejects.toBeInstanceOf(TokenError);
  });

  it("prepareSession - access tokens decide checkRoomAccess, read-only and denied rooms included", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET });
    const session = liveblocks.prepareSession("bob", { userInfo: { name: "Bob" } });
    session.allow("org:team:*", session.FULL_ACCESS);
    session.allow("org:public", session.READ_ACCESS);
    const token = await tokenOf(await session.authorize());
    expect(await liveblocks.verifyToken(token, { kind: "acc" })).toMatchObject({ k: "acc", uid: "bob" });
    expect(await liveblocks.checkRoomAccess(token, "org:team:1")).toMatchObject({ allowed: true, userId: "bob", isReadOnly: false });
    expect(await liveblocks.checkRoomAccess(token, "org:public")).toMatchObject({ allowed: true, isReadOnly: true });
    expect(await liveblocks.checkRoomAccess(token, "org:secret")).toMatchObject({ allowed: false });
    const forged = `${token.slice(0, -2)}${token.endsWith("AA") ? "BA" : "AA"}`;
    expect(await liveblocks.checkRoomAccess(forged, "org:team:1")).toMatchObject({ allowed: false });
  });

  it("key pairs - generated through crypto.subtle, tokens verify by the signer and by a JwksVerifier of its JWKS", async () => {
    for (const alg of ["ES256", "EdDSA"] as const) {
      const signer = await KeyPairSigner.generate({ alg });
      const liveblocks = new Liveblocks({ secret: SECRET, signer });
      const token = await tokenOf(await liveblocks.identifyUser("carol"));
      expect(token.split(".")[2]).toHaveLength(86);
      expect((await new JwksVerifier({ jwks: signer.jwks(), alg }).verify(token)).uid).toBe("carol");
      const other = await KeyPairSigner.generate({ alg });
      await expect(new JwksVerifier({ jwks: other.jwks(), alg }).verify(token)).rejects.toBeInstanceOf(TokenError);
    }
  });

  it("rooms - the memory store decides ID-token access", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
    await liveblocks.createRoom("doc-1", { defaultAccesses: [], usersAccesses: { dave: ["room:write"] } });
    const token = await tokenOf(await liveblocks.identifyUser("dave"));
    expect(await liveblocks.checkRoomAccess(token, "doc-1")).toMatchObject({ allowed: true, canWrite: true });
    const eve = await tokenOf(await liveblocks.identifyUser("eve"));
    expect(await liveblocks.checkRoomAccess(eve, "doc-1")).toMatchObject({ allowed: false });
  });

  it("permissions - the pure functions run as on Node", () => {
    expect(isValidRoomPattern("org:*")).toBe(true);
    expect(isValidRoomPattern("org:*:x")).toBe(false);
    expect(matchesRoomPattern("org:*", "org:1")).toBe(true);
    expect(resolveTokenAccess({ "org:*": ["room:read", "comments:write"] }, "org:1")).toMatchObject({ isReadOnly: true, canComment: true });
  });
});
