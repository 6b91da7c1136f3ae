/**
 * The Next.js example as it runs for a user: `npm ci` (roomgate packed from
 * the repository, built by the e2e global setup), a real `next build` and
 * `next start` on loopback, HTTP requests to its routes, and the share dialog
 * driven in headless Chromium. Run by `npm run test:e2e` (slow), not `npm test`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const example = fileURLToPath(new URL("..", import.meta.url));
const repository = join(example, "..", "..");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const dataDir = mkdtempSync(join(tmpdir(), "roomgate-next-e2e-"));
const dbFile = join(dataDir, "roomgate.db");

/** The built package, as the app loads it (imported after the global setup built it). */
type Built = typeof import("roomgate") & typeof import("roomgate/sqlite");
async function builtRoomgate(): Promise<Built> {
  const main = (await import(join(repository, "dist", "index.js"))) as typeof import("roomgate");
  const sqlite = (await import(join(repository, "dist", "sqlite.js"))) as typeof import("roomgate/sqlite");
  return { ...main, ...sqlite };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let server: ChildProcess | undefined;
let serverLog = "";
let base = "";
let secret = "";
let roomgate: Built;

/** Stops `next start` and everything it spawned (its own process group). */
function stopServer(): void {
  if (server?.pid !== undefined && server.exitCode === null) {
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
  server = undefined;
}
process.once("exit", stopServer);

async function waitForServer(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null) throw new Error(`next start exited with ${server?.exitCode}:\n${serverLog}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`next start did not answer within ${deadlineMs} ms:\n${serverLog}`);
}

beforeAll(async () => {
  roomgate = await builtRoomgate();
  secret = roomgate.generateSecret();
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  // Installs roomgate packed from the fresh build (install-links, see .npmrc), so always reinstall.
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: example, env, stdio: ["ignore", "ignore", "inherit"] });
  const next = join(example, "node_modules", "next", "dist", "bin", "next");
  execFileSync(process.execPath, [next, "build"], { cwd: example, env, stdio: ["ignore", "ignore", "inherit"] });

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const runtimeEnv: NodeJS.ProcessEnv = { ...env, ROOMGATE_SECRET: secret, ROOMGATE_DB_FILE: dbFile, NODE_ENV: "production" };
  delete runtimeEnv.DATABASE_URL; // SQLite, so the test can open the same file.
  server = spawn(process.execPath, [next, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: example,
    env: runtimeEnv,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout!.on("data", (chunk: Buffer) => (serverLog += chunk.toString()));
  server.stderr!.on("data", (chunk: Buffer) => (serverLog += chunk.toString()));
  await waitForServer(base, 60_000);
});

afterAll(() => {
  stopServer();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(userId: string): Promise<string> {
  const response = await fetch(`${base}/api/liveblocks-auth`, { method: "POST", headers: { "x-user-id": userId } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

describe("examples/nextjs under next start", () => {
  it("POST /api/liveblocks-auth - a token for the signed-in user, 401 without one", async () => {
    const token = await signIn("alice");
    const liveblocks = new roomgate.Liveblocks({ secret });
    expect(await liveblocks.verifyToken(token)).toMatchObject({ k: "id", uid: "alice" });
    expect((await fetch(`${base}/api/liveblocks-auth`, { method: "POST" })).status).toBe(401);
  });

  it("POST /api/liveblocks-auth-edge - the Edge runtime route signs a token the Node build verifies and admits", async () => {
    const response = await fetch(`${base}/api/liveblocks-auth-edge`, {
      method: "POST",
      headers: { "x-user-id": "erin", "x-user-groups": "eng" },
    });
    expect(response.status).toBe(200);
    const { token } = (await response.json()) as { token: string };
    const liveblocks = new roomgate.Liveblocks({ secret });
    expect(await liveblocks.verifyToken(token)).toMatchObject({ k: "id", uid: "erin", gids: ["eng"] });
    expect((await fetch(`${base}/api/liveblocks-auth-edge`, { method: "POST" })).status).toBe(401);
  });

  it("/api/rooms/:roomId/share - opens, invites, and rejects bad input with 422", async () => {
    const headers = { "x-user-id": "alice", "content-type": "application/json" };
    expect((await fetch(`${base}/api/rooms/http-room/share`, { headers })).status).toBe(200);
    const invited = await fetch(`${base}/api/rooms/http-room/share`, {
      method: "POST",
      headers,
      body: JSON.stringify({ groupId: "design", access: "write" }),
    });
    expect(await invited.json()).toMatchObject({ groups: [{ id: "design", access: "write" }] });
    const bad = await fetch(`${base}/api/rooms/http-room/share`, {
      method: "POST",
      headers,
      body: JSON.stringify({ userId: "bob", access: "owner" }),
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { message: string }).message).toBe(`Invalid value for field 'access': must be "read" or "write"`);
  });

  it("/v2/* - the REST API with the secret, 401 without", async () => {
    const auth = { authorization: `Bearer ${secret}` };
    const created = await fetch(`${base}/v2/rooms`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ id: "rest-room", defaultAccesses: [] }),
    });
    expect(created.status).toBe(200);
    expect(await (await fetch(`${base}/v2/rooms/rest-room`, { headers: auth })).json()).toMatchObject({
      id: "rest-room",
      defaultAccesses: [],
    });
    expect((await fetch(`${base}/v2/rooms/rest-room`)).status).toBe(401);
  });

  it("share dialog in Chromium - inviting bob with read access lets him enter read-only", async () => {
    if (!existsSync(chromiumPath)) {
      throw new Error(
        `Chromium not found at ${chromiumPath}: install it with \`apt-get install -y chromium\` (.ci/run does), or set CHROMIUM_PATH.`,
      );
    }
    const bobToken = await signIn("bob");
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      // Without the background-networking flags Chromium's own connections are refused here and slow it down.
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(base);
      await page.getByLabel("Signed-in user").fill("alice");
      await page.getByLabel("Room id").fill("browser-room");
      await page.getByRole("button", { name: "Open" }).click();
      await page.getByTestId("user-alice").waitFor();

      await page.getByLabel("Invite a").selectOption("user");
      await page.getByLabel("Invitee id").fill("bob");
      await page.getByLabel("Access level").selectOption("read");
      await page.getByRole("button", { name: "Invite", exact: true }).click();
      await expect.poll(() => page.getByTestId("user-bob").textContent()).toContain("can view");

      // The server's own decision, over its REST API.
      const checked = await fetch(`${base}/v2/rooms/browser-room/check-access`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: JSON.stringify({ token: bobToken }),
      });
      expect(await checked.json()).toMatchObject({ allowed: true, userId: "bob", isReadOnly: true, canWrite: false });

      // And another process's, the built package over the same SQLite file.
      const store = new roomgate.SqliteStore({ filename: dbFile });
      try {
        const liveblocks = new roomgate.Liveblocks({ secret, store });
        expect(await liveblocks.checkRoomAccess(bobToken, "browser-room")).toMatchObject({ allowed: true, isReadOnly: true });
        expect(await liveblocks.checkRoomAccess(await signIn("carol"), "browser-room")).toMatchObject({ allowed: false });
      } finally {
        await store.close();
      }
    } finally {
      await browser.close();
    }
  });
});
