/**
 * `/v2/*`: Liveblocks' REST API v2 (rooms, `identify-user`,
 * `authorize-user`, `check-access`, …) served by `createRequestHandler`, so
 * `@liveblocks/node`, a realtime server or `curl` can manage rooms with
 * `Authorization: Bearer $ROOMGATE_SECRET`. It sits at the origin's `/v2`
 * because `@liveblocks/node` calls `new URL("/v2/…", baseUrl)`, which drops
 * any path of `baseUrl`: `baseUrl: "https://<app>"` (or `…/api`) reaches it.
 */
import { createRequestHandler, type RequestHandler } from "roomgate/http";
import { getLiveblocks } from "../../../lib/liveblocks";
import { errorResponse } from "../../../lib/responses";

let handler: Promise<RequestHandler> | undefined;

async function handle(request: Request): Promise<Response> {
  try {
    handler ??= getLiveblocks().then((liveblocks) => createRequestHandler(liveblocks));
    return await (
      await handler
    )(request);
  } catch (error) {
    handler = undefined;
    return errorResponse(error);
  }
}

export { handle as GET, handle as POST, handle as DELETE, handle as PUT, handle as PATCH };
