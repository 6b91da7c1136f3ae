/**
 * Webhooks through the facade, over every store with an outbox: endpoint
 * methods, room writes reaching a real receiver that verifies with the
 * official `WebhookHandler`, and nothing recorded by a write that changed
 * nothing or rolled back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebhookHandler as OfficialHandler } from "@liveblocks/node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Liveblocks, LiveblocksError, MemoryStore, type RoomStore } from "../../src/index.js";
import { SqliteStore } from "../../src/sqlite.js";
import { PostgresStore } from "../../src/postgres.js";
import { startWebhookDelivery } from "../../src/webhooks.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
import { type Receiver, startReceiver } from "./receiver.js";

const SECRET = "sk_test_roomgate_0123456789";
const unreachable = await probePostgres();
if (unreachable !== null) console.warn(`Skipping the PostgreSQL part of the webhook facade tests: ${unreachable}`);

type Made = { store: RoomStore; cleanup(): Promise<void> };
const stores: [string, () => Made][] = [
  ["memory", () => ({ store: new MemoryStore(), cleanup: async () => undefined })],
  [
    "sqlite",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "roomgate-webhooks-"));
      const store = new SqliteStore({ filename: join(dir, "rooms.db") });
      return { store, cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
];
if (unreachable === null) {
  stores.push([
    "postgres",
    () => {
      const schema = testSchema("wh_facade");
      const store = new PostgresStore({ connectionString: DATABASE_URL, schema });
      return { store, cleanup: async () => (await store.close(), await dropSchema(schema)) };
    },
  ]);
}

describe.each(stores)("webhooks through the facade (%s)", (_name, make) => {
  let made: Made;
  let receiver: Receiver;
  let liveblocks: Liveblocks;
  beforeEach(async () => {
    made = make();
    receiver = await startReceiver();
    liveblocks = new Liveblocks({ secret: SECRET, store: made.store, webhooks: {} });
  });
  afterEach(async () => {
    await receiver.close();
    await made.cleanup();
  });

  it("createRoom / deleteRoom - reach the endpoint signed, and the official WebhookHandler verifies them", async () => {
    const { id, secret } = await liveblocks.createWebhookEndpoint({ url: receiver.url });
    expect(id).toMatch(/^ep_/);
    const room = await liveblocks.createRoom("doc-1", { defaultAccesses: [] });
    await liveblocks.updateRoom("doc-1", { usersAccesses: { ada: ["room:write"] } }); // roomgate's own: not subscribed
    await liveblocks.deleteRoom("doc-1");
    const delivery = startWebhookDelivery(liveblocks, { pollMs: 10 });
    try {
      await receiver.waitFor((received) => received.length >= 2);
    } finally {
      await delivery.stop();
    }
    const official = new OfficialHandler(secret);
    const events = receiver.received.map((r) => official.verifyRequest({ headers: r.headers as Record<string, string>, rawBody: r.body }));
    expect(events.map((e) => e.type)).toEqual(["roomCreated", "roomDeleted"]);
    expect(events[0]).toEqual({
      type: "roomCreated",
      data: { projectId: liveblocks.projectId, roomId: "doc-1", createdAt: room.createdAt.toISOString() },
    });
    const { data } = await liveblocks.getWebhookDeliveries({ endpointId: id, status: "delivered" });
    expect(data.map((d) => d.eventType)).toEqual(["roomDeleted", "roomCreated"]);
  });

  it("updateRoom - roomUpdated carries only the changed entries; a write that changes nothing or fails records nothing", async () => {
    await liveblocks.createRoom("doc-2", { defaultAccesses: [], metadata: { color: "red", size: "L" } });
    const { id } = await liveblocks.createWebhookEndpoint({ url: receiver.url, events: ["roomUpdated", "roomCreated"] });
    await liveblocks.updateRoom("doc-2", { metadata: { color: "blue" } });
    await liveblocks.updateRoom("doc-2", { metadata: { color: "blue" } }); // no change
    await expect(liveblocks.createRoom("doc-2", { defaultAccesses: [] })).rejects.toMatchObject({ code: "ROOM_ALREADY_EXISTS" });
    await expect(liveblocks.updateRoom("missing", { metadata: { a: "b" } })).rejects.toMatchObject({ code: "ROOM_NOT_FOUND" });
    const delivery = startWebhookDelivery(liveblocks, { pollMs: 10 });
    try {
      await receiver.waitFor((received) => received.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await delivery.stop();
    }
    expect(receiver.received.map((r) => JSON.parse(r.body))).toEqual([
      {
        type: "roomUpdated",
        data: expect.objectContaining({
          projectId: liveblocks.projectId,
          roomId: "doc-2",
          changes: { metadata: { color: { before: "red", after: "blue" } } },
          actor: "api",
        }),
      },
    ]);
    expect((await liveblocks.getWebhookDeliveries({ endpointId: id })).data).toHaveLength(1);
  });

  it("endpoint methods - list without secrets, rotate with an overlap, delete, 404 with codes", async () => {
    const created = await liveblocks.createWebhookEndpoint({ url: receiver.url, events: ["roomCreated"] });
    const listed = await liveblocks.getWebhookEndpoints();
    expect(listed.data).toEqual([
      {
        id: created.id,
        url: receiver.url,
        events: ["roomCreated"],
        createdAt: created.createdAt,
        updatedAt: created.updatedAt,
        previousSecretExpiresAt: null,
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    const rotated = await liveblocks.updateWebhookEndpoint({ endpointId: created.id, rotateSecret: true, overlapMs: 60_000 });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previousSecretExpiresAt).toBeInstanceOf(Date);
    await liveblocks.deleteWebhookEndpoint({ endpointId: created.id });
    expect((await liveblocks.getWebhookEndpoints()).data).toEqual([]);
    for (const call of [
      () => liveblocks.deleteWebhookEndpoint({ endpointId: created.id }),
      () => liveblocks.updateWebhookEndpoint({ endpointId: created.id, url: receiver.url }),
      () => liveblocks.getWebhookDeliveries({ endpointId: created.id }),
    ]) {
      await expect(call()).rejects.toMatchObject({ status: 404, code: "WEBHOOK_ENDPOINT_NOT_FOUND" });
    }
    await expect(liveblocks.replayWebhookDelivery("msg_nope")).rejects.toMatchObject({ status: 404, code: "WEBHOOK_DELIVERY_NOT_FOUND" });
  });
});

describe("webhook endpoint validation", () => {
  const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore(), webhooks: {} });

  it("createWebhookEndpoint - refuses bad input with 422 naming the field and the rule, and stores nothing", async () => {
    const cases: [unknown, RegExp][] = [
      [{ url: "ftp://example.com/x" }, /'url': must be an http\(s\) URL/],
      [{ url: "not a url" }, /'url': must be an absolute http\(s\) URL/],
      [{ url: "http://example.com/hook" }, /'url': must use https unless it points to loopback/],
      [{ url: "https://10.0.0.8/hook" }, /'url': must not point to a private/],
      [{ url: "https://169.254.169.254/latest/meta-data" }, /'url': must not point to a private/],
      [{ url: "https://[::ffff:192.168.0.1]/" }, /'url': must not point to a private/],
      [{ url: "https://3232235521/" }, /'url': must not point to a private/], // 192.168.0.1 in decimal
      [{ url: "https://0300.0250.0.1/" }, /'url': must not point to a private/], // 192.168.0.1 in octal
      [{ url: "https://metadata.google.internal/" }, /'url': must not point to a private/],
      [{ url: "https://user:pw@example.com/" }, /'url': must not carry credentials/],
      [{ url: "https://example.com/", events: ["roomExploded"] }, /'events.0': one of roomCreated/],
      [{ url: "https://example.com/", events: [] }, /'events': at least one event type/],
      [{ url: "https://example.com/", secret: "whsec_short" }, /'secret': whsec_ followed by base64/],
      [{ url: "https://example.com/", extra: 1 }, /unknown field 'extra'/],
      [{ url: 42 }, /'url'/],
    ];
    for (const [params, message] of cases) {
      const error = await liveblocks.createWebhookEndpoint(params as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(params)).toBeInstanceOf(LiveblocksError);
      expect((error as LiveblocksError).status).toBe(422);
      expect((error as LiveblocksError).code).toBe("UNPROCESSABLE_ENTITY");
      expect((error as LiveblocksError).message).toMatch(message);
    }
    expect((await liveblocks.getWebhookEndpoints()).data).toEqual([]);
  });

  it("createWebhookEndpoint - accepts https on public names, http on loopback, and private addresses when allowPrivateNetworks", async () => {
    for (const url of ["https://hooks.example.com/in", "http://127.0.0.1:3000/in", "http://localhost/in", "http://[::1]:8080/in"]) {
      await expect(liveblocks.createWebhookEndpoint({ url })).resolves.toMatchObject({ url });
    }
    const open = new Liveblocks({ secret: SECRET, store: new MemoryStore(), webhooks: { allowPrivateNetworks: true } });
    await expect(open.createWebhookEndpoint({ url: "http://10.0.0.8/hook" })).resolves.toMatchObject({ url: "http://10.0.0.8/hook" });
  });

  it("webhook methods - without the webhooks option answer 501 NOT_IMPLEMENTED naming the option", async () => {
    const off = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
    await expect(off.getWebhookEndpoints()).rejects.toMatchObject({
      status: 501,
      code: "NOT_IMPLEMENTED",
      message: expect.stringMatching(/webhooks: \{\}/),
    });
  });
});
