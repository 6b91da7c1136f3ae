/**
 * The admin console in Debian's Chromium (playwright-core, /usr/bin/chromium)
 * against `roomgate serve --admin` started as users start it, over SQLite and
 * over PostgreSQL (a schema of its own): login → search → room → edit →
 * can-enter → users view. A screenshot of every view is written under
 * `test-results/console/<store>/` for a reviewer to look at.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Liveblocks } from "@liveblocks/node";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServeProcess, spawnServe, tempDir } from "../cli/helpers.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
import { ADMIN_PASSWORD } from "./helpers.js";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const SECRET = "sk_test_roomgate_console_e2e_0123456789";
const SHOTS = fileURLToPath(new URL("../../test-results/console/", import.meta.url));

const pgUnavailable = await probePostgres();
if (pgUnavailable !== null) console.warn(`Skipping the console over PostgreSQL: ${pgUnavailable}`);
if (!existsSync(CHROMIUM)) console.warn(`Skipping the console in Chromium: no browser at ${CHROMIUM}`);

/** The browser's `getComputedStyle` (the project's lib has no DOM). */
type StyleWindow = { getComputedStyle(element: unknown): { backgroundColor: string } };

let browser: Browser;
beforeAll(async () => {
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
});
afterAll(async () => {
  await browser?.close();
});

/** Rooms a support team would look at: one reached through a user entry, a group and a public default. */
async function seed(url: string): Promise<void> {
  const sdk = new Liveblocks({ secret: SECRET, baseUrl: url });
  await sdk.createGroup({ groupId: "contractors", memberIds: ["carol"] });
  await sdk.createRoom("design-review", {
    defaultAccesses: [],
    usersAccesses: { ada: ["room:write"] },
    groupsAccesses: { contractors: ["room:read", "room:presence:write"] },
    metadata: { team: "design", status: "open" },
  });
  await sdk.createRoom("design-archive", { defaultAccesses: ["room:read"], metadata: { team: "design", status: "closed" } });
  await sdk.createRoom("billing-q3", { defaultAccesses: [], usersAccesses: { grace: ["room:write"] }, metadata: { team: "billing" } });
  await sdk.createRoom("<script>alert('x')</script>", { defaultAccesses: [], metadata: { note: "<img src=x onerror=alert(1)>" } });
}

/** Drives every view once; `store` names the screenshot folder. */
async function walkThrough(origin: string, store: string): Promise<void> {
  const dir = join(SHOTS, store);
  mkdirSync(dir, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1180, height: 860 } });
  const page: Page = await context.newPage();
  // A CSP violation (an inline script or style the console would have) shows up as a console error.
  const problems: string[] = [];
  page.on("console", (message) => {
    // Pages answered 401/422 on purpose (a wrong password, a refused edit) log a load failure; anything else counts.
    if (message.type() === "error" && !/^Failed to load resource: .* (401|422) /.test(message.text())) problems.push(message.text());
  });
  // Every sub-resource (the stylesheet, the icon) loads from the console itself.
  page.on("response", (response) => {
    if (response.request().resourceType() !== "document" && response.status() !== 200) {
      problems.push(`${response.url()} answered ${response.status()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(error.message));
  const shot = (name: string) => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  try {
    // Not signed in: every page sends the browser to the login form.
    await page.goto(`${origin}/admin/rooms`);
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    await shot("1-login");
    await page.fill('input[name="name"]', "ada");
    await page.fill('input[name="password"]', "not the password");
    await page.click('button[type="submit"]');
    await expect(page.innerText('[role="alert"]')).resolves.toContain("Wrong admin password.");
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    await page.click('button[type="submit"]');
    expect(new URL(page.url()).pathname).toBe("/admin/rooms");
    // The stylesheet loaded under the CSP (header colour from console.css).
    expect(await page.$eval("header", (el) => (globalThis as unknown as StyleWindow).getComputedStyle(el).backgroundColor)).toBe(
      "rgb(29, 35, 48)",
    );
    await shot("2-rooms");

    // Search by id prefix, then by metadata, then by group.
    await page.fill('input[name="prefix"]', "design");
    await page.click('#room-search button[type="submit"]');
    expect(await page.$$eval("#rooms tbody tr td:first-child", (cells) => cells.map((c) => c.textContent))).toEqual([
      "design-archive",
      "design-review",
    ]);
    await shot("3-rooms-search-prefix");
    await page.goto(`${origin}/admin/rooms?metaKey=status&metaValue=open`);
    expect(await page.$$eval("#rooms tbody tr td:first-child", (cells) => cells.map((c) => c.textContent))).toEqual(["design-review"]);
    await page.goto(`${origin}/admin/rooms?prefix=%3C`);
    // Markup in a room id and its metadata is text: no element was made from it.
    expect(await page.textContent("#rooms tbody tr td:first-child")).toBe("<script>alert('x')</script>");
    expect(await page.$$("main img")).toHaveLength(0);
    await shot("4-rooms-escaped");
    await page.goto(`${origin}/admin/rooms?groupIds=contractors`);
    await page.click("text=design-review");
    expect(await page.textContent("#room-id")).toBe("design-review");
    await shot("5-room");

    // Edit: the API's message for a bad permission set, then a valid one.
    await page.fill('#add-user input[name="entry"]', "bob");
    await page.fill('#add-user input[name="scopes"]', "room:read room:write");
    await page.click('#add-user button[type="submit"]');
    await expect(page.innerText('[role="alert"]')).resolves.toContain(
      "422 UNPROCESSABLE_ENTITY: Invalid value for field 'usersAccesses.bob': Permissions must include exactly one of",
    );
    await shot("6-room-edit-refused");
    await page.fill('#add-user input[name="scopes"]', "room:read room:presence:write");
    await page.click('#add-user button[type="submit"]');
    await expect(page.innerText('[role="status"]')).resolves.toBe("User access saved.");
    expect(await page.$$eval("#users tbody td:first-child", (cells) => cells.map((c) => c.textContent))).toEqual(["ada", "bob"]);
    await page.fill('#defaults input[name="scopes"]', "room:read");
    await page.click('#defaults button[type="submit"]');
    await expect(page.innerText('[role="status"]')).resolves.toBe("Default access saved.");

    // Can this user enter? carol through her group in the store; bob through his own entry.
    await page.fill('#check-form input[name="checkUser"]', "carol");
    await page.click('#check-form button[type="submit"]');
    await expect(page.innerText("#check-result .verdict")).resolves.toBe("Yes: carol can enter, read-only.");
    expect(await page.innerText("#check-result")).toContain("contractors");
    // explainAccess: the default now gives room:read too; the group decided nothing the default did not.
    expect(await page.innerText("#check-summary")).toMatch(/^Read-only/);
    expect(await page.innerText("#access-list")).toMatch(/user\s+bob/);
    await shot("7-room-can-enter");
    // The audit trail names the console's admin as the actor of these edits, newest first.
    const trail = await page.innerText("#audit");
    expect(trail).toMatch(/admin:ada\s+updated\s+default: \[\] → room:read/);
    expect(trail).toContain("api");
    await page.locator("#audit").screenshot({ path: join(dir, "7b-room-audit.png") });

    // The users view: the rooms carol reaches.
    await page.click("header >> text=Users");
    await page.fill('#user-search input[name="userId"]', "carol");
    await page.click('#user-search button[type="submit"]');
    // Through her group (design-review) and a public default (design-archive), not billing-q3 nor the private markup room.
    expect((await page.$$eval("#rooms tbody tr td:first-child", (cells) => cells.map((c) => c.textContent))).sort()).toEqual([
      "design-archive",
      "design-review",
    ]);
    await shot("8-users");

    // A form post without its CSRF token is refused, even with the session cookie.
    const forged = await page.request.post(`${origin}/admin/room/defaults`, {
      form: { id: "design-review", scopes: "room:write" },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    await page.reload();
    expect(await page.inputValue('#user-search input[name="userId"]')).toBe("carol");

    // Logging out ends the session.
    await page.click('header button[type="submit"]');
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    await page.goto(`${origin}/admin/rooms`);
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    expect(problems).toEqual([]);
  } finally {
    await context.close();
  }
}

describe.skipIf(!existsSync(CHROMIUM))("admin console in Chromium", () => {
  it("console over SQLite - login, search, room, edit, can-enter, users view, logout", async () => {
    const cwd = tempDir();
    let running: ServeProcess | undefined;
    try {
      running = await spawnServe(
        ["--secret", SECRET, "--db", join(cwd, "rooms.db"), "--admin"],
        { ROOMGATE_ADMIN_PASSWORD: ADMIN_PASSWORD },
        cwd,
      );
      expect(running.output()).toContain(`Admin console: ${running.url}/admin`);
      await seed(running.url);
      await walkThrough(running.url, "sqlite");
    } finally {
      await running?.stop();
    }
  });

  it.skipIf(pgUnavailable !== null)("console over PostgreSQL - login, search, room, edit, can-enter, users view, logout", async () => {
    const schema = testSchema("console");
    let running: ServeProcess | undefined;
    try {
      running = await spawnServe(["--secret", SECRET, "--database-url", DATABASE_URL, "--schema", schema, "--admin"], {
        ROOMGATE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      });
      await seed(running.url);
      await walkThrough(running.url, "postgres");
    } finally {
      await running?.stop();
      await dropSchema(schema);
    }
  });
});
