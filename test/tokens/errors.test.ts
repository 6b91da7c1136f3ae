import { describe, expect, it } from "vitest";
import { TokenError } from "../../src/tokens/errors.js";

describe("TokenError", () => {
  it("constructor - carries a stable code, the message and its own name", () => {
    const err = new TokenError("ERR_JWT_EXPIRED", "The token expired");
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(TokenError);
    expect(err.name).toBe("TokenError");
    expect(err.code).toBe("ERR_JWT_EXPIRED");
    expect(err.message).toBe("The token expired");
    expect(String(err)).toBe("TokenError: The token expired");
  });
});
