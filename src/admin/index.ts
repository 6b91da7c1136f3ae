/**
 * The admin console of `roomgate serve`: server-rendered pages over the
 * `Liveblocks` facade, behind their own password.
 */
export { ADMIN_PATH, MAX_FORM_BYTES, MIN_ADMIN_PASSWORD_LENGTH, assertAdminPassword, createAdminHandler, isAdminPath } from "./handler.js";
export type { AdminConsoleOptions } from "./handler.js";
export { CONTENT_SECURITY_POLICY } from "./respond.js";
