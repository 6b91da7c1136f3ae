/**
 * The one error class of the room methods, shaped like `@liveblocks/node`'s,
 * and every message and status the facade gives, in one place: the HTTP
 * layer answers with the status an error carries and never re-decides it.
 */

/**
 * A room method failed the way the Liveblocks API would have answered:
 * `status` is that HTTP status (404, 409, 422, …).
 *
 * @example
 * ```ts
 * try {
 *   await liveblocks.getRoom("missing");
 * } catch (err) {
 *   if (err instanceof LiveblocksError && err.status === 404) console.log(err.message);
 * }
 * ```
 */
export class LiveblocksError extends Error {
  readonly status: number;
  readonly details?: string;

  /** @internal Thrown by roomgate; users only catch it. */
  constructor(message: string, status: number, details?: string) {
    super(message);
    this.name = "LiveblocksError";
    this.status = status;
    if (details !== undefined) this.details = details;
  }

  /** `LiveblocksError: <message> (status <status>)`, then details on a new line. */
  override toString(): string {
    const head = `${this.name}: ${this.message} (status ${this.status})`;
    return this.details ? `${head}\n${this.details}` : head;
  }
}

/** @internal The room does not exist: 404. */
export function roomNotFound(roomId: string): LiveblocksError {
  return new LiveblocksError(messages.roomNotFound(roomId), 404);
}

/** @internal The room id is taken: 409. */
export function roomExists(roomId: string): LiveblocksError {
  return new LiveblocksError(messages.roomExists(roomId), 409);
}

/** @internal Input broke a rule: 422, naming the field and the rule. */
export function invalidField(field: string, rule: string): LiveblocksError {
  return new LiveblocksError(messages.invalidField(field, rule), 422);
}

/** @internal A concurrent writer kept winning: 409. */
export function roomKeptChanging(roomId: string): LiveblocksError {
  return new LiveblocksError(`Room with id "${roomId}" kept changing; upsert gave up.`, 409);
}

/** @internal The store cannot do what was asked: 501, as the official dev server answers. */
export function notImplemented(what: string): LiveblocksError {
  return new LiveblocksError(`${what} is not supported by this store.`, 501);
}

/** @internal Messages users grep for, in one place. */
export const messages = {
  roomNotFound: (roomId: string) => `Room with id "${roomId}" not found.`,
  roomExists: (roomId: string) => `Room with id "${roomId}" already exists.`,
  invalidField: (field: string, rule: string) => `Invalid value for field '${field}': ${rule}`,
  nonEmptyString: (field: string) =>
    `Invalid value for field '${field}'. Please provide a non-empty string. For more information: https://liveblocks.io/docs/api-reference/liveblocks-node#authorize`,
  secretPrefix: (field: string) =>
    `Invalid value for field '${field}'. Secret keys must start with 'sk_'. Please provide the secret key from your Liveblocks dashboard at https://liveblocks.io/dashboard/apikeys.`,
  secretChars: (field: string) =>
    `Invalid chars found in field '${field}'. Please check that you correctly copied the secret key from your Liveblocks dashboard at https://liveblocks.io/dashboard/apikeys.`,
  weakSecret: (field: string, reason: string) =>
    `Invalid value for field '${field}': the secret key is too weak to sign tokens with: ${reason}. Generate one with \`npx roomgate secret\` (or generateSecret() from "roomgate").`,
} as const;
