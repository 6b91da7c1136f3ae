/**
 * A small HTTP load balancer on loopback, the test's own stand-in for what
 * sits in front of several `roomgate serve` instances: every request (not
 * every connection) goes to the next ready backend in turn, so nothing is
 * sticky; backends are health-checked on `GET /readyz` and one that stops
 * answering 200 gets no new requests. Responses are streamed, so the
 * `/v2/room-events` stream passes through, and is cut when its backend dies.
 *
 * A path prefix `/c/<client>` is stripped and remembered, so a test can learn
 * which backend serves a given client's stream (a `RestStore` keeps the path
 * of its `baseUrl`).
 */
import { Agent, type IncomingMessage, type Server, type ServerResponse, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/** One routed request, as the balancer saw it. */
export type Routed = {
  backend: number;
  method: string;
  path: string;
  client: string | undefined;
  at: number;
  status?: number;
};

export class Balancer {
  readonly backends: string[];
  /** Whether each backend answered its last `/readyz` with 200. */
  readonly ready: boolean[];
  /** When each backend was last seen going from ready to not ready. */
  readonly downSince: (number | undefined)[];
  /** Every request routed, in order. */
  readonly routed: Routed[] = [];
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly #checkMs: number;
  readonly #open = new Set<ServerResponse>();
  #server: Server | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #next = 0;
  #checking = false;
  url = "";

  constructor(backends: string[], options: { checkMs?: number } = {}) {
    this.backends = backends;
    this.ready = backends.map(() => false);
    this.downSince = backends.map(() => undefined);
    this.#checkMs = options.checkMs ?? 250;
  }

  /** Listens once every backend is ready (at most 10 s). */
  async start(): Promise<void> {
    for (const deadline = Date.now() + 10_000; !this.ready.every(Boolean);) {
      if (Date.now() > deadline) throw new Error(`backends not ready: ${JSON.stringify(this.ready)}`);
      await this.#checkAll();
      if (!this.ready.every(Boolean)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.#timer = setInterval(() => {
      // One round of checks at a time, so answers are recorded in order.
      if (this.#checking) return;
      this.#checking = true;
      void this.#checkAll().finally(() => (this.#checking = false));
    }, this.#checkMs);
    const server = createServer((req, res) => this.#forward(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    for (const res of this.#open) res.destroy();
    this.#agent.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async #checkAll(): Promise<void> {
    await Promise.all(
      this.backends.map(async (url, index) => {
        let ok = false;
        try {
          const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
          ok = response.status === 200;
          await response.body?.cancel();
        } catch {
          ok = false;
        }
        if (this.ready[index] && !ok) this.downSince[index] = Date.now();
        this.ready[index] = ok;
      }),
    );
  }

  /** The next ready backend in turn, or `undefined` when none is. */
  #pick(): number | undefined {
    for (let tried = 0; tried < this.backends.length; tried++) {
      const index = this.#next++ % this.backends.length;
      if (this.ready[index]) return index;
    }
    return undefined;
  }

  #forward(req: IncomingMessage, res: ServerResponse): void {
    const backend = this.#pick();
    if (backend === undefined) {
      res.writeHead(503, { "content-type": "text/plain" }).end("no ready backend");
      return;
    }
    const match = /^\/c\/([^/]+)(\/.*)$/.exec(req.url ?? "/");
    const client = match?.[1];
    const path = match?.[2] ?? req.url ?? "/";
    const routed: Routed = { backend, method: req.method ?? "GET", path: path.split("?", 1)[0]!, client, at: Date.now() };
    this.routed.push(routed);
    this.#open.add(res);
    res.once("close", () => this.#open.delete(res));
    const target = new URL(this.backends[backend]!);
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers, agent: this.#agent },
      (answer: IncomingMessage) => {
        routed.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, "x-backend": String(backend) });
        res.flushHeaders();
        answer.pipe(res);
        // A backend that dies mid-stream cuts the client's response too, as a TCP balancer would.
        answer.once("aborted", () => res.destroy());
        answer.once("error", () => res.destroy());
      },
    );
    upstream.once("error", () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { "content-type": "text/plain" }).end("backend failed");
    });
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }
}
