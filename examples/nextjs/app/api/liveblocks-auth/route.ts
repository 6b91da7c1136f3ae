/**
 * `POST /api/liveblocks-auth`: the ID-token endpoint, written as Liveblocks'
 * "Authenticate with ID tokens" guide writes it. The client's `authEndpoint`
 * points here; which rooms the user may enter is decided from the rooms'
 * permissions when the token is used, not here.
 */
import { getLiveblocks } from "../../../lib/liveblocks";
import { errorResponse } from "../../../lib/responses";
import { getSessionUser } from "../../../lib/session";

export async function POST(request: Request): Promise<Response> {
  // Get the current user from your database / session (see lib/session.ts).
  const user = getSessionUser(request);
  if (user === null) return new Response("Not signed in", { status: 401 });

  try {
    const liveblocks = await getLiveblocks();
    // Identify the user and return the result.
    const { status, body } = await liveblocks.identifyUser({ userId: user.id, groupIds: user.groupIds }, { userInfo: user.info });
    return new Response(body, { status });
  } catch (error) {
    return errorResponse(error);
  }
}
