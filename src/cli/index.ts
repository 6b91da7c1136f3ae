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
import { type FlagSpec, insecureReasons, withEnvAndConfig } from "./ops/config.js";
import { type RateLimits, parseRateLimits } from "./ops/rate-limit.js";
import type { ServeWebhookOptions } from "./webhooks.js";

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
                    Keep rooms in PostgreSQL (needs pg); DATABASE_URL is not read, pass it
                    explicitly (or ROOMGATE_DATABASE_URL)
  --schema <name>   PostgreSQL schema of the tables (default roomgate)
  --memory          Keep rooms in memory: they are lost when the server stops
                    (at most one of --db, --database-url and --memory)
  --verbose         Same as --log-format pretty
  --log-format <json|pretty|off>
                    One log line per request on stdout (default: json, or pretty on a terminal)
  --metrics-token <token>
                    /metrics needs Authorization: Bearer <token> (default: /metrics is public)
  --disable-metrics No /metrics
  --rate-limit <family=count/window,…>
                    Per client address and instance, e.g. identify=100/10s,writes=20/1s;
                    families: identify, writes, listings, other (default: no limits)
  --trust-proxy     Take the client address from X-Forwarded-For's last entry (behind one proxy only)
  --signing-key <file>
                    Sign tokens with this ES256/EdDSA private key (JWK or PKCS#8 PEM), published
                    at /.well-known/jwks.json; repeat for rotation (the first signs)
  --allow-insecure  Start on a non-loopback --host even with --memory or a generated secret
  --config <file>   JSON file of settings keyed by flag name (e.g. {"port": 8787})
  --webhook <url>   Send signed webhooks (roomCreated, roomDeleted, …) to this URL; its secret from
                    --webhook-secret-file or $ROOMGATE_WEBHOOK_SECRET (whsec_…), else a new one printed once
  --webhook-secret-file <file>
                    Read the webhook secret from this file
  --webhook-allow-private
                    Allow a webhook URL on a private network or plain http off loopback
  --admin           Serve the admin console at /admin; log in with the admin password from
                    $ROOMGATE_ADMIN_PASSWORD or --admin-password-file (12+ characters, not the secret)
  --admin-password-file <file>
                    Read the admin console's password from this file
  -h, --help        This help

Every flag can also be set as ROOMGATE_<FLAG> (ROOMGATE_DATABASE_URL, ROOMGATE_PORT, …;
lists comma-separated); the command line wins over the environment, which wins over --config.
`;

/** The flags of serve; every one is also read from ROOMGATE_<FLAG> and --config. */
const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  secret: { type: "string" },
  "secret-file": { type: "string" },
  memory: { type: "boolean" },
  db: { type: "string" },
  "database-url": { type: "string" },
  schema: { type: "string" },
  verbose: { type: "boolean" },
  "log-format": { type: "string" },
  "metrics-token": { type: "string" },
  "disable-metrics": { type: "boolean" },
  "rate-limit": { type: "string" },
  "trust-proxy": { type: "boolean" },
  "signing-key": { type: "string", multiple: true },
  "allow-insecure": { type: "boolean" },
  webhook: { type: "string" },
  "webhook-secret-file": { type: "string" },
  "webhook-allow-private": { type: "boolean" },
  admin: { type: "boolean" },
  "admin-password-file": { type: "string" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Record<string, FlagSpec>;

/** Runs the command line; resolves to the exit code, or never for `serve` until it stops. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: FLAGS,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { positionals } = parsed;
  const command = positionals[0];
  if (parsed.values.help || command === undefined || command === "help") {
    process.stdout.write(HELP);
    return command === undefined && !parsed.values.help ? 2 : 0;
  }
  if (command === "secret") {
    process.stdout.write(`${generateSecret()}\n`);
    return 0;
  }
  if (command !== "serve") {
    process.stderr.write(`Unknown command: ${command}\n\n${HELP}`);
    return 2;
  }
  let values: typeof parsed.values;
  try {
    const configFile = parsed.values.config ?? (process.env["ROOMGATE_CONFIG"] || undefined);
    values = withEnvAndConfig(parsed.values, FLAGS, process.env, configFile) as typeof parsed.values;
  } catch (error) {
    process.stderr.write(`roomgate: ${(error as Error).message}\n`);
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
  if (parsed.values.secret !== undefined) {
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
  const host = values.host ?? "127.0.0.1";
  const insecure = insecureReasons({ host, memory: store.kind === "memory", secretGiven: secret !== undefined });
  if (insecure.length > 0 && !values["allow-insecure"]) {
    process.stderr.write(
      `roomgate: refusing to start: --host ${host} accepts connections from other machines, and ${insecure.join("; and ")}.\n` +
        "Give a secret and a durable store, bind 127.0.0.1 behind a proxy, or pass --allow-insecure to start anyway.\n",
    );
    return 2;
  }
  const logFormat = values["log-format"] ?? (values.verbose || process.stdout.isTTY ? "pretty" : "json");
  if (logFormat !== "json" && logFormat !== "pretty" && logFormat !== "off") {
    process.stderr.write(`Invalid --log-format: ${logFormat} (json, pretty or off)\n`);
    return 2;
  }
  let rateLimits: RateLimits | undefined;
  try {
    rateLimits = values["rate-limit"] === undefined ? undefined : parseRateLimits(values["rate-limit"]);
  } catch (error) {
    process.stderr.write(`roomgate: ${(error as Error).message}\n`);
    return 2;
  }
  const webhook = webhookOptions(values);
  if (typeof webhook === "number") return webhook;
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
      ...(webhook !== undefined && { webhook }),
      ...(values.admin && { admin: { password: adminPassword! } }),
      port,
      host,
      ...(secret !== undefined && { secret }),
      store,
      ...(logFormat !== "off" && { logFormat }),
      metrics: !values["disable-metrics"],
      ...(values["metrics-token"] !== undefined && { metricsToken: values["metrics-token"] }),
      ...(rateLimits !== undefined && { rateLimits }),
      trustProxy: values["trust-proxy"] ?? false,
      ...(values["signing-key"] !== undefined && values["signing-key"].length > 0 && { signingKeys: values["signing-key"] }),
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

/** The webhook flags, or an exit code after saying what is wrong. */
function webhookOptions(values: {
  webhook?: string;
  "webhook-secret-file"?: string;
  "webhook-allow-private"?: boolean;
}): ServeWebhookOptions | number | undefined {
  const url = values.webhook;
  if (url === undefined) {
    if (values["webhook-secret-file"] !== undefined || values["webhook-allow-private"]) {
      process.stderr.write("--webhook-secret-file and --webhook-allow-private apply to --webhook only\n");
      return 2;
    }
    return undefined;
  }
  let secret = process.env["ROOMGATE_WEBHOOK_SECRET"] || undefined;
  const file = values["webhook-secret-file"];
  if (file !== undefined) {
    try {
      secret = readFileSync(file, "utf8").trim();
    } catch (error) {
      process.stderr.write(
        `roomgate: cannot read --webhook-secret-file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
      );
      return 1;
    }
  }
  return { url, ...(secret !== undefined && { secret }), allowPrivateNetworks: values["webhook-allow-private"] ?? false };
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
