/**
 * Sending one signed delivery over Node's `http`/`https`: the host name is
 * resolved by a `lookup` that refuses private addresses, so the socket
 * connects to exactly the address that was checked (no DNS rebinding between
 * check and connect); each delivery has a deadline; at most
 * `maxResponseBytes` of the answer are read; redirects are not followed.
 * Node only: the delivery engine, never the facade, imports it.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { addressAllowed, hostKind, urlRefusal } from "./address.js";

/** One request of the engine. */
export type TransportRequest = { url: string; headers: Record<string, string>; body: string };
/** What the receiver answered. */
export type TransportResponse = { status: number };
/** Sends one delivery; throws if no answer came (refused address, timeout, network). */
export type WebhookTransport = (request: TransportRequest) => Promise<TransportResponse>;

/** Options of {@link createNodeTransport}. */
export type NodeTransportOptions = {
  /** Deadline of one delivery, connect to last byte read (default 10 s). */
  timeoutMs?: number;
  /** Bytes of the answer read before the connection is dropped (default 64 KiB). */
  maxResponseBytes?: number;
  /** Send to private-network, link-local and metadata addresses, and plain http anywhere (default false). */
  allowPrivateNetworks?: boolean;
  /** Sockets kept open per receiver (default 64). */
  maxSockets?: number;
};

/** A refused or failed delivery; `code` is stable. */
export class DeliveryError extends Error {
  readonly code: "ADDRESS_REFUSED" | "TIMEOUT" | "RESPONSE_TOO_LARGE" | "NETWORK";
  constructor(code: DeliveryError["code"], message: string) {
    super(message);
    this.name = "DeliveryError";
    this.code = code;
  }
}

function guardedLookup(allowPrivate: boolean, hostIsLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = addresses.find((entry) => !addressAllowed(entry.address, allowPrivate, hostIsLoopback));
      if (refused !== undefined || addresses.length === 0) {
        const err = new DeliveryError("ADDRESS_REFUSED", `${hostname} resolves to an address webhooks may not reach`);
        return callback(err as NodeJS.ErrnoException, "", 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

/**
 * The engine's transport over Node's HTTP stack, with keep-alive agents.
 *
 * @example
 * ```ts
 * const send = createNodeTransport({ timeoutMs: 5_000 });
 * const { status } = await send({ url, headers, body });
 * ```
 */
export function createNodeTransport(options: NodeTransportOptions = {}): WebhookTransport & { close(): void } {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 65_536;
  const allowPrivate = options.allowPrivateNetworks ?? false;
  const agents = {
    "http:": new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
    "https:": new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 }),
  };
  const send = (request: TransportRequest): Promise<TransportResponse> =>
    new Promise((resolve, reject) => {
      const refusal = urlRefusal(request.url, allowPrivate);
      if (refusal !== null) return reject(new DeliveryError("ADDRESS_REFUSED", `The endpoint URL ${refusal}`));
      const url = new URL(request.url);
      const protocol = url.protocol as "http:" | "https:";
      const make = protocol === "https:" ? httpsRequest : httpRequest;
      const req = make(url, {
        method: "POST",
        agent: agents[protocol],
        lookup: guardedLookup(allowPrivate, hostKind(url.hostname) === "loopback"),
        headers: {
          ...request.headers,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(request.body)),
          "user-agent": "roomgate-webhooks",
        },
      });
      const timer = setTimeout(() => req.destroy(new DeliveryError("TIMEOUT", `No answer within ${timeoutMs} ms`)), timeoutMs);
      req.on("error", (error) => {
        clearTimeout(timer);
        reject(
          error instanceof DeliveryError ? error : new DeliveryError("NETWORK", (error as NodeJS.ErrnoException).code ?? error.message),
        );
      });
      req.on("response", (res) => {
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          // The answer is not needed past its status; a receiver that streams forever is cut off.
          if (read > maxBytes) {
            clearTimeout(timer);
            res.destroy();
            req.destroy();
            resolve({ status: res.statusCode ?? 0 });
          }
        });
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0 });
        });
        res.on("error", () => undefined);
      });
      req.end(request.body);
    });
  return Object.assign(send, {
    close: () => {
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  });
}
