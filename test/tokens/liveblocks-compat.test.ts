/**
 * `@liveblocks/client` parses the tokens it receives with `parseAuthToken`
 * in `@liveblocks/core`, which is not exported. Its rule is restated here
 * over the helpers `@liveblocks/core` does export (`b64decode`,
 * `tryParseJson`, `isPlainObject`): three dot-separated parts, the middle
 * one a plain object with `k` "id" or "acc"; the client then caches the
 * token for `exp - iat - 30` seconds and rejects a token it has seen.
 */
import { b64decode, isPlainObject, tryParseJson } from "@liveblocks/core";
import { describe, expect, it } from "vitest";
import { HmacSigner } from "../../src/tokens/hmac.js";
import { randomTokenId } from "../../src/tokens/ids.js";
import { KeyPairSigner } from "../../src/tokens/keypair.js";
import type { TokenClaims } from "../../src/tokens/types.js";
import { accessClaims, es256Pair, idClaims, NOW_S, SECRET } from "./helpers.js";

/** `parseAuthToken` of @liveblocks/core 3.24.2, restated. */
function parseAuthTokenLikeLiveblocks(raw: string): { raw: string; parsed: Record<string, unknown> } {
  const parts = raw.split(".");
  if (parts.length !== 3) throw new Error("Authentication error: invalid JWT token");
  const payload = tryParseJson(b64decode(parts[1]!)) as unknown;
  if (!(payload && isPlainObject(payload) && (payload["k"] === "acc" || payload["k"] === "id"))) {
    throw new Error("Authentication error: expected a valid token but did not get one.");
  }
  return { raw, parsed: payload };
}

describe("@liveblocks/client compatibility", () => {
  const signers = [new HmacSigner({ secret: SECRET }), new KeyPairSigner({ privateKey: es256Pair().privateKey })];

  it.each(signers.map((s) => [s.alg, s] as const))("sign - %s tokens parse as Liveblocks tokens", async (_alg, signer) => {
    const claims: TokenClaims[] = [
      idClaims({ ui: { name: "Ada Lovelace", avatar: "https://example.com/ä.png" }, gids: [] }),
      accessClaims({ ui: { emoji: "🦄", quote: "“quoted”" } }),
      idClaims({ uid: "user with spaces/and?slashes", gids: undefined }),
    ];
    for (const claim of claims) {
      const { parsed } = parseAuthTokenLikeLiveblocks(await signer.sign(claim));
      expect(parsed).toEqual(JSON.parse(JSON.stringify(claim)));
      const lifetime = (parsed["exp"] as number) - (parsed["iat"] as number);
      // The client caches for exp - iat - 30 s: it must be positive.
      expect(lifetime - 30).toBeGreaterThan(0);
    }
  });

  it("sign - claims keep Liveblocks' order k, pid, uid, perms, ui, gids, iat, exp, jti", async () => {
    const signer = signers[0]!;
    const id = parseAuthTokenLikeLiveblocks(
      await signer.sign({ k: "id", pid: "p", uid: "u", ui: { a: 1 }, gids: [], iat: NOW_S, exp: NOW_S + 3600, jti: randomTokenId() }),
    );
    expect(Object.keys(id.parsed)).toEqual(["k", "pid", "uid", "ui", "gids", "iat", "exp", "jti"]);
    const acc = parseAuthTokenLikeLiveblocks(
      await signer.sign({
        k: "acc",
        pid: "p",
        uid: "u",
        perms: { r: ["*:read"] },
        ui: { a: 1 },
        iat: NOW_S,
        exp: NOW_S + 3600,
        jti: randomTokenId(),
      }),
    );
    expect(Object.keys(acc.parsed)).toEqual(["k", "pid", "uid", "perms", "ui", "iat", "exp", "jti"]);
  });

  it("sign - every token is new to a client that remembers the tokens it has seen", async () => {
    const seen = new Set<string>();
    for (const signer of signers) {
      for (let i = 0; i < 200; i++) {
        const { raw } = parseAuthTokenLikeLiveblocks(await signer.sign(idClaims({ jti: randomTokenId() })));
        expect(seen.has(raw)).toBe(false);
        seen.add(raw);
      }
    }
  });
});
