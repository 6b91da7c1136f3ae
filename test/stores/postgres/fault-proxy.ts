/**
 * A loopback TCP proxy to the test PostgreSQL server that plays the network
 * faults a store must survive, one connection at a time:
 * - `stallNextCommit(ms)`: the next connection that sends a `COMMIT` (simple
 *   query protocol, as `pg` sends it) has that message, and everything it
 *   sends after it, held for `ms` (a slow commit: network stall, paused
 *   writer, synchronous replication);
 * - `blackholeOpen()`: every connection open now stops forwarding in both
 *   directions without closing (a NAT or firewall that dropped an idle flow:
 *   no FIN, no RST); connections opened later work.
 * Every loop is bounded and `stop()` ends every socket it made.
 */
import net from "node:net";
import { DATABASE_URL, urlThroughPort } from "./helpers.js";

type Link = { client: net.Socket; upstream: net.Socket; holes: boolean };

const COMMIT = Buffer.from("COMMIT");

export class FaultProxy {
  #server: net.Server | null = null;
  readonly #links = new Set<Link>();
  #commitStallMs = 0;
  /** How many COMMITs were held so far. */
  stalledCommits = 0;
  port = 0;

  async start(): Promise<void> {
    const target = new URL(DATABASE_URL);
    const server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      const link: Link = { client, upstream, holes: false };
      this.#links.add(link);
      for (const socket of [client, upstream]) socket.on("error", () => undefined);
      const end = () => {
        this.#links.delete(link);
        client.destroy();
        upstream.destroy();
      };
      client.on("close", end);
      upstream.on("close", end);
      // Client → server, in order; a held chunk holds every later one behind it.
      let queue = Promise.resolve();
      client.on("data", (chunk: Buffer) => {
        const hold = this.#commitStallMs > 0 && isCommit(chunk) ? this.#takeStall() : 0;
        queue = queue.then(async () => {
          if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
          if (!link.holes && !upstream.destroyed) upstream.write(chunk);
        });
      });
      upstream.on("data", (chunk: Buffer) => {
        if (!link.holes && !client.destroyed) client.write(chunk);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  /** Holds the next `COMMIT` that passes (and what follows it on its connection) for `ms`. */
  stallNextCommit(ms: number): void {
    this.#commitStallMs = ms;
  }

  /** Every connection open now goes silent both ways, without closing. */
  blackholeOpen(): number {
    for (const link of this.#links) link.holes = true;
    return this.#links.size;
  }

  async stop(): Promise<void> {
    for (const link of this.#links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    this.#links.clear();
    const server = this.#server;
    this.#server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The test database's URL through this proxy. */
  get url(): string {
    return urlThroughPort(this.port);
  }

  #takeStall(): number {
    const ms = this.#commitStallMs;
    this.#commitStallMs = 0;
    this.stalledCommits++;
    return ms;
  }
}

/** Does this chunk carry a simple-query `COMMIT` ('Q', length, "COMMIT\0")? */
function isCommit(chunk: Buffer): boolean {
  for (let at = chunk.indexOf(COMMIT); at !== -1; at = chunk.indexOf(COMMIT, at + 1)) {
    if (at >= 5 && chunk[at - 5] === 0x51 && chunk[at + COMMIT.length] === 0) return true;
  }
  return false;
}
