#!/usr/bin/env node
/**
 * The `roomgate` command: `serve` (the REST API v2 server) and `secret` (a new
 * secret key). Arguments are parsed with `node:util`'s `parseArgs`, so
 * unknown flags are errors, not silently ignored.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generateSecret } from "../index.js";
import { MissingDriverError, type StoreChoice, startServer } from "./serve.js";

const HELP = `Usage: roomgate <command> [options]

Commands:
  serve     Serve the Liveblocks REST API v2 (identify-user, authorize-user, rooms)
  secret    Print a new secret key

Options of serve:
  --port <n>        Port to listen on (default 8787; 0 picks a free one)
  --host <address>  Address to bind (default 127.0.0.1)
  --secret-file <file>
                    Read the secret key clients send from this file (default: $ROOMGATE_SECRET,
                    else a new one printed once)
  --secret <sk_…>   The secret key itself; every user of the machine can read it in the process
                    list, so prefer --secret-file or ROOMGATE_SECRET
  --db <file>       Keep rooms in this SQLite file (the default: ./roomgate.db; needs better-sqlite3)
  --database-url <postgres://…>
                    Keep rooms in PostgreSQL (needs pg); DATABASE_URL is not read, pass it explicitly
  --schema <name>   PostgreSQL schema of the tables (default roomgate)
  --memory          Keep rooms in memory: they are lost when the server stops
                    (at most one of --db, --database-url and --memory)
  --verbose         One line per request
  --admin           Serve the admin console at /admin; log in with the admin password from
                    $ROOMGATE_ADMIN_PASSWORD or --admin-password-file (12+ characters, not the secret)
  --admin-password-file <file>
                    Read the admin console's password from this file
  -h, --help        This help
`;

/** Runs the command line; resolves to the exit code, or never for `serve` until it stops. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        secret: { type: "string" },
        "secret-file": { type: "string" },
        memory: { type: "boolean" },
        db: { type: "string" },
        "database-url": { type: "string" },
        schema: { type: "string" },
        verbose: { type: "boolean" },
        admin: { type: "boolean" },
        "admin-password-file": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined || command === "help") {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === "secret") {
    process.stdout.write(`${generateSecret()}\n`);
    return 0;
  }
  if (command !== "serve") {
    process.stderr.write(`Unknown command: ${command}\n\n${HELP}`);
    return 2;
  }
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`Invalid --port: ${values.port} (an integer from 0 to 65535)\n`);
    return 2;
  }
  const chosen = [
    values.db !== undefined && "--db",
    values["database-url"] !== undefined && "--database-url",
    values.memory && "--memory",
  ].filter(Boolean);
  if (chosen.length > 1) {
    process.stderr.write(`Choose one store: ${chosen.join(" and ")} were both given\n`);
    return 2;
  }
  if (values.schema !== undefined && values["database-url"] === undefined) {
    process.stderr.write("--schema applies to --database-url only\n");
    return 2;
  }
  const store: StoreChoice = values.memory
    ? { kind: "memory" }
    : values["database-url"] !== undefined
      ? { kind: "postgres", connectionString: values["database-url"], schema: values.schema ?? "roomgate" }
      : { kind: "sqlite", filename: values.db ?? "./roomgate.db" };
  if (values.secret !== undefined && values["secret-file"] !== undefined) {
    process.stderr.write("Give the secret once: --secret and --secret-file were both given\n");
    return 2;
  }
  if (values.secret !== undefined) {
    process.stderr.write(
      "roomgate: warning: --secret is readable by every user of this machine in the process list; use --secret-file or ROOMGATE_SECRET\n",
    );
  }
  let secret = values.secret ?? (process.env["ROOMGATE_SECRET"] || undefined);
  if (values["secret-file"] !== undefined) {
    try {
      secret = readFileSync(values["secret-file"], "utf8").trim();
    } catch (error) {
      process.stderr.write(`roomgate: cannot read --secret-file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      return 1;
    }
  }
  let adminPassword = process.env["ROOMGATE_ADMIN_PASSWORD"] || undefined;
  if (values["admin-password-file"] !== undefined) {
    if (!values.admin) {
      process.stderr.write("--admin-password-file applies to --admin only\n");
      return 2;
    }
    try {
      adminPassword = readFileSync(values["admin-password-file"], "utf8").trim();
    } catch (error) {
      process.stderr.write(
        `roomgate: cannot read --admin-password-file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
      );
      return 1;
    }
  }
  if (values.admin && adminPassword === undefined) {
    process.stderr.write("--admin needs a password: set ROOMGATE_ADMIN_PASSWORD or pass --admin-password-file\n");
    return 2;
  }
  let running;
  try {
    running = await startServer({
      ...(values.admin && { admin: { password: adminPassword! } }),
      port,
      host: values.host ?? "127.0.0.1",
      ...(secret !== undefined && { secret }),
      verbose: values.verbose ?? false,
      store,
    });
  } catch (error) {
    if (error instanceof MissingDriverError) {
      process.stderr.write(`roomgate: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`roomgate: ${(error as Error).message}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      // A second signal while draining means "now": exit without waiting.
      if (stopping) process.exit(1);
      stopping = true;
      process.stdout.write(`${signal}: finishing in-flight requests, then stopping\n`);
      running.close().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`roomgate: ${(error as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`roomgate: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
