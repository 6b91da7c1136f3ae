/**
 * A collaborative-editor backend: Hocuspocus for the Yjs documents, roomgate
 * for who may open them. A document name is a room id; a client presents the
 * ID token your auth endpoint made with `identifyUser`.
 *
 *   ROOMGATE_SECRET=$(npm run -s secret) npx tsx examples/collaborative-editor/server.ts   (from the repository root)
 */
import { Server } from "@hocuspocus/server";
import { Liveblocks } from "roomgate";
import { RoomgateExtension } from "roomgate/hocuspocus";

/** A Hocuspocus server on `port` (0: any free one) whose rooms and tokens are `liveblocks`'. */
export async function startEditorServer(liveblocks: Liveblocks, port = 1234): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = new Server({
    port,
    address: "127.0.0.1",
    quiet: true,
    stopOnSignals: false,
    extensions: [
      new RoomgateExtension({
        liveblocks,
        onAccess: ({ roomId, access }) =>
          console.log(
            `  [server] ${roomId}: ${access.allowed ? `${access.userId} ${access.canWrite ? "may edit" : "read-only"}` : access.message}`,
          ),
      }),
    ],
  });
  await server.listen();
  return { url: `ws://127.0.0.1:${server.address.port}`, stop: () => server.destroy() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env["ROOMGATE_SECRET"];
  if (secret === undefined) {
    console.error("ROOMGATE_SECRET is not set. Make one with `npx roomgate secret` and keep it: tokens are signed with it.");
    process.exit(1);
  }
  const { url } = await startEditorServer(new Liveblocks({ secret }), Number(process.env["PORT"] ?? 1234));
  console.log(`Hocuspocus with roomgate on ${url}`);
}
