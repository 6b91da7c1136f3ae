/**
 * How the app's own routes answer errors: a `LiveblocksError` keeps the status
 * and message roomgate decided (422 naming the field, 404, …), in the JSON
 * shape of roomgate's REST API, `{ error, message }`.
 */
import { LiveblocksError } from "roomgate";
import { MissingSecretError } from "./liveblocks";

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  422: "Unprocessable Entity",
  500: "Internal Server Error",
};

/** A JSON error answer. */
export function errorJson(status: number, message: string): Response {
  return Response.json({ error: REASONS[status] ?? "Error", message }, { status });
}

/** Answers `error` with its own status when roomgate decided one, else 500. */
export function errorResponse(error: unknown): Response {
  if (error instanceof LiveblocksError) return errorJson(error.status, error.message);
  if (error instanceof MissingSecretError) return errorJson(500, error.message);
  console.error("Unexpected error", error);
  return errorJson(500, "Internal server error");
}

/** 422 in roomgate's wording: the field and the rule it broke. */
export function invalidField(field: string, rule: string): Response {
  return errorJson(422, `Invalid value for field '${field}': ${rule}`);
}
