/**
 * The audit trail of `RestStore`: the server's `GET /v2/audit-log`, its
 * query written and its answer checked here (a remote server's answer
 * crosses a trust boundary).
 */
import { auditEntryFromJson } from "../../protocol/audit-json.js";
import type { AuditPage, AuditQuery } from "../../rooms/audit.js";
import { assertPageLimit } from "../../rooms/cursor.js";
import { RestResponseError } from "./transport.js";

/** The query string of `query`. */
export function auditSearch(query: AuditQuery): URLSearchParams {
  assertPageLimit(query.limit);
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.roomId !== undefined) params.set("roomId", query.roomId);
  if (query.actor !== undefined) params.set("actor", query.actor);
  if (query.since !== undefined) params.set("since", String(query.since));
  if (query.until !== undefined) params.set("until", String(query.until));
  if (query.cursor !== undefined) params.set("startingAfter", query.cursor);
  return params;
}

/**
 * The page in a 200 answer's body.
 *
 * @throws {RestResponseError} if it is not `{ nextCursor, data: AuditEntry[] }`.
 */
export function auditPageOf(body: unknown, status: number): AuditPage {
  const page = body as { data?: unknown; nextCursor?: unknown } | undefined;
  if (!Array.isArray(page?.data) || (page.nextCursor !== null && typeof page.nextCursor !== "string")) {
    throw new RestResponseError("The server answered a malformed audit page", status);
  }
  try {
    return { entries: page.data.map(auditEntryFromJson), nextCursor: page.nextCursor };
  } catch (error) {
    throw new RestResponseError(`The server answered a malformed audit entry: ${(error as Error).message}`, status);
  }
}
