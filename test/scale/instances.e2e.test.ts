/**
 * Scaling out: three `roomgate serve` processes (the built package) on one
 * PostgreSQL schema behind a loopback balancer that sends each request to
 * the next ready instance (no sticky sessions) and health-checks `/readyz`.
 * The official `@liveblocks/node` writes through it, raw `/v2/room-events`
 * readers and `watchRoomAccess` over a `RestStore` listen through it, and one
 * instance is SIGKILLed mid-load. Then: no acknowledged write is lost, no
 * concurrent update of another key is lost, every stream and watch held by a
 * survivor saw every change in commit order, the ones held by the dead
 * instance are cut, reconnect to a survivor and hear what follows, and the
 * dead instance's readiness is gone and the balancer stops sending to it.
 * Two rounds, each on a fresh schema.
 */
import { Liveblocks as Official } from "@liveblocks/node";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Liveblocks, RestStore, type RoomAccessResult } from "../../src/index.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
import { Balancer } from "./balancer.js";
import { type EventReader, WriteLog, openEventReader, sleep } from "./clients.js";
import { type Instance, spawnServe } from "./instances.js";

const unreachable = await probePostgres();
if (unreachable !== null) console.warn(`Skipping the scale-out test: ${unreachable}`);

const SECRET = "sk_test_scale_0123456789abcdefghijklmnopqrstuv";
const ROOMS = ["r0", "r1", "r2", "r3"];
const KEYS = ["k0", "k1", "k2"];
const GATE = "gate";
const WATCHERS = 4;
/** Load before the kill, and after it. */
const BEFORE_KILL_MS = 2_500;
const AFTER_KILL_MS = 3_500;

describe.skipIf(unreachable !== null)("roomgate serve - three instances on one PostgreSQL behind a balancer", () => {
  const schemas: string[] = [];
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  for (const round of [1, 2]) {
    it(`instances - round ${round}: one SIGKILLed mid-load loses no acknowledged write, and every survivor's stream and watch sees every change`, async () => {
      const schema = testSchema(`scale${round}`);
      schemas.push(schema);
      const instances: Instance[] = [];
      // One first, so the schema is made once; then two more on it.
      instances.push(await spawnServe(DATABASE_URL, schema, SECRET));
      instances.push(...(await Promise.all([spawnServe(DATABASE_URL, schema, SECRET), spawnServe(DATABASE_URL, schema, SECRET)])));
      cleanups.push(() => Promise.all(instances.map((instance) => instance.stop("SIGKILL"))));
      const balancer = new Balancer(instances.map((instance) => instance.url));
      await balancer.start();
      cleanups.push(() => balancer.stop());
      expect(balancer.ready).toEqual([true, true, true]);

      const sdk = new Official({ secret: SECRET, baseUrl: balancer.url });
      for (const id of ROOMS) await sdk.createRoom(id, { defaultAccesses: [] });
      await sdk.createRoom(GATE, { defaultAccesses: [], usersAccesses: { ada: ["room:write"] } });
      // Issued by one instance, verified by others: the key is the shared secret, nothing is per instance.
      const ada = (JSON.parse((await sdk.identifyUser("ada")).body) as { token: string }).token;

      // Six raw readers, two per instance (the balancer takes turns).
      const readers: EventReader[] = [];
      cleanups.push(() => readers.forEach((reader) => reader.close()));
      for (let i = 0; i < 6; i++) readers.push(await openEventReader(balancer.url, SECRET));
      expect(new Set(readers.map((reader) => reader.backend))).toEqual(new Set([0, 1, 2]));

      // Watches of ada in GATE, each over a RestStore of its own that listens through the balancer.
      const watchers = Array.from({ length: WATCHERS }, (_, i) => {
        const gaps: unknown[] = [];
        const store = new RestStore({
          baseUrl: `${balancer.url}/c/w${i}`,
          secret: SECRET,
          serverEvents: true,
          onEventGap: (error) => gaps.push(error),
          backoffMs: 50,
          maxBackoffMs: 300,
        });
        return { name: `w${i}`, liveblocks: new Liveblocks({ secret: SECRET, store }), gaps, seen: [] as RoomAccessResult[] };
      });
      for (const [i, watcher] of watchers.entries()) {
        // Each watch makes the same requests, so in lockstep with the balancer's turns every stream would land
        // on one instance: one more request per watch shifts the next one's turn.
        for (let shift = 0; shift < i; shift++) await (await fetch(`${balancer.url}/healthz`)).body?.cancel();
        const watch = await watcher.liveblocks.watchRoomAccess(ada, GATE, (access) => watcher.seen.push(access));
        cleanups.push(() => watch.stop());
        expect(watch.access).toMatchObject({ allowed: true });
      }
      // Toggle n takes ada's access away (odd n) or gives it back (even n), and sets metadata t = n.
      const toggles = { acked: new Set<number>(), attempted: 0 };
      const toggle = async (
        through: (roomId: string, patch: object) => Promise<unknown> = (roomId, patch) => sdk.updateRoom(roomId, patch),
      ) => {
        const n = ++toggles.attempted;
        await through(GATE, { usersAccesses: { ada: n % 2 === 0 ? ["room:write"] : null }, metadata: { t: String(n) } });
        toggles.acked.add(n);
      };
      // Toggle 1, heard by every watch: every stream is subscribed.
      await toggle();
      await waitUntil(() => watchers.every((watcher) => watcher.seen.length === 1), "every watch heard toggle 1");
      const streamOf = (name: string) => balancer.routed.findLast((r) => r.client === name && r.path === "/v2/room-events")!.backend;

      // The instance to kill holds some watches' streams but not all of them.
      const watchBackends = watchers.map((watcher) => streamOf(watcher.name));
      // Watches on at least two instances: some on the one killed, some on a survivor.
      expect(new Set(watchBackends).size).toBeGreaterThanOrEqual(2);
      // Each round another one where possible, so the first instance started (the one that made the schema) is not always the victim.
      const candidates = [0, 1, 2].filter((b) => watchBackends.includes(b) && watchBackends.some((other) => other !== b));
      const killed = candidates[round % candidates.length] ?? readers[0]!.backend;

      // The load: one writer per (room, key), a toggler and a room creator, all through the balancer.
      const log = new WriteLog();
      const created: string[] = [];
      let readYourWriteMisses = 0;
      let stopLoad = false;
      const writer = async (roomId: string, key: string) => {
        const name = WriteLog.key(roomId, key);
        for (let n = 1; !stopLoad; n++) {
          log.attempted.set(name, n);
          try {
            await sdk.updateRoom(roomId, { metadata: { [key]: String(n) } });
            log.acked.set(name, n);
            log.ackedAll.set(name, [...(log.ackedAll.get(name) ?? []), n]);
          } catch {
            log.failures++;
            continue;
          }
          // The next request goes to another instance, and must see the write already.
          try {
            const room = await sdk.getRoom(roomId);
            if (room.metadata[key] !== String(n)) readYourWriteMisses++;
          } catch {
            log.failures++;
          }
        }
      };
      const toggler = async () => {
        while (!stopLoad) {
          await toggle().catch(() => log.failures++);
          await sleep(20);
        }
      };
      const creator = async () => {
        for (let n = 0; !stopLoad; n++) {
          const id = `c${n}`;
          try {
            await sdk.createRoom(id, { defaultAccesses: ["room:read"] });
            created.push(id);
          } catch {
            log.failures++;
          }
        }
      };
      const load = Promise.all([...ROOMS.flatMap((roomId) => KEYS.map((key) => writer(roomId, key))), toggler(), creator()]);
      await sleep(BEFORE_KILL_MS);
      const killedAt = Date.now();
      await instances[killed]!.stop("SIGKILL");
      await sleep(AFTER_KILL_MS);
      stopLoad = true;
      await load;

      // The dead instance: no readiness answer, and the balancer noticed within a few checks and sent it nothing after.
      await expect(fetch(`${instances[killed]!.url}/readyz`)).rejects.toThrow();
      const downSince = balancer.downSince[killed];
      expect(downSince).toBeDefined();
      expect(downSince! - killedAt).toBeLessThan(2_000);
      expect(balancer.routed.filter((r) => r.backend === killed && r.at > downSince!)).toEqual([]);
      // The survivors took requests after the kill: the load went on.
      for (const b of [0, 1, 2].filter((b) => b !== killed)) {
        expect(balancer.routed.filter((r) => r.backend === b && r.at > downSince!).length).toBeGreaterThan(10);
      }

      // No acknowledged write lost; every key of every room present (concurrent updates through different instances).
      const final = new Map(await Promise.all(ROOMS.map(async (id) => [id, (await sdk.getRoom(id)).metadata] as const)));
      for (const roomId of ROOMS) {
        for (const key of KEYS) {
          const name = WriteLog.key(roomId, key);
          const value = Number(final.get(roomId)![key]);
          expect(log.acked.get(name), name).toBeGreaterThan(0);
          expect(value, name).toBeGreaterThanOrEqual(log.acked.get(name)!);
          expect(value, name).toBeLessThanOrEqual(log.attempted.get(name)!);
        }
      }
      for (const id of created) expect((await sdk.getRoom(id)).id).toBe(id);
      expect(created.length).toBeGreaterThan(0);
      expect(readYourWriteMisses).toBe(0);

      // Every reader held by a survivor saw every acknowledged value of every key, in commit order.
      const survivors = readers.filter((reader) => reader.backend !== killed);
      expect(survivors).toHaveLength(4);
      const finalT = Number((await sdk.getRoom(GATE)).metadata["t"]);
      const ackedWrites = (roomId: string) =>
        KEYS.reduce((sum, key) => sum + (log.ackedAll.get(WriteLog.key(roomId, key))?.length ?? 0), 0);
      const eventsOf = (reader: EventReader, roomId: string) => reader.events.filter((e) => e.roomId === roomId).length;
      for (const reader of survivors) {
        // A change committed late (its number taken before a later one's) is delivered when it becomes
        // visible, after the final state may have been seen already: wait for the count too.
        await waitUntil(
          () =>
            ROOMS.every(
              (id) =>
                eventsOf(reader, id) >= ackedWrites(id) && KEYS.every((key) => lastMetadata(reader, id)?.[key] === final.get(id)![key]),
            ) &&
            eventsOf(reader, GATE) >= toggles.acked.size &&
            lastMetadata(reader, GATE)?.["t"] === String(finalT),
          `survivor reader on ${reader.backend} caught up`,
          () =>
            JSON.stringify({
              ended: reader.ended,
              final: Object.fromEntries(final),
              finalT,
              seen: [...ROOMS, GATE].map((id) => lastMetadata(reader, id)),
              events: [...ROOMS, GATE].map((id) => eventsOf(reader, id)),
              acked: [...ROOMS.map(ackedWrites), toggles.acked.size],
              killed,
            }),
        );
        expect(reader.ended).toBe(false);
        // No room goes back a step: an own write answered after a later write of its room was emitted (its own
        // on another connection, or another instance's through the feed) is not emitted (a regression once).
        for (const roomId of [...ROOMS, GATE]) {
          for (const key of roomId === GATE ? ["t"] : KEYS) {
            const values = valuesOf(reader, roomId, key);
            const back = values.flatMap((value, j) => (j > 0 && value < values[j - 1]! ? [`${values[j - 1]} then ${value}`] : []));
            expect(back, `${roomId}.${key} on ${reader.backend}: values going back`).toEqual([]);
          }
        }
      }

      // Readers held by the dead instance were cut; a reconnect through the balancer lands on a survivor and hears on.
      const cut = readers.filter((reader) => reader.backend === killed);
      expect(cut).toHaveLength(2);
      for (const reader of cut) expect(reader.ended).toBe(true);
      const again = await openEventReader(balancer.url, SECRET);
      readers.push(again);
      expect(again.backend).not.toBe(killed);

      // Watches listening on a survivor decided again on every change they heard (each a change of
      // ada's access: consecutive decisions differ), ended on the final state and were never cut.
      const finalAllowed = finalT % 2 === 0;
      expect(watchBackends.some((b) => b !== killed)).toBe(true);
      for (const [i, watcher] of watchers.entries()) {
        if (watchBackends[i] === killed) continue;
        await waitUntil(() => watcher.seen.at(-1)?.allowed === finalAllowed, `${watcher.name} decided on the final state`);
        const allowed = watcher.seen.map((access) => access.allowed);
        expect(allowed.every((value, j) => j === 0 || value !== allowed[j - 1])).toBe(true);
        expect(watcher.gaps).toEqual([]);
      }
      // The ones whose stream was on the dead instance were told of the gap, reconnected to a survivor,
      // and hear the next change: a write through their own store waits for their stream to subscribe.
      const moved = watchers.filter((_, i) => watchBackends[i] === killed);
      expect(moved.length).toBeGreaterThan(0);
      for (const watcher of moved) {
        expect(watcher.gaps.length).toBeGreaterThan(0);
        await toggle((roomId, patch) => watcher.liveblocks.updateRoom(roomId, patch));
        expect(streamOf(watcher.name)).not.toBe(killed);
        const allowed = toggles.attempted % 2 === 0;
        await waitUntil(() => watcher.seen.at(-1)?.allowed === allowed, `${watcher.name} caught up`);
      }
      const last = String(toggles.attempted);
      for (const reader of [...survivors, again]) {
        await waitUntil(() => reader.events.some((e) => e.roomId === GATE && e.room?.metadata["t"] === last), "the last toggle heard");
      }

      console.info(
        `round ${round}: killed instance ${killed}; watch streams on ${watchBackends.join(",")}; balancer saw it unready ${downSince! - killedAt} ms after SIGKILL; ` +
          `${log.failures} requests failed (unacknowledged); ${balancer.routed.length} routed; ${created.length} rooms created`,
      );

      // Survivors stop cleanly on SIGTERM.
      for (const [index, instance] of instances.entries()) {
        if (index === killed) continue;
        expect(await instance.stop("SIGTERM")).toEqual([0, null]);
      }
    }, 90_000);
  }
});

/** The values (as numbers, 0 when absent) `key` had in each event of `roomId` a reader saw. */
function valuesOf(reader: EventReader, roomId: string, key: string): number[] {
  return reader.events.filter((e) => e.roomId === roomId && e.room !== null).map((e) => Number(e.room!.metadata[key] ?? 0));
}

/** The metadata of the last event of `roomId` a reader saw. */
function lastMetadata(reader: EventReader, roomId: string): Record<string, unknown> | undefined {
  return reader.events.findLast((e) => e.roomId === roomId)?.room?.metadata;
}

/** Polls `condition` every 25 ms for at most 10 s. */
async function waitUntil(condition: () => boolean, what: string, state: () => string = () => "", timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what} ${state()}`);
    await sleep(25);
  }
}
