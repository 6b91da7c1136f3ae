/**
 * With `DATABASE_URL` set, the example keeps rooms in PostgreSQL: the share
 * route's invitation is seen by a second instance over the same database.
 */
import { generateSecret, Liveblocks } from "roomgate";
import { PostgresStore } from "roomgate/postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../../../test/stores/postgres/helpers";
import * as auth from "../app/api/liveblocks-auth/route";
import * as share from "../app/api/rooms/[roomId]/share/route";
import { closeLiveblocks, getLiveblocks } from "../lib/liveblocks";

const unreachable = await probePostgres();
if (unreachable !== null) console.warn(unreachable);
const describeIfPostgres = unreachable === null ? describe : describe.skip;

const schema = testSchema("nextjs");
const secret = generateSecret();

describeIfPostgres(unreachable ?? "examples/nextjs over PostgreSQL", () => {
  beforeAll(() => {
    process.env.DATABASE_URL = DATABASE_URL;
    process.env.ROOMGATE_PG_SCHEMA = schema;
    process.env.ROOMGATE_SECRET = secret;
  });

  afterAll(async () => {
    await closeLiveblocks();
    await dropSchema(schema);
  });

  it("share route - an invitation lands in Postgres, where another instance decides on it", async () => {
    const headers = { "x-user-id": "alice" };
    const invite = await share.POST(
      new Request("http://app.test/api/rooms/pg-room/share", {
        method: "POST",
        headers,
        body: JSON.stringify({ userId: "bob", access: "read" }),
      }),
      { params: Promise.resolve({ roomId: "pg-room" }) },
    );
    expect(invite.status).toBe(200);
    expect((await getLiveblocks()).store).toBeInstanceOf(PostgresStore);

    const other = new Liveblocks({ secret, store: new PostgresStore({ connectionString: DATABASE_URL, schema }) });
    try {
      const signIn = await auth.POST(
        new Request("http://app.test/api/liveblocks-auth", { method: "POST", headers: { "x-user-id": "bob" } }),
      );
      const { token } = (await signIn.json()) as { token: string };
      expect(await other.checkRoomAccess(token, "pg-room")).toMatchObject({ allowed: true, isReadOnly: true });
    } finally {
      await other.store.close?.();
    }
  });
});
