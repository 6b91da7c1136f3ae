/**
 * One server for bench/http.ts, in its own process: `roomgate` (the request
 * handler behind toNodeListener) or `bare` (node:http that reads the body and
 * signs the same ID token, nothing else). Prints its port on stdout.
 *
 *   npx tsx bench/http-server.ts roomgate|bare
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequestHandler, toNodeListener } from "../src/http/index.js";
import { Liveblocks } from "../src/index.js";

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
