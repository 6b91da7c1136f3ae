/**
 * Nothing a client sends produces a 5xx: random methods, paths, headers and
 * bodies, most of them authenticated so they reach the routes, some shaped
 * like the real bodies with arbitrary values in every field.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createRequestHandler } from "../../src/http/index.js";
import { SECRET, makeLiveblocks } from "../liveblocks/helpers.js";
import { startServer } from "./helpers.js";

const SEGMENTS = [
  "v2",
  "rooms",
  "identify-user",
  "authorize-user",
  "users",
  "revoke-tokens",
  "revocation",
  "upsert",
  "update-room-id",
  "check-access",
  ".well-known",
  "jwks.json",
  "r1",
  "%2F",
  "%",
  "%E0%A4%A",
  "__proto__",
  "constructor",
  "a*b",
  "",
  "..",
  "%00",
  "x".repeat(200),
];
const FIELDS = [
  "id",
  "userId",
  "groupIds",
  "userInfo",
  "organizationId",
  "tenantId",
  "permissions",
  "defaultAccesses",
  "usersAccesses",
  "groupsAccesses",
  "metadata",
  "update",
  "create",
  "newRoomId",
  "token",
  "issuedBefore",
  "__proto__",
  "constructor",
];

const path = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom(...SEGMENTS), fc.webSegment()), {
      maxLength: 5,
    })
    .map((s) => `/${s.join("/")}`),
  fc.constantFrom("/v2/rooms", "/v2/rooms/r1", "/v2/identify-user", "/v2/authorize-user", "/v2/rooms/r1/upsert"),
);
const query = fc.oneof(
  fc.constant(""),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(
          "limit",
          "startingAfter",
          "userId",
          "groupIds",
          "query",
          "metadata.k",
          "metadata.__proto__",
          "idempotent",
          "organizationId",
        ),
        fc.string({ maxLength: 30 }),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => `?${new URLSearchParams(pairs)}`),
);
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(["room:write"], ["room:read", "room:presence:write"], { alice: ["room:write"] }, { "org:*": ["*:read"] }, "r1", "alice"),
);
const shapedBody = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 }).map((o) => JSON.stringify(o));
const body = fc.oneof(
  shapedBody,
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constant(undefined),
);
const headers = fc.record(
  {
    authorization: fc.oneof(fc.constant(`Bearer ${SECRET}`), fc.constant(`Bearer ${SECRET}`), fc.string({ maxLength: 40 })),
    "content-type": fc.constantFrom("application/json", "text/plain", "", "application/json; charset=utf-8"),
    "content-length": fc.nat().map(String),
    "x-anything": fc.string({ maxLength: 20 }),
  },
  { requiredKeys: [] },
);

const ROUTES: readonly [string, string][] = [
  ["POST", "/v2/identify-user"],
  ["POST", "/v2/authorize-user"],
  ["GET", "/v2/rooms"],
  ["POST", "/v2/rooms"],
  ["GET", "/v2/rooms/r1"],
  ["POST", "/v2/rooms/r1"],
  ["DELETE", "/v2/rooms/r1"],
  ["POST", "/v2/rooms/r1/upsert"],
  ["POST", "/v2/rooms/r1/update-room-id"],
  ["POST", "/v2/rooms/r1/check-access"],
  ["POST", "/v2/users/alice/revoke-tokens"],
  ["GET", "/v2/users/alice/revocation"],
];

/** Anything at all, or (more often) a real route with the secret and a body of the right shape. */
const requests = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"), path, query, headers, body),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...ROUTES), query, shapedBody)
      .map(([[method, p], q, b]) => [method, p, q, { authorization: `Bearer ${SECRET}`, "content-type": "application/json" }, b] as const),
  },
);

describe("handler fuzz", () => {
  it("handler - random requests never answer 5xx and always answer JSON errors", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r1", { defaultAccesses: ["room:write"] });
    const unexpected: unknown[] = [];
    const handler = createRequestHandler(liveblocks, {
      onError: (error) => unexpected.push(error),
    });
    await fc.assert(
      fc.asyncProperty(requests, async ([method, p, q, h, b]) => {
        let request: Request;
        try {
          const { "content-length": _ignored, ...sent } = h as Record<string, string>;
          request = new Request(`http://127.0.0.1${p}${q}`, {
            method,
            headers: sent,
            ...(b !== undefined && method !== "GET" && method !== "HEAD" && { body: b }),
          });
        } catch {
          return; // Not a request a client can send.
        }
        const response = await handler(request);
        expect(response.status, `${method} ${p}${q} ${b}`).toBeLessThan(500);
        if (response.status >= 400) {
          const json = (await response.json()) as {
            error: unknown;
            message: unknown;
          };
          expect(typeof json.message).toBe("string");
          expect((json.message as string).length).toBeGreaterThan(0);
        } else {
          await response.arrayBuffer();
        }
      }),
      { numRuns: 2000 },
    );
    expect(unexpected).toEqual([]);
  }, 120_000);

  it("toNodeListener - random requests over loopback never answer 5xx and the server keeps serving", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("r1", { defaultAccesses: ["room:write"] });
    const unexpected: unknown[] = [];
    const server = await startServer(liveblocks, {
      onError: (error) => unexpected.push(error),
    });
    try {
      await fc.assert(
        fc.asyncProperty(requests, async ([method, p, q, h, b]) => {
          let response: Response;
          try {
            const { "content-length": _ignored, ...sent } = h as Record<string, string>;
            response = await fetch(`${server.url}${p}${q}`, {
              method,
              headers: sent,
              ...(b !== undefined && method !== "GET" && method !== "HEAD" && { body: b }),
            });
          } catch (error) {
            // fetch refuses to send some of these (bad header bytes, a body on GET): not a server answer.
            if (error instanceof TypeError && !/fetch failed/.test(error.message)) return;
            throw error;
          }
          expect(response.status, `${method} ${p}${q} ${b}`).toBeLessThan(500);
          await response.arrayBuffer();
        }),
        { numRuns: 300 },
      );
      expect((await server.call("GET", "/v2/rooms")).status).toBe(200);
      expect(unexpected).toEqual([]);
    } finally {
      await server.close();
    }
  }, 120_000);
});
