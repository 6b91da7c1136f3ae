/**
 * `toNodeListener`: a Web-standard handler served by `node:http` or Express.
 * The request body is streamed into the `Request` (the handler's size limit
 * applies while reading, and this adapter stops reading past it too), the
 * response is streamed back, and a client that goes away aborts the
 * request's signal.
 */
import { getEventListeners } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { addedResponseHeaders, writeHead } from "../runtime/response-headers.js";
import { type IncomingRequest, MAX_BODY_BYTES } from "./body.js";
import { type RequestHandler, nodeEntryOf } from "./handler.js";
import { httpMessages } from "../protocol/messages.js";
import { HttpError, type RouteResult, errorAnswer } from "./responses.js";

/** Options of {@link toNodeListener}. */
export type NodeListenerOptions = {
  /** Largest request body streamed to the handler, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
};

/** A `node:http` request listener; Express accepts it as middleware. */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Adapts `handler` to `node:http` and Express. The adapter reads
 * `req.originalUrl` when Express set it, so the handler sees the path as
 * sent whatever the mount path: for `@liveblocks/node`, mount it with
 * `app.use(…)` or `app.use("/v2", …)` and no `basePath` (the SDK drops
 * `baseUrl`'s path); a `basePath` is for clients that keep it.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createRequestHandler, toNodeListener } from "roomgate/http";
 *
 * createServer(toNodeListener(createRequestHandler(liveblocks))).listen(8787, "127.0.0.1");
 * // Express: app.use(toNodeListener(createRequestHandler(liveblocks))); // serves /v2/…
 * ```
 */
export function toNodeListener(handler: RequestHandler, options: NodeListenerOptions = {}): NodeListener {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  return (req, res) => {
    void serve(handler, req, res, maxBodyBytes).catch(() => {
      // Only writing to a socket that broke can land here: nothing left to answer.
      if (!res.headersSent && !res.destroyed) {
        writeHead(res, 500, {}).end();
      } else {
        res.destroy();
      }
    });
  };
}

async function serve(handler: RequestHandler, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): Promise<void> {
  const incoming = new NodeIncoming(req, res, maxBodyBytes);
  try {
    const entry = nodeEntryOf(handler);
    let response: RouteResult;
    if (entry !== undefined) {
      response = await entry(incoming);
    } else {
      const request = toRequest(req, incoming.signal, maxBodyBytes, incoming);
      response = request === null ? errorAnswer("INVALID_PATH", httpMessages.badUrl) : await handler(request);
    }
    // Whatever a handler made of a body cut at the limit, the answer is 413.
    if (incoming.overLimit && response.status !== 413) {
      response = errorAnswer("BODY_TOO_LARGE", httpMessages.bodyTooLarge(maxBodyBytes));
    }
    // The rest of an oversized body is never read: the connection cannot be reused.
    const unread = incoming.overLimit || response.status === 413;
    if (unread) res.shouldKeepAlive = false;
    if (response instanceof Response) {
      await writeResponse(response, res, incoming.signal);
    } else {
      writeHead(res, response.status, response.headers);
      res.end(response.body ?? undefined);
    }
    // A body the handler did not read (404, 401, …) is drained so keep-alive stays usable.
    if (!req.complete && !unread) req.resume();
  } finally {
    incoming.answered();
  }
}

type BodyState = { overLimit: boolean };

/** The path as sent; Express rewrites `req.url` under a mount path, the handler's basePath expects the original. */
function originalPath(req: IncomingMessage): string {
  const path = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? "/";
  return path.startsWith("/") ? path : `/${path}`;
}

/**
 * `req` for a handler made by `createRequestHandler`, without building a
 * `Request`. A class, not an object literal: its getters cost nothing per
 * request, and the signal and URL are only made when a route reads them.
 */
class NodeIncoming implements IncomingRequest, BodyState {
  readonly method: string;
  readonly path: string;
  overLimit = false;
  #signal: AbortSignal | undefined;
  /** The connection whose signal this request holds, until it is answered. */
  #connection: ConnectionSignal | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly maxBodyBytes: number,
  ) {
    this.method = req.method ?? "GET";
    this.path = originalPath(req);
  }

  /** The host is not routed on, and a client's Host header must not make the URL unparsable. */
  get url(): string {
    return `http://localhost${this.path}`;
  }

  get headers(): IncomingRequest["headers"] {
    return this;
  }

  get(name: string): string | null {
    const value = this.req.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  /**
   * Aborts when the client goes away. Over HTTP/1 that is its connection
   * closing, so the requests of one connection share its signal (see
   * {@link connectionSignal}); otherwise (HTTP/2) the response closing before it finished.
   */
  get signal(): AbortSignal {
    if (this.#signal !== undefined) return this.#signal;
    const socket = this.req.socket as TrackedSocket | null | undefined;
    if (this.req.httpVersionMajor === 1 && typeof socket?.once === "function") {
      const connection = connectionSignal(socket);
      connection.holders++;
      this.#connection = connection;
      return (this.#signal = connection.aborter.signal);
    }
    return (this.#signal = responseSignal(this.res));
  }

  /** The request was answered (or failed): it no longer holds its connection's signal. */
  answered(): void {
    if (this.#connection === undefined) return;
    this.#connection.holders--;
    this.#connection = undefined;
  }

  readBody(limit: number): Promise<Uint8Array> {
    return readNodeBody(this.req, Math.min(limit, this.maxBodyBytes), this);
  }
}

/** What a connection's requests share: the controller of their signal, and how many of them hold it now. */
type ConnectionSignal = { aborter: AbortController; holders: number };

const CONNECTION_SIGNAL = Symbol("roomgate.connectionSignal");
type TrackedSocket = Socket & { [CONNECTION_SIGNAL]?: ConnectionSignal };

const clientGone = () => new Error("The client closed the connection.");

/** The socket's one `close` listener, shared by every socket: aborts the signal while a request holds it. */
function abortConnection(this: TrackedSocket): void {
  const connection = this[CONNECTION_SIGNAL];
  if (connection !== undefined && connection.holders > 0) connection.aborter.abort(clientGone());
}

/**
 * The abort signal of `socket`'s requests. One per connection, not one per
 * request: on Node 20 every `AbortSignal` survives the young-generation
 * collections it lives through (an `EventTarget` whose prototype is changed
 * after construction), and a signal per request measured about 20 µs of
 * CPU per `GET /v2/rooms/:id` on PostgreSQL, a fifth of the request.
 *
 * It aborts when the connection closes while a request holds it, as a
 * request's own signal aborted when its response closed before it finished.
 * A signal that still has `abort` listeners while no request holds it was
 * left with them by a store that never removed them (or by a `Request` made
 * on it): the next request gets a fresh signal, so such listeners never pile
 * up on a long keep-alive connection, and the old signal is never aborted.
 */
function connectionSignal(socket: TrackedSocket): ConnectionSignal {
  let connection = socket[CONNECTION_SIGNAL];
  if (connection === undefined) socket.once("close", abortConnection);
  if (connection === undefined || (connection.holders === 0 && getEventListeners(connection.aborter.signal, "abort").length > 0)) {
    connection = socket[CONNECTION_SIGNAL] = { aborter: new AbortController(), holders: 0 };
  }
  // Destroyed already (its 'close' may be past): the client is gone.
  if (socket.destroyed && !connection.aborter.signal.aborted) connection.aborter.abort(clientGone());
  return connection;
}

/**
 * A signal of its own for a request not over HTTP/1 (`node:http2`'s
 * compatibility API): aborted when `res` closes before it was ended. Not
 * `writableFinished`, which HTTP/2 reports true for a stream the client reset.
 */
function responseSignal(res: ServerResponse): AbortSignal {
  const aborter = new AbortController();
  const onClose = () => {
    if (!res.writableEnded) aborter.abort(clientGone());
  };
  if (res.closed) onClose();
  else res.once("close", onClose);
  return aborter.signal;
}

/**
 * The whole body of `req`, counted while reading: past `limit` it stops
 * reading and rejects with 413. Not `readBounded` over `Readable.toWeb(req)`:
 * a Web stream per request halved the requests per second of a small JSON
 * POST over loopback (about 11 000 against 6 400 at best, 16 connections,
 * Node 20), and this adapter exists to skip the Web objects.
 */
function readNodeBody(req: IncomingMessage, limit: number, state: BodyState): Promise<Uint8Array> {
  if (req.complete) return Promise.resolve(new Uint8Array(0));
  if (req.destroyed) return Promise.reject(new HttpError("UNREADABLE_BODY", httpMessages.unreadableBody));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A client that goes away mid-body makes `req` emit `error` (ECONNRESET), so no `close` listener is needed.
    const cleanup = () => {
      req.off("data", onData).off("end", onEnd).off("error", onFail);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        state.overLimit = true;
        cleanup();
        req.pause();
        reject(new HttpError("BODY_TOO_LARGE", httpMessages.bodyTooLarge(limit)));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onFail = () => {
      cleanup();
      reject(new HttpError("UNREADABLE_BODY", httpMessages.unreadableBody));
    };
    req.on("data", onData).on("end", onEnd).on("error", onFail);
  });
}

function toRequest(req: IncomingMessage, signal: AbortSignal, maxBodyBytes: number, state: BodyState): Request | null {
  const host = req.headers.host ?? "localhost";
  let url: URL;
  try {
    url = new URL(originalPath(req), `http://${host}`);
  } catch {
    return null;
  }
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    } catch {
      // A header the Fetch API refuses (invalid bytes) is left out, not fatal.
    }
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const init: RequestInit & { duplex?: "half" } = { method, headers, signal };
  if (hasBody) {
    init.body = limitedStream(req, maxBodyBytes, state);
    init.duplex = "half";
  }
  try {
    return new Request(url, init);
  } catch {
    return null;
  }
}

/**
 * `req` as a Web stream with backpressure that errors at the first chunk past
 * `limit` (the handler then answers 413) instead of buffering the rest;
 * `state.overLimit` tells the adapter to close the connection after.
 */
function limitedStream(req: IncomingMessage, limit: number, state: BodyState): ReadableStream<Uint8Array> {
  let size = 0;
  let settled = false;
  const detach = () => {
    settled = true;
    req.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
  };
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const onData = (chunk: Buffer) => {
    if (settled) return;
    size += chunk.byteLength;
    if (size > limit) {
      state.overLimit = true;
      req.pause();
      detach();
      // An error, not an end: a truncated body must never be parsed and acted on.
      controller.error(new HttpError("BODY_TOO_LARGE", httpMessages.bodyTooLarge(limit)));
      return;
    }
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) {
      req.pause();
    }
  };
  const onEnd = () => {
    if (settled) return;
    detach();
    controller.close();
  };
  const onError = (error: Error) => {
    if (settled) return;
    detach();
    controller.error(error);
  };
  const onClose = () => {
    // Closed before `end`: the client went away mid-upload.
    if (!req.complete) onError(new Error("The client closed the connection during the upload."));
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        req.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
        req.pause();
      },
      pull() {
        if (!settled) req.resume();
      },
      cancel() {
        detach();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

async function writeResponse(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  res.statusCode = response.status;
  const setCookies = response.headers.getSetCookie();
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  if (setCookies.length > 0) res.setHeader("set-cookie", setCookies);
  const added = addedResponseHeaders(res);
  if (added !== undefined) for (const name of Object.keys(added)) res.setHeader(name, added[name]!);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      if (signal.aborted) {
        await reader.cancel();
        return;
      }
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value))
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off("drain", done);
            res.off("close", done);
            resolve();
          };
          res.once("drain", done);
          res.once("close", done);
        });
    }
  } finally {
    reader.releaseLock();
  }
  res.end();
}
