/**
 * `toNodeListener`: a Web-standard handler served by `node:http` or Express.
 * The request body is streamed into the `Request` (the handler's size limit
 * applies while reading, and this adapter stops reading past it too), the
 * response is streamed back, and a client that goes away aborts the
 * request's signal.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
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
  #aborter: AbortController | undefined;

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

  /** Made on first use, with its `close` listener: a controller costs a third of an HS256 signing, and most routes never read it. */
  get signal(): AbortSignal {
    if (this.#aborter !== undefined) return this.#aborter.signal;
    const aborter = (this.#aborter = new AbortController());
    const res = this.res;
    // `close` on the response before it finished means the client went away.
    const onClose = () => {
      if (!res.writableFinished) aborter.abort(new Error("The client closed the connection."));
    };
    if (res.closed) onClose();
    else res.once("close", onClose);
    return aborter.signal;
  }

  readBody(limit: number): Promise<Uint8Array> {
    return readNodeBody(this.req, Math.min(limit, this.maxBodyBytes), this);
  }
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
