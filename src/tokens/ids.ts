/**
 * Token ids (`jti`). Every token must be unique: `@liveblocks/client`
 * rejects a token it has already seen.
 */
import { allocBytes, base64urlEncode, randomFill } from "../runtime/crypto/node.js";

/** 9 random bytes are exactly 12 base64url characters, no padding. */
const ID_BYTES = 9;
/**
 * One `randomFillSync` per 1024 ids: a fresh `randomBytes(9)` per id costs
 * ~4 µs on Node 20, a slice of the pool ~0.2 µs (measured). A `jti` only has
 * to be unpredictable and unique, not secret, so pooling is safe; each byte
 * is handed out once.
 */
const POOL_SIZE = ID_BYTES * 1024;
const pool = allocBytes(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * A new token id: 12 random URL-safe characters (`[A-Za-z0-9_-]{12}`,
 * 72 bits from the platform's CSPRNG), the shape of Liveblocks' `jti`.
 *
 * @example
 * ```ts
 * const claims: IdTokenClaims = { k: "id", pid, uid: "alice", iat, exp, jti: randomTokenId() };
 * ```
 */
export function randomTokenId(): string {
  if (offset === POOL_SIZE) {
    randomFill(pool);
    offset = 0;
  }
  const id = base64urlEncode(pool, offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
