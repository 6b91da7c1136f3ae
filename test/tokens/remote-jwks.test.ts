/**
 * The remote JWKS fetcher against real HTTP servers on loopback. Regressions
 * it guards: `JwksVerifier.remote(url)` buffered any body (300 MB measured);
 * an unreachable key set was reported as a bad token; one key that did not
 * import made the whole document unusable.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TokenError, VerifierUnavailableError } from "../../src/tokens/errors.js";
import { JwksVerifier } from "../../src/tokens/jwks.js";
import { KeyPairSigner } from "../../src/tokens/keypair.js";
import { REMOTE_JWKS_DEFAULTS } from "../../src/tokens/remote-jwks.js";
import { expectTokenError, idClaims, NOW } from "./helpers.js";

const at = { now: NOW };
const IDENTITY_X = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

let server: Server;
let origin: string;
let url: string;
let requests = 0;
let respond: (req: IncomingMessage, res: ServerResponse) => void;
let signer: KeyPairSigner;
let token: string;

const serveJson = (document: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(document));
};

/** Resolves with the error `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection, but it resolved");
    },
    (err: unknown) => err,
  );
}

/** Asserts a `VerifierUnavailableError` (and not a `TokenError`) whose message matches. */
async function expectUnavailable(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(VerifierUnavailableError);
  expect(err).not.toBeInstanceOf(TokenError);
  const { name, code, message: actual } = err as VerifierUnavailableError;
  expect({ name, code, message: actual }).toEqual({
    name: "VerifierUnavailableError",
    code: "ERR_VERIFIER_UNAVAILABLE",
    message: typeof message === "string" ? message : expect.stringMatching(message),
  });
}

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    requests += 1;
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  url = `${origin}/.well-known/jwks.json`;
  signer = await KeyPairSigner.generate({ kid: "k1" });
  token = await signer.sign(idClaims());
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = 0;
  respond = serveJson(signer.jwks());
});

describe("JwksVerifier.remote: body size", () => {
  it("verify - cuts a 300 MB streamed body at the cap and closes the connection without reading the rest (regression: the whole body was buffered)", async () => {
    const total = 300 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let finished = true;
    const closed = deferred();
    respond = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.on("close", () => {
        finished = res.writableFinished;
        closed.resolve();
      });
      const pump = (): void => {
        while (sent < total) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end();
      };
      pump();
    };
    await expectUnavailable(JwksVerifier.remote(url).verify(token, at), `The JWKS at ${url} is over the limit of 65536 bytes`);
    await closed.promise;
    expect(finished).toBe(false);
    // What the server managed to write before the client hung up: socket buffers, not the body.
    expect(sent).toBeLessThan(32 * 1024 * 1024);
  });

  it("verify - refuses a Content-Length over the cap before reading the body", async () => {
    const closed = deferred();
    let sent = 0;
    respond = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(300 * 1024 * 1024) });
      res.write(Buffer.alloc(1024, 0x20));
      sent += 1024;
      res.on("close", () => closed.resolve());
      // Then nothing: only a client that reads on would wait here.
    };
    await expectUnavailable(
      JwksVerifier.remote(url, { timeoutDuration: 60_000 }).verify(token, at),
      `The JWKS at ${url} declares a body of ${300 * 1024 * 1024} bytes, over the limit of 65536`,
    );
    await closed.promise;
    expect(sent).toBe(1024);
  });

  it("verify - maxBodyBytes sets the cap; the default is 64 KiB", async () => {
    expect(REMOTE_JWKS_DEFAULTS.maxBodyBytes).toBe(65_536);
    const padded = { ...signer.jwks(), padding: "x".repeat(2000) };
    const body = JSON.stringify(padded);
    respond = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
      res.end(body);
    };
    await expectUnavailable(
      JwksVerifier.remote(url, { maxBodyBytes: 1024 }).verify(token, at),
      `The JWKS at ${url} declares a body of ${Buffer.byteLength(body)} bytes, over the limit of 1024`,
    );
    await expect(JwksVerifier.remote(url).verify(token, at)).resolves.toEqual(idClaims());
    // Without Content-Length the streamed count decides.
    respond = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(body.slice(0, 600));
      res.end(body.slice(600));
    };
    await expectUnavailable(
      JwksVerifier.remote(url, { maxBodyBytes: 1024 }).verify(token, at),
      `The JWKS at ${url} is over the limit of 1024 bytes`,
    );
    expect(() => JwksVerifier.remote(url, { maxBodyBytes: 0 })).toThrow(
      "Invalid value for field 'maxBodyBytes'. Please provide a positive integer.",
    );
  });
});

describe("JwksVerifier.remote: timeout", () => {
  it("verify - a server that never answers is abandoned after timeoutDuration", async () => {
    const sockets = new Set<unknown>();
    const closed = deferred();
    respond = (req) => {
      sockets.add(req.socket);
      req.socket.on("close", () => closed.resolve());
    };
    await expectUnavailable(
      JwksVerifier.remote(url, { timeoutDuration: 200 }).verify(token, at),
      `The JWKS at ${url} did not answer within 200 ms`,
    );
    // The connection is closed, not left to the server.
    await closed.promise;
    expect(sockets.size).toBe(1);
  });

  it("verify - the timeout covers the body: headers then silence is abandoned too", async () => {
    respond = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"keys": [');
    };
    await expectUnavailable(
      JwksVerifier.remote(url, { timeoutDuration: 200 }).verify(token, at),
      `The JWKS at ${url} did not answer within 200 ms`,
    );
  });

  it("constructor - refuses a timeout that is not an integer of milliseconds", () => {
    expect(REMOTE_JWKS_DEFAULTS.timeoutDuration).toBe(5_000);
    for (const timeoutDuration of [-1, 1.5, Number.NaN, 2 ** 31]) {
      expect(() => JwksVerifier.remote(url, { timeoutDuration })).toThrow(
        "Invalid value for field 'timeoutDuration'. Please provide an integer from 0 to 2147483647.",
      );
    }
  });
});

describe("JwksVerifier.remote: URL", () => {
  it("constructor - refuses http: on a host that is not loopback", () => {
    for (const insecure of [
      "http://example.com/jwks.json",
      "http://10.0.0.1/jwks.json",
      "http://127.0.0.1.example.com/jwks.json",
      "http://[::ffff:127.0.0.1]/",
    ]) {
      expect(() => JwksVerifier.remote(insecure)).toThrow(
        /^The JWKS URL must be https: \(http: only on a loopback host, or with allowInsecureHttp: true\), got http:\/\//,
      );
    }
    expect(() => JwksVerifier.remote("file:///etc/jwks.json")).toThrow("The JWKS URL must be http(s), got file:");
  });

  it("constructor - accepts https:, and http: on 127.0.0.0/8, [::1] and localhost", () => {
    for (const ok of [
      "https://example.com/jwks.json",
      "http://127.0.0.1:8080/jwks",
      "http://127.1/jwks",
      "http://127.255.0.9/",
      "http://[::1]:9000/",
      "http://localhost:3000/jwks",
      "http://LOCALHOST/",
    ]) {
      expect(() => JwksVerifier.remote(ok)).not.toThrow();
    }
  });

  it("constructor - allowInsecureHttp: true opts in to http: anywhere", () => {
    expect(() => JwksVerifier.remote("http://example.com/jwks.json", { allowInsecureHttp: true })).not.toThrow();
    expect(() => new JwksVerifier({ url: "http://10.0.0.1/jwks.json", allowInsecureHttp: true })).not.toThrow();
    // Only a real boolean opts in: a truthy string from an environment variable is a mistake.
    expect(() => JwksVerifier.remote("http://example.com/jwks.json", { allowInsecureHttp: "yes" as never })).toThrow(
      '"allowInsecureHttp" must be true or false',
    );
  });

  it("verify - fetches from http://127.0.0.1 and follows no redirect", async () => {
    await expect(JwksVerifier.remote(url).verify(token, at)).resolves.toEqual(idClaims());
    respond = (_req, res) => {
      res.writeHead(302, { location: "http://example.com/jwks.json" });
      res.end();
    };
    await expectUnavailable(JwksVerifier.remote(url).verify(token, at), `The JWKS at ${url} answered HTTP 302, not 200`);
  });
});

describe("JwksVerifier.remote: signal", () => {
  it("verify - an aborted signal rejects with its reason before any request", async () => {
    const reason = new Error("client went away");
    const err = await rejection(JwksVerifier.remote(url).verify(token, { ...at, signal: AbortSignal.abort(reason) }));
    expect(err).toBe(reason);
    expect(requests).toBe(0);
  });

  it("verify - a signal aborted during the fetch rejects that caller at once; the shared fetch still serves the others", async () => {
    const arrived = deferred();
    const answer = deferred();
    respond = (req, res) => {
      arrived.resolve();
      void answer.promise.then(() => serveJson(signer.jwks())(req, res));
    };
    const verifier = JwksVerifier.remote(url, { timeoutDuration: 60_000 });
    const controller = new AbortController();
    const aborted = rejection(verifier.verify(token, { ...at, signal: controller.signal }));
    const patient = verifier.verify(token, at);
    await arrived.promise;
    controller.abort(new Error("gave up"));
    // Rejects while the server still holds the answer.
    expect(await aborted).toMatchObject({ message: "gave up" });
    answer.resolve();
    await expect(patient).resolves.toEqual(idClaims());
    // The abandoned fetch filled the cache for later callers too.
    await expect(verifier.verify(token, { ...at, signal: new AbortController().signal })).resolves.toEqual(idClaims());
    expect(requests).toBe(1);
  });

  it("verify - a caller that gave up does not turn the failed fetch into an unhandled rejection", async () => {
    const arrived = deferred();
    respond = (_req, res) => {
      arrived.resolve();
      res.writeHead(503);
      setImmediate(() => res.end());
    };
    const controller = new AbortController();
    const aborted = rejection(JwksVerifier.remote(url).verify(token, { ...at, signal: controller.signal }));
    await arrived.promise;
    controller.abort(new Error("gave up"));
    expect(await aborted).toMatchObject({ message: "gave up" });
    // vitest fails the run on an unhandled rejection; give the 503 time to land.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});

describe("JwksVerifier.remote: cache, cooldown, sharing", () => {
  it("verify - concurrent verifies share one fetch", async () => {
    const answer = deferred();
    respond = (req, res) => void answer.promise.then(() => serveJson(signer.jwks())(req, res));
    const verifier = JwksVerifier.remote(url);
    const all = Promise.all(Array.from({ length: 20 }, () => verifier.verify(token, at)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    answer.resolve();
    expect(await all).toEqual(Array.from({ length: 20 }, () => idClaims()));
    expect(requests).toBe(1);
  });

  it("verify - refetches once the document is older than cacheMaxAge, not before", async () => {
    let clock = 1_000_000;
    const verifier = JwksVerifier.remote(url, { cacheMaxAge: 60_000, now: () => clock });
    await verifier.verify(token, at);
    clock += 59_999;
    await verifier.verify(token, at);
    expect(requests).toBe(1);
    clock += 1;
    await verifier.verify(token, at);
    expect(requests).toBe(2);
    expect(REMOTE_JWKS_DEFAULTS.cacheMaxAge).toBe(600_000);
  });

  it("verify - an unknown kid refetches only after the cooldown; a rotated-in key then verifies", async () => {
    let clock = 1_000_000;
    const verifier = JwksVerifier.remote(url, { cooldownDuration: 30_000, now: () => clock });
    await verifier.verify(token, at);
    const next = await KeyPairSigner.generate({ kid: "k2" });
    const nextToken = await next.sign(idClaims());
    respond = serveJson({ keys: [...signer.jwks().keys, ...next.jwks().keys] });
    for (let i = 0; i < 5; i++) {
      await expectTokenError(verifier.verify(nextToken, at), "ERR_JWKS_NO_MATCHING_KEY", 'No key matches the kid "k2"');
    }
    expect(requests).toBe(1);
    clock += 30_000;
    await expect(verifier.verify(nextToken, at)).resolves.toEqual(idClaims());
    expect(requests).toBe(2);
    expect(REMOTE_JWKS_DEFAULTS.cooldownDuration).toBe(30_000);
  });

  it("verify - a failed refetch keeps the cached keys; an unknown kid during the outage is unavailable, not invalid", async () => {
    let clock = 1_000_000;
    const verifier = JwksVerifier.remote(url, { cooldownDuration: 0, now: () => clock });
    await verifier.verify(token, at);
    respond = (_req, res) => {
      res.writeHead(503);
      res.end("down for maintenance");
    };
    const stranger = await (await KeyPairSigner.generate({ kid: "k9" })).sign(idClaims());
    await expectUnavailable(verifier.verify(stranger, at), `The JWKS at ${url} answered HTTP 503, not 200`);
    clock += 1000;
    await expect(verifier.verify(token, at)).resolves.toEqual(idClaims());
    expect(requests).toBe(2);
  });

  it("constructor - refuses negative or NaN durations and a clock that is not a function", () => {
    expect(() => JwksVerifier.remote(url, { cacheMaxAge: -1 })).toThrow(
      "Invalid value for field 'cacheMaxAge'. Please provide a non-negative number of milliseconds.",
    );
    expect(() => JwksVerifier.remote(url, { cooldownDuration: Number.NaN })).toThrow(
      "Invalid value for field 'cooldownDuration'. Please provide a non-negative number of milliseconds.",
    );
    expect(() => JwksVerifier.remote(url, { now: 5 as never })).toThrow('"now" must be a function returning epoch milliseconds');
  });
});

describe("JwksVerifier.remote: unusable documents", () => {
  it("verify - connection refused, non-200, not JSON, not UTF-8 and no usable key are VerifierUnavailableError", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
    await new Promise((resolve) => closed.close(resolve));
    await expectUnavailable(
      JwksVerifier.remote(closedUrl).verify(token, at),
      `The JWKS at ${closedUrl} could not be fetched: connect ECONNREFUSED ${closedUrl.slice(7, -10)}`,
    );

    respond = (_req, res) => {
      res.writeHead(500);
      res.end();
    };
    await expectUnavailable(JwksVerifier.remote(url).verify(token, at), `The JWKS at ${url} answered HTTP 500, not 200`);

    respond = (_req, res) => res.end("<html>not a key set</html>");
    await expectUnavailable(JwksVerifier.remote(url).verify(token, at), `The JWKS at ${url} is not JSON`);

    respond = (_req, res) => res.end(Buffer.from([0x7b, 0xff, 0x7d]));
    await expectUnavailable(JwksVerifier.remote(url).verify(token, at), `The JWKS at ${url} is not UTF-8 text`);

    respond = serveJson({ keys: [] });
    await expectUnavailable(
      JwksVerifier.remote(url).verify(token, at),
      `The JWKS at ${url} is unusable: The JWKS document has no ES256 signature key`,
    );

    respond = serveJson([1, 2, 3]);
    await expectUnavailable(
      JwksVerifier.remote(url).verify(token, at),
      `The JWKS at ${url} is unusable: A JWKS document is an object with a "keys" array`,
    );
  });

  it("verify - a small-order Ed25519 key makes the fetched document unusable, named by its index", async () => {
    const ed = await KeyPairSigner.generate({ alg: "EdDSA", kid: "ed" });
    respond = serveJson({ keys: [...ed.jwks().keys, { kty: "OKP", crv: "Ed25519", x: IDENTITY_X, kid: "evil" }] });
    await expectUnavailable(
      JwksVerifier.remote(url, { alg: "EdDSA" }).verify(await ed.sign(idClaims()), at),
      `The JWKS at ${url} is unusable: jwks.keys[1] is not a usable public key: it is an Ed25519 key of small order`,
    );
  });

  it("verify - a key that does not import fails only the tokens that name it; the other keys verify (regression: one bad key denied the whole document)", async () => {
    // A P-256 "point" that is not on the curve, and two keys sharing one kid.
    const offCurve = { kty: "EC", crv: "P-256", x: IDENTITY_X, y: IDENTITY_X, kid: "broken" };
    const twin = (await KeyPairSigner.generate({ kid: "twin" })).jwks().keys[0];
    respond = serveJson({ keys: [offCurve, twin, twin, ...signer.jwks().keys] });
    const verifier = JwksVerifier.remote(url);
    await expect(verifier.verify(token, at)).resolves.toEqual(idClaims());
    const named = async (kid: string) => (await KeyPairSigner.generate({ kid })).sign(idClaims());
    await expectUnavailable(
      verifier.verify(await named("broken"), at),
      new RegExp(`^The JWKS at ${url} has no usable key for the kid "broken": .+`),
    );
    await expectUnavailable(
      verifier.verify(await named("twin"), at),
      `The JWKS at ${url} has no usable key for the kid "twin": it has several`,
    );
    await expect(verifier.verify(token, at)).resolves.toEqual(idClaims());
    expect(requests).toBe(1);
  });

  it("verify - names the document by origin and path, never its query string", async () => {
    respond = (_req, res) => {
      res.writeHead(401);
      res.end();
    };
    await expectUnavailable(
      JwksVerifier.remote(`${url}?api_key=s3cret`).verify(token, at),
      `The JWKS at ${url} answered HTTP 401, not 200`,
    );
  });

  it("verify - sends the configured headers and asks for JSON", async () => {
    let seen: IncomingMessage["headers"] = {};
    respond = (req, res) => {
      seen = req.headers;
      serveJson(signer.jwks())(req, res);
    };
    await JwksVerifier.remote(url, { headers: { authorization: "Bearer t" } }).verify(token, at);
    expect(seen).toMatchObject({ authorization: "Bearer t", accept: "application/json, application/jwk-set+json" });
  });
});
