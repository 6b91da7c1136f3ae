/**
 * `roomgate/postgres`: the PostgreSQL store. Its own entry point, so that
 * importing `roomgate` never loads `pg` (an optional peer dependency).
 */
export { PostgresStore } from "./stores/postgres/store.js";
export type { PostgresStoreOptions } from "./stores/postgres/store.js";
