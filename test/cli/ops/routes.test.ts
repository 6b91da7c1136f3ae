import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { routeOf } from "../../../src/cli/ops/routes.js";

describe("routeOf", () => {
  it("routeOf - names the template and the rate-limit family of each kind of route", () => {
    expect(routeOf("POST", "/v2/identify-user")).toEqual({ template: "/v2/identify-user", family: "identify" });
    expect(routeOf("POST", "/v2/authorize-user")).toEqual({ template: "/v2/authorize-user", family: "identify" });
    expect(routeOf("GET", "/v2/rooms?limit=2")).toEqual({ template: "/v2/rooms", family: "listings" });
    expect(routeOf("GET", "/v2/users/u1/groups")).toEqual({ template: "/v2/users/:userId/groups", family: "listings" });
    expect(routeOf("POST", "/v2/rooms/r1/upsert")).toEqual({ template: "/v2/rooms/:roomId/upsert", family: "writes" });
    expect(routeOf("DELETE", "/v2/rooms/r1")).toEqual({ template: "/v2/rooms/:roomId", family: "writes" });
    expect(routeOf("GET", "/v2/rooms/r1")).toEqual({ template: "/v2/rooms/:roomId", family: "other" });
    expect(routeOf("POST", "/v2/rooms/r1/check-access")).toEqual({ template: "/v2/rooms/:roomId/check-access", family: "other" });
    expect(routeOf("GET", "/v2/room%2Devents")).toEqual({ template: "/v2/room-events", family: "other" });
    expect(routeOf("GET", "/readyz")).toEqual({ template: "/readyz", family: "other" });
    expect(routeOf("GET", "/wp-admin/secret?token=x")).toEqual({ template: "other", family: "other" });
  });

  it("routeOf - never puts an id or a query of the request into the template (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ maxLength: 40 }), (id, query) => {
        const url = `/v2/rooms/${encodeURIComponent(id)}?q=${encodeURIComponent(query)}`;
        const { template } = routeOf("GET", url);
        expect(template).toBe("/v2/rooms/:roomId");
        const other = routeOf("GET", `/x/${encodeURIComponent(id)}`).template;
        expect(other).toBe("other");
      }),
    );
  });
});
