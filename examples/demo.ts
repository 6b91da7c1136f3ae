/**
 * The Liveblocks permissions walkthrough, on roomgate's embedded default
 * (in-memory store, HS256 tokens from the secret): each step changes the
 * room's permissions, then three users present ID tokens and we show who may
 * enter and whether read-only. Last, the room is written to a SQLite file,
 * the store reopened (a restart), and the room read back.
 *
 *   npm run demo
 *
 * In your own code, import from "roomgate" instead of "../src/index.js".
 */
import { Liveblocks, type RoomAccessResult, generateSecret } from "../src/index.js";

// A real deployment keeps one secret (`npx roomgate secret` makes one); the
// demo's rooms live in memory, so a fresh secret per run is enough.
const liveblocks = new Liveblocks({ secret: process.env.ROOMGATE_SECRET ?? generateSecret() });
const roomId = "a32wQXid4A9";

const users = [
  { userId: "olivier@example.com", groupIds: [] },
  { userId: "vincent@example.com", groupIds: ["engineering"] },
  { userId: "guillaume@example.com", groupIds: ["design"] },
];

async function tokenFor(user: (typeof users)[number]): Promise<string> {
  const { status, body } = await liveblocks.identifyUser(user, { userInfo: { name: user.userId } });
  if (status !== 200) throw new Error(`identifyUser failed: ${status} ${body}`);
  return (JSON.parse(body) as { token: string }).token;
}

function describe(access: RoomAccessResult): string {
  if (!access.allowed) return `no (${access.reason})`;
  return access.isReadOnly ? "read-only" : "read & write";
}

const rows: string[][] = [];
async function step(title: string, change: () => Promise<unknown>): Promise<void> {
  await change();
  const cells = [title];
  for (const user of users) {
    cells.push(describe(await liveblocks.checkRoomAccess(await tokenFor(user), roomId)));
  }
  rows.push(cells);
}

await step("createRoom, defaultAccesses: [] (private)", () => liveblocks.createRoom(roomId, { defaultAccesses: [] }));
await step('usersAccesses olivier: ["room:read", "room:presence:write"]', () =>
  liveblocks.updateRoom(roomId, { usersAccesses: { "olivier@example.com": ["room:read", "room:presence:write"] } }),
);
await step('defaultAccesses: ["room:write"] (public)', () => liveblocks.updateRoom(roomId, { defaultAccesses: ["room:write"] }));
await step('groupsAccesses engineering: ["room:read", "room:presence:write"]', () =>
  liveblocks.updateRoom(roomId, { groupsAccesses: { engineering: ["room:read", "room:presence:write"] } }),
);
await step("groupsAccesses engineering: null (removed)", () => liveblocks.updateRoom(roomId, { groupsAccesses: { engineering: null } }));
await step("defaultAccesses: null (private again)", () => liveblocks.updateRoom(roomId, { defaultAccesses: null }));

const header = ["step", ...users.map((u) => `${u.userId.split("@")[0]} [${u.groupIds.join(",") || "-"}]`)];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ");
console.log(`Room "${roomId}": who may enter, after each step\n`);
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const row of rows) console.log(line(row));

const room = await liveblocks.getRoom(roomId);
console.log(
  "\ngetRoom:",
  JSON.stringify({
    defaultAccesses: room.defaultAccesses,
    usersAccesses: room.usersAccesses,
    groupsAccesses: room.groupsAccesses,
  }),
);

// A restart keeps the rooms with a durable store: the same walkthrough's
// room, written to a SQLite file (what `roomgate serve --db` uses), then
// read back by a fresh Liveblocks on the reopened file.
const { SqliteStore } = await import("../src/sqlite.js");
const { mkdtempSync, rmSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");
const dir = mkdtempSync(join(tmpdir(), "roomgate-demo-"));
try {
  const filename = join(dir, "roomgate.db");
  const secret = generateSecret();
  const before = new SqliteStore({ filename });
  await new Liveblocks({ secret, store: before }).createRoom(roomId, {
    defaultAccesses: [],
    usersAccesses: { "olivier@example.com": ["room:read", "room:presence:write"] },
  });
  await before.close();
  const after = new SqliteStore({ filename });
  const reopened = await new Liveblocks({ secret, store: after }).getRoom(roomId);
  await after.close();
  console.log(
    `\nAfter a restart (SqliteStore, same file): getRoom("${reopened.id}").usersAccesses =`,
    JSON.stringify(reopened.usersAccesses),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
