import { describe, expect, it } from "vitest";
import { randomTokenId } from "../../src/tokens/ids.js";

describe("randomTokenId", () => {
  it("randomTokenId - returns 12 URL-safe characters", () => {
    for (let i = 0; i < 100; i++) expect(randomTokenId()).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  it("randomTokenId - never repeats, across many refills of its pool", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 50_000; i++) ids.add(randomTokenId());
    expect(ids.size).toBe(50_000);
  });

  it("randomTokenId - uses the whole alphabet", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) for (const c of randomTokenId()) seen.add(c);
    expect(seen.size).toBe(64);
  });
});
