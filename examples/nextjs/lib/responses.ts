/**
 * How the app's own routes answer errors: a `LiveblocksError` keeps the status,
 * code and message roomgate decided (422 naming the field, 404, …), in the
 * JSON shape of roomgate's REST API, `{ error: code, message }`.
 */
import { LiveblocksError } from "roomgate";
import { MissingSecretError } from "./liveblocks";

/** The app's own codes, for the statuses its routes answer themselves. */
const CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  422: "UNPROCESSABLE_ENTITY",
  500: "INTERNAL_SERVER_ERROR",
};

/** A JSON error answer. */
export function errorJson(status: number, message: string, code = CODES[status] ?? "ERROR"): Response {
  return Response.json({ error: code, message }, { status });
}

/** Answers `error` with its own status when roomgate decided one, else 500. */
export function errorResponse(error: unknown): Response {
  if (error instanceof LiveblocksError) return errorJson(error.status, error.message, error.code);
  if (error instanceof MissingSecretError) return errorJson(500, error.message);
  console.error("Unexpected error", error);
  return errorJson(500, "Internal server error");
}

/** 422 in roomgate's wording: the field and the rule it broke. */
export function invalidField(field: string, rule: string): Response {
  return errorJson(422, `Invalid value for field '${field}': ${rule}`);
}
