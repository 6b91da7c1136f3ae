import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { type ServeProcess, spawnServe } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SECRET = "sk_test_roomgate_serve_0123456789";
let running: ServeProcess | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function cli(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/index.ts", ...args], { cwd: ROOT, encoding: "utf8" });
}

describe("roomgate serve", () => {
  it("serve - answers the REST API with the given secret and prints the bound address", async () => {
    running = await spawnServe(["--secret", SECRET]);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ok = await fetch(`${running.url}/v2/rooms`, {
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ nextCursor: null, data: [] });
    const wrong = await fetch(`${running.url}/v2/rooms`, {
      headers: { authorization: "Bearer sk_nope" },
    });
    expect(wrong.status).toBe(403);
    expect(running.output()).not.toContain(SECRET);
  });

  it("serve - without a secret it generates one, prints it once and says so", async () => {
    running = await spawnServe([]);
    const secrets = running.output().match(/sk_[\w-]+/g) ?? [];
    expect(secrets).toHaveLength(1);
    expect(running.output()).toMatch(/generated one/);
    const ok = await fetch(`${running.url}/v2/rooms`, {
      headers: { authorization: `Bearer ${secrets[0]}` },
    });
    expect(ok.status).toBe(200);
  });

  it("serve - ROOMGATE_SECRET is used when --secret is absent", async () => {
    running = await spawnServe([], { ROOMGATE_SECRET: SECRET });
    const ok = await fetch(`${running.url}/v2/rooms`, {
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(ok.status).toBe(200);
    expect(running.output()).not.toMatch(/generated/);
  });

  it("serve - --verbose prints one line per request; without it only the banner", async () => {
    running = await spawnServe(["--secret", SECRET, "--verbose", "--memory"]);
    await (
      await fetch(`${running.url}/v2/rooms/r%201`, {
        headers: { authorization: `Bearer ${SECRET}` },
      })
    ).text();
    await expect.poll(() => running!.output()).toMatch(/GET \/v2\/rooms\/r%201 404/);
    await running.stop();
    const quiet = await spawnServe(["--secret", SECRET]);
    running = quiet;
    await (await fetch(`${quiet.url}/v2/rooms`)).text();
    const before = quiet.output();
    await quiet.stop();
    expect(before).not.toMatch(/GET \/v2/);
  });

  it("serve - SIGTERM lets an in-flight request finish, then exits 0", async () => {
    running = await spawnServe(["--secret", SECRET]);
    const url = new URL(`${running.url}/v2/rooms`);
    const body = JSON.stringify({ id: "late", defaultAccesses: [] });
    let answered!: (value: { status: number; text: string }) => void;
    const response = new Promise<{ status: number; text: string }>((resolve) => (answered = resolve));
    const req = request(
      url,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${SECRET}`,
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
        res.on("end", () => answered({ status: res.statusCode!, text }));
      },
    );
    req.write(body.slice(0, 10));
    // Sequencing, not a timed assertion: let the first bytes reach the server before it is told to stop.
    await new Promise((resolve) => setTimeout(resolve, 500));
    running.child.kill("SIGTERM");
    await expect.poll(() => running!.output()).toMatch(/SIGTERM/);
    req.end(body.slice(10));
    const answer = await response;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ id: "late" });
    expect(await running.stop()).toBe(0);
  });
});

describe("roomgate serve shutdown with a stream open", () => {
  it("serve - SIGTERM with a /v2/room-events stream open still exits 0 (the stream is cut after the grace period)", async () => {
    running = await spawnServe(["--secret", SECRET]);
    const controller = new AbortController();
    const events = await fetch(`${running.url}/v2/room-events`, {
      headers: { authorization: `Bearer ${SECRET}` },
      signal: controller.signal,
    });
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    await reader.read(); // ": connected"
    const ended = (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        // Cut by the server: what this test waits for.
      }
    })();
    expect(await running.stop()).toBe(0);
    await ended;
  }, 30_000);
});

describe("roomgate secret", () => {
  it("secret - prints a new strong secret and a newline", () => {
    const first = cli("secret");
    const second = cli("secret");
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^sk_[\w-]{22,}\n$/);
    expect(first.stdout).not.toBe(second.stdout);
  });

  it("--help - lists the commands; an unknown command or flag exits 2", () => {
    const help = cli("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/serve/);
    expect(help.stdout).toMatch(/secret/);
    expect(cli("bogus").status).toBe(2);
    expect(cli("serve", "--bogus").status).toBe(2);
  });
});
