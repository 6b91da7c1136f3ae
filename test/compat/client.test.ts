/**
 * The real @liveblocks/client 3.24.2 takes roomgate's tokens from an auth
 * endpoint, parses them and opens its room connection with them. The
 * WebSocket is a recording stand-in (Node 20 has no WebSocket client and no
 * Liveblocks server runs here); the URL it is given is exactly what a
 * realtime server would receive, and checkRoomAccess decides on it.
 */
import { createClient } from "@liveblocks/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Liveblocks } from "../../src/index.js";
import { RecordingWebSocket } from "./recording-websocket.js";

async function connectUrl(authEndpoint: (room?: string) => Promise<{ token: string }>, roomId: string) {
  RecordingWebSocket.urls = [];
  const client = createClient({
    authEndpoint,
    polyfills: { WebSocket: RecordingWebSocket as unknown as typeof WebSocket },
    // Internal option of the client; keeps every connection attempt on loopback.
    ...({ baseUrl: "http://127.0.0.1:9" } as object),
  });
  const { leave } = client.enterRoom(roomId, { initialPresence: {} });
  await vi.waitFor(() => expect(RecordingWebSocket.urls.length).toBeGreaterThan(0), { timeout: 5000 });
  leave();
  return new URL(RecordingWebSocket.urls[0]!);
}

describe("@liveblocks/client accepts roomgate tokens", () => {
  const liveblocks = new Liveblocks({ secret: "sk_client_compat_0123456789abcdefgh" });
  afterEach(() => {
    RecordingWebSocket.urls = [];
  });

  it("ID token - the client connects with it, and checkRoomAccess admits that connection", async () => {
    await liveblocks.createRoom("client-room", { defaultAccesses: [], usersAccesses: { alice: ["room:read", "room:presence:write"] } });
    const url = await connectUrl(async () => JSON.parse((await liveblocks.identifyUser("alice")).body), "client-room");
    expect(url.searchParams.get("roomId")).toBe("client-room");
    const token = url.searchParams.get("tok")!;
    expect(await liveblocks.verifyToken(token, { kind: "id" })).toMatchObject({ uid: "alice" });
    expect(await liveblocks.checkRoomAccess(token, url.searchParams.get("roomId")!)).toMatchObject({
      allowed: true,
      isReadOnly: true,
    });
  });

  it("access token - the client connects with it for a room its pattern covers", async () => {
    const url = await connectUrl(async () => {
      const session = liveblocks.prepareSession("bob");
      session.allow("org:*", session.FULL_ACCESS);
      return JSON.parse((await session.authorize()).body);
    }, "org:doc");
    const token = url.searchParams.get("tok")!;
    expect(await liveblocks.checkRoomAccess(token, "org:doc")).toMatchObject({ allowed: true, tokenKind: "acc", canWrite: true });
  });
});
