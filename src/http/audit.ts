/**
 * `GET /v2/audit-log`: roomgate's own route for the audit trail, newest
 * first. Query: `roomId`, `actor`, `since` and `until` (epoch milliseconds
 * or ISO-8601), `limit`, `startingAfter`; the facade validates each.
 * Read-only: no route changes an entry.
 */
import type { GetAuditLogOptions } from "../liveblocks/audit.js";
import { auditEntryToJson } from "../protocol/audit-json.js";
import { json, type RouteResult } from "./responses.js";
import type { Liveblocks } from "../liveblocks/client.js";
import type { IncomingRequest } from "./body.js";

/** Digits become a number; anything else goes to the facade as is, which names the rule it breaks. */
function numeric(value: string): string | number {
  return /^\d{1,16}$/.test(value) ? Number(value) : value;
}

/**
 * Answers `{ nextCursor, data }` with the page's entries as JSON.
 *
 * @example
 * ```ts
 * route(PATHS.auditLog, { GET: getAuditLogRoute });
 * ```
 */
export async function getAuditLogRoute({
  liveblocks,
  request,
}: {
  liveblocks: Liveblocks;
  request: IncomingRequest;
}): Promise<RouteResult> {
  const search = new URL(request.url).searchParams;
  const params: GetAuditLogOptions = {};
  for (const field of ["roomId", "actor", "startingAfter"] as const) {
    const value = search.get(field);
    if (value !== null) params[field] = value;
  }
  for (const field of ["since", "until"] as const) {
    const value = search.get(field);
    if (value !== null) params[field] = numeric(value);
  }
  const limit = search.get("limit");
  if (limit !== null) params.limit = numeric(limit) as number;
  const page = await liveblocks.getAuditLog(params, { signal: request.signal });
  return json({ nextCursor: page.nextCursor, data: page.data.map(auditEntryToJson) });
}
