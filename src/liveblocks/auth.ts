/**
 * The result type of the auth methods, shared by `Liveblocks` and `Session`.
 */

/**
 * What `identifyUser` and `session.authorize()` resolve to: a status and a
 * body to send back to the client as they are.
 *
 * @example
 * ```ts
 * const { status, body } = await liveblocks.identifyUser("alice");
 * return new Response(body, { status });
 * ```
 */
export type AuthResponse = {
  status: number;
  body: string;
  error?: Error;
};
