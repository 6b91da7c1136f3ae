/**
 * The container's entrypoint (docker/entrypoint.sh) run for real, outside a
 * container (no image can be pulled here): with the environment compose.yaml
 * gives roomgate, against the shared PostgreSQL on a free loopback port, and
 * `roomgate` on PATH as the image puts it (the built package's CLI). It must
 * serve /healthz and /readyz, the Dockerfile's HEALTHCHECK command must pass
 * (and fail once it stops), the secret must stay off the command line, and
 * SIGTERM must reach roomgate itself (exec) and end it cleanly.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Liveblocks as Official } from "@liveblocks/node";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
import { BUILT_CLI, type Instance, ROOT, spawnListening } from "./instances.js";
import { composeEnvironment, healthcheckCommand } from "./recipe.js";

const run = promisify(execFile);
const unreachable = await probePostgres();
if (unreachable !== null) console.warn(`Skipping the entrypoint test: ${unreachable}`);

const SECRET = "sk_test_entrypoint_0123456789abcdefghijklmnopq";
const ENTRYPOINT = join(ROOT, "docker/entrypoint.sh");
const HEALTHCHECK = healthcheckCommand(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const COMPOSE_ENV = composeEnvironment(readFileSync(join(ROOT, "compose.yaml"), "utf8"), "roomgate");

/** A port free right now on loopback. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(unreachable !== null)("docker/entrypoint.sh", () => {
  const schemas: string[] = [];
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });

  /** A PATH whose `roomgate` is the built CLI, as `node_modules/.bin` is in the image. */
  const binDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "roomgate-bin-"));
    symlinkSync(BUILT_CLI, join(dir, "roomgate"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  /** compose.yaml's environment, pointed at the test database and a free loopback port. */
  const composeEnv = async (overrides: Record<string, string> = {}) => {
    const schema = testSchema("entrypoint");
    schemas.push(schema);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: `${binDir()}:${process.env["PATH"]}`,
      HOME: process.env["HOME"],
      ...COMPOSE_ENV,
      ROOMGATE_SECRET: SECRET,
      ROOMGATE_DATABASE_URL: DATABASE_URL,
      ROOMGATE_SCHEMA: schema,
      ROOMGATE_HOST: "127.0.0.1",
      ROOMGATE_PORT: String(port),
      ...overrides,
    };
    return { env, port, schema };
  };

  const start = async (env: NodeJS.ProcessEnv, args: string[] = ["serve"]): Promise<Instance> => {
    const instance = await spawnListening("/bin/sh", [ENTRYPOINT, ...args], env);
    cleanups.push(() => instance.stop("SIGKILL"));
    return instance;
  };

  const healthcheck = (env: NodeJS.ProcessEnv) => run(HEALTHCHECK[0]!, HEALTHCHECK.slice(1), { env, timeout: 10_000 });

  it("serve - with compose.yaml's environment it serves the API on PostgreSQL, passes its HEALTHCHECK and stops cleanly on SIGTERM", async () => {
    const { env, port, schema } = await composeEnv();
    const instance = await start(env);
    expect(instance.url).toBe(`http://127.0.0.1:${port}`);
    expect(instance.output()).toContain(`schema ${schema}`);

    expect((await fetch(`${instance.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);
    await expect(healthcheck(env)).resolves.toBeDefined();

    // exec: the process started is roomgate itself (node), so signals reach it; the secret is not on its command line.
    const cmdline = readFileSync(`/proc/${instance.child.pid}/cmdline`, "utf8").split("\0");
    expect(cmdline[0]).toMatch(/node$/);
    expect(cmdline).toEqual(
      expect.arrayContaining(["serve", "--host", "127.0.0.1", "--port", String(port), "--database-url", DATABASE_URL]),
    );
    expect(cmdline.join(" ")).not.toContain(SECRET);

    // The secret from the environment is the one the API takes.
    const sdk = new Official({ secret: SECRET, baseUrl: instance.url });
    await sdk.createRoom("entrypoint-room", { defaultAccesses: [] });
    expect((await sdk.getRoom("entrypoint-room")).id).toBe("entrypoint-room");
    const wrong = await fetch(`${instance.url}/v2/rooms`, { headers: { authorization: "Bearer sk_test_wrong" } });
    expect(wrong.status).toBe(403);

    const stopped = Date.now();
    expect(await instance.stop("SIGTERM")).toEqual([0, null]);
    expect(Date.now() - stopped).toBeLessThan(10_000);
    expect(instance.output()).toContain("store closed");
    await expect(healthcheck(env)).rejects.toMatchObject({ code: 1 });
  }, 60_000);

  it("serve - ROOMGATE_SECRET_FILE becomes --secret-file, and a flag given on the command line wins over its variable", async () => {
    const { env } = await composeEnv({ ROOMGATE_SECRET: "" });
    const dir = mkdtempSync(join(tmpdir(), "roomgate-secret-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "secret"), `${SECRET}\n`, { mode: 0o600 });
    const port = await freePort();
    const instance = await start({ ...env, ROOMGATE_SECRET_FILE: join(dir, "secret") }, ["serve", "--port", String(port)]);
    expect(instance.url).toBe(`http://127.0.0.1:${port}`);
    expect(instance.output()).not.toContain("generated one");
    const sdk = new Official({ secret: SECRET, baseUrl: instance.url });
    expect(await sdk.getRooms()).toMatchObject({ data: [] });
    const cmdline = readFileSync(`/proc/${instance.child.pid}/cmdline`, "utf8").split("\0");
    expect(cmdline.filter((arg) => arg === "--port")).toHaveLength(1);
  }, 60_000);

  it("entrypoint - a command other than serve runs as given", async () => {
    const { env } = await composeEnv();
    const { stdout } = await run("/bin/sh", [ENTRYPOINT, "roomgate", "secret"], { env, timeout: 20_000 });
    expect(stdout.trim()).toMatch(/^sk_[A-Za-z0-9_-]{20,}$/);
  }, 30_000);
});
