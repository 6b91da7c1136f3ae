/** The webhook routes of the REST server: the facade's methods over HTTP, with its statuses and codes. */
import { afterEach, describe, expect, it } from "vitest";
import { Liveblocks, MemoryStore } from "../../src/index.js";
import { SECRET, type TestServer, startServer } from "../http/helpers.js";

describe("webhook REST routes", () => {
  let server: TestServer;
  afterEach(async () => server.close());

  it("POST/GET/DELETE /v2/webhook-endpoints - create answers the secret once, list omits it, update rotates, delete answers 204", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore(), webhooks: {} });
    server = await startServer(liveblocks);
    const created = await server.call("POST", "/v2/webhook-endpoints", {
      url: "https://hooks.example.com/in",
      events: ["roomCreated", "roomUpdated"],
    });
    expect(created.status).toBe(200);
    const endpoint = (await created.json()) as { id: string; secret: string; createdAt: unknown };
    expect(endpoint).toMatchObject({
      id: expect.stringMatching(/^ep_/),
      url: "https://hooks.example.com/in",
      events: ["roomCreated", "roomUpdated"],
      secret: expect.stringMatching(/^whsec_/),
    });
    expect(typeof endpoint.createdAt).toBe("string");

    const listed = (await (await server.call("GET", "/v2/webhook-endpoints")).json()) as { data: unknown[] };
    expect(listed.data).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(endpoint.secret);

    const rotated = (await (await server.call("POST", `/v2/webhook-endpoints/${endpoint.id}`, { rotateSecret: true })).json()) as Record<
      string,
      unknown
    >;
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.previousSecretExpiresAt).toEqual(expect.any(String));

    await liveblocks.createRoom("r", { defaultAccesses: [] });
    const deliveries = await (await server.call("GET", `/v2/webhook-endpoints/${endpoint.id}/deliveries?limit=10&status=pending`)).json();
    expect(deliveries).toEqual({ data: [], nextCursor: null }); // not fanned out until an engine runs

    expect((await server.call("DELETE", `/v2/webhook-endpoints/${endpoint.id}`)).status).toBe(204);
    const gone = await server.call("DELETE", `/v2/webhook-endpoints/${endpoint.id}`);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: "WEBHOOK_ENDPOINT_NOT_FOUND" });
  });

  it("webhook routes - bad input answers 422 naming the field, an unknown delivery 404, a server without webhooks 501, no secret 401", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore(), webhooks: {} });
    server = await startServer(liveblocks);
    const refused = await server.call("POST", "/v2/webhook-endpoints", { url: "https://192.168.1.2/hook" });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({
      error: "UNPROCESSABLE_ENTITY",
      message: expect.stringMatching(/'url': must not point to a private/),
    });
    const badLimit = await server.call("GET", "/v2/webhook-endpoints/ep_x/deliveries?limit=abc");
    expect(badLimit.status).toBe(422);
    const replay = await server.call("POST", "/v2/webhook-deliveries/msg_nope/replay");
    expect(replay.status).toBe(404);
    expect(await replay.json()).toMatchObject({ error: "WEBHOOK_DELIVERY_NOT_FOUND" });
    expect((await server.call("GET", "/v2/webhook-endpoints", undefined, { authorization: "" })).status).toBe(401);
    await server.close();

    server = await startServer(new Liveblocks({ secret: SECRET, store: new MemoryStore() }));
    const off = await server.call("GET", "/v2/webhook-endpoints");
    expect(off.status).toBe(501);
    expect(await off.json()).toMatchObject({ error: "NOT_IMPLEMENTED" });
  });
});
