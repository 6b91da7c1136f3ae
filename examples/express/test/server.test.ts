/**
 * `server.ts` as a user starts it (tsx, its own process): rooms in the
 * default `./roomgate.db`, kept across a restart; no secret, no server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Liveblocks } from "roomgate";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SERVER = join(ROOT, "examples/express/server.ts");
// tsx as this project resolves it (the root's in the repository, the example's own when installed standalone).
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
// The root tsconfig maps "roomgate" to the sources, as the root suite's vitest alias does.
const TSCONFIG = join(ROOT, "tsconfig.json");
const SECRET = "sk_test_express_server_0123456789abcdefgh";
const dir = mkdtempSync(join(tmpdir(), "roomgate-express-server-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Running = { child: ChildProcess; url: string; output: () => string };

/** Runs server.ts in `dir` (so the default database file lands there) with the root tsconfig's "roomgate" paths. */
function run(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<unknown[]> } {
  const child = spawn(process.execPath, ["--import", TSX, SERVER], {
    cwd: dir,
    env: { ...process.env, ...(existsSync(TSCONFIG) && { TSX_TSCONFIG_PATH: TSCONFIG }), PORT: "0", ROOMGATE_DB: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  return { child, output: () => output, exited: once(child, "exit") };
}

async function start(): Promise<Running & { stop: () => Promise<unknown> }> {
  const { child, output, exited } = run({ ROOMGATE_SECRET: SECRET });
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output());
      if (match) resolve(match[1]!);
    };
    child.stdout!.on("data", check);
    void exited.then(() => reject(new Error(`server.ts exited early:\n${output()}`)));
  });
  return {
    child,
    url,
    output,
    stop: async () => {
      child.kill("SIGTERM");
      const [code] = await exited;
      return code;
    },
  };
}

const admin = { "x-user-id": "admin", "content-type": "application/json" };

describe("examples/express/server.ts", () => {
  it("server - keeps rooms in ./roomgate.db across a restart; a token from before still enters", async () => {
    const first = await start();
    expect(first.output()).toContain("(rooms in roomgate.db)");
    const created = await fetch(`${first.url}/admin/rooms`, { method: "POST", headers: admin, body: JSON.stringify({ roomId: "kept" }) });
    expect(created.status).toBe(201);
    await fetch(`${first.url}/admin/rooms/kept/users/zoe`, { method: "PUT", headers: admin, body: JSON.stringify({ access: "read" }) });
    const auth = await fetch(`${first.url}/api/liveblocks-auth`, { method: "POST", headers: { "x-user-id": "zoe" } });
    const { token } = (await auth.json()) as { token: string };
    expect(await first.stop()).toBe(0);
    expect(existsSync(join(dir, "roomgate.db"))).toBe(true);

    const second = await start();
    try {
      const room = await fetch(`${second.url}/admin/rooms/kept`, { headers: admin });
      expect(room.status).toBe(200);
      expect(((await room.json()) as { usersAccesses: unknown }).usersAccesses).toEqual({ zoe: ["room:read", "room:presence:write"] });
      // Same secret, so this process's checker accepts the first server's token for the stored room.
      const access = await fetch(`${second.url}/v2/rooms/kept/check-access`, {
        method: "POST",
        headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
        body: JSON.stringify({ token }),
      });
      expect(await access.json()).toMatchObject({ allowed: true, userId: "zoe", isReadOnly: true });
      expect(await new Liveblocks({ secret: SECRET }).verifyToken(token)).toMatchObject({ uid: "zoe" });
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it("server - refuses to start without ROOMGATE_SECRET and says how to make one", async () => {
    const { output, exited } = run({ ROOMGATE_SECRET: "" });
    const [code] = await exited;
    expect(code).toBe(1);
    expect(output()).toContain("ROOMGATE_SECRET is not set");
    expect(output()).toContain("npx roomgate secret");
  });
});
