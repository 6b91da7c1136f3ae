/**
 * RestStore against failures a real server cannot produce on demand
 * (timeouts, resets mid-body, 503 then success, 429 with Retry-After,
 * malformed JSON), with msw: each test asserts the exact requests sent.
 */
import { http, HttpResponse, delay } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LiveblocksError } from "../../../src/protocol/errors.js";
import { RestResponseError, RestStore, type RestStoreOptions } from "../../../src/stores/rest/store.js";
import { InvalidCursorError } from "../../../src/rooms/types.js";
import { roomToJson } from "../../../src/protocol/room-json.js";
import { makeRoom } from "../../../src/testing/index.js";

const BASE = "http://rooms.test:8787";
const SECRET = "sk_rest_failures_0123456789abcdefgh";
const ROOM = makeRoom("a/b", { usersAccesses: { alice: ["*:write"] } });

type Sent = { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: unknown };
const sent: Sent[] = [];
const server = setupServer();

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  server.events.on("request:start", async ({ request }) => {
    const url = new URL(request.url);
    const text = await request.clone().text();
    sent.push({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(request.headers),
      body: text === "" ? undefined : JSON.parse(text),
    });
  });
});
afterEach(() => {
  server.resetHandlers();
  sent.length = 0;
});
afterAll(() => server.close());

/** A store whose waits are recorded, not slept, so retries are exact and instant. */
function makeStore(options: Partial<RestStoreOptions> = {}) {
  const waits: number[] = [];
  const store = new RestStore({
    baseUrl: BASE,
    secret: SECRET,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
  return { store, waits };
}

/** Answers `responses` in turn (the last one repeats). */
function sequence(...responses: (() => Response | Promise<Response>)[]) {
  let n = 0;
  return () => (responses[Math.min(n++, responses.length - 1)] as () => Response)();
}

const roomJson = () => HttpResponse.json(roomToJson(ROOM));
const status =
  (code: number, body: object = { error: "Unavailable", message: `status ${code}` }) =>
  () =>
    HttpResponse.json(body, { status: code });

describe("RestStore requests", () => {
  it("get - sends GET with the bearer secret and the id encoded once", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, roomJson));
    const { store } = makeStore();
    expect(await store.get("a/b")).toEqual(ROOM);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: "GET", path: "/v2/rooms/a%2Fb", query: {}, body: undefined });
    expect(sent[0]?.headers["authorization"]).toBe(`Bearer ${SECRET}`);
  });

  it("create - sends the room's fields as the create body, not its timestamps", async () => {
    server.use(http.post(`${BASE}/v2/rooms`, roomJson));
    const { store } = makeStore();
    await store.create(ROOM);
    expect(sent).toEqual([
      {
        method: "POST",
        path: "/v2/rooms",
        query: {},
        headers: expect.objectContaining({ authorization: `Bearer ${SECRET}`, "content-type": "application/json" }),
        body: {
          id: "a/b",
          defaultAccesses: [],
          usersAccesses: { alice: ["*:write"] },
          groupsAccesses: {},
          metadata: {},
          organizationId: "default",
        },
      },
    ]);
  });

  it("list - sends every filter; id and metadata conditions as one query, two values of a key kept", async () => {
    server.use(http.get(`${BASE}/v2/rooms`, () => HttpResponse.json({ data: [roomToJson(ROOM)], nextCursor: "c2" })));
    const { store } = makeStore();
    const page = await store.list({
      filter: {
        userId: "alice",
        groupIds: ["eng", "ops"],
        organizationId: "acme",
        roomIdPrefix: "org:",
        metadata: [
          ["tags", "x"],
          ["tags", "y"],
        ],
      },
      limit: 7,
      cursor: "c1",
    });
    expect(page).toEqual({ rooms: [ROOM], nextCursor: "c2" });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      method: "GET",
      path: "/v2/rooms",
      query: {
        limit: "7",
        startingAfter: "c1",
        userId: "alice",
        groupIds: "eng,ops",
        organizationId: "acme",
        query: "roomId^'org:' metadata['tags']:'x' metadata['tags']:'y'",
      },
    });
  });

  it("revokeTokens - posts the cutoff to roomgate's own route", async () => {
    server.use(http.post(`${BASE}/v2/users/:id/revoke-tokens`, () => new HttpResponse(null, { status: 204 })));
    const { store } = makeStore();
    await store.revokeTokens("__proto__/x", 1234);
    expect(sent).toMatchObject([{ method: "POST", path: "/v2/users/__proto__%2Fx/revoke-tokens", body: { issuedBefore: 1234 } }]);
  });

  it("baseUrl - a path prefix is kept", async () => {
    server.use(http.get(`${BASE}/api/v2/rooms/:id`, roomJson));
    const { store } = makeStore({ baseUrl: `${BASE}/api/` });
    expect(await store.get("a/b")).toEqual(ROOM);
    expect(sent.map((request) => request.path)).toEqual(["/api/v2/rooms/a%2Fb"]);
  });
});

describe("RestStore retries", () => {
  it("get - 503 then success is retried once after a jittered backoff", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, sequence(status(503), roomJson)));
    const { store, waits } = makeStore({ backoffMs: 100 });
    expect(await store.get("a/b")).toEqual(ROOM);
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual(["GET /v2/rooms/a%2Fb", "GET /v2/rooms/a%2Fb"]);
    expect(waits).toEqual([50]); // random() 0.5 × 100 ms
  });

  it("get - backoff doubles and is capped; the last status is the error once retries run out", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, status(502, { message: "bad gateway" })));
    const { store, waits } = makeStore({ retries: 4, backoffMs: 100, maxBackoffMs: 300, random: () => 0.999 });
    const error = await store.get("a/b").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LiveblocksError);
    expect(error).toMatchObject({ status: 502, message: "bad gateway" });
    expect(sent).toHaveLength(5);
    expect(waits).toEqual([99, 199, 299, 299]);
  });

  it("get - 429 honours Retry-After", async () => {
    server.use(
      http.get(
        `${BASE}/v2/rooms/:id`,
        sequence(() => HttpResponse.json({ message: "slow down" }, { status: 429, headers: { "Retry-After": "2" } }), roomJson),
      ),
    );
    const { store, waits } = makeStore();
    expect(await store.get("a/b")).toEqual(ROOM);
    expect(sent).toHaveLength(2);
    expect(waits).toEqual([2000]);
  });

  it("get - a Retry-After date is waited until, by the injected clock", async () => {
    const now = Date.UTC(2024, 0, 1);
    const later = new Date(now + 3000).toUTCString();
    server.use(
      http.get(
        `${BASE}/v2/rooms/:id`,
        sequence(() => new HttpResponse(null, { status: 503, headers: { "Retry-After": later } }), roomJson),
      ),
    );
    const { store, waits } = makeStore({ now: () => now });
    expect(await store.get("a/b")).toEqual(ROOM);
    expect(waits).toEqual([3000]);
  });

  it("get - a Retry-After beyond a minute fails at once with the 429", async () => {
    server.use(
      http.get(`${BASE}/v2/rooms/:id`, () =>
        HttpResponse.json({ message: "come back tomorrow" }, { status: 429, headers: { "Retry-After": "86400" } }),
      ),
    );
    const { store, waits } = makeStore();
    await expect(store.get("a/b")).rejects.toMatchObject({ name: "LiveblocksError", status: 429 });
    expect(sent).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("update - 429 is retried: the server refused the patch before applying it", async () => {
    server.use(
      http.post(
        `${BASE}/v2/rooms/:id`,
        sequence(() => HttpResponse.json({ message: "slow down" }, { status: 429, headers: { "Retry-After": "1" } }), roomJson),
      ),
    );
    const { store, waits } = makeStore();
    expect(await store.update("a/b", { metadata: { k: "v" } })).toEqual(ROOM);
    expect(sent.map((request) => [request.method, request.body])).toEqual([
      ["POST", { metadata: { k: "v" } }],
      ["POST", { metadata: { k: "v" } }],
    ]);
    expect(waits).toEqual([1000]);
  });

  it("revokeTokens - 503 is retried: moving a cutoff forward twice changes nothing", async () => {
    server.use(
      http.post(
        `${BASE}/v2/users/:id/revoke-tokens`,
        sequence(status(503), () => new HttpResponse(null, { status: 204 })),
      ),
    );
    const { store } = makeStore();
    await store.revokeTokens("alice", 1234);
    expect(sent.map((request) => [request.method, request.path, request.body])).toEqual([
      ["POST", "/v2/users/alice/revoke-tokens", { issuedBefore: 1234 }],
      ["POST", "/v2/users/alice/revoke-tokens", { issuedBefore: 1234 }],
    ]);
  });

  it("delete - 503 on the DELETE is retried: deleting twice deletes once", async () => {
    server.use(
      http.get(`${BASE}/v2/rooms/:id`, roomJson),
      http.delete(
        `${BASE}/v2/rooms/:id`,
        sequence(status(503), () => new HttpResponse(null, { status: 204 })),
      ),
    );
    const { store } = makeStore();
    expect(await store.delete("a/b")).toBe(true);
    expect(sent.map((request) => request.method)).toEqual(["GET", "DELETE", "DELETE"]);
  });

  it("update - 503 is not retried: the patch may have been applied", async () => {
    server.use(http.post(`${BASE}/v2/rooms/:id`, status(503)));
    const { store } = makeStore();
    await expect(store.update("a/b", { metadata: { k: "v" } })).rejects.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(1);
  });

  it("create - a connection reset is not retried: the room may have been created", async () => {
    server.use(http.post(`${BASE}/v2/rooms`, () => HttpResponse.error()));
    const { store } = makeStore();
    const error = await store.create(ROOM).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(LiveblocksError);
    expect(sent).toHaveLength(1);
  });

  it("get - a network error is retried, then rejects with it (not a LiveblocksError)", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, () => HttpResponse.error()));
    const { store, waits } = makeStore({ retries: 2 });
    const error = await store.get("a/b").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(LiveblocksError);
    expect(sent).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it("get - a reset mid-body fails that attempt; the retry succeeds", async () => {
    const partial = () =>
      new HttpResponse(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"type":"room","id":'));
            controller.error(new Error("connection reset"));
          },
        }),
        { headers: { "content-type": "application/json" } },
      );
    server.use(http.get(`${BASE}/v2/rooms/:id`, sequence(partial, roomJson)));
    const { store } = makeStore();
    expect(await store.get("a/b")).toEqual(ROOM);
    expect(sent).toHaveLength(2);
  });

  it("get - a timeout is retried per attempt, then rejects with a TimeoutError", async () => {
    server.use(
      http.get(`${BASE}/v2/rooms/:id`, async () => {
        await delay("infinite");
        return roomJson();
      }),
    );
    const { store } = makeStore({ timeoutMs: 20, retries: 1 });
    await expect(store.get("a/b")).rejects.toMatchObject({ name: "TimeoutError" });
    expect(sent).toHaveLength(2);
  });

  it("update - a timeout is not retried", async () => {
    server.use(
      http.post(`${BASE}/v2/rooms/:id`, async () => {
        await delay("infinite");
        return roomJson();
      }),
    );
    const { store } = makeStore({ timeoutMs: 20 });
    await expect(store.update("a/b", {})).rejects.toMatchObject({ name: "TimeoutError" });
    expect(sent).toHaveLength(1);
  });

  it("get - the caller's abort is never retried and rejects with its reason", async () => {
    server.use(
      http.get(`${BASE}/v2/rooms/:id`, async () => {
        await delay("infinite");
        return roomJson();
      }),
    );
    const { store, waits } = makeStore();
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const pending = store.get("a/b", { signal: controller.signal });
    await expect.poll(() => sent.length).toBe(1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(sent).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

describe("RestStore answers", () => {
  it("get - malformed JSON rejects with RestResponseError and is not retried", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, () => new HttpResponse('{"type":"room",', { status: 200 })));
    const { store } = makeStore();
    const error = await store.get("a/b").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RestResponseError);
    expect(error).toMatchObject({ code: "ERR_REST_RESPONSE", status: 200 });
    expect(sent).toHaveLength(1);
  });

  it("get - JSON that is not a room rejects with RestResponseError naming the field", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, () => HttpResponse.json({ id: "a/b" })));
    const { store } = makeStore();
    await expect(store.get("a/b")).rejects.toThrow(/createdAt/);
  });

  it("update - an API error is a LiveblocksError with the status, message and details", async () => {
    server.use(
      http.post(`${BASE}/v2/rooms/:id`, () =>
        HttpResponse.json(
          { error: "UNPROCESSABLE_ENTITY", message: "Invalid value for field 'metadata': too many", suggestion: "Fewer" },
          { status: 422 },
        ),
      ),
    );
    const { store } = makeStore();
    const error = await store.update("a/b", {}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LiveblocksError);
    expect(error).toMatchObject({
      status: 422,
      code: "UNPROCESSABLE_ENTITY",
      message: "Invalid value for field 'metadata': too many",
      details: "Suggestion: Fewer",
    });
  });

  it("get - an error whose `error` is not a code gets the code HTTP names for its status", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, status(409, { error: "Conflict", message: "busy" })));
    const { store } = makeStore();
    await expect(store.get("a/b")).rejects.toMatchObject({ status: 409, code: "CONFLICT", message: "busy" });
    server.use(http.get(`${BASE}/v2/rooms/:id`, status(418, { message: "teapot" })));
    await expect(store.get("a/b")).rejects.toMatchObject({ status: 418, code: "HTTP_418", message: "teapot" });
  });

  it("get - an error without a message gets the SDK's fallback text", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, () => new HttpResponse(null, { status: 403 })));
    const { store } = makeStore();
    await expect(store.get("a/b")).rejects.toMatchObject({
      status: 403,
      code: "FORBIDDEN",
      message: "An error happened without an error message",
    });
  });

  it("list - a cursor the server answers INVALID_CURSOR for is an InvalidCursorError, whatever the message", async () => {
    server.use(http.get(`${BASE}/v2/rooms`, () => HttpResponse.json({ error: "INVALID_CURSOR", message: "Nope." }, { status: 422 })));
    const { store } = makeStore();
    await expect(store.list({ filter: {}, limit: 10, cursor: "nope" })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("list - regression: a 422 whose message names startingAfter is not read as a cursor rejection without its code", async () => {
    server.use(
      http.get(`${BASE}/v2/rooms`, () =>
        HttpResponse.json(
          { error: "UNPROCESSABLE_ENTITY", message: "Invalid value for field 'limit': startingAfter needs a limit" },
          { status: 422 },
        ),
      ),
    );
    const { store } = makeStore();
    await expect(store.list({ filter: {}, limit: 10, cursor: "nope" })).rejects.toMatchObject({
      name: "LiveblocksError",
      code: "UNPROCESSABLE_ENTITY",
    });
  });

  it("delete - a room missing at the read sends no DELETE and resolves false", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, status(404, { message: "not found" })));
    const { store } = makeStore();
    expect(await store.delete("a/b")).toBe(false);
    expect(sent.map((request) => request.method)).toEqual(["GET"]);
  });

  it("constructor - refuses a baseUrl that is not http(s) and bad numbers", () => {
    expect(() => new RestStore({ baseUrl: "ftp://x", secret: SECRET })).toThrow("Invalid value for field 'baseUrl'");
    expect(() => new RestStore({ baseUrl: BASE, secret: SECRET, retries: -1 })).toThrow("'retries'");
    expect(() => new RestStore({ baseUrl: BASE, secret: SECRET, timeoutMs: 0 })).toThrow("'timeoutMs'");
  });
});

describe("RestStore waits", () => {
  it("get - an abort during the backoff wait rejects with its reason at once", async () => {
    server.use(http.get(`${BASE}/v2/rooms/:id`, status(503)));
    // The default sleep, with a backoff far longer than the test.
    const store = new RestStore({ baseUrl: BASE, secret: SECRET, backoffMs: 60_000, maxBackoffMs: 60_000, random: () => 1 });
    const controller = new AbortController();
    const reason = new Error("caller gave up");
    const pending = store.get("a/b", { signal: controller.signal });
    await expect.poll(() => sent.length).toBe(1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(sent).toHaveLength(1);
  });
});

describe("RestStore server events", () => {
  it("subscribe - events split across chunks are joined; comments skipped; a malformed one is a gap", async () => {
    const roomB = roomToJson(makeRoom("b"));
    const chunks = [
      ": conn",
      "ected\n\n",
      'data: {"type":"deleted","roomId":"a"',
      ',"room":null}\n\n: ping\n\n',
      "data: not json\n\n",
      `data:${JSON.stringify({ type: "created", roomId: "b", room: roomB })}\n\n`,
    ];
    server.use(
      http.get(
        `${BASE}/v2/room-events`,
        sequence(
          () =>
            new HttpResponse(
              new ReadableStream({
                start(controller) {
                  for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
                },
              }),
              { headers: { "content-type": "text/event-stream" } },
            ),
        ),
      ),
    );
    const gaps: unknown[] = [];
    const { store } = makeStore({ serverEvents: true, onEventGap: (error) => gaps.push(error) });
    const events: unknown[] = [];
    store.subscribe((event) => events.push(event));
    await expect.poll(() => events.length).toBe(2);
    expect(events).toEqual([
      { type: "deleted", roomId: "a", room: null },
      { type: "created", roomId: "b", room: makeRoom("b") },
    ]);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toBeInstanceOf(SyntaxError);
    expect(sent).toMatchObject([
      { method: "GET", path: "/v2/room-events", headers: { authorization: `Bearer ${SECRET}`, accept: "text/event-stream" } },
    ]);
    await store.close();
  });

  it("subscribe - a dropped stream is reported and reopened after a backoff", async () => {
    const connected = () =>
      new HttpResponse(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(": connected\n\n"));
            controller.close(); // The server went away.
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    const held = () =>
      new HttpResponse(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(": connected\n\n"));
          },
        }),
        { headers: { "content-type": "text/event-stream" } },
      );
    server.use(http.get(`${BASE}/v2/room-events`, sequence(connected, held)));
    const gaps: unknown[] = [];
    const { store, waits } = makeStore({ serverEvents: true, onEventGap: (error) => gaps.push(error), backoffMs: 100 });
    store.subscribe(() => {});
    await expect.poll(() => sent.length).toBe(2);
    expect(String(gaps[0])).toMatch(/ended/);
    expect(waits).toEqual([50]); // the first failure after a success waits one step
    await store.close();
  });
});
