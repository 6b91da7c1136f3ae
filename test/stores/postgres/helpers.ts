/**
 * Helpers of the PostgreSQL tests: the server address, a reachability probe
 * (tests are skipped, loudly, when no server answers), throwaway schemas and
 * a loopback TCP proxy the tests can cut and restore.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import pg from "pg";

/** The test server: `DATABASE_URL`, or the local default. */
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Why PostgreSQL cannot be used, or `null` when it answers within 2 s.
 * Callers skip their suite with this reason instead of passing silently.
 */
export async function probePostgres(url = DATABASE_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return `PostgreSQL not reachable at ${url}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name of this run, unique across parallel runs and files. */
export function testSchema(label: string): string {
  return `roomgate_test_${label}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

/** Runs one statement on a short-lived connection of its own. */
export async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** Terminates every backend whose application_name is `name`; resolves to how many. */
export async function terminateBackends(where: string, params: unknown[]): Promise<number> {
  const rows = await admin<{ ok: boolean }>(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND ${where}`,
    params,
  );
  return rows.filter((row) => row.ok).length;
}

/**
 * A TCP proxy on 127.0.0.1 to the test server that can be stopped (sockets
 * destroyed, port closed: connections are refused) and started again on the
 * same port, to play a database that goes away and comes back.
 */
export class TcpProxy {
  #server: net.Server | null = null;
  readonly #sockets = new Set<net.Socket>();
  port = 0;

  /** Listens (again, on the same port once it has one). */
  async start(): Promise<void> {
    const target = new URL(DATABASE_URL);
    const server = net.createServer((socket) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [socket, upstream]) {
        this.#sockets.add(s);
        s.on("close", () => this.#sockets.delete(s));
        s.on("error", () => undefined);
      }
      socket.pipe(upstream).pipe(socket);
      socket.on("close", () => upstream.destroy());
      upstream.on("close", () => socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  /** Cuts every connection and stops listening. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const socket of this.#sockets) socket.destroy();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The test database's URL through this proxy. */
  get url(): string {
    return urlThroughPort(this.port);
  }
}

/** The test database's URL through a loopback proxy listening on `port`. */
export function urlThroughPort(port: number): string {
  const url = new URL(DATABASE_URL);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return url.toString();
}
