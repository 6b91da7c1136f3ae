/** `roomgate serve --admin` as users start it (child processes: in the e2e run): the password's sources and the refusals. */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ServeProcess, cliArgs, spawnServe, tempDir } from "../cli/helpers.js";
import { ADMIN_PASSWORD } from "./helpers.js";

const SECRET = "sk_test_roomgate_console_cli_0123456789";
let running: ServeProcess | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function serve(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, cliArgs("serve", "--memory", "--port", "0", ...args), {
    cwd: tempDir(),
    encoding: "utf8",
    env: { ...process.env, ROOMGATE_SECRET: SECRET, ROOMGATE_ADMIN_PASSWORD: "", ...env },
    timeout: 20_000,
  });
}

describe("roomgate serve --admin", () => {
  it("serve --admin - refuses to start without a password or with the API secret as its password", () => {
    const missing = serve(["--admin"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("--admin needs a password: set ROOMGATE_ADMIN_PASSWORD or pass --admin-password-file");
    const secret = serve(["--admin"], { ROOMGATE_ADMIN_PASSWORD: SECRET });
    expect(secret.status).toBe(1);
    expect(secret.stderr).toContain("must not be the API secret");
  });

  it("serve --admin-password-file - the file's password logs in, and the banner names the console", async () => {
    const dir = tempDir();
    const file = join(dir, "admin-password");
    writeFileSync(file, `${ADMIN_PASSWORD}\n`);
    running = await spawnServe(["--memory", "--admin", "--admin-password-file", file], { ROOMGATE_SECRET: SECRET });
    expect(running.output()).toContain(`Admin console: ${running.url}/admin`);
    expect(running.output()).not.toContain(ADMIN_PASSWORD);
    const form = await fetch(`${running.url}/admin/login`);
    const cookie = form.headers.getSetCookie()[0]!.split(";", 1)[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const login = await fetch(`${running.url}/admin/login`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf, name: "ada", password: ADMIN_PASSWORD }),
      redirect: "manual",
    });
    await login.text();
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/admin/rooms");
  });
});
