/**
 * `roomgate/postgres`: the PostgreSQL store. Its own entry point, so that
 * importing `roomgate` never loads `pg` (an optional peer dependency).
 */
export { PostgresStore } from "./storage/postgres.js";
export type { PostgresStoreOptions } from "./storage/postgres.js";
