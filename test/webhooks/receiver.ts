/** A webhook receiver on loopback for tests: records every request, answers what `respond` says. */
import { type IncomingHttpHeaders, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { headers: IncomingHttpHeaders; body: string; at: number; status?: number };

export type Receiver = {
  url: string;
  received: Received[];
  /** The status to answer a request with (default 204). */
  respond: (request: Received) => number | Promise<number>;
  /** Resolves when `predicate` holds over `received`, polling every 10 ms up to `timeoutMs`. */
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const receiver: Partial<Receiver> & { received: Received[] } = { received: [], respond: () => 204 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const request: Received = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() };
      receiver.received.push(request);
      res.statusCode = await (receiver as Receiver).respond(request);
      (request as Received).status = res.statusCode;
      res.end();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.waitFor = async (predicate, timeoutMs = 10_000) => {
    const until = Date.now() + timeoutMs;
    while (!predicate(receiver.received)) {
      if (Date.now() > until) throw new Error(`receiver: condition not met within ${timeoutMs} ms (${receiver.received.length} received)`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver as Receiver;
}
