/**
 * PostgresStore's room events follow commit order per room across
 * instances. Regression: a store emitted its own write's event when its
 * COMMIT answered, which could come after a later write of the same room
 * had been emitted already (another instance's through the change feed, or
 * its own on another pooled connection): the room went back one step in
 * that store's listeners until the next change. Now such an event repeats
 * the later write's (one event per write still). Here the COMMIT answer of
 * one write is held in the client (the commit itself is done on the server)
 * until the later write was heard.
 */
import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import type { RoomChangeEvent, RoomData } from "../../../src/index.js";
import { PostgresStore } from "../../../src/postgres.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "./helpers.js";

const unreachable = await probePostgres();
if (unreachable !== null) console.warn(`Skipping the PostgreSQL event order test: ${unreachable}`);

/** The next COMMIT answered while armed is handed to its caller only once `release` is called. */
class CommitHold {
  #armed = false;
  #committed: () => void = () => undefined;
  #release: () => void = () => undefined;
  committed: Promise<void> = Promise.resolve();
  released: Promise<void> = Promise.resolve();

  arm(): void {
    this.#armed = true;
    this.committed = new Promise((resolve) => (this.#committed = resolve));
    this.released = new Promise((resolve) => (this.#release = resolve));
  }

  release(): void {
    this.#release();
  }

  /** Called with a COMMIT's answer: holds it if armed (once). */
  async hold(): Promise<void> {
    if (!this.#armed) return;
    this.#armed = false;
    this.#committed();
    await this.released;
  }
}

/** A pool whose clients hold a COMMIT's answer when `hold` is armed. */
function holdingPool(hold: CommitHold): pg.Pool {
  class HoldingClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super(config);
      const query = this.query.bind(this) as (...args: unknown[]) => Promise<unknown>;
      // Only the promise form is used by the store.
      this.query = (async (...args: unknown[]) => {
        const result = await query(...args);
        if (args[0] === "COMMIT") await hold.hold();
        return result;
      }) as pg.Client["query"];
    }
  }
  const pool = new pg.Pool({ connectionString: DATABASE_URL, Client: HoldingClient, max: 4 });
  pool.on("error", () => undefined);
  return pool;
}

function room(id: string): RoomData {
  return {
    type: "room",
    id,
    createdAt: new Date(0),
    organizationId: "default",
    defaultAccesses: [],
    usersAccesses: {},
    groupsAccesses: {},
    metadata: {},
  };
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(unreachable !== null)("PostgresStore room events - commit order per room", () => {
  const schema = testSchema("eventorder");
  afterAll(() => dropSchema(schema));

  it("subscribe - an own write answered after a later write of its room was heard does not take the room back", async () => {
    const hold = new CommitHold();
    const pool = holdingPool(hold);
    const a = new PostgresStore({ pool, schema });
    const b = new PostgresStore({ connectionString: DATABASE_URL, schema });
    try {
      await a.create(room("r"));
      const heard: RoomChangeEvent[] = [];
      const unsubscribe = a.subscribe((event) => heard.push(event));
      const last = () => heard.filter((event) => event.roomId === "r").at(-1)?.room?.metadata["v"];
      // A's feed is live once it hears B.
      await b.update("r", { metadata: { v: "0" } });
      await waitUntil(() => last() === "0", "A heard B's first write");

      // Through the feed: A's write commits first, B's after it; A hears B's before its COMMIT answers.
      hold.arm();
      const own = a.update("r", { metadata: { v: "1" } });
      await hold.committed;
      await b.update("r", { metadata: { v: "2" } });
      await waitUntil(() => last() === "2", "A heard B's later write");
      hold.release();
      expect((await own)?.metadata["v"]).toBe("1");
      expect(last()).toBe("2");

      // Two own writes on two pooled connections: the second one's answer comes first.
      hold.arm();
      const first = a.update("r", { metadata: { v: "3" } });
      await hold.committed;
      await a.update("r", { metadata: { v: "4" } });
      expect(last()).toBe("4");
      hold.release();
      await first;
      expect(last()).toBe("4");

      // Every value A's listener saw came in commit order.
      const values = heard.filter((event) => event.roomId === "r").map((event) => Number(event.room?.metadata["v"]));
      expect(values).toEqual([...values].sort((x, y) => x - y));
      // One event per write still: a late own write repeats the later state.
      expect(values).toEqual([0, 2, 2, 4, 4]);
      unsubscribe();
    } finally {
      hold.release();
      await a.close();
      await b.close();
      await pool.end();
    }
  });
});
