/**
 * PostgresStore's change feed under network faults, through a loopback proxy
 * that stalls or silences one connection (slow: seconds of real time each, so
 * these run in `npm run test:e2e`):
 * - a slow COMMIT while another write commits must still be delivered to the
 *   other instances (regression: the feed skipped a sequence number that
 *   stayed invisible 5 s, assuming a rollback);
 * - a listening connection that goes silent (no FIN, no RST) must be noticed
 *   and replaced within the feed's heartbeat bound (regression: nothing
 *   noticed, so the entry cache and watches went stale for good).
 */
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { Liveblocks, type RoomAccessResult } from "../../../src/index.js";
import { PostgresStore } from "../../../src/postgres.js";
import { FaultProxy } from "./fault-proxy.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "./helpers.js";

const unreachable = await probePostgres();
if (unreachable !== null) console.warn(`Skipping the PostgreSQL fault tests: ${unreachable}`);

const SECRET = "sk_test_0123456789abcdefghijklmnopqrstuv";

describe.skipIf(unreachable !== null)("PostgresStore change feed under faults", () => {
  const schemas: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  const store = (schema: string, options: { connectionString?: string; entryCache?: boolean; feedHeartbeatMs?: number } = {}) => {
    const opened = new PostgresStore({ connectionString: DATABASE_URL, schema, ...options });
    closers.push(() => opened.close());
    return opened;
  };
  const proxy = async () => {
    const started = new FaultProxy();
    await started.start();
    closers.push(() => started.stop());
    return started;
  };
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  const tokenOf = async (liveblocks: Liveblocks, userId: string) =>
    (JSON.parse((await liveblocks.identifyUser({ userId })).body) as { token: string }).token;

  it("feed - a commit held 6 s while another write commits is still delivered to the other instance's watch and cache", async () => {
    const schema = testSchema("slowcommit");
    schemas.push(schema);
    const through = await proxy();
    const slow = new Liveblocks({ secret: SECRET, store: store(schema, { connectionString: through.url }) });
    const fast = new Liveblocks({ secret: SECRET, store: store(schema) });
    const watcherStore = store(schema, { entryCache: true });
    const events: string[] = [];
    closers.push(async () => unsubscribe());
    const unsubscribe = watcherStore.subscribe((event) => events.push(`${event.type} ${event.roomId}`));
    const watcher = new Liveblocks({ secret: SECRET, store: watcherStore });
    await fast.createRoom("x", { defaultAccesses: [], usersAccesses: { ada: ["room:write"] } });
    await fast.createRoom("y", { defaultAccesses: [] });
    const ada = await tokenOf(fast, "ada");
    const seen: RoomAccessResult[] = [];
    const watch = await watcher.watchRoomAccess(ada, "x", (access) => seen.push(access));
    closers.push(async () => watch.stop());
    expect(watch.access).toMatchObject({ allowed: true });
    // The watcher's feed is live once it delivers another instance's write.
    await fast.updateRoom("y", { metadata: { warm: "1" } });
    await vi.waitFor(() => expect(events).toContain("updated y"), { timeout: 5_000 });
    expect(await watcher.checkRoomAccess(ada, "x")).toMatchObject({ allowed: true });

    // The slow instance's schema check (its first use) runs its own COMMIT: done before the stall is armed.
    await slow.getRoom("x");
    through.stallNextCommit(6_000);
    const removal = slow.updateRoom("x", { usersAccesses: { ada: null } });
    await vi.waitFor(() => expect(through.stalledCommits).toBe(1), { timeout: 5_000 });
    // A later sequence number commits first; the removal's stays invisible for 6 s. Another write
    // 5.5 s in makes the watcher read again while it is still missing (the old feed gave up on it then).
    await fast.updateRoom("y", { metadata: { after: "1" } });
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await fast.updateRoom("y", { metadata: { after: "2" } });
    await removal;
    await vi.waitFor(() => expect(seen.at(-1)).toMatchObject({ allowed: false, reason: "no-access" }), { timeout: 5_000, interval: 50 });
    expect(await watcher.checkRoomAccess(ada, "x")).toMatchObject({ allowed: false, reason: "no-access" });
  }, 30_000);

  it("feed - a listening connection silenced without FIN or RST is replaced within the heartbeat bound, and catches up", async () => {
    const schema = testSchema("blackhole");
    schemas.push(schema);
    const through = await proxy();
    const writer = new Liveblocks({ secret: SECRET, store: store(schema) });
    const watcherStore = store(schema, { connectionString: through.url, entryCache: true, feedHeartbeatMs: 500 });
    const events: string[] = [];
    const unsubscribe = watcherStore.subscribe((event) => events.push(`${event.type} ${event.roomId}`));
    closers.push(async () => unsubscribe());
    const watcher = new Liveblocks({ secret: SECRET, store: watcherStore });
    await writer.createRoom("x", { defaultAccesses: [], usersAccesses: { ada: ["room:write"] } });
    const ada = await tokenOf(writer, "ada");
    const seen: RoomAccessResult[] = [];
    const watch = await watcher.watchRoomAccess(ada, "x", (access) => seen.push(access));
    closers.push(async () => watch.stop());
    expect(watch.access).toMatchObject({ allowed: true });
    await writer.updateRoom("x", { metadata: { warm: "1" } });
    await vi.waitFor(() => expect(events).toContain("updated x"), { timeout: 5_000 });

    // Every connection the watcher has open goes silent; new ones work.
    expect(through.blackholeOpen()).toBeGreaterThan(0);
    await writer.updateRoom("x", { usersAccesses: { ada: null } });
    const silenced = performance.now();
    await vi.waitFor(() => expect(seen.at(-1)).toMatchObject({ allowed: false, reason: "no-access" }), { timeout: 10_000, interval: 50 });
    // Bound: one heartbeat to notice (interval + deadline), then a reconnect and a catch-up read.
    expect(performance.now() - silenced).toBeLessThan(5_000);
  }, 30_000);
});
