/**
 * Every answer of `roomgate/http` as JSON, and every error as Liveblocks
 * answers it, `{ error: code, message, suggestion? }`: `@liveblocks/node`
 * shows `message` (and `suggestion` as details), so an error without one
 * would reach users as "An error happened without an error message"; a
 * client that must tell failures apart reads `error`.
 */

import { ERROR_STATUS, type LiveblocksErrorCode } from "../protocol/errors.js";

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * An answer before it becomes a `Response`: the Web handler converts it, the
 * node adapter writes it to the socket as is (building a `Response` only to
 * read it back cost more than signing the token).
 */
export type Answer = {
  status: number;
  headers: Record<string, string>;
  body: string | null;
};

/** What a route gives back: an {@link Answer}, or a `Response` for a streamed body. */
export type RouteResult = Answer | Response;

/** `answer` as a Web `Response`. */
export function toResponse(answer: RouteResult): Response {
  if (answer instanceof Response) return answer;
  return new Response(answer.body, {
    status: answer.status,
    headers: answer.headers,
  });
}

/** A failure the handler answers on purpose: its code, the code's status, and a message. */
export class HttpError extends Error {
  readonly code: LiveblocksErrorCode;
  readonly status: number;
  readonly suggestion?: string;
  readonly headers?: Record<string, string>;

  constructor(code: LiveblocksErrorCode, message: string, extra?: { suggestion?: string; headers?: Record<string, string> }) {
    super(message);
    this.name = "HttpError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    if (extra?.suggestion !== undefined) this.suggestion = extra.suggestion;
    if (extra?.headers !== undefined) this.headers = extra.headers;
  }
}

/** `body` as a JSON response. */
export function json(body: unknown, status = 200, headers?: Record<string, string>): Answer {
  return {
    status,
    headers: { "content-type": JSON_TYPE, ...headers },
    body: JSON.stringify(body),
  };
}

/** The JSON error `{ error: code, message, suggestion? }`, with `status`. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  extra?: { suggestion?: string; headers?: Record<string, string> },
): Answer {
  const body: { error: string; message: string; suggestion?: string } = { error: code, message };
  if (extra?.suggestion !== undefined) body.suggestion = extra.suggestion;
  return json(body, status, extra?.headers);
}

/** The JSON error of `code`, with the code's status. */
export function errorAnswer(
  code: LiveblocksErrorCode,
  message: string,
  extra?: { suggestion?: string; headers?: Record<string, string> },
): Answer {
  return errorResponse(ERROR_STATUS[code], code, message, extra);
}

/** The JSON error of `error`. */
export function httpErrorResponse(error: HttpError): Answer {
  return errorResponse(error.status, error.code, error.message, error);
}

/** A response without a body (204). */
export function noContent(): Answer {
  return { status: 204, headers: {}, body: null };
}
