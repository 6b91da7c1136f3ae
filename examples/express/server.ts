/**
 * Starts the example app on a SQLite file.
 *
 *   ROOMGATE_SECRET=$(npm run -s secret) npx tsx examples/express/server.ts   (from the repository root)
 *
 * Environment: ROOMGATE_SECRET (required: tokens signed with it must verify after a restart,
 * so the server refuses to start without one), ROOMGATE_DB (default ./roomgate.db),
 * PORT (default 3000; 0 picks a free one), HOST (default 127.0.0.1).
 */
import { Liveblocks } from "roomgate";
import { SqliteStore } from "roomgate/sqlite";
import { createApp } from "./app.js";

const secret = process.env.ROOMGATE_SECRET;
if (!secret) {
  console.error("ROOMGATE_SECRET is not set. Make one with `npx roomgate secret` and keep it: tokens are signed with it.");
  process.exit(1);
}

const filename = process.env.ROOMGATE_DB || "roomgate.db";
const store = new SqliteStore({ filename });
// One instance for the whole process: every route shares its store and keys.
const liveblocks = new Liveblocks({ secret, store });
const app = createApp({ liveblocks });

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST || "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : process.env.PORT;
  console.log(`roomgate express example listening on http://${process.env.HOST || "127.0.0.1"}:${port} (rooms in ${filename})`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close(() => void store.close().then(() => process.exit(0)));
    server.closeAllConnections();
  });
}
