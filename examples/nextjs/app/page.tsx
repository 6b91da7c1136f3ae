import { ShareDialog } from "./share-dialog";

export default function Page() {
  return (
    <main>
      <h1>Share a room</h1>
      <p>
        The share dialog of Liveblocks&apos;s permission guide, backed by <code>/api/rooms/[roomId]/share</code>. The signed-in user is a
        stand-in: whoever you type below (sent as the <code>x-user-id</code> header).
      </p>
      <ShareDialog />
    </main>
  );
}
