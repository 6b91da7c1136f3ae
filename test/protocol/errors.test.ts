import { describe, expect, it } from "vitest";
import { ERROR_STATUS, LiveblocksError, codeForStatus, isErrorCode, liveblocksError } from "../../src/protocol/errors.js";

describe("LiveblocksError", () => {
  it("constructor - the SDK's (message, status, details) still builds one, with the code HTTP names for the status", () => {
    const error = new LiveblocksError("Nope.", 404, "Suggestion: look elsewhere");
    expect(error).toMatchObject({
      name: "LiveblocksError",
      message: "Nope.",
      status: 404,
      code: "NOT_FOUND",
      details: "Suggestion: look elsewhere",
    });
    expect(String(error)).toBe("LiveblocksError: Nope. (status 404)\nSuggestion: look elsewhere");
    expect(new LiveblocksError("Nope.", 404, undefined, "ROOM_NOT_FOUND").code).toBe("ROOM_NOT_FOUND");
  });

  it("liveblocksError - a code of the catalogue brings its status", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const error = liveblocksError(code as keyof typeof ERROR_STATUS, "m");
      expect(error).toMatchObject({ code, status, message: "m" });
    }
  });

  it("catalogue - every code is UPPER_SNAKE and answers an error status", () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      expect(isErrorCode(code)).toBe(true);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
    }
  });

  it("codeForStatus - HTTP's reason phrase as a code, HTTP_<status> past the table", () => {
    expect(codeForStatus(404)).toBe("NOT_FOUND");
    expect(codeForStatus(422)).toBe("UNPROCESSABLE_ENTITY");
    expect(codeForStatus(503)).toBe("SERVICE_UNAVAILABLE");
    expect(codeForStatus(418)).toBe("HTTP_418");
  });

  it("isErrorCode - reads a code back, not a reason phrase or anything else", () => {
    expect(isErrorCode("ROOM_NOT_FOUND")).toBe(true);
    expect(isErrorCode("Not Found")).toBe(false);
    expect(isErrorCode("room_not_found")).toBe(false);
    expect(isErrorCode(404)).toBe(false);
    expect(isErrorCode("A".repeat(65))).toBe(false);
  });
});
