/**
 * The tables of {@link PostgresStore} and their migrations: one schema per
 * store (default `roomgate`), versioned in `schema_version`, migrated in order
 * under a transaction-scoped advisory lock so that instances starting
 * together migrate once. Plain SQL: jsonb, GIN, row comparisons.
 */
import { createHash } from "node:crypto";
import type { PoolClient } from "pg";
import { publicRoomsIndex } from "./accessible.js";

/** A schema name we can put in SQL unquoted-safe and quoted alike. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * `schema` if it is a valid schema name for a store.
 *
 * @throws {TypeError} naming the rule otherwise.
 */
export function validateSchemaName(schema: unknown): string {
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema)) {
    throw new TypeError(
      `Invalid schema: ${JSON.stringify(schema)} must match ${SCHEMA_NAME.source} (lowercase letters, digits and _, at most 63)`,
    );
  }
  return schema;
}

/** A store's tables, schema-qualified and quoted for SQL. */
export type Tables = { readonly rooms: string; readonly revocations: string; readonly changes: string };

/** The tables of `schema` (a name {@link validateSchemaName} accepted). */
export function tableNames(schema: string): Tables {
  const s = `"${schema}"`;
  return { rooms: `${s}.rooms`, revocations: `${s}.revocations`, changes: `${s}.changes` };
}

/**
 * The `NOTIFY` channel of a schema: derived from it so that two schemas in
 * one database never hear each other. Channel names are identifiers cut at
 * 63 bytes, so long schema names are hashed rather than truncated into
 * collisions.
 */
export function channelName(schema: string): string {
  const readable = `${schema}_changes`;
  if (readable.length <= 63) return readable;
  return `roomgate_changes_${createHash("sha256").update(schema).digest("hex").slice(0, 40)}`;
}

/**
 * Migrations in order; `schema_version` holds how many ran. Append only:
 * an instance running older code must still find the tables it knows.
 *
 * Rooms keep accesses and metadata twice: as `jsonb` columns with GIN
 * indexes, which the filters (`?`, `?|`, `@>`) and room entry read, and in
 * `doc`, a `json` text of the room's lists and maps as written, which reads
 * return (jsonb reorders keys; the memory store keeps insertion order).
 * Filtering on `doc::jsonb` instead would parse every candidate row: ~5×
 * slower. Ids are `COLLATE "C"` (UTF-8 byte order, the listing order of
 * every store); times are epoch milliseconds in `bigint` so `Date`s
 * round-trip exactly.
 */
function migrations(s: string): string[] {
  return [
    `CREATE TABLE ${s}.rooms (
       id text COLLATE "C" PRIMARY KEY,
       created_at bigint NOT NULL,
       last_connection_at bigint,
       organization_id text COLLATE "C" NOT NULL,
       default_accesses jsonb NOT NULL,
       users_accesses jsonb NOT NULL,
       groups_accesses jsonb NOT NULL,
       metadata jsonb NOT NULL,
       doc json NOT NULL
     );
     CREATE INDEX rooms_order ON ${s}.rooms (created_at DESC, id DESC);
     CREATE INDEX rooms_organization ON ${s}.rooms (organization_id, created_at DESC, id DESC);
     CREATE INDEX rooms_users ON ${s}.rooms USING gin (users_accesses);
     CREATE INDEX rooms_groups ON ${s}.rooms USING gin (groups_accesses);
     CREATE INDEX rooms_metadata ON ${s}.rooms USING gin (metadata jsonb_path_ops);
     CREATE TABLE ${s}.revocations (
       user_id text COLLATE "C" PRIMARY KEY,
       issued_before bigint NOT NULL
     );
     CREATE TABLE ${s}.changes (
       seq bigserial PRIMARY KEY,
       room_id text COLLATE "C" NOT NULL,
       type text NOT NULL,
       at bigint NOT NULL,
       origin text NOT NULL
     );
     CREATE INDEX changes_at ON ${s}.changes (at);`,
    // Groups: `seq` keeps members in the order they were added; a user's groups are one index range.
    `CREATE TABLE ${s}.groups (
       id text COLLATE "C" PRIMARY KEY,
       organization_id text COLLATE "C" NOT NULL,
       created_at bigint NOT NULL,
       updated_at bigint NOT NULL,
       scopes jsonb NOT NULL
     );
     CREATE INDEX groups_organization ON ${s}.groups (organization_id, id);
     CREATE TABLE ${s}.group_members (
       group_id text COLLATE "C" NOT NULL REFERENCES ${s}.groups (id) ON DELETE CASCADE,
       user_id text COLLATE "C" NOT NULL,
       added_at bigint NOT NULL,
       seq bigserial NOT NULL,
       PRIMARY KEY (group_id, user_id)
     );
     CREATE INDEX group_members_user ON ${s}.group_members (user_id, group_id);`,
    // listAccessible (getRooms accessibleBy): the rooms whose default grants entry, newest first.
    publicRoomsIndex(s),
    // The audit trail: one row per journal entry, written in the write's
    // transaction; listed newest first (seq descending), by room (either id
    // of a rename), by actor or by time (a BRIN index: rows arrive in time
    // order, and it costs a write next to nothing). `details` is json (not jsonb), so
    // changed entries keep their order. Rows are never updated (the trigger
    // refuses it); pruning deletes the oldest.
    `CREATE TABLE ${s}.audit_log (
       seq bigserial PRIMARY KEY,
       at bigint NOT NULL,
       actor text COLLATE "C" NOT NULL,
       type text NOT NULL,
       room_id text COLLATE "C",
       new_room_id text COLLATE "C",
       user_id text COLLATE "C",
       group_id text COLLATE "C",
       details json NOT NULL
     );
     CREATE INDEX audit_log_room ON ${s}.audit_log (room_id, seq) WHERE room_id IS NOT NULL;
     CREATE INDEX audit_log_new_room ON ${s}.audit_log (new_room_id, seq) WHERE new_room_id IS NOT NULL;
     CREATE INDEX audit_log_actor ON ${s}.audit_log (actor, seq);
     CREATE INDEX audit_log_at ON ${s}.audit_log USING brin (at);
     CREATE FUNCTION ${s}.audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS
       $$ BEGIN RAISE EXCEPTION 'audit entries cannot be changed'; END $$;
     CREATE TRIGGER audit_log_immutable BEFORE UPDATE ON ${s}.audit_log
       FOR EACH ROW EXECUTE FUNCTION ${s}.audit_log_immutable();`,
    // Webhooks (issue 24): endpoints; events written in the write's
    // transaction and deleted as fan-out copies them into deliveries; one
    // delivery per event and endpoint. IF NOT EXISTS: schemas the webhook
    // code used before this migration already have these tables (it created
    // them itself), and keep their rows. The last two indexes serve
    // retention: finished deliveries are pruned oldest first.
    `CREATE TABLE IF NOT EXISTS ${s}.webhook_endpoints (
       id text COLLATE "C" PRIMARY KEY,
       url text NOT NULL,
       events jsonb,
       secret text NOT NULL,
       previous_secret text,
       previous_secret_expires_at bigint,
       created_at bigint NOT NULL,
       updated_at bigint NOT NULL
     );
     CREATE TABLE IF NOT EXISTS ${s}.webhook_events (
       seq bigserial PRIMARY KEY,
       type text NOT NULL,
       order_key text NOT NULL,
       data text NOT NULL,
       at bigint NOT NULL
     );
     CREATE TABLE IF NOT EXISTS ${s}.webhook_deliveries (
       rid bigserial PRIMARY KEY,
       id text COLLATE "C" NOT NULL UNIQUE,
       endpoint_id text COLLATE "C" NOT NULL REFERENCES ${s}.webhook_endpoints (id) ON DELETE CASCADE,
       event_seq bigint NOT NULL,
       event_type text NOT NULL,
       order_key text NOT NULL,
       event_data text NOT NULL,
       event_at bigint NOT NULL,
       status text NOT NULL,
       attempts integer NOT NULL,
       created_at bigint NOT NULL,
       next_attempt_at bigint,
       last_attempt_at bigint,
       last_status_code integer,
       last_error text,
       delivered_at bigint,
       lease_owner text,
       lease_until bigint NOT NULL DEFAULT 0
     );
     CREATE INDEX IF NOT EXISTS webhook_deliveries_queue ON ${s}.webhook_deliveries (endpoint_id, order_key, event_seq) WHERE status = 'pending';
     CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON ${s}.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
     CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint ON ${s}.webhook_deliveries (endpoint_id, rid);
     CREATE INDEX IF NOT EXISTS webhook_deliveries_delivered ON ${s}.webhook_deliveries (delivered_at) WHERE status = 'delivered';
     CREATE INDEX IF NOT EXISTS webhook_deliveries_failed ON ${s}.webhook_deliveries (last_attempt_at) WHERE status = 'failed';`,
  ];
}

/** The number of migrations this code knows. */
export const SCHEMA_VERSION = migrations("s").length;

/**
 * Creates the schema and runs the missing migrations, once across every
 * instance: the advisory lock serialises concurrent callers, and each one
 * re-reads the version after taking it.
 *
 * @throws {Error} if the database holds a newer schema than this code knows.
 */
export async function migrate(client: PoolClient, schema: string): Promise<void> {
  const s = `"${schema}"`;
  await client.query("BEGIN");
  try {
    // Two int4 keys: a fixed namespace for roomgate, then the schema.
    await client.query("SELECT pg_advisory_xact_lock(1919905121, hashtext($1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_version`);
    const current = rows[0]?.version ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(`Schema "${schema}" is at version ${current}, newer than this roomgate knows (${SCHEMA_VERSION}): upgrade roomgate`);
    }
    const all = migrations(s);
    for (let version = current; version < all.length; version++) await client.query(all[version] as string);
    if (rows.length === 0) await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [all.length]);
    else if (current < all.length) await client.query(`UPDATE ${s}.schema_version SET version = $1`, [all.length]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
