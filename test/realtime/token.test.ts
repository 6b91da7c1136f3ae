/** Where a gate reads the token: each source, and arbitrary requests never throwing. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readToken, roomIdFromPath } from "../../src/realtime/token.js";

describe("readToken", () => {
  it("readToken - query parameter, subprotocol after its marker, header with or without Bearer, a function", () => {
    const request = {
      url: "/room?token=q.t.k&other=1",
      headers: { "sec-websocket-protocol": "roomgate, p.t.k", authorization: "Bearer h.t.k", "x-token": "x.t.k" },
    };
    expect(readToken(request)).toBe("q.t.k");
    expect(readToken(request, { query: "other" })).toBe("1");
    expect(readToken(request, { protocol: "roomgate" })).toBe("p.t.k");
    expect(readToken(request, { header: "Authorization" })).toBe("h.t.k");
    expect(readToken(request, { header: "x-token" })).toBe("x.t.k");
    expect(readToken(request, (r) => r.headers["x-token"] as string)).toBe("x.t.k");
    // Absent: the empty token, which never verifies.
    expect(readToken({ url: "/room", headers: {} })).toBe("");
    expect(readToken({ headers: { "sec-websocket-protocol": "p.t.k" } }, { protocol: "roomgate" })).toBe("");
    expect(readToken({ headers: { "sec-websocket-protocol": "roomgate" } }, { protocol: "roomgate" })).toBe("");
    expect(readToken({ headers: {} }, () => 42 as never)).toBe("");
    expect(
      readToken({ headers: {} }, () => {
        throw new Error("reader down");
      }),
    ).toBe("");
  });

  it("readToken / roomIdFromPath - arbitrary URLs and headers never throw and give strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: "binary", maxLength: 200 }), (url, header) => {
        const request = { url, headers: { "sec-websocket-protocol": header, authorization: header } };
        for (const source of [undefined, { query: "token" }, { protocol: "roomgate" }, { header: "authorization" }] as const) {
          expect(typeof readToken(request, source)).toBe("string");
        }
        const roomId = roomIdFromPath(request);
        expect(roomId === undefined || (typeof roomId === "string" && roomId.length > 0)).toBe(true);
      }),
    );
  });

  it("roomIdFromPath - the path without its slash and query, percent-decoded; nothing for an empty or badly encoded path", () => {
    expect(roomIdFromPath({ url: "/my%20room?token=x", headers: {} })).toBe("my room");
    expect(roomIdFromPath({ url: "/a/b", headers: {} })).toBe("a/b");
    expect(roomIdFromPath({ url: "/?token=x", headers: {} })).toBeUndefined();
    expect(roomIdFromPath({ url: "/%E0%A4%A", headers: {} })).toBeUndefined();
  });
});
