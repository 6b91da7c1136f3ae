/**
 * `POST /api/liveblocks-auth-edge`: the ID-token endpoint of
 * `app/api/liveblocks-auth/route.ts`, on the Edge runtime. Signing a token
 * needs no store, so this route has none: under the `edge-light` condition
 * "roomgate" resolves to its Web build (`crypto.subtle`, no `node:` module),
 * and its tokens are the ones the Node routes sign and accept.
 */
import { Liveblocks } from "roomgate";
import { getSessionUser } from "../../../lib/session";

export const runtime = "edge";

let liveblocks: Liveblocks | undefined;

export async function POST(request: Request): Promise<Response> {
  // Get the current user from your database / session (see lib/session.ts).
  const user = getSessionUser(request);
  if (user === null) return new Response("Not signed in", { status: 401 });

  const secret = process.env["ROOMGATE_SECRET"];
  if (secret === undefined || secret === "") {
    return Response.json({ error: "ROOMGATE_SECRET is not set: make one with `npx roomgate secret`." }, { status: 500 });
  }
  liveblocks ??= new Liveblocks({ secret });
  // Identify the user and return the result.
  const { status, body } = await liveblocks.identifyUser({ userId: user.id, groupIds: user.groupIds }, { userInfo: user.info });
  return new Response(body, { status });
}
