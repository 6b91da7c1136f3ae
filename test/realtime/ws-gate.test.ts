/**
 * The README's realtime snippet on a real `ws` server on loopback: hostile
 * tokens and room ids must never make `socket.close(4403, access.message)`
 * throw (ws refuses a close reason over 123 bytes with a RangeError).
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { Liveblocks } from "../../src/index.js";
import { SECRET } from "../liveblocks/helpers.js";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
/** A token whose header carries what an attacker chose; the rest is filler. */
const crafted = (header: Record<string, unknown>) => `${b64(header)}.${b64({ k: "id", uid: "x" })}.${"A".repeat(43)}`;

const liveblocks = new Liveblocks({ secret: SECRET });
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let server: WebSocketServer;
let url: string;

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  // The README's snippet, as a server following it would write it.
  server.on("connection", async (socket, request) => {
    const params = new URL(request.url ?? "/", "http://127.0.0.1").searchParams;
    const token = params.get("token") ?? "";
    const roomId = params.get("room") ?? "";
    const access = await liveblocks.checkRoomAccess(token, roomId);
    if (!access.allowed) return socket.close(4403, access.message);
    socket.send(`welcome ${access.userId}`);
  });
  await new Promise((resolve) => server.once("listening", resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  await liveblocks.createRoom("open", { defaultAccesses: ["room:write"] });
  await liveblocks.createRoom("private", { defaultAccesses: [] });
});

afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
  process.off("unhandledRejection", onUnhandled);
});

type Outcome = { code: number; reason: Buffer; messages: string[] };

function connect(token: string, roomId: string): Promise<Outcome> {
  const query = new URLSearchParams({ token, room: roomId });
  const client = new WebSocket(`${url}?${query}`);
  const messages: string[] = [];
  client.on("message", (data) => {
    messages.push(String(data));
    client.close(1000);
  });
  return new Promise((resolve, reject) => {
    client.on("error", reject);
    client.on("close", (code, reason) => resolve({ code, reason, messages }));
  });
}

async function idToken(userId: string) {
  return (JSON.parse((await liveblocks.identifyUser(userId)).body) as { token: string }).token;
}

describe("realtime gate on ws", () => {
  it("checkRoomAccess - every hostile client is closed with 4403 and a reason ws accepts; the server keeps serving", async () => {
    const long = "😀".repeat(40) + "é".repeat(40) + "x".repeat(40);
    const tokens = [
      crafted({ alg: "A".repeat(100), typ: "JWT" }),
      crafted({ alg: "é".repeat(100), typ: "JWT" }),
      crafted({ alg: "😀".repeat(100), typ: "JWT" }),
      crafted({ alg: "HS256", typ: "JWT", kid: "k".repeat(100) }),
      crafted({ alg: "HS256", typ: "JWT", kid: long }),
      crafted({ alg: "HS256", typ: "JWT", [long]: 1 }),
      "x".repeat(9000),
      "",
    ];
    const strangers = await Promise.all([idToken("😀".repeat(64)), idToken("u".repeat(128)), idToken(long)]);
    const cases: [string, string][] = [
      ...tokens.map((token): [string, string] => [token, "open"]),
      ...strangers.map((token): [string, string] => [token, "private"]),
      ...strangers.map((token): [string, string] => [token, "😀".repeat(64)]),
      ...strangers.map((token): [string, string] => [token, "r".repeat(128)]),
      ...strangers.map((token): [string, string] => [token, "é".repeat(1000)]),
    ];
    const outcomes = await Promise.all(cases.map(([token, room]) => connect(token, room)));
    for (const outcome of outcomes) {
      expect(outcome.code).toBe(4403);
      expect(outcome.reason.length).toBeGreaterThan(0);
      expect(outcome.reason.length).toBeLessThanOrEqual(123);
    }
    // Still serving: a legitimate client gets in.
    const welcome = await connect(await idToken("alice"), "open");
    expect(welcome.messages).toEqual(["welcome alice"]);
    expect(unhandled).toEqual([]);
  });
});
