/**
 * Token signing and verification: HS256 from a secret (default), ES256 /
 * EdDSA key pairs with a JWKS document, and verify-only JWKS consumers.
 */
export { TokenError, VerifierUnavailableError } from "./errors.js";
export type { TokenErrorCode } from "./errors.js";
export { randomTokenId } from "./ids.js";
export { DEFAULT_CLOCK_TOLERANCE } from "./claims.js";
export { MAX_TOKEN_LENGTH } from "./jws.js";
export { HmacSigner } from "./hmac.js";
export type { HmacSignerOptions } from "./hmac.js";
export { KeyPairSigner } from "./keypair.js";
export type { GenerateKeyPairSignerOptions, KeyPairSignerOptions } from "./keypair.js";
export type { AsymmetricKeyInput, Jwk, KeyPairAlgorithm, PublicJwk } from "./keys.js";
export { JwksVerifier } from "./jwks.js";
export type { JwksVerifierOptions } from "./jwks.js";
export type { RemoteJwksOptions } from "./remote-jwks.js";
export type {
  AccessTokenClaims,
  IdTokenClaims,
  Json,
  JsonObject,
  TokenClaims,
  TokenSigner,
  TokenVerifier,
  VerifyOptions,
} from "./types.js";
