import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_FAILED_LOGINS, SessionKeeper } from "../../src/admin/session.js";

function keeper(clock: { now: number }) {
  return new SessionKeeper({
    password: "correct horse battery staple",
    ttlMs: 60_000,
    now: () => clock.now,
    randomBytes: (length) => new Uint8Array(randomBytes(length)),
  });
}

describe("SessionKeeper", () => {
  it("verify - accepts its own cookie until it expires", () => {
    const clock = { now: 1_000_000 };
    const sessions = keeper(clock);
    const { cookie, session } = sessions.issue("ada");
    expect(sessions.verify(cookie)).toEqual(session);
    clock.now += 59_999;
    expect(sessions.verify(cookie)?.name).toBe("ada");
    clock.now += 1;
    expect(sessions.verify(cookie)).toBeUndefined();
  });

  it("verify - refuses any changed cookie, and another keeper's cookie", () => {
    const clock = { now: 1_000_000 };
    const sessions = keeper(clock);
    const { cookie } = sessions.issue("ada");
    expect(keeper(clock).verify(cookie)).toBeUndefined();
    fc.assert(
      fc.property(fc.nat({ max: cookie.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }), (at, char) => {
        fc.pre(cookie[at] !== char);
        expect(sessions.verify(cookie.slice(0, at) + char + cookie.slice(at + 1))).toBeUndefined();
      }),
    );
  });

  it("revoke - a logged-out session's cookie stops verifying", () => {
    const sessions = keeper({ now: 1_000_000 });
    const { cookie, session } = sessions.issue("ada");
    sessions.revoke(session);
    expect(sessions.verify(cookie)).toBeUndefined();
  });

  it("csrfMatches - only the session's own token", () => {
    const sessions = keeper({ now: 1_000_000 });
    const a = sessions.issue("ada").session;
    const b = sessions.issue("ada").session;
    expect(sessions.csrfMatches(a, sessions.csrfToken(a))).toBe(true);
    expect(sessions.csrfMatches(a, sessions.csrfToken(b))).toBe(false);
    expect(sessions.csrfMatches(a, null)).toBe(false);
    expect(sessions.csrfMatches(a, "")).toBe(false);
  });

  it("tooManyFailures - counts failures within the last minute only", () => {
    const clock = { now: 1_000_000 };
    const sessions = keeper(clock);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) sessions.recordFailure();
    expect(sessions.tooManyFailures()).toBe(true);
    clock.now += 60_000;
    expect(sessions.tooManyFailures()).toBe(false);
  });

  it("passwordMatches - the password exactly", () => {
    const sessions = keeper({ now: 0 });
    expect(sessions.passwordMatches("correct horse battery staple")).toBe(true);
    expect(sessions.passwordMatches("correct horse battery staple ")).toBe(false);
    expect(sessions.passwordMatches("")).toBe(false);
  });
});
