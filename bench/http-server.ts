/**
 * One server for bench/http.ts, in its own process: `roomgate` (the request
 * handler behind toNodeListener) or `bare` (node:http that reads the body and
 * signs the same ID token, nothing else). Prints its port on stdout.
 *
 *   npx tsx bench/http-server.ts roomgate|bare
 */
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type * as Http from "../src/http/index.js";
import type * as Roomgate from "../src/index.js";

// The built package, as users run it: through tsx the handler's source pays
// for the loader's helpers on every call (0.66x against 0.92-0.97x, measured).
const dist = new URL("../dist/", import.meta.url);
if (!existsSync(new URL("http.js", dist))) throw new Error("bench/http-server.ts measures dist/: run `npm run build` first");
const { createRequestHandler, toNodeListener } = (await import(new URL("http.js", dist).href)) as typeof Http;
const { Liveblocks } = (await import(new URL("index.js", dist).href)) as typeof Roomgate;

export const BENCH_SECRET = "sk_bench_http_0123456789abcdef0123456789";

const liveblocks = new Liveblocks({ secret: BENCH_SECRET });
const mode = process.argv[2];

const server =
  mode === "bare"
    ? createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          // The same identity and userInfo the handler's route passes, so both sign the same token.
          const { userId, groupIds, userInfo } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
            userId: string;
            groupIds: string[];
            userInfo: { name: string };
          };
          void liveblocks.identifyUser({ userId, groupIds }, { userInfo }).then(({ status, body }) => {
            res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
            res.end(body);
          });
        });
      })
    : createServer(toNodeListener(createRequestHandler(liveblocks)));

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
