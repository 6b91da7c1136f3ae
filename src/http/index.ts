/**
 * `roomgate/http`: the Liveblocks REST API v2 served from a `Liveblocks`
 * instance, as a Web-standard handler and a `node:http` / Express adapter.
 */
export { createRequestHandler } from "./handler.js";
export type { RequestHandler, RequestHandlerOptions } from "./handler.js";
export { toNodeListener } from "./node.js";
export type { NodeListener, NodeListenerOptions } from "./node.js";
export { MAX_BODY_BYTES } from "./body.js";
