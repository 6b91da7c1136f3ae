/**
 * The request-line writer of `roomgate serve`: lines are held back and
 * written in batches (a write per line was the largest cost of logging),
 * and none is lost when the process exits or the server closes.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LOG_FLUSH_CHARS, LOG_FLUSH_MS, batchedLines, formatRequestLine } from "../../../src/cli/ops/logs.js";
import { startServer } from "../../../src/cli/serve.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("batchedLines", () => {
  it("batch - lines within LOG_FLUSH_MS go out in one write, in order, joined by newlines", () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const line = batchedLines((text) => writes.push(text));
    line("one");
    line("two");
    line("three");
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(LOG_FLUSH_MS - 1);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(["one\ntwo\nthree"]);
    line("four");
    vi.advanceTimersByTime(LOG_FLUSH_MS);
    expect(writes).toEqual(["one\ntwo\nthree", "four"]);
    vi.advanceTimersByTime(10 * LOG_FLUSH_MS);
    expect(writes).toHaveLength(2);
  });

  it("size - once LOG_FLUSH_CHARS are pending they are written at once, not after the delay", () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const line = batchedLines((text) => writes.push(text));
    const long = "x".repeat(1000);
    const count = Math.ceil(LOG_FLUSH_CHARS / 1001);
    for (let i = 0; i < count; i++) line(long);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split("\n")).toHaveLength(count);
    line("after");
    vi.advanceTimersByTime(LOG_FLUSH_MS);
    expect(writes.at(-1)).toBe("after");
  });

  it("flush - writes what is pending now, and nothing when nothing is", () => {
    vi.useFakeTimers();
    const writes: string[] = [];
    const line = batchedLines((text) => writes.push(text));
    line.flush();
    expect(writes).toEqual([]);
    line("a");
    line.flush();
    expect(writes).toEqual(["a"]);
    vi.advanceTimersByTime(LOG_FLUSH_MS);
    expect(writes).toEqual(["a"]);
  });

  it.each([
    ["process.exit", "process.exit(3)", 3],
    ["an uncaught exception", "throw new Error('boom')", 1],
  ])("exit - pending lines are written when the process ends by %s", (_name, ending, code) => {
    const logs = fileURLToPath(new URL("../../../src/cli/ops/logs.ts", import.meta.url));
    const script = `
      const { batchedLines } = await import(${JSON.stringify(logs)});
      const line = batchedLines((text) => process.stdout.write(text + "\\n"));
      line("held-1"); line("held-2");
      ${ending};
    `;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(child.status).toBe(code);
    expect(child.stdout).toBe("held-1\nheld-2\n");
  });
});

describe("serve closing", () => {
  it("close - the last request lines are written before the store's closing line, with no wait", async () => {
    const lines: string[] = [];
    const running = await startServer({
      port: 0,
      host: "127.0.0.1",
      secret: "sk_test_logs_flush_0123456789abcdef01234567",
      store: { kind: "memory" },
      log: (text) => lines.push(...text.split("\n")),
      logFormat: "json",
    });
    const answer = await fetch(`${running.url}/v2/rooms`, {
      headers: { authorization: "Bearer sk_test_logs_flush_0123456789abcdef01234567" },
    });
    expect(answer.status).toBe(200);
    await running.close();
    const request = lines.findIndex((line) => line.includes('"route":"/v2/rooms"'));
    expect(request).toBeGreaterThan(-1);
    expect(lines.indexOf("store closed")).toBeGreaterThan(request);
  });
});

describe("formatRequestLine", () => {
  it("json - property: the line is JSON whose time is toISOString and whose duration is rounded to the microsecond, in any order of times", () => {
    const line = fc.record({
      epochMs: fc.oneof(fc.integer({ min: 0, max: 4102444800000 }), fc.integer({ min: -62135596800000, max: 253402300799999 })),
      durationMs: fc.oneof(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 5000 }).map((n) => n / 1000),
      ),
      status: fc.constantFrom(200, 404, 503),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (lines) => {
        for (const { epochMs, durationMs, status } of lines) {
          const text = formatRequestLine("json", { method: "GET", route: "/v2/rooms", status, durationMs, requestId: "r1" }, epochMs);
          const parsed = JSON.parse(text) as { time: string; durationMs: number; status: number };
          expect(parsed.time).toBe(new Date(epochMs).toISOString());
          expect(parsed.durationMs).toBeCloseTo(Math.round(durationMs * 1000) / 1000, 9);
          expect(parsed.status).toBe(status);
        }
      }),
      { numRuns: 300 },
    );
  });
});
