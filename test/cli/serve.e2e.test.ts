import { spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
import { type ServeProcess, cliArgs, spawnServe, tempDir } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SECRET = "sk_test_roomgate_serve_0123456789";
let running: ServeProcess | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function cli(...args: string[]) {
  return spawnSync(process.execPath, cliArgs(...args), { cwd: ROOT, encoding: "utf8" });
}

async function createRoom(url: string, id: string): Promise<number> {
  const res = await fetch(`${url}/v2/rooms`, {
    method: "POST",
    headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" },
    body: JSON.stringify({ id, defaultAccesses: ["room:write"] }),
  });
  await res.text();
  return res.status;
}

async function getRoom(url: string, id: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/v2/rooms/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${SECRET}` },
  });
  return { status: res.status, body: await res.json() };
}

describe("roomgate serve", () => {
  it("serve - answers the REST API with the given secret and prints the bound address", async () => {
    running = await spawnServe(["--secret", SECRET]);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ok = await fetch(`${running.url}/v2/rooms`, {
      headers: { authorization: `Bearer ${SECRET}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ nextCursor: null, nextPage: null, data: [] });
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

  it("serve - --secret-file reads the secret from a file; --secret works but warns that the process list shows it", async () => {
    const dir = tempDir();
    try {
      const file = join(dir, "secret");
      writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
      running = await spawnServe(["--secret-file", file, "--memory"]);
      const ok = await fetch(`${running.url}/v2/rooms`, { headers: { authorization: `Bearer ${SECRET}` } });
      expect(ok.status).toBe(200);
      expect(running.output()).not.toMatch(/generated/);
      expect(running.errors()).not.toMatch(/warning/);
      expect(await running.stop()).toBe(0);
      running = await spawnServe(["--secret", SECRET, "--memory"]);
      expect(running.errors()).toMatch(/warning: --secret is readable by every user of this machine in the process list/);
      // The warning names the flag, never the secret.
      expect(running.errors()).not.toContain(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serve - --verbose prints one pretty line per request with the route template; --log-format off only the banner", async () => {
    running = await spawnServe(["--secret", SECRET, "--verbose", "--memory"]);
    await (
      await fetch(`${running.url}/v2/rooms/r%201`, {
        headers: { authorization: `Bearer ${SECRET}` },
      })
    ).text();
    await expect.poll(() => running!.output()).toMatch(/GET \/v2\/rooms\/:roomId 404/);
    expect(running.output()).not.toContain("r%201");
    await running.stop();
    const quiet = await spawnServe(["--secret", SECRET, "--log-format", "off"]);
    running = quiet;
    await (await fetch(`${quiet.url}/v2/rooms`)).text();
    const before = quiet.output();
    await quiet.stop();
    expect(before).not.toMatch(/\/v2\/rooms/);
  });

  it("serve - SIGTERM lets an in-flight request finish, ends its kept-alive connection and exits 0", async () => {
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
    const answeredAt = Date.now();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ id: "late" });
    expect(await running.stop()).toBe(0);
    // The client keeps its connection alive; the stopping server ends it with the response instead of idling 5 s.
    expect(Date.now() - answeredAt).toBeLessThan(2_500);
  });
});

describe("roomgate serve shutdown with a stream open", () => {
  it("serve - SIGTERM with a /v2/room-events stream open cuts the stream at once and exits 0, without waiting out the grace period", async () => {
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
    const stopping = Date.now();
    expect(await running.stop()).toBe(0);
    await ended;
    // The grace period for other requests is 10 s; an event stream must not hold the stop for it.
    expect(Date.now() - stopping).toBeLessThan(8_000);
  }, 30_000);
});

describe("roomgate serve stores", () => {
  it("serve --db - a room created over HTTP is still there after SIGTERM and a restart on the same file", async () => {
    const dir = tempDir();
    try {
      const file = join(dir, "rooms.db");
      running = await spawnServe(["--secret", SECRET, "--db", file]);
      expect(running.output()).toContain(`rooms in SQLite file ${file}`);
      expect(await createRoom(running.url, "kept")).toBe(200);
      expect(await running.stop()).toBe(0);
      running = await spawnServe(["--secret", SECRET, "--db", file]);
      const room = await getRoom(running.url, "kept");
      expect(room.status).toBe(200);
      expect(room.body).toMatchObject({ id: "kept", defaultAccesses: ["room:write"] });
    } finally {
      await running?.stop();
      running = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serve --db - SIGTERM checkpoints the SQLite file and says the store is closed", async () => {
    const dir = tempDir();
    try {
      const file = join(dir, "rooms.db");
      running = await spawnServe(["--secret", SECRET, "--db", file]);
      expect(await createRoom(running.url, "r")).toBe(200);
      expect(existsSync(`${file}-wal`)).toBe(true);
      expect(await running.stop()).toBe(0);
      expect(running.output()).toMatch(/store closed/);
      // The close itself is tested in process (serve-close.test.ts): an exiting process closes the file anyway.
      expect(existsSync(`${file}-wal`)).toBe(false);
    } finally {
      running = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serve - with no store flag it keeps rooms in ./roomgate.db of the working directory", async () => {
    const dir = tempDir();
    try {
      running = await spawnServe(["--secret", SECRET], {}, dir);
      expect(running.output()).toContain("rooms in SQLite file ./roomgate.db");
      expect(await createRoom(running.url, "here")).toBe(200);
      expect(await running.stop()).toBe(0);
      expect(existsSync(join(dir, "roomgate.db"))).toBe(true);
    } finally {
      running = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serve - a generated secret with a durable store warns that tokens stop verifying after a restart", async () => {
    running = await spawnServe(["--db", "rooms.db"]);
    expect(running.output()).toMatch(/tokens signed with it stop verifying after a restart/);
    await running.stop();
    running = await spawnServe(["--memory"]);
    expect(running.output()).toContain("rooms in memory: they are lost when it stops");
    expect(running.output()).not.toMatch(/stop verifying/);
  });

  it("serve - two store flags at once exit 2 and name both; --schema without --database-url exits 2", () => {
    const both = cli("serve", "--port", "0", "--memory", "--db", "x.db");
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/Choose one store: --db and --memory/);
    const pg = cli("serve", "--port", "0", "--db", "x.db", "--database-url", DATABASE_URL);
    expect(pg.status).toBe(2);
    expect(pg.stderr).toMatch(/--db and --database-url/);
    const schema = cli("serve", "--port", "0", "--memory", "--schema", "s");
    expect(schema.status).toBe(2);
    expect(schema.stderr).toMatch(/--schema applies to --database-url only/);
    expect(existsSync(join(ROOT, "x.db"))).toBe(false);
  });
});

const pgUnavailable = await probePostgres();
if (pgUnavailable) console.warn(`Skipping roomgate serve --database-url: ${pgUnavailable}`);

describe.skipIf(pgUnavailable !== null)("roomgate serve --database-url", () => {
  it("serve --database-url - a room survives a restart, the banner names the schema and hides the password", async () => {
    const schema = testSchema("serve");
    const url = new URL(DATABASE_URL);
    // Trust auth ignores the password; it is here to be kept out of the banner.
    url.password = "hunter2secret";
    try {
      running = await spawnServe(["--secret", SECRET, "--database-url", url.href, "--schema", schema]);
      expect(running.output()).toContain(`(schema ${schema})`);
      expect(running.output()).toMatch(/rooms in PostgreSQL at /);
      expect(running.output()).not.toContain("hunter2secret");
      expect(await createRoom(running.url, "kept")).toBe(200);
      expect(await running.stop()).toBe(0);
      expect(running.output()).toMatch(/store closed/);
      running = await spawnServe(["--secret", SECRET, "--database-url", url.href, "--schema", schema]);
      const room = await getRoom(running.url, "kept");
      expect(room.status).toBe(200);
      expect(room.body).toMatchObject({ id: "kept" });
    } finally {
      await running?.stop();
      running = undefined;
      await dropSchema(schema);
    }
  });
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
