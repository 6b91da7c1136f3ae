/**
 * `getAuditLog` of the facade: validate the query like every listing (422
 * naming the field; a cursor the store did not issue is 422
 * `INVALID_CURSOR`), read one page from the store's audit trail, newest
 * first, or 501 if the store keeps none.
 */
import { z } from "zod";
import { type AuditEntry, hasAuditLog } from "../rooms/audit.js";
import { INVALID_CURSOR_CODE } from "../rooms/types.js";
import { isStorableText, NOT_STORABLE } from "../rooms/text.js";
import { invalidField, notImplemented } from "../protocol/errors.js";
import { MAX_ACTOR_LENGTH } from "./actor.js";
import { DEFAULT_PAGE_SIZE, MAX_CURSOR_LENGTH } from "./limits.js";
import type { Config } from "./options.js";
import { parseInput } from "./schemas.js";
import type { Page, RequestOptions } from "./types.js";

/** The parameters of `getAuditLog`. `since` is inclusive, `until` exclusive. */
export type GetAuditLogOptions = {
  /** Entries about this room (a rename matches its old and its new id). */
  roomId?: string;
  /** Entries of writes made by this actor. */
  actor?: string;
  /** Entries at or after this time: a `Date`, epoch milliseconds, or an ISO-8601 string. */
  since?: Date | number | string;
  /** Entries before this time: a `Date`, epoch milliseconds, or an ISO-8601 string. */
  until?: Date | number | string;
  /** 1 to `limits.pageSize` (default 20). */
  limit?: number;
  /** The `nextCursor` of the previous page of the same query. */
  startingAfter?: string;
};

const TIME_RULE = "must be a Date, an integer of epoch milliseconds or an ISO-8601 date";

/** A time as epoch ms, whichever of the three forms it came in. */
const time = z.union([z.date(), z.number(), z.string()], { error: TIME_RULE }).transform((value, context) => {
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : isoTime(value);
  if (!Number.isSafeInteger(ms)) {
    context.addIssue({ code: "custom", message: TIME_RULE });
    return z.NEVER;
  }
  return ms;
});

/** Epoch ms of an ISO-8601 date (`2026-12-07` or with a time and zone), or NaN for anything else `Date.parse` would guess at. */
function isoTime(value: string): number {
  return /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) ? Date.parse(value) : NaN;
}

/** At most `max` non-empty characters a store can hold. */
function bounded(max: number) {
  return z
    .string({ error: "must be a string" })
    .min(1, { message: "must be a non-empty string", abort: true })
    .max(max, { message: `must be at most ${max} characters`, abort: true })
    .refine(isStorableText, NOT_STORABLE);
}

/** The schema of `getAuditLog`'s parameters under `config`'s limits (built on first use, kept per config). */
const schemas = new WeakMap<Config, ReturnType<typeof schemaOf>>();

function schemaOf(config: Config) {
  return z.strictObject({
    roomId: bounded(config.limits.roomIdLength).optional(),
    actor: bounded(MAX_ACTOR_LENGTH).optional(),
    since: time.optional(),
    until: time.optional(),
    limit: config.schemas.pageSize.optional(),
    startingAfter: z.string({ error: "must be a string" }).max(MAX_CURSOR_LENGTH, "is not a valid cursor").optional(),
  });
}

/** @internal `getAuditLog`. */
export async function getAuditLog(config: Config, params: GetAuditLogOptions, options?: RequestOptions): Promise<Page<AuditEntry>> {
  options?.signal?.throwIfAborted();
  let schema = schemas.get(config);
  if (schema === undefined) schemas.set(config, (schema = schemaOf(config)));
  const input = parseInput(schema, params ?? {}, "params");
  const store = config.store;
  if (!hasAuditLog(store)) throw notImplemented("The audit trail");
  try {
    const page = await store.getAuditLog(
      {
        limit: input.limit ?? DEFAULT_PAGE_SIZE,
        ...(input.roomId !== undefined && { roomId: input.roomId }),
        ...(input.actor !== undefined && { actor: input.actor }),
        ...(input.since !== undefined && { since: input.since }),
        ...(input.until !== undefined && { until: input.until }),
        ...(input.startingAfter !== undefined && { cursor: input.startingAfter }),
      },
      { signal: options?.signal },
    );
    return { nextCursor: page.nextCursor, data: page.entries };
  } catch (error) {
    // By code, not class: a store may come from another copy of roomgate.
    if ((error as { code?: unknown } | null)?.code === INVALID_CURSOR_CODE) {
      throw invalidField("startingAfter", "is not a cursor this server issued", "INVALID_CURSOR");
    }
    throw error;
  }
}
