/**
 * Every answer of `roomgate/http` as JSON, and every error as
 * `{ error, message, suggestion? }`: `@liveblocks/node` shows `message` (and
 * `suggestion` as details), so an error without one would reach users as
 * "An error happened without an error message".
 */

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

/** Reason phrases for the statuses the handler answers, used as `error`. */
const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  500: "Internal Server Error",
  501: "Not implemented",
  503: "Service Unavailable",
};

/** A failure the handler answers on purpose, with its status and message. */
export class HttpError extends Error {
  readonly status: number;
  readonly suggestion?: string;
  readonly headers?: Record<string, string>;

  constructor(status: number, message: string, extra?: { suggestion?: string; headers?: Record<string, string> }) {
    super(message);
    this.name = "HttpError";
    this.status = status;
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

/** The JSON error shape for `status` and `message`. */
export function errorResponse(status: number, message: string, extra?: { suggestion?: string; headers?: Record<string, string> }): Answer {
  const body: { error: string; message: string; suggestion?: string } = {
    error: REASONS[status] ?? (status >= 500 ? "Server Error" : "Error"),
    message,
  };
  if (extra?.suggestion !== undefined) body.suggestion = extra.suggestion;
  return json(body, status, extra?.headers);
}

/** A response without a body (204). */
export function noContent(): Answer {
  return { status: 204, headers: {}, body: null };
}

/** Messages of the HTTP layer, in one place. */
export const httpMessages = {
  missingSecret: "Missing secret key",
  invalidSecret: "Invalid secret key",
  secretSuggestion: "Send the secret key of this roomgate server as `Authorization: Bearer sk_…`.",
  notFound: (method: string, path: string) => `No route for ${method} ${path}.`,
  methodNotAllowed: (method: string, allow: readonly string[]) => `Method ${method} is not allowed here; use ${allow.join(" or ")}.`,
  malformedJson: (reason: string) => `Malformed JSON body: ${reason}`,
  bodyNotObject: "Invalid value for field 'body': must be a JSON object",
  bodyTooLarge: (limit: number) => `Request body is larger than ${limit} bytes.`,
  unreadableBody: "The request body could not be read.",
  badPath: "The path is not valid percent-encoding.",
  internal: "An unexpected error occurred on the server.",
} as const;
