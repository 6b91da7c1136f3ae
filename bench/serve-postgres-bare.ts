/**
 * The baseline of bench/serve-postgres.ts, in its own process: a bare
 * `node:http` server that answers `GET /v2/rooms/:id` with the one `SELECT`
 * PostgresStore's `get` runs, through `pg` (a pool of the same default
 * size), the row written back as the room's JSON; no bearer check, no
 * routing, no validation. Prints its port on stdout.
 *
 *   npx tsx bench/serve-postgres-bare.ts <database-url> <schema>
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";

const [databaseUrl, schema] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: databaseUrl });
const sql = `SELECT id, created_at, last_connection_at, organization_id, doc FROM "${schema}".rooms WHERE id = $1`;

const server = createServer((req, res) => {
  const id = decodeURIComponent((req.url ?? "").slice("/v2/rooms/".length));
  pool.query<{ id: string; created_at: string; last_connection_at: string | null; organization_id: string; doc: object }>(sql, [id]).then(
    ({ rows }) => {
      const row = rows[0];
      res.writeHead(row === undefined ? 404 : 200, { "content-type": "application/json; charset=utf-8" });
      // The room's JSON as the REST API spells it: the row's columns and the stored document.
      const room = row && {
        type: "room",
        id: row.id,
        createdAt: new Date(Number(row.created_at)).toISOString(),
        lastConnectionAt: row.last_connection_at === null ? undefined : new Date(Number(row.last_connection_at)).toISOString(),
        organizationId: row.organization_id,
        ...row.doc,
      };
      res.end(JSON.stringify(room ?? { error: "ROOM_NOT_FOUND" }));
    },
    () => {
      res.writeHead(500).end();
    },
  );
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on("SIGTERM", () => server.close(() => void pool.end().then(() => process.exit(0))));
