/**
 * `roomgate/sqlite`: the SQLite room store. A separate entry point so that
 * importing `roomgate` never loads `better-sqlite3` (an optional peer
 * dependency, version 12).
 *
 * @example
 * ```ts
 * import { Liveblocks } from "roomgate";
 * import { SqliteStore } from "roomgate/sqlite";
 * const liveblocks = new Liveblocks({ secret, store: new SqliteStore({ filename: "rooms.db" }) });
 * ```
 */
export { SqliteBusyError, SqliteStore } from "./stores/sqlite/store.js";
export type { SqliteStoreOptions } from "./stores/sqlite/store.js";
