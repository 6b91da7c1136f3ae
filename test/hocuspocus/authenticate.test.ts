/** `onAuthenticate` alone, on arbitrary input: every refusal carries a close-reason-sized message and leaves no watch. */
import { EventEmitter } from "node:events";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RoomgateExtension } from "../../src/hocuspocus/index.js";
import { Liveblocks, MemoryStore } from "../../src/index.js";
import { SECRET, tokenOf } from "../liveblocks/helpers.js";

describe("RoomgateExtension.onAuthenticate", () => {
  it("property - arbitrary tokens and document names are refused with a reason of at most 123 bytes, and keep no watch", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
    await liveblocks.createRoom("open", { defaultAccesses: ["room:write"] });
    const extension = new RoomgateExtension({ liveblocks });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.oneof(fc.constant("open"), fc.string({ maxLength: 200 })),
        async (token, documentName) => {
          const connectionConfig = { readOnly: false };
          const refusal: unknown = await extension.onAuthenticate({ token, documentName, connectionConfig }).then(
            () => undefined,
            (error: unknown) => error,
          );
          expect(refusal).toMatchObject({ reason: expect.any(String) });
          expect(Buffer.byteLength((refusal as { reason: string }).reason)).toBeLessThanOrEqual(123);
          expect(connectionConfig.readOnly).toBe(false);
          expect(extension.size).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a reader gets a read-only config and one watch; the roomId mapping applies; the socket closing ends the watch", async () => {
    const liveblocks = new Liveblocks({ secret: SECRET, store: new MemoryStore() });
    await liveblocks.createRoom("doc", { defaultAccesses: ["room:read"] });
    const extension = new RoomgateExtension({ liveblocks, roomId: (name) => name.replace(/^team\//, "") });
    const token = tokenOf((await liveblocks.identifyUser({ userId: "reader" })).body);
    const socket = Object.assign(new EventEmitter(), { destroyed: false });
    const connectionConfig = { readOnly: false };
    await extension.onAuthenticate({ token, documentName: "team/doc", connectionConfig, request: { socket } });
    expect(connectionConfig.readOnly).toBe(true);
    expect(extension.size).toBe(1);
    socket.emit("close");
    expect(extension.size).toBe(0);
    expect(socket.listenerCount("close")).toBe(0);

    socket.destroyed = true;
    await expect(extension.onAuthenticate({ token, documentName: "doc", connectionConfig, request: { socket } })).rejects.toMatchObject({
      reason: "The connection closed during authentication.",
    });
    expect(extension.size).toBe(0);
  });
});
