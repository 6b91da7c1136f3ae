/**
 * Settings of `roomgate serve` from flags, `ROOMGATE_<FLAG>` and `--config`,
 * the refusal of an insecure start, and the check that the whole output of a
 * real serve process holds no secret, token or `Bearer`.
 */
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { envName, insecureReasons, isLoopbackHost, withEnvAndConfig } from "../../src/cli/ops/config.js";
import { findLeaks } from "../log-audit/audit.js";
import { type ServeProcess, cliArgs, spawnServe, tempDir } from "./helpers.js";

const SECRET = "sk_test_roomgate_config_0123456789abcdef";
const FLAGS = {
  port: { type: "string" },
  secret: { type: "string" },
  "secret-file": { type: "string" },
  memory: { type: "boolean" },
  db: { type: "string" },
  "signing-key": { type: "string", multiple: true },
  config: { type: "string" },
  help: { type: "boolean" },
} as const;

let running: ServeProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("serve settings", () => {
  it("withEnvAndConfig - flags win over ROOMGATE_<FLAG>, which wins over the config file; a set flag hides its group", () => {
    dir = tempDir();
    const file = join(dir, "roomgate.json");
    writeFileSync(file, JSON.stringify({ port: 9000, db: "from-config.db", "signing-key": "a.pem", secret: "sk_from_config" }));
    const env = { ROOMGATE_PORT: "8000", ROOMGATE_MEMORY: "true", ROOMGATE_SIGNING_KEY: "b.jwk, c.pem", ROOMGATE_HELP: "1" };
    expect(withEnvAndConfig({ port: "7000", "secret-file": "s.txt" }, FLAGS, env, file)).toEqual({
      port: "7000",
      "secret-file": "s.txt",
      memory: true,
      "signing-key": ["b.jwk", "c.pem"],
    });
    expect(withEnvAndConfig({}, FLAGS, {}, file)).toEqual({
      port: "9000",
      db: "from-config.db",
      "signing-key": ["a.pem"],
      secret: "sk_from_config",
    });
    expect(envName("database-url")).toBe("ROOMGATE_DATABASE_URL");
  });

  it("withEnvAndConfig - refuses a bad value, naming the variable or key and the rule", () => {
    dir = tempDir();
    const file = join(dir, "bad.json");
    expect(() => withEnvAndConfig({}, FLAGS, { ROOMGATE_MEMORY: "maybe" }, undefined)).toThrow("ROOMGATE_MEMORY must be true or false");
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(() => withEnvAndConfig({}, FLAGS, {}, file)).toThrow(`--config ${file}: unknown key "prot"`);
    writeFileSync(file, JSON.stringify({ memory: "yes" }));
    expect(() => withEnvAndConfig({}, FLAGS, {}, file)).toThrow('--config key "memory" must be true or false');
    writeFileSync(file, "[1]");
    expect(() => withEnvAndConfig({}, FLAGS, {}, file)).toThrow("must hold a JSON object");
    expect(() => withEnvAndConfig({}, FLAGS, {}, join(file, "..", "missing.json"))).toThrow("cannot read --config");
  });

  it("insecureReasons - only a non-loopback bind with --memory or a generated secret is insecure", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.5", "example.com", "128.0.0.1"]) expect(isLoopbackHost(host)).toBe(false);
    expect(insecureReasons({ host: "127.0.0.1", memory: true, secretGiven: false })).toEqual([]);
    expect(insecureReasons({ host: "0.0.0.0", memory: false, secretGiven: true })).toEqual([]);
    expect(insecureReasons({ host: "0.0.0.0", memory: true, secretGiven: false })).toHaveLength(2);
  });

  it("serve - refuses a non-loopback --host with --memory, or without a secret, exit 2 and a clear message", () => {
    dir = tempDir();
    const memory = spawnSync(process.execPath, cliArgs("serve", "--host", "0.0.0.0", "--memory", "--port", "0"), {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, ROOMGATE_SECRET: SECRET },
      timeout: 20_000,
    });
    expect(memory.status).toBe(2);
    expect(memory.stderr).toContain("refusing to start: --host 0.0.0.0 accepts connections from other machines, and --memory");
    expect(memory.stderr).toContain("--allow-insecure");
    expect(memory.stdout).not.toContain("listening");
    const generated = spawnSync(process.execPath, cliArgs("serve", "--port", "0"), {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, ROOMGATE_SECRET: "", ROOMGATE_HOST: "0.0.0.0" },
      timeout: 20_000,
    });
    expect(generated.status).toBe(2);
    expect(generated.stderr).toContain("no secret was given");
  });

  it("serve - env and --config settings apply, and nothing it prints holds the secret, a token or Bearer", async () => {
    dir = tempDir();
    const config = join(dir, "roomgate.json");
    writeFileSync(config, JSON.stringify({ "log-format": "json", "rate-limit": "identify=1000/1s" }));
    running = await spawnServe(["--config", config], {
      ROOMGATE_SECRET: SECRET,
      ROOMGATE_MEMORY: "1",
      ROOMGATE_METRICS_TOKEN: "scrape-token-1",
    });
    expect(running.output()).toContain("rooms in memory");
    const headers = { authorization: `Bearer ${SECRET}`, "content-type": "application/json" };
    const tokens: string[] = [];
    for (const userId of ["alice", "bob"]) {
      const res = await fetch(`${running.url}/v2/identify-user`, { method: "POST", headers, body: JSON.stringify({ userId }) });
      tokens.push(((await res.json()) as { token: string }).token);
    }
    const acc = await fetch(`${running.url}/v2/authorize-user`, {
      method: "POST",
      headers,
      body: JSON.stringify({ userId: "carol", permissions: { "r*": ["room:write"] } }),
    });
    tokens.push(((await acc.json()) as { token: string }).token);
    await (
      await fetch(`${running.url}/v2/rooms`, {
        method: "POST",
        headers,
        body: JSON.stringify({ id: "r1", defaultAccesses: ["room:write"] }),
      })
    ).text();
    for (const token of tokens) {
      const res = await fetch(`${running.url}/v2/rooms/r1/check-access?token=${token}`, {
        method: "POST",
        headers,
        body: JSON.stringify({ token }),
      });
      expect(res.status).toBe(200);
    }
    // A token as the bearer, a secret in the path, a request id that is a credential: all refused or replaced, none logged.
    await (await fetch(`${running.url}/v2/rooms`, { headers: { authorization: `Bearer ${tokens[0]}` } })).text();
    await (await fetch(`${running.url}/v2/${SECRET}`, { headers: { ...headers, "x-request-id": `Bearer ${SECRET}` } })).text();
    expect((await fetch(`${running.url}/metrics`, { headers: { authorization: "Bearer scrape-token-1" } })).status).toBe(200);
    expect((await fetch(`${running.url}/metrics`)).status).toBe(401);
    await expect
      .poll(
        () =>
          running!
            .output()
            .split("\n")
            .filter((line) => line.startsWith('{"time"')).length,
      )
      .toBe(11);
    await running.stop();
    const everything = `${running.output()}\n${running.errors()}`;
    expect(findLeaks(everything, [SECRET, "scrape-token-1", ...tokens])).toEqual([]);
    // The check itself finds each of them.
    expect(findLeaks(`x ${tokens[2]}\nBearer y\n${SECRET}`, [])).toHaveLength(3);
  });
});
