/**
 * The connections of {@link PostgresStore}: its pool (the caller's, or one
 * made from a connection string), the schema migrated once, and every query
 * run on a pooled client raced against the caller's signal, so a hung
 * database never holds the caller or a pool slot forever.
 */
import pg from "pg";
import type { ClientConfig, Pool, PoolClient, PoolConfig, QueryResultRow } from "pg";
import { raceSignal } from "../../runtime/signal.js";
import { migrate } from "./schema.js";

/** Where a store's connections come from: your own `pg` pool, or a connection string for a pool the store creates (and closes). */
export type ConnectionOptions =
  | { pool: Pool; connectionString?: never }
  | {
      connectionString: string;
      pool?: never;
      /** Extra settings of the pool the store creates (`max`, `ssl`, …). */
      poolConfig?: Omit<PoolConfig, "connectionString">;
    };

/** Clients whose last transaction rolled back cleanly, so an error thrown in it left them usable. */
const rolledBack = new WeakSet<PoolClient>();

/** Attempts of a read that loses its connection: a pool may hold several idle connections killed at once. */
const READ_ATTEMPTS = 3;

/** A store's pool and the schema it migrates once; queries on pooled clients, transactions, retried reads. */
export class Connections {
  readonly pool: Pool;
  /** The settings of the pool's clients, for a dedicated client (the change listener). */
  readonly clientConfig: ClientConfig;
  readonly #ownsPool: boolean;
  readonly #schema: string;
  #ready: Promise<void> | null = null;
  /** The schema is migrated: every later call skips waiting for it (one promise and one signal race less per query). */
  #migrated = false;
  #closed = false;

  /**
   * @param options The caller's pool, or a connection string for a pool made here.
   * @param schema The schema migrated on first use.
   */
  constructor(options: ConnectionOptions, schema: string) {
    this.#schema = schema;
    if (options.pool !== undefined) {
      this.pool = options.pool;
      this.#ownsPool = false;
      this.clientConfig = { ...(options.pool.options as ClientConfig) };
    } else if (typeof options.connectionString === "string") {
      const config: PoolConfig = {
        // Fail fast when the database is unreachable, so room entry can deny
        // with store-unavailable instead of waiting on a dead socket.
        connectionTimeoutMillis: 5_000,
        ...options.poolConfig,
        connectionString: options.connectionString,
      };
      this.pool = new pg.Pool(config);
      this.#ownsPool = true;
      // Idle clients whose backend dies emit "error" on the pool; the pool
      // already discards them, and an unhandled "error" would crash the app.
      this.pool.on("error", () => undefined);
      this.clientConfig = { ...config };
    } else {
      throw new TypeError("PostgresStore needs `pool` or `connectionString`");
    }
  }

  /** Whether {@link Connections.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Refuses new work from now on; {@link Connections.end} then ends the pool. */
  close(): void {
    this.#closed = true;
  }

  /** Ends the pool if it was made here (a pool the caller gave stays theirs). */
  async end(): Promise<void> {
    if (this.#ownsPool) await this.pool.end();
  }

  /** Creates and migrates the schema once; a failure is retried on the next call. */
  init(): Promise<void> {
    if (this.#ready === null) {
      this.#ready = (async () => {
        const client = await this.pool.connect();
        client.on("error", () => undefined);
        try {
          await migrate(client, this.#schema);
          client.release();
        } catch (error) {
          client.release(error instanceof Error ? error : true);
          throw error;
        }
      })();
      this.#ready.then(
        () => {
          this.#migrated = true;
        },
        () => {
          this.#ready = null;
        },
      );
    }
    return this.#ready;
  }

  /**
   * Runs `work` on a pooled client. On abort it rejects at once with the
   * signal's reason and destroys the client (pg cannot cancel a query), so a
   * hung database never holds the caller or a pool slot forever.
   */
  withClient<T>(signal: AbortSignal | undefined, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.#start(signal, promised(work), 1);
  }

  /**
   * {@link Connections.withClient} for a read, which is idempotent: when
   * the connection turns out to be gone (the pool handed out an idle client
   * whose backend was terminated before pg noticed, or the backend died
   * mid-query), the read runs again on another connection, up to
   * {@link READ_ATTEMPTS} times in all, instead of failing the caller.
   */
  read<T>(signal: AbortSignal | undefined, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.#start(signal, promised(work), READ_ATTEMPTS);
  }

  /**
   * One read query, retried as {@link Connections.read} retries, its rows
   * turned into the answer by `answer`: pg's callback form, so no promise
   * but the caller's own is made for the query.
   */
  readRows<R extends QueryResultRow, T>(
    signal: AbortSignal | undefined,
    text: string,
    values: unknown[],
    answer: (rows: R[]) => T,
  ): Promise<T> {
    return this.#start(
      signal,
      (client, ok, fail) => {
        client.query<R>(text, values, (error, result) => {
          if (error) return fail(error);
          let value: T;
          try {
            value = answer(result.rows);
          } catch (thrown) {
            return fail(thrown);
          }
          ok(value);
        });
      },
      READ_ATTEMPTS,
    );
  }

  /** Not an async function: it would wrap the call's own promise in another and add turns to every store call. */
  #start<T>(signal: AbortSignal | undefined, work: Work<T>, attempts: number): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(new Error("PostgresStore is closed"));
    if (!this.#migrated) return raceSignal(this.init(), signal).then(() => this.#run(signal, work, attempts));
    return this.#run(signal, work, attempts);
  }

  /**
   * One promise for the whole call, retries included: the checkout is
   * callback-style (no promise of pg-pool's own), and one abort listener
   * covers checkout and work, since each listener on an AbortSignal costs an
   * EventTarget add and remove on every store call.
   */
  #run<T>(signal: AbortSignal | undefined, work: Work<T>, attempts: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let attempt = 1;
      let client: PoolClient | undefined;
      let broken: Error | boolean = false;
      // A checked-out client whose backend dies between queries emits "error";
      // unheard, it would crash the process. Heard, it marks the client broken.
      const onError = (error: Error) => {
        broken = error;
      };
      const giveBack = (release: Error | boolean) => {
        client!.off("error", onError);
        client!.release(release);
        client = undefined;
      };
      const settle = (release: Error | boolean | undefined): boolean => {
        if (settled) return false;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        if (client !== undefined && release !== undefined) giveBack(release);
        return true;
      };
      function onAbort(): void {
        // pg cannot cancel a query: the client is destroyed, so a hung database never holds the caller or a pool slot.
        if (settle(signal!.reason instanceof Error ? signal!.reason : true)) reject(signal!.reason);
      }
      /** Whether a read whose connection turned out to be gone runs again on another one. */
      const mayRetry = (error: unknown): boolean =>
        attempt < attempts && !settled && !signal?.aborted && !this.#closed && isConnectionLoss(error);
      const retry = (): void => {
        attempt++;
        this.pool.connect(onCheckout);
      };
      const onValue = (value: T) => {
        if (settle(broken)) resolve(value);
      };
      const onFailure = (error: unknown) => {
        // After a connection error the client's state is unknown: discard it. An error the
        // server answered, or one thrown inside a transaction that rolled back cleanly
        // (a failing assert), leaves it usable.
        const usable = (error instanceof pg.DatabaseError && !isConnectionLoss(error)) || (client !== undefined && rolledBack.has(client));
        if (!usable) broken = error instanceof Error ? error : true;
        if (mayRetry(error)) {
          giveBack(broken);
          broken = false;
          return retry();
        }
        if (settle(broken)) reject(error);
      };
      const onCheckout = (error: Error | undefined, checkedOut: PoolClient | undefined) => {
        if (error !== undefined && error !== null) {
          if (mayRetry(error)) return retry();
          if (settle(undefined)) reject(error);
          return;
        }
        // A client that arrives after the abort goes straight back.
        if (settled) return void checkedOut!.release();
        client = checkedOut!;
        rolledBack.delete(client);
        client.on("error", onError);
        work(client, onValue, onFailure);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pool.connect(onCheckout);
    });
  }

  /** Runs `work` in a transaction; rolls back if it throws. */
  transaction<T>(signal: AbortSignal | undefined, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(signal, async (client) => {
      await client.query("BEGIN");
      let value: T;
      try {
        value = await work(client);
      } catch (error) {
        await client.query("ROLLBACK").then(
          () => rolledBack.add(client),
          () => undefined,
        );
        throw error;
      }
      await client.query("COMMIT");
      return value;
    });
  }
}

/** Work on a checked-out client that reports its end by calling `ok` or `fail` once. */
type Work<T> = (client: PoolClient, ok: (value: T) => void, fail: (error: unknown) => void) => void;

/** `work` that returns a promise, as {@link Work}. */
function promised<T>(work: (client: PoolClient) => Promise<T>): Work<T> {
  return (client, ok, fail) => {
    let running: Promise<T>;
    try {
      running = work(client);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(ok, fail);
  };
}

/**
 * Did the connection itself fail (not the statement)? pg's own error for a
 * socket that closed, a socket error, or the server's report that it is
 * terminating the backend (class 57P: operator intervention).
 */
function isConnectionLoss(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) return error.code?.startsWith("57P") === true;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "ECONNRESET" || code === "EPIPE" || message === "Connection terminated unexpectedly";
}
