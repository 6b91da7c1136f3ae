/** A roomgate HTTP server on loopback for tests, and a fetch bound to it. */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Liveblocks } from "../../src/index.js";
import { type RequestHandlerOptions, createRequestHandler, toNodeListener } from "../../src/http/index.js";
import { SECRET } from "../liveblocks/helpers.js";

export { SECRET };

export type TestServer = {
  url: string;
  server: Server;
  /** fetch with the secret (unless `headers.authorization` is given) and a JSON body. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
};

export async function startServer(liveblocks: Liveblocks, options: RequestHandlerOptions = {}): Promise<TestServer> {
  const server = createServer(toNodeListener(createRequestHandler(liveblocks, options)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    call(method, path, body, headers = {}) {
      return fetch(url + path, {
        method,
        headers: {
          authorization: `Bearer ${SECRET}`,
          "content-type": "application/json",
          ...headers,
        },
        ...(body !== undefined && {
          body: typeof body === "string" ? body : JSON.stringify(body),
        }),
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
