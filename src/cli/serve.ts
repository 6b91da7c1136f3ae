/**
 * `roomgate serve`: the REST handler on `node:http`, with a graceful stop
 * (no new connections, in-flight requests finish, then the store closes).
 */
import { type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createRequestHandler, toNodeListener } from "../http/index.js";
import { writeHead } from "../runtime/response-headers.js";
import { Liveblocks, MemoryStore, type RoomStore, generateSecret } from "../index.js";
import { signerFromKeyFiles } from "./ops/keys.js";
import type { LogFormat } from "./ops/logs.js";
import { createOperations } from "./ops/operations.js";
import type { RateLimits } from "./ops/rate-limit.js";
import { type ServeWebhookOptions, startServeWebhooks } from "./webhooks.js";
import { type AdminConsoleOptions, MAX_FORM_BYTES, assertAdminPassword, createAdminHandler, isAdminPath } from "../admin/index.js";

/** How long in-flight requests may take to finish after a stop signal. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Where rooms are kept. The durable stores' drivers (`better-sqlite3`, `pg`)
 * are optional peers, so each is imported only when chosen.
 */
export type StoreChoice =
  { kind: "memory" } | { kind: "sqlite"; filename: string } | { kind: "postgres"; connectionString: string; schema: string };

/** Thrown when the chosen store's optional driver package is not installed. */
export class MissingDriverError extends Error {
  constructor(
    readonly packageName: string,
    cause: unknown,
  ) {
    super(`${packageName} is not installed: npm install ${packageName}, or use --memory`, { cause });
    this.name = "MissingDriverError";
  }
}

/** Whether `error` says the module `name` itself (not something inside it) could not be found. */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String((error as Error).message).includes(`'${name}'`);
}

/** Opens the chosen store; the SQLite file and the Postgres schema are created when missing. */
async function openStore(choice: StoreChoice): Promise<RoomStore> {
  switch (choice.kind) {
    case "memory":
      return new MemoryStore();
    case "sqlite": {
      let mod: typeof import("../sqlite.js");
      try {
        mod = await import("../sqlite.js");
      } catch (error) {
        throw isMissing(error, "better-sqlite3") ? new MissingDriverError("better-sqlite3", error) : error;
      }
      return new mod.SqliteStore({ filename: choice.filename });
    }
    case "postgres": {
      let mod: typeof import("../postgres.js");
      try {
        mod = await import("../postgres.js");
      } catch (error) {
        throw isMissing(error, "pg") ? new MissingDriverError("pg", error) : error;
      }
      return new mod.PostgresStore({ connectionString: choice.connectionString, schema: choice.schema });
    }
  }
}

/** The banner's words for where rooms are kept, without the password of a database URL. */
function describeStore(choice: StoreChoice): string {
  switch (choice.kind) {
    case "memory":
      return "rooms in memory: they are lost when it stops";
    case "sqlite":
      return `rooms in SQLite file ${choice.filename}`;
    case "postgres": {
      let where = "";
      try {
        const url = new URL(choice.connectionString);
        where = ` at ${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
      } catch {
        // Not a URL (a libpq key=value string): name no host rather than echo a password.
      }
      return `rooms in PostgreSQL${where} (schema ${choice.schema})`;
    }
  }
}

/** Options of {@link startServer}, as the command line gives them. */
export type ServeOptions = {
  port: number;
  host: string;
  /** Default: memory. */
  store?: StoreChoice;
  /** Generated (and printed once) when absent. */
  secret?: string;
  /** One line per request on `log`: the short human line of old. */
  verbose?: boolean;
  /** One line per request on `log`, JSON or pretty (default: none). */
  logFormat?: LogFormat;
  /** Serve `/metrics` (default true). */
  metrics?: boolean;
  /** When set, `/metrics` needs `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string;
  /** Limits per client address and route family (default: none). */
  rateLimits?: RateLimits;
  /** Read the client address from `X-Forwarded-For` (behind a proxy only). */
  trustProxy?: boolean;
  /** Private key files (JWK or PKCS#8 PEM); the first signs, all are published as JWKS. */
  signingKeys?: readonly string[];
  /** Where the banner and request lines go (default: stdout). */
  log?: (line: string) => void;
  /** The clock of the rate limits (tests). */
  now?: () => number;
  /** Send webhooks to this endpoint (`--webhook`); the REST webhook routes work only with it. */
  webhook?: ServeWebhookOptions;
  /** Serve the admin console at `/admin` (off when absent; `/admin` is then an unknown route). */
  admin?: AdminConsoleOptions;
};

/** A running server. */
export type RunningServer = {
  url: string;
  server: Server;
  /** The store the rooms are kept in (closed by `close()`). */
  store: RoomStore;
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
  const choice = options.store ?? { kind: "memory" };
  // Read before the store opens: a bad key file must not leave a database connection behind.
  const signer = options.signingKeys === undefined ? undefined : signerFromKeyFiles(options.signingKeys);
  // Checked before the store opens: nothing to close when it is refused.
  if (options.admin !== undefined) assertAdminPassword(options.admin.password, secret);
  // Open connections, each with the response it is answering: a stop cuts the event streams among
  // them at once (they never end on their own; clients reconnect), told apart by what the handler
  // answered, not by the raw URL. Connections, not responses: a set that every request joins and
  // leaves keeps rebuilding its table, and a discarded table that outlived one young-generation
  // collection keeps the responses it held alive through the next ones (measured: twice the
  // memory promoted per collection, 1.1 MB against 0.4, on GET /v2/rooms/:id).
  const connections = new Set<ConnectionSocket>();
  function* inFlight(): Generator<ServerResponse> {
    for (const socket of connections) if (socket[ANSWERING] !== undefined) yield socket[ANSWERING];
  }
  const ops = createOperations({
    ...(options.metrics !== undefined && { metrics: options.metrics }),
    ...(options.metricsToken !== undefined && { metricsToken: options.metricsToken }),
    ...(options.rateLimits !== undefined && { rateLimits: options.rateLimits }),
    ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    ...((options.logFormat ?? (options.verbose ? "pretty" : undefined)) !== undefined && {
      logFormat: options.logFormat ?? "pretty",
    }),
    ...(options.now !== undefined && { now: options.now }),
    log,
    openStreams: () => {
      let open = 0;
      for (const res of inFlight()) if (res.headersSent && isEventStream(res)) open++;
      return open;
    },
  });
  const store = await openStore(choice);
  const liveblocks = new Liveblocks({
    secret,
    store,
    ...(signer !== undefined && { signer }),
    ...(ops.observer !== undefined && { observer: ops.observer }),
    ...(options.webhook && { webhooks: { allowPrivateNetworks: options.webhook.allowPrivateNetworks ?? false } }),
  });
  let webhooks: Awaited<ReturnType<typeof startServeWebhooks>> | null = null;
  try {
    webhooks = options.webhook ? await startServeWebhooks(liveblocks, options.webhook) : null;
  } catch (error) {
    await store.close?.().catch(() => undefined);
    throw error;
  }
  const handle = toNodeListener(createRequestHandler(liveblocks, signer === undefined ? {} : { publicKeys: signer }));
  const admin = options.admin && toNodeListener(createAdminHandler(liveblocks, options.admin), { maxBodyBytes: MAX_FORM_BYTES });
  let closing: Promise<void> | undefined;
  // Shared by every response ('close' is emitted once, with the response as `this`): no closure per request.
  function forget(this: ServerResponse): void {
    const socket = this.req.socket as ConnectionSocket;
    if (socket[ANSWERING] === this) socket[ANSWERING] = undefined;
    ops.closed(this);
  }
  const listener: typeof handle = (req, res) => {
    // Once stopping, a connection ends with its response instead of idling until its keep-alive timeout (5 s);
    // responses already under way when the stop came got the same listener then.
    if (closing !== undefined) res.once("finish", endConnection);
    // The latest of a connection's responses: pipelined ones are answered in order, so it finishes last.
    (req.socket as ConnectionSocket)[ANSWERING] = res;
    res.on("close", forget);
    const probe = probeOf(req.method, req.url);
    if (probe !== undefined) return void answerProbe(probe, res, store, closing !== undefined);
    if (isAdminPath(req.url ?? "")) {
      // Disabled, the console is a plain 404: not the REST API's 401, which would suggest a secret opens it.
      return admin !== undefined ? admin(req, res) : void writeHead(res, 404, { "content-type": "text/plain" }).end("Not found\n");
    }
    return handle(req, res);
  };
  const server = createServer(ops.wrap(listener));
  server.on("connection", (socket: ConnectionSocket) => {
    connections.add(socket);
    socket.once("close", dropConnection);
  });
  function dropConnection(this: ConnectionSocket): void {
    connections.delete(this);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error) => {
      // Not listening: nothing else will close the SQLite file or the pool.
      void webhooks?.stop().finally(() => store.close?.().catch(() => undefined));
      reject(error);
    });
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  // One write, so whoever reads the address also has the rest of the banner.
  const banner = [`roomgate listening on ${url} (${describeStore(choice)})`];
  if (generated) {
    banner.push("No secret given (--secret-file or ROOMGATE_SECRET): generated one for this run, shown only now:");
    banner.push(`  ${secret}`);
    if (choice.kind !== "memory") {
      // The rooms outlive the process; a generated secret does not.
      banner.push("The rooms are kept, but the next run generates another secret: pass this one again (--secret-file or");
      banner.push("ROOMGATE_SECRET) or tokens signed with it stop verifying after a restart.");
    }
  }
  if (signer !== undefined)
    banner.push(`Tokens are signed with key ${signer.kid} (${signer.alg}); public keys at ${url}/.well-known/jwks.json`);
  banner.push(`Point @liveblocks/node at it: new Liveblocks({ secret, baseUrl: "${url}" })`);
  banner.push(...(webhooks?.banner ?? []));
  if (admin !== undefined) banner.push(`Admin console: ${url}/admin (log in with the admin password, not the secret)`);
  log(banner.join("\n"));

  return {
    url,
    server,
    store,
    close() {
      closing ??= (async () => {
        for (const res of inFlight()) res.once("finish", endConnection);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const res of inFlight()) if (isEventStream(res)) res.socket?.destroy();
          // Anything else still open after the grace period is cut too.
          setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
          // Idle keep-alive sockets would hold close() open; busy ones finish their request first.
          server.closeIdleConnections();
        });
        // Request lines wait a little to be written in batches: the last ones go before the store's.
        ops.flushLogs();
        await webhooks?.stop();
        await store.close?.();
        log("store closed");
      })();
      return closing;
    },
  };
}

/** How long `/readyz` waits for the store. */
const READY_DEADLINE_MS = 2_000;

/** `GET /healthz` (the process answers) or `GET /readyz` (it can serve): no secret, no internals in the answer. */
function probeOf(method: string | undefined, url: string | undefined): "health" | "ready" | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const path = (url ?? "").split("?", 1)[0];
  return path === "/healthz" ? "health" : path === "/readyz" ? "ready" : undefined;
}

/**
 * Answers a probe. Ready means not stopping and the store answered a read
 * within {@link READY_DEADLINE_MS}; a load balancer then stops sending
 * requests to an instance that is shutting down or lost its database.
 */
async function answerProbe(probe: "health" | "ready", res: ServerResponse, store: RoomStore, stopping: boolean): Promise<void> {
  let ok = true;
  if (probe === "ready") {
    try {
      ok = !stopping && (await store.getRevocation("roomgate-readyz", { signal: AbortSignal.timeout(READY_DEADLINE_MS) }), true);
    } catch {
      ok = false;
    }
  }
  const body = JSON.stringify({ status: ok ? (probe === "health" ? "ok" : "ready") : "unavailable" });
  writeHead(res, ok ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(body);
}

/** The response a connection is answering, kept on its socket by the server's listener. */
const ANSWERING = Symbol("roomgate.answering");
type ConnectionSocket = Socket & { [ANSWERING]?: ServerResponse | undefined };

/** After a response, once stopping: its connection ends instead of idling until its keep-alive timeout. */
function endConnection(this: ServerResponse): void {
  this.req.socket.end();
}

/** Is `res` an event stream (it only ends when cut)? */
function isEventStream(res: ServerResponse): boolean {
  return String(res.getHeader("content-type") ?? "").startsWith("text/event-stream");
}
