/**
 * `roomgate serve`: the REST handler on `node:http`, with a graceful stop
 * (no new connections, in-flight requests finish, then the store closes).
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequestHandler, toNodeListener } from "../http/index.js";
import { Liveblocks } from "../liveblocks/client.js";
import { MemoryStore } from "../storage/memory.js";
import { generateSecret } from "../tokens/secret.js";

/** How long in-flight requests may take to finish after a stop signal. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Options of {@link startServer}, as the command line gives them. */
export type ServeOptions = {
  port: number;
  host: string;
  /** Generated (and printed once) when absent. */
  secret?: string;
  /** One line per request on `log`. */
  verbose?: boolean;
  /** Where the banner and request lines go (default: stdout). */
  log?: (line: string) => void;
};

/** A running server. */
export type RunningServer = {
  url: string;
  server: Server;
  /** Stops accepting, waits for in-flight requests, closes the store. */
  close(): Promise<void>;
};

/**
 * Starts the standalone server and prints its banner (with the bound address,
 * which `--port 0` makes the only way to learn it).
 *
 * @example
 * ```ts
 * const running = await startServer({ port: 8787, host: "127.0.0.1", secret: process.env.ROOMGATE_SECRET });
 * process.once("SIGTERM", () => void running.close());
 * ```
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const generated = options.secret === undefined;
  const secret = options.secret ?? generateSecret();
  // In memory until the durable stores land; the lead wires --db there.
  const store = new MemoryStore();
  const liveblocks = new Liveblocks({ secret, store });
  const listener = toNodeListener(createRequestHandler(liveblocks));
  const server = createServer(
    options.verbose
      ? (req, res) => {
          const started = process.hrtime.bigint();
          res.once("finish", () => {
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            log(`${req.method} ${req.url} ${res.statusCode} ${ms.toFixed(1)}ms`);
          });
          listener(req, res);
        }
      : listener,
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  // One write, so whoever reads the address also has the rest of the banner.
  const banner = [`roomgate listening on ${url} (rooms in memory: they are lost when it stops)`];
  if (generated) {
    banner.push("No secret given (--secret or ROOMGATE_SECRET): generated one for this run, shown only now:");
    banner.push(`  ${secret}`);
  }
  banner.push(`Point @liveblocks/node at it: new Liveblocks({ secret, baseUrl: "${url}" })`);
  log(banner.join("\n"));

  let closing: Promise<void> | undefined;
  return {
    url,
    server,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Streams that never end on their own (GET /v2/room-events) get a grace period, then are cut.
          setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
          // Idle keep-alive sockets would hold close() open; busy ones finish their request first.
          server.closeIdleConnections();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
