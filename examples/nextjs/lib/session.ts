/**
 * The signed-in user: a stand-in for the example.
 *
 * A real app reads its session here instead (Auth.js `auth()`, Clerk
 * `auth()`, a session cookie it verifies, …) and never trusts ids sent by the
 * browser. The example takes them from headers so that tests and the demo page
 * can act as any user: `x-user-id: alice`, `x-user-groups: engineering,design`.
 */

/** Who is making the request. */
export type SessionUser = {
  id: string;
  groupIds: string[];
  info: { name: string };
};

/** The signed-in user of `request`, or `null` when nobody is signed in. */
export function getSessionUser(request: Request): SessionUser | null {
  const id = request.headers.get("x-user-id")?.trim();
  if (!id) return null;
  const groupIds = (request.headers.get("x-user-groups") ?? "")
    .split(",")
    .map((group) => group.trim())
    .filter((group) => group !== "");
  return { id, groupIds, info: { name: id } };
}
