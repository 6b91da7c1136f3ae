/**
 * The REST server against what a security review found (items 14 and 15
 * c–d of "hardening, round two"): a client that leaves mid-body, routes told
 * apart without the secret, and bodies that are not JSON by their type.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRequestHandler } from "../../src/http/index.js";
import { KeyPairSigner, type Liveblocks } from "../../src/index.js";
import { SECRET, makeLiveblocks } from "../liveblocks/helpers.js";
import { type TestServer, startServer } from "./helpers.js";

let liveblocks: Liveblocks;
let server: TestServer;

beforeEach(async () => {
  ({ liveblocks } = makeLiveblocks());
  server = await startServer(liveblocks);
});
afterEach(async () => {
  await server.close();
});

/** `promise`, or a rejection naming `what` after `ms`: a hang fails the test instead of stalling it. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms))),
  ]);
}

async function expectCode(response: Response, status: number, code: string): Promise<{ error: string; message: string }> {
  const body = (await response.json()) as { error: string; message: string };
  expect([response.status, body.error]).toEqual([status, code]);
  return body;
}

describe("request body (item 14)", () => {
  it("createRequestHandler - a client that leaves mid-body settles the handler and cancels the body", async () => {
    const handler = createRequestHandler(liveblocks);
    let cancelled = false;
    // Half a JSON body, then nothing: the client stalled and went away.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"userId":'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const client = new AbortController();
    const request = new Request("http://127.0.0.1/v2/identify-user", {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
      body,
      duplex: "half",
      signal: client.signal,
    } as RequestInit);
    const answered = handler(request);
    setTimeout(() => client.abort(new Error("The client went away.")), 50);
    const response = await within(2000, "the handler", answered);
    await expectCode(response, 400, "REQUEST_ABORTED");
    expect(cancelled).toBe(true);
  });
});

describe("authentication comes first (item 15c)", () => {
  const routes: [string, string][] = [
    ["GET", "/v2/nothing"],
    ["PUT", "/v2/rooms/r1"],
    ["DELETE", "/v2/identify-user"],
    ["GET", "/v2/rooms/%E0%A4%A"],
    ["GET", "/"],
    ["POST", "/.well-known/jwks.json"],
  ];

  it("any path and method - no secret is 401 and a wrong one 403, whether or not the route exists", async () => {
    for (const [method, path] of routes) {
      const missing = await server.call(method, path, undefined, { authorization: "" });
      expect([method, path, missing.status]).toEqual([method, path, 401]);
      await missing.arrayBuffer();
      const wrong = await server.call(method, path, undefined, { authorization: `Bearer ${SECRET}x` });
      expect([method, path, wrong.status]).toEqual([method, path, 403]);
      await wrong.arrayBuffer();
    }
  });

  it("basePath - a request outside it without the secret is 401 too", async () => {
    const handler = createRequestHandler(liveblocks, { basePath: "/api/liveblocks" });
    await expectCode(await handler(new Request("http://x/elsewhere")), 401, "MISSING_SECRET_KEY");
    await expectCode(
      await handler(new Request("http://x/elsewhere", { headers: { authorization: `Bearer ${SECRET}` } })),
      404,
      "ROUTE_NOT_FOUND",
    );
  });

  it("with the secret - unknown paths are still 404 and wrong methods 405", async () => {
    await expectCode(await server.call("GET", "/v2/nothing"), 404, "ROUTE_NOT_FOUND");
    await expectCode(await server.call("PUT", "/v2/rooms/r1"), 405, "METHOD_NOT_ALLOWED");
  });

  it("jwks - the public key route still needs no secret", async () => {
    const signer = await KeyPairSigner.generate();
    const { liveblocks: signed } = makeLiveblocks({ signer });
    const handler = createRequestHandler(signed, { publicKeys: signer });
    const response = await handler(new Request("http://x/.well-known/jwks.json"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(signer.jwks());
  });
});

describe("request Content-Type (item 15d)", () => {
  const room = (id: string) => JSON.stringify({ id, defaultAccesses: [] });

  it("415 - a body whose Content-Type is not JSON is UNSUPPORTED_MEDIA_TYPE, before it is read", async () => {
    for (const type of [
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonp",
    ]) {
      const body = await expectCode(
        await server.call("POST", "/v2/rooms", room("r"), { "content-type": type }),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
      expect(body.message).toMatch(/Content-Type: application\/json/);
    }
    expect(await liveblocks.getRooms()).toMatchObject({ data: [] });
  });

  it("JSON types - application/json with or without charset, any case, and *+json are read", async () => {
    const types = ["application/json", "application/json; charset=utf-8", "Application/JSON;Charset=UTF-8", "application/merge-patch+json"];
    for (const [i, type] of types.entries()) {
      const response = await server.call("POST", "/v2/rooms", room(`r${i}`), { "content-type": type });
      expect([type, response.status]).toEqual([type, 200]);
      await response.arrayBuffer();
    }
  });

  it("no Content-Type - a JSON body is read as JSON (curl, raw HTTP clients); no body at all is fine", async () => {
    const handler = createRequestHandler(liveblocks);
    const untyped = new Request("http://x/v2/rooms", {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}` },
      // Bytes, not a string: fetch gives a string body the type text/plain.
      body: new TextEncoder().encode(room("untyped")),
    });
    expect(untyped.headers.get("content-type")).toBeNull();
    expect((await handler(untyped)).status).toBe(200);
    const bodyless = await handler(
      new Request("http://x/v2/users/alice/revoke-tokens", { method: "POST", headers: { authorization: `Bearer ${SECRET}` } }),
    );
    expect(bodyless.status).toBe(204);
    // A GET carries no body: whatever its Content-Type says does not matter.
    expect((await server.call("GET", "/v2/rooms", undefined, { "content-type": "text/html" })).status).toBe(200);
  });
});
