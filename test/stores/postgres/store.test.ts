import { afterAll, beforeAll, describe } from "vitest";
import { PostgresStore } from "../../../src/postgres.js";
import { testRoomStore } from "../../../src/testing/index.js";
import { admin, DATABASE_URL, dropSchema, probePostgres, testSchema } from "./helpers.js";

const unreachable = await probePostgres();
if (unreachable !== null) console.warn(unreachable);
const describeIfPostgres = unreachable === null ? describe : describe.skip;

describeIfPostgres(unreachable ?? `PostgresStore conformance (${DATABASE_URL})`, () => {
  // One schema for the suite; each test gets a new store on emptied tables.
  const schema = testSchema("conformance");
  beforeAll(async () => {
    const store = new PostgresStore({ connectionString: DATABASE_URL, schema });
    await store.get("warm-up");
    await store.close();
  });
  afterAll(() => dropSchema(schema));

  testRoomStore({
    name: "PostgresStore",
    // Declared: the schema exists only from beforeAll, after tests are collected.
    capabilities: {
      rename: true,
      accessRules: true,
      revocationEvents: true,
      revocationClearing: true,
      groups: true,
      accessibleBy: true,
      auditLog: true,
    },
    create: () => new PostgresStore({ connectionString: DATABASE_URL, schema }),
    cleanup: async (store) => {
      await store.close?.();
      await admin(
        `TRUNCATE "${schema}".rooms, "${schema}".revocations, "${schema}".changes, "${schema}".groups, "${schema}".group_members, "${schema}".audit_log`,
      );
    },
  });
});

describeIfPostgres(unreachable ?? `PostgresStore with entryCache (${DATABASE_URL})`, () => {
  const schema = testSchema("cached");
  afterAll(() => dropSchema(schema));

  testRoomStore({
    name: "PostgresStore, entryCache",
    capabilities: {
      rename: true,
      accessRules: true,
      revocationEvents: true,
      revocationClearing: true,
      groups: true,
      accessibleBy: true,
      auditLog: true,
    },
    create: () => new PostgresStore({ connectionString: DATABASE_URL, schema, entryCache: true }),
    cleanup: async (store) => {
      await store.close?.();
      await admin(
        `TRUNCATE "${schema}".rooms, "${schema}".revocations, "${schema}".changes, "${schema}".groups, "${schema}".group_members, "${schema}".audit_log`,
      );
    },
  });
});
