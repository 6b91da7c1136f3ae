/**
 * RestStore against hostile or broken servers on loopback (security review,
 * "hardening, round two", items 8, 9 and 15 a–b): an event stream that never
 * subscribes, frames with CRLF, sends an endless line or flaps; an
 * `onEventGap` that throws; redirects; a room answered for another id.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Liveblocks } from "../../../src/liveblocks/index.js";
import { MemoryStore } from "../../../src/stores/memory/store.js";
import { RestResponseError, RestStore, type RestStoreOptions } from "../../../src/stores/rest/store.js";
import type { RoomChangeEvent } from "../../../src/rooms/types.js";
import { makeRoom } from "../../../src/testing/index.js";
import { createRequestHandler, toNodeListener } from "../../../src/http/index.js";
import { encodeRoomEvent } from "../../../src/protocol/event-stream.js";
import { EventStreamTooLongError } from "../../../src/protocol/event-stream.js";
import { roomToJson } from "../../../src/protocol/room-json.js";

const SECRET = "sk_test_0123456789abcdefghijklmnopqrstuv";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
const stores: RestStore[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A loopback server answering with `handler`; closed after the test. */
async function listen(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * A roomgate server whose `GET /v2/room-events` is `events` instead of the
 * real route; every other route is roomgate's handler over `liveblocks`.
 */
async function serverWithEvents(events: (res: ServerResponse, liveblocks: Liveblocks) => void) {
  const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
  const rest = toNodeListener(createRequestHandler(liveblocks));
  const url = await listen((req, res) => {
    if (req.url === "/v2/room-events") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.flushHeaders();
      events(res, liveblocks);
    } else rest(req, res);
  });
  return { url, liveblocks };
}

function makeStore(options: Partial<RestStoreOptions> & { baseUrl: string }): RestStore {
  const store = new RestStore({ secret: SECRET, serverEvents: true, ...options });
  stores.push(store);
  return store;
}

/** `promise`, or a rejection naming `what` after `ms`: a hang fails the test instead of stalling it. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms))),
  ]);
}

describe("RestStore event stream (item 8)", () => {
  it("write - a stream that only sends heartbeats holds a write at most timeoutMs; the write's event still reaches listeners", async () => {
    const { url } = await serverWithEvents((res) => {
      res.write(": ping\n\n");
      const timer = setInterval(() => res.write(": ping\n\n"), 50);
      res.on("close", () => clearInterval(timer));
    });
    const gaps: unknown[] = [];
    const store = makeStore({ baseUrl: url, timeoutMs: 300, onEventGap: (error) => gaps.push(error) });
    const events: RoomChangeEvent[] = [];
    store.subscribe((event) => events.push(event));
    const started = performance.now();
    const { created } = await within(3000, "create", store.create(makeRoom("r")));
    expect(created).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
    // Not heard from the stream, so the store tells its own listeners, as without server events.
    expect(events.map((event) => [event.type, event.roomId])).toEqual([["created", "r"]]);
    expect(String(gaps[0])).toMatch(/connected/);
  });

  it("write - the caller's signal cuts the wait for the stream short", async () => {
    const { url } = await serverWithEvents((res) => res.write(": ping\n\n"));
    const store = makeStore({ baseUrl: url, timeoutMs: 60_000, onEventGap: () => {} });
    store.subscribe(() => {});
    const reason = new Error("caller gave up");
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 100);
    await expect(within(3000, "create", store.create(makeRoom("r"), { signal: controller.signal }))).rejects.toBe(reason);
  });

  it("stream - CRLF framing subscribes and delivers events", async () => {
    const { url } = await serverWithEvents((res, liveblocks) => {
      res.write(": connected\r\n\r\n");
      const stop = liveblocks.onRoomChange((event) => res.write(encodeRoomEvent(event).replace(/\n/g, "\r\n")));
      res.on("close", stop);
    });
    const gaps: unknown[] = [];
    const store = makeStore({ baseUrl: url, onEventGap: (error) => gaps.push(error) });
    const events: RoomChangeEvent[] = [];
    store.subscribe((event) => events.push(event));
    await within(3000, "create", store.create(makeRoom("r")));
    await vi.waitFor(() => expect(events).toHaveLength(1));
    expect(events[0]).toMatchObject({ type: "created", roomId: "r", room: { id: "r" } });
    expect(gaps).toEqual([]);
  });

  it("stream - a line over the limit is an error that reconnects, not a growing buffer", async () => {
    let connections = 0;
    const { url } = await serverWithEvents((res) => {
      connections++;
      res.write(": connected\n\ndata: ");
      // 2 MiB on one line, and no end to it.
      const chunk = "x".repeat(64 * 1024);
      for (let i = 0; i < 32; i++) res.write(chunk);
    });
    const gaps: unknown[] = [];
    const store = makeStore({ baseUrl: url, backoffMs: 1, maxBackoffMs: 1, onEventGap: (error) => gaps.push(error) });
    store.subscribe(() => {});
    await vi.waitFor(() => expect(connections).toBeGreaterThanOrEqual(2), { timeout: 3000 });
    expect(gaps[0]).toBeInstanceOf(EventStreamTooLongError);
  });

  it("backoff - a stream that flaps keeps backing off; one that stayed up a while resets it", async () => {
    let connections = 0;
    let held: ServerResponse | undefined;
    const { url } = await serverWithEvents((res) => {
      connections++;
      res.write(": connected\n\n");
      // Accepts and closes at once, four times; then stays open.
      if (connections <= 4) res.end();
      else held = res;
    });
    let clock = Date.UTC(2026, 0, 1);
    const waits: number[] = [];
    const store = makeStore({
      baseUrl: url,
      random: () => 0.5,
      backoffMs: 100,
      maxBackoffMs: 400,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
      onEventGap: () => {},
    });
    store.subscribe(() => {});
    await vi.waitFor(() => expect(held).toBeDefined(), { timeout: 3000 });
    expect(waits).toEqual([50, 100, 200, 200]);
    // Subscribed on the fifth connection (a write waits for that), up a minute, then dropped.
    await within(3000, "create", store.create(makeRoom("r")));
    clock += 60_000;
    held!.end();
    await vi.waitFor(() => expect(waits).toHaveLength(5), { timeout: 3000 });
    expect(waits[4]).toBe(50);
  });
});

describe("RestStore onEventGap (item 9)", () => {
  it("onEventGap - a handler that throws is contained: no unhandled rejection, and the stream reconnects", async () => {
    let connections = 0;
    const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
    const rest = toNodeListener(createRequestHandler(liveblocks));
    const url = await listen((req, res) => {
      if (req.url === "/v2/room-events" && ++connections <= 2) {
        res.writeHead(503).end();
        return;
      }
      rest(req, res);
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const store = makeStore({
        baseUrl: url,
        backoffMs: 1,
        maxBackoffMs: 1,
        onEventGap: () => {
          throw new Error("the app's gap handler is broken");
        },
      });
      const events: RoomChangeEvent[] = [];
      store.subscribe((event) => events.push(event));
      await vi.waitFor(() => expect(connections).toBe(3), { timeout: 3000 });
      await within(3000, "create", store.create(makeRoom("r")));
      await vi.waitFor(() => expect(events.map((event) => event.type)).toEqual(["created"]));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("RestStore redirects (item 15a)", () => {
  it("create - a 307 to another origin is refused; the other origin never receives the body", async () => {
    const elsewhere: string[] = [];
    const other = await listen((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        elsewhere.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(roomToJson(makeRoom("r"))));
      });
    });
    const redirecting = await listen((req, res) => {
      req.resume();
      res.writeHead(307, { location: `${other}${req.url}` }).end();
    });
    const store = makeStore({ baseUrl: redirecting, serverEvents: false });
    const error = await store.create(makeRoom("r", { usersAccesses: { alice: ["room:write"] } })).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RestResponseError);
    expect((error as Error).message).toMatch(/redirect.*307.*not followed/i);
    await expect(store.get("r")).rejects.toBeInstanceOf(RestResponseError);
    expect(elsewhere).toEqual([]);
  });

  it("stream - a redirected event stream is reported once and not retried", async () => {
    const elsewhere: string[] = [];
    const other = await listen((req, res) => {
      elsewhere.push(`${req.method} ${req.url}`);
      res.writeHead(200, { "content-type": "text/event-stream" }).write(": connected\n\n");
    });
    let asked = 0;
    const redirecting = await listen((req, res) => {
      asked++;
      res.writeHead(302, { location: `${other}${req.url}` }).end();
    });
    const gaps: unknown[] = [];
    const store = makeStore({ baseUrl: redirecting, backoffMs: 1, maxBackoffMs: 1, onEventGap: (error) => gaps.push(error) });
    store.subscribe(() => {});
    await vi.waitFor(() => expect(gaps).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(asked).toBe(1);
    expect(String(gaps[0])).toMatch(/redirect/);
    expect(elsewhere).toEqual([]);
  });
});

describe("RestStore room identity (item 15b)", () => {
  it("get - a room answered for another id is refused, never used as the room asked for", async () => {
    const url = await listen((req, res) => {
      req.resume();
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify(roomToJson(makeRoom("other", { defaultAccesses: ["room:write"] }))));
    });
    const store = makeStore({ baseUrl: url, serverEvents: false });
    const error = await store.get("mine").catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RestResponseError);
    expect((error as Error).message).toMatch(/"other".*"mine"/);
    await expect(store.update("mine", { metadata: { a: "1" } })).rejects.toBeInstanceOf(RestResponseError);
    await expect(store.create(makeRoom("mine"))).rejects.toBeInstanceOf(RestResponseError);
    await expect(store.rename("mine", "next")).rejects.toBeInstanceOf(RestResponseError);
    // The entry decision fails closed on it.
    const liveblocks = new Liveblocks({ secret: SECRET, store });
    const { token } = JSON.parse((await liveblocks.identifyUser({ userId: "alice" })).body) as { token: string };
    expect(await liveblocks.checkRoomAccess(token, "mine")).toMatchObject({ allowed: false });
  });
});
