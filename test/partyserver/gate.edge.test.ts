/**
 * `roomgate/partyserver` in Vercel's Edge runtime VM (`vitest.edge.config.ts`:
 * Web crypto, Web `Request`/`Response`/`fetch`), as a Durable Object would
 * run it: the gate's `Liveblocks` reads rooms from a real `roomgate serve`
 * child process on loopback through a `RestStore` and hears changes on its
 * event stream. Changes are made by another instance over another
 * `RestStore`, as a backend would. PartyServer itself needs workerd (Node 22):
 * its `Connection` is played by an object of the shape the gate drives, its
 * `onBeforeConnect` by a call with the upgrade `Request` and the lobby.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Liveblocks, MAX_DENIAL_MESSAGE_BYTES, RestStore } from "../../src/index.js";
import { CLOSE_CODES, PartyServerGate, type PartyConnection } from "../../src/partyserver/index.js";
import { CRYPTO_IMPLEMENTATION } from "../../src/runtime/crypto/node.js";
import { type ServeProcess, spawnServe } from "../cli/helpers.js";

const SECRET = "sk_party_0123456789abcdefghijKLMNOP";
const HOUR = 3600_000;

let serve: ServeProcess;
/** The backend: issues tokens, changes rooms, revokes. */
let admin: Liveblocks;
/** The Durable Object's instance. */
let party: Liveblocks;
let gate: PartyServerGate;
let n = 0;

class FakeConnection implements PartyConnection {
  readonly id = `c${++n}`;
  closed: { code: number; reason: string } | undefined;
  close(code = 1000, reason = ""): void {
    this.closed ??= { code, reason };
  }
}

async function idToken(userId: string, extra: { organizationId?: string; groupIds?: string[] } = {}, issuer = admin): Promise<string> {
  const response = await issuer.identifyUser({ userId, ...extra });
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as { token: string }).token;
}

function upgrade(room: string, token: string, init: { query?: string; headers?: Record<string, string> } = {}): Request {
  const query = init.query ?? `?token=${encodeURIComponent(token)}`;
  return new Request(`https://party.example/parties/main/${encodeURIComponent(room)}${query}`, {
    headers: { upgrade: "websocket", ...init.headers },
  });
}

/** The Durable Object's `onConnect`, with the request the Worker forwarded. */
async function connect(room: string, token: string) {
  const connection = new FakeConnection();
  const access = await gate.onConnect(connection, { request: upgrade(room, token) }, room);
  return { connection, access };
}

async function refusal(response: Response | undefined) {
  expect(response).toBeInstanceOf(Response);
  const body = (await response!.json()) as { error: string; message: string };
  expect(new TextEncoder().encode(body.message).length).toBeLessThanOrEqual(MAX_DENIAL_MESSAGE_BYTES);
  return { status: response!.status, ...body };
}

beforeAll(async () => {
  serve = await spawnServe(["--memory"], { ROOMGATE_SECRET: SECRET });
  admin = new Liveblocks({ secret: SECRET, store: new RestStore({ baseUrl: serve.url, secret: SECRET }) });
  party = new Liveblocks({ secret: SECRET, store: new RestStore({ baseUrl: serve.url, secret: SECRET, serverEvents: true }) });
  gate = new PartyServerGate({ liveblocks: party });
  await admin.createRoom("doc", {
    defaultAccesses: [],
    usersAccesses: { writer: ["room:write"], reader: ["room:read", "room:presence:write"] },
  });
}, 30_000);

afterAll(async () => {
  gate?.stop();
  await serve?.stop();
});

describe("PartyServerGate (Edge VM, roomgate serve over RestStore)", () => {
  it("runtime - runs in the Edge VM with the Web crypto implementation", () => {
    expect(CRYPTO_IMPLEMENTATION).toBe("web");
    expect(typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime).toBe("string");
  });

  it("onBeforeConnect / onConnect - admit a writer and a read-only reader; canWrite follows", async () => {
    const writer = await idToken("writer");
    expect(await gate.onBeforeConnect(upgrade("doc", writer), { name: "doc" })).toBeUndefined();
    const w = await connect("doc", writer);
    expect(w.access).toMatchObject({ allowed: true, userId: "writer", canWrite: true });
    expect(w.connection.closed).toBeUndefined();
    expect(gate.canWrite(w.connection)).toBe(true);

    const r = await connect("doc", await idToken("reader"));
    expect(r.access).toMatchObject({ allowed: true, userId: "reader", canWrite: false, isReadOnly: true });
    expect(gate.canWrite(r.connection)).toBe(false);
    expect(gate.canWrite(new FakeConnection())).toBe(false);
    gate.onClose(w.connection);
    gate.onClose(r.connection);
    expect(gate.access(w.connection)).toBeUndefined();
  });

  it("onBeforeConnect - refuses forged, expired, other-organization, garbage and missing tokens with a short reason", async () => {
    const good = await idToken("writer");
    const forged = `${good.slice(0, -4)}${good.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    const past = new Liveblocks({ secret: SECRET, now: () => Date.now() - 3 * HOUR });
    const expired = await idToken("writer", {}, past);
    const otherOrg = await idToken("writer", { organizationId: "acme" });
    const otherSecret = await idToken("writer", {}, new Liveblocks({ secret: "sk_other_0123456789abcdefghijKLMNOP" }));
    const cases: [string, string, number, string][] = [
      ["forged", forged, 403, "invalid-token"],
      ["other secret", otherSecret, 403, "invalid-token"],
      ["expired", expired, 401, "expired"],
      ["other organization", otherOrg, 403, "organization-mismatch"],
      ["garbage", "not.a.token", 403, "invalid-token"],
      ["garbage bytes", "\u0000\uffff".repeat(300), 403, "invalid-token"],
      ["missing", "", 403, "invalid-token"],
    ];
    for (const [label, token, status, error] of cases) {
      expect(await refusal(await gate.onBeforeConnect(upgrade("doc", token), { name: "doc" })), label).toMatchObject({ status, error });
      const { connection, access } = await connect("doc", token);
      expect(access, label).toMatchObject({ allowed: false, reason: error });
      expect(connection.closed?.code, label).toBe(error === "expired" ? CLOSE_CODES.TOKEN_EXPIRED : CLOSE_CODES.NOT_ALLOWED);
      expect(gate.canWrite(connection), label).toBe(false);
    }
    expect(gate.size).toBe(0);
  });

  it("onBeforeConnect - a user without access, a missing room and a long room name are refused; the reason fits a close frame", async () => {
    const stranger = await idToken("stranger");
    expect(await refusal(await gate.onBeforeConnect(upgrade("doc", stranger), { name: "doc" }))).toMatchObject({
      status: 403,
      error: "no-access",
    });
    const long = "é".repeat(400);
    const missing = await refusal(await gate.onBeforeConnect(upgrade(long, stranger), { name: long }));
    expect(missing).toMatchObject({ status: 403, error: "room-not-found" });
    const { connection } = await connect(long, stranger);
    expect(connection.closed?.code).toBe(CLOSE_CODES.NOT_ALLOWED);
    expect(new TextEncoder().encode(connection.closed?.reason).length).toBeLessThanOrEqual(MAX_DENIAL_MESSAGE_BYTES);
  });

  it("token sources - query parameter, Sec-WebSocket-Protocol after the marker, Authorization header, a function", async () => {
    const token = await idToken("writer");
    const sources = [
      [{ query: "t" }, upgrade("doc", "", { query: `?t=${token}` })],
      [{ protocol: "roomgate" }, upgrade("doc", "", { query: "", headers: { "sec-websocket-protocol": `roomgate, ${token}` } })],
      [{ header: "authorization" }, upgrade("doc", "", { query: "", headers: { authorization: `Bearer ${token}` } })],
      [(request: Request) => request.headers.get("x-token"), upgrade("doc", "", { query: "", headers: { "x-token": token } })],
    ] as const;
    for (const [source, request] of sources) {
      const reading = new PartyServerGate({ liveblocks: party, token: source });
      expect(await reading.onBeforeConnect(request, { name: "doc" }), JSON.stringify(source)).toBeUndefined();
      // The default source (query `token`) finds nothing in these requests.
      expect((await gate.onBeforeConnect(request, { name: "doc" }))?.status).toBe(403);
    }
    const marker = new PartyServerGate({ liveblocks: party, token: { protocol: "roomgate" } });
    const noMarker = upgrade("doc", "", { query: "", headers: { "sec-websocket-protocol": token } });
    expect((await marker.onBeforeConnect(noMarker, { name: "doc" }))?.status).toBe(403);
  });

  it("watch - a live downgrade makes a writer read-only, an upgrade gives write back, removal closes with NOT_ALLOWED", async () => {
    await admin.createRoom("live", { defaultAccesses: [], usersAccesses: { ada: ["room:write"] } });
    const { connection, access } = await connect("live", await idToken("ada"));
    expect(access).toMatchObject({ allowed: true, canWrite: true });
    await admin.updateRoom("live", { usersAccesses: { ada: ["room:read", "room:presence:write"] } });
    await vi.waitFor(() => expect(gate.canWrite(connection)).toBe(false), { timeout: 5000 });
    expect(connection.closed).toBeUndefined();
    await admin.updateRoom("live", { usersAccesses: { ada: ["room:write"] } });
    await vi.waitFor(() => expect(gate.canWrite(connection)).toBe(true), { timeout: 5000 });
    await admin.updateRoom("live", { usersAccesses: { ada: null } });
    await vi.waitFor(() => expect(connection.closed?.code).toBe(CLOSE_CODES.NOT_ALLOWED), { timeout: 5000 });
    expect(connection.closed?.reason).toContain("may not enter");
    expect(gate.canWrite(connection)).toBe(false);
    expect(gate.access(connection)).toBeUndefined();
  });

  it("watch - a revocation of the user's tokens closes with KICKED; a room deleted and re-made in another organization stays closed to the token", async () => {
    await admin.createRoom("kick", { defaultAccesses: ["room:write"] });
    const { connection } = await connect("kick", await idToken("bob"));
    const other = await connect("kick", await idToken("carol"));
    expect(gate.canWrite(connection)).toBe(true);
    await admin.revokeTokens({ userId: "bob" });
    await vi.waitFor(() => expect(connection.closed?.code).toBe(CLOSE_CODES.KICKED), { timeout: 5000 });
    expect(connection.closed?.reason).toContain("revoked");
    expect(other.connection.closed).toBeUndefined();
    expect(gate.canWrite(other.connection)).toBe(true);

    await admin.deleteRoom("kick");
    await vi.waitFor(() => expect(other.connection.closed?.code).toBe(CLOSE_CODES.NOT_ALLOWED), { timeout: 5000 });
    await admin.createRoom("kick", { defaultAccesses: ["room:write"], organizationId: "acme" });
    const again = await connect("kick", await idToken("carol"));
    expect(again.access).toMatchObject({ allowed: false, reason: "organization-mismatch" });
    expect(again.connection.closed?.code).toBe(CLOSE_CODES.NOT_ALLOWED);
  });
});
