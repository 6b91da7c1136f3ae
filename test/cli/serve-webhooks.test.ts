/** `roomgate serve --webhook <url>`: a child process that sends what the official WebhookHandler verifies, and never prints a secret it was given. */
import { WebhookHandler as OfficialHandler } from "@liveblocks/node";
import { afterEach, describe, expect, it } from "vitest";
import { generateWebhookSecret } from "../../src/index.js";
import { type Receiver, startReceiver } from "../webhooks/receiver.js";
import { type ServeProcess, spawnServe } from "./helpers.js";

const SECRET = "sk_test_roomgate_0123456789";

describe("roomgate serve --webhook", () => {
  let serve: ServeProcess | undefined;
  let receiver: Receiver;
  afterEach(async () => {
    await serve?.stop();
    await receiver.close();
  });

  it("serve --webhook - a room created over REST reaches the URL, signed with ROOMGATE_WEBHOOK_SECRET, which is never printed", async () => {
    receiver = await startReceiver();
    const webhookSecret = generateWebhookSecret();
    serve = await spawnServe(["--memory", "--webhook", receiver.url], { ROOMGATE_SECRET: SECRET, ROOMGATE_WEBHOOK_SECRET: webhookSecret });
    const created = await fetch(`${serve.url}/v2/rooms`, {
      method: "POST",
      headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
      body: JSON.stringify({ id: "from-rest", defaultAccesses: [] }),
    });
    expect(created.status).toBe(200);
    await receiver.waitFor((received) => received.length >= 1);
    const request = receiver.received[0]!;
    const event = new OfficialHandler(webhookSecret).verifyRequest({
      headers: request.headers as Record<string, string>,
      rawBody: request.body,
    });
    expect(event).toMatchObject({ type: "roomCreated", data: { roomId: "from-rest" } });
    const endpoints = await (await fetch(`${serve.url}/v2/webhook-endpoints`, { headers: { authorization: `Bearer ${SECRET}` } })).json();
    expect(endpoints).toMatchObject({ data: [{ url: receiver.url }] });
    expect(serve.output()).toContain(`Webhooks to ${receiver.url}`);
    expect(serve.output() + serve.errors()).not.toContain(webhookSecret.slice(6));
  });
});
