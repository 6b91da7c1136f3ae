/**
 * `startServer`'s operations over real HTTP on loopback: `/metrics`, rate
 * limits and request logs.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, type ServeOptions, startServer } from "../../src/cli/serve.js";

const SECRET = "sk_test_roomgate_ops_0123456789abcdef";
const auth = { authorization: `Bearer ${SECRET}`, "content-type": "application/json" };

let running: RunningServer | undefined;

/** `startServer` on loopback over a memory store with this file's secret, and `options`. */
function serve(options: Partial<ServeOptions>): Promise<RunningServer> {
  return startServer({ port: 0, host: "127.0.0.1", secret: SECRET, store: { kind: "memory" }, ...options });
}
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${running!.url}${path}`, { method: "POST", headers: { ...auth, ...headers }, body: JSON.stringify(body) });
}

/** The value of the sample `name{labels}` in a Prometheus text page, or undefined. */
function sample(page: string, name: string, labels: string): number | undefined {
  const line = page.split("\n").find((l) => l.startsWith(`${name}{`) && labels.split(",").every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("serve /metrics", () => {
  it("metrics - counts requests by route template, decisions, tokens, store calls and open event streams", async () => {
    const lines: string[] = [];
    running = await serve({ log: (l) => lines.push(l) });
    expect((await post("/v2/rooms", { id: "room-7", defaultAccesses: ["room:write"] })).status).toBe(200);
    const { token } = (await (await post("/v2/identify-user", { userId: "alice" })).json()) as { token: string };
    expect((await post("/v2/rooms/room-7/check-access", { token })).status).toBe(200);
    expect((await post("/v2/rooms/nope/check-access", { token })).status).toBe(200);
    const stream = new AbortController();
    const events = await fetch(`${running.url}/v2/room-events`, { headers: auth, signal: stream.signal });
    expect(events.headers.get("content-type")).toContain("text/event-stream");

    const response = await fetch(`${running.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const page = await response.text();
    expect(sample(page, "roomgate_http_requests_total", 'route="/v2/rooms",status="200"')).toBe(1);
    expect(sample(page, "roomgate_http_requests_total", 'route="/v2/rooms/:roomId/check-access",status="200"')).toBe(2);
    expect(sample(page, "roomgate_http_request_duration_seconds_count", 'route="/v2/identify-user"')).toBe(1);
    expect(sample(page, "roomgate_entry_decisions_total", 'outcome="allowed"')).toBe(1);
    expect(sample(page, "roomgate_entry_decisions_total", 'outcome="denied",reason="room-not-found"')).toBe(1);
    expect(sample(page, "roomgate_tokens_issued_total", 'kind="id"')).toBe(1);
    expect(sample(page, "roomgate_store_operation_duration_seconds_count", 'operation="create"')).toBe(1);
    expect(page).toMatch(/^roomgate_event_streams_open 1$/m);
    expect(page).toContain("process_cpu_seconds_total");
    // Never a raw id.
    expect(page).not.toContain("room-7");
    stream.abort();
    await expect
      .poll(async () => (await (await fetch(`${running!.url}/metrics`)).text()).match(/^roomgate_event_streams_open (\d+)$/m)?.[1])
      .toBe("0");
  });

  it("metrics - with a metrics token: 401 without it, 403 with another (error shape), 200 with it; the API secret is not it", async () => {
    running = await serve({
      log: () => {},
      metricsToken: "scrape-me",
    });
    const missing = await fetch(`${running.url}/metrics`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: "MISSING_SECRET_KEY" });
    const wrong = await fetch(`${running.url}/metrics`, { headers: { authorization: `Bearer ${SECRET}` } });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: "INVALID_SECRET_KEY" });
    const ok = await fetch(`${running.url}/metrics`, { headers: { authorization: "Bearer scrape-me" } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("roomgate_http_requests_total");
  });

  it("metrics - off: /metrics is an ordinary unknown path behind the secret", async () => {
    running = await serve({ log: () => {}, metrics: false });
    expect((await fetch(`${running.url}/metrics`)).status).toBe(401);
  });
});

describe("serve rate limits", () => {
  it("rate limit - answers 429 RATE_LIMITED with Retry-After per address and family; probes are never limited", async () => {
    let now = 1_000_000;
    running = await serve({
      log: () => {},
      now: () => now,
      rateLimits: { identify: { limit: 2, windowMs: 10_000 } },
    });
    expect((await post("/v2/identify-user", { userId: "a" })).status).toBe(200);
    expect((await post("/v2/authorize-user", { userId: "a", permissions: { "r*": ["room:write"] } })).status).toBe(200);
    const limited = await post("/v2/identify-user", { userId: "a" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("5");
    expect(await limited.json()).toEqual({
      error: "RATE_LIMITED",
      message: "Too many requests from this address: retry in 5 s.",
      suggestion: "Slow down, or ask the operator to raise this server's --rate-limit.",
    });
    // Another family is not limited; probes never are.
    expect((await fetch(`${running.url}/v2/rooms`, { headers: auth })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    // Without --trust-proxy, X-Forwarded-For does not make another client.
    expect((await post("/v2/identify-user", { userId: "a" }, { "x-forwarded-for": "203.0.113.9" })).status).toBe(429);
    now += 5_000;
    expect((await post("/v2/identify-user", { userId: "a" })).status).toBe(200);
    const page = await (await fetch(`${running.url}/metrics`)).text();
    expect(sample(page, "roomgate_rate_limited_total", 'family="identify"')).toBe(2);
    expect(sample(page, "roomgate_http_requests_total", 'route="/v2/identify-user",status="429"')).toBe(2);
  });

  it("rate limit - with trustProxy, the last X-Forwarded-For entry (the proxy's) is the client; earlier ones are the client's claims", async () => {
    running = await serve({
      log: () => {},
      trustProxy: true,
      rateLimits: { writes: { limit: 1, windowMs: 60_000 } },
    });
    const create = (id: string, forwarded: string) => post("/v2/rooms", { id, defaultAccesses: [] }, { "x-forwarded-for": forwarded });
    expect((await create("a", "198.51.100.7, 203.0.113.1")).status).toBe(200);
    // Another claimed origin does not make another client.
    expect((await create("b", "198.51.100.8, 203.0.113.1")).status).toBe(429);
    expect((await create("c", "203.0.113.1, 203.0.113.2")).status).toBe(200);
  });
});

describe("serve request logs", () => {
  it("logs - one JSON line per request with the route template and a sane request id, echoed; never the path, query or a header", async () => {
    const lines: string[] = [];
    running = await serve({
      // Lines of one turn of the event loop come in one call.
      log: (text) => lines.push(...text.split("\n")),
      logFormat: "json",
    });
    lines.length = 0;
    const given = await fetch(`${running.url}/v2/rooms/alice%27s-room?secret=${SECRET}`, {
      headers: { ...auth, "x-request-id": "req-42.a:b_c" },
    });
    expect(given.status).toBe(404);
    expect(given.headers.get("x-request-id")).toBe("req-42.a:b_c");
    const insane = await fetch(`${running.url}/v2/rooms`, { headers: { ...auth, "x-request-id": "x".repeat(129) } });
    const generated = insane.headers.get("x-request-id")!;
    expect(generated).toMatch(/^[\w-]{8}-[0-9a-z]+$/);
    await fetch(`${running.url}/healthz`);
    await expect.poll(() => lines.length).toBe(2);
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: "warn",
      msg: "request",
      method: "GET",
      route: "/v2/rooms/:roomId",
      status: 404,
      durationMs: expect.any(Number),
      requestId: "req-42.a:b_c",
    });
    expect(second).toMatchObject({ level: "info", route: "/v2/rooms", status: 200, requestId: generated });
    const all = lines.join("\n");
    for (const leak of [SECRET, "alice", "Bearer", "secret="]) expect(all).not.toContain(leak);
  });
});

describe("serve request ids", () => {
  it("x-request-id - echoed on every kind of answer: JSON, a streamed event stream, probes, /metrics, 404 and 429; each is logged but the probes", async () => {
    const lines: string[] = [];
    running = await serve({
      log: (text) => lines.push(...text.split("\n")),
      logFormat: "json",
      rateLimits: { identify: { limit: 1, windowMs: 60_000 } },
    });
    const id = (n: number) => ({ "x-request-id": `req-${n}` });
    const answers: [string, Response][] = [];
    answers.push(["json", await fetch(`${running.url}/v2/rooms`, { headers: { ...auth, ...id(1) } })]);
    answers.push(["healthz", await fetch(`${running.url}/healthz`, { headers: id(2) })]);
    answers.push(["readyz", await fetch(`${running.url}/readyz`, { headers: id(3) })]);
    answers.push(["metrics", await fetch(`${running.url}/metrics`, { headers: id(4) })]);
    answers.push(["admin off", await fetch(`${running.url}/admin`, { headers: id(5) })]);
    answers.push(["identify", await post("/v2/identify-user", { userId: "a" }, id(6))]);
    answers.push(["429", await post("/v2/identify-user", { userId: "a" }, id(7))]);
    const stream = new AbortController();
    answers.push(["event stream", await fetch(`${running.url}/v2/room-events`, { headers: { ...auth, ...id(8) }, signal: stream.signal })]);
    expect(answers.map(([name, res]) => [name, res.status])).toEqual([
      ["json", 200],
      ["healthz", 200],
      ["readyz", 200],
      ["metrics", 200],
      ["admin off", 404],
      ["identify", 200],
      ["429", 429],
      ["event stream", 200],
    ]);
    expect(answers[7]![1].headers.get("content-type")).toMatch(/^text\/event-stream/);
    for (const [index, [name, res]] of answers.entries())
      expect([name, res.headers.get("x-request-id")]).toEqual([name, `req-${index + 1}`]);
    stream.abort();
    for (const [, res] of answers.slice(0, 7)) await res.arrayBuffer();
    // Answered by the operations themselves (/metrics, 429) or by the server: all counted and logged once they close.
    const logged = () =>
      lines
        .filter((line) => line.startsWith("{"))
        .map((line) => (JSON.parse(line) as { requestId: string }).requestId)
        .sort();
    await expect.poll(logged).toEqual(["req-1", "req-4", "req-5", "req-6", "req-7", "req-8"]);
  });
});
