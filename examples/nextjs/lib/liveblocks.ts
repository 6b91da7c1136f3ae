/**
 * The app's one `Liveblocks` instance, for Node route handlers.
 *
 * Rooms live in a SQLite file (`.data/roomgate.db`, or `ROOMGATE_DB_FILE`)
 * unless `DATABASE_URL` is set, then in PostgreSQL (schema `ROOMGATE_PG_SCHEMA`,
 * default `roomgate`), which every instance of the app can share. The store's
 * driver is imported only when it is chosen, so a SQLite deployment never loads
 * `pg` and a Postgres one never loads `better-sqlite3`.
 *
 * Built at the first request, not at import: `next build` loads route modules
 * without the runtime's environment, and a missing secret should be an error
 * the first request reports, not a random key that changes at each restart.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Liveblocks, type RoomStore } from "roomgate";

/** Thrown (and answered 500 by the routes) when `ROOMGATE_SECRET` is not set. */
export class MissingSecretError extends Error {
  constructor() {
    super("ROOMGATE_SECRET is not set. Create one with `npx roomgate secret` and put it in .env.local as ROOMGATE_SECRET=sk_…");
    this.name = "MissingSecretError";
  }
}

// One instance per process, kept on globalThis so `next dev` module reloads reuse it (and its open store).
const cache = globalThis as typeof globalThis & { __roomgateExample?: Promise<Liveblocks> };

/** The shared instance, built on first use from the environment. */
export function getLiveblocks(): Promise<Liveblocks> {
  cache.__roomgateExample ??= create().catch((error: unknown) => {
    // Let the next request try again (e.g. once the secret is set or the database is reachable).
    cache.__roomgateExample = undefined;
    throw error;
  });
  return cache.__roomgateExample;
}

async function create(): Promise<Liveblocks> {
  const secret = process.env.ROOMGATE_SECRET;
  if (!secret) throw new MissingSecretError();
  return new Liveblocks({ secret, store: await createStore() });
}

async function createStore(): Promise<RoomStore> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    const { PostgresStore } = await import("roomgate/postgres");
    return new PostgresStore({ connectionString: databaseUrl, schema: process.env.ROOMGATE_PG_SCHEMA || "roomgate" });
  }
  const { SqliteStore } = await import("roomgate/sqlite");
  // The file is data, not code: keep it out of the build's file tracing.
  const filename = resolve(/*turbopackIgnore: true*/ process.env.ROOMGATE_DB_FILE || ".data/roomgate.db");
  mkdirSync(dirname(filename), { recursive: true });
  return new SqliteStore({ filename });
}

/** Closes the store and forgets the instance (tests, graceful shutdown). */
export async function closeLiveblocks(): Promise<void> {
  const current = cache.__roomgateExample;
  cache.__roomgateExample = undefined;
  if (current === undefined) return;
  const liveblocks = await current.catch(() => undefined);
  await liveblocks?.store.close?.();
}
