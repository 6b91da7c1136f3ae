/**
 * The admin console of `roomgate serve` over real HTTP on loopback: off
 * unless enabled, nothing without a login, no form post without its CSRF
 * token, the security headers on every answer, every value escaped, and
 * edits that go through the API's validation.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/cli/serve.js";
import { CONTENT_SECURITY_POLICY } from "../../src/admin/index.js";
import { Liveblocks, type MemoryStore } from "../../src/index.js";
import type { JournalEntry } from "../../src/rooms/journal.js";
import { ADMIN_PASSWORD, ConsoleClient } from "./helpers.js";

const SECRET = "sk_test_roomgate_console_0123456789";
const quiet = () => undefined;
let server: RunningServer;
let liveblocks: Liveblocks;

beforeAll(async () => {
  server = await startServer({ port: 0, host: "127.0.0.1", secret: SECRET, log: quiet, admin: { password: ADMIN_PASSWORD } });
  liveblocks = new Liveblocks({ secret: SECRET, baseUrl: server.url });
  await liveblocks.createRoom("design-review", {
    defaultAccesses: [],
    usersAccesses: { ada: ["room:write"] },
    groupsAccesses: { contractors: ["room:read", "room:presence:write"] },
    metadata: { team: "design" },
  });
  await liveblocks.createRoom("<script>alert(1)</script>", {
    defaultAccesses: ["room:read"],
    metadata: { note: `"><img src=x onerror=alert(1)>` },
  });
});

afterAll(() => server.close());

describe("admin console - off unless enabled", () => {
  let plain: RunningServer | undefined;
  afterEach(async () => {
    await plain?.close();
    plain = undefined;
  });

  it("GET /admin - 404 when roomgate serve runs without --admin", async () => {
    plain = await startServer({ port: 0, host: "127.0.0.1", secret: SECRET, log: quiet });
    for (const path of ["/admin", "/admin/login", "/admin/rooms"]) {
      const response = await fetch(`${plain.url}${path}`);
      await response.text();
      expect(response.status).toBe(404);
    }
  });

  it("startServer - refuses an admin password that is the API secret, or too short", async () => {
    await expect(startServer({ port: 0, host: "127.0.0.1", secret: SECRET, log: quiet, admin: { password: SECRET } })).rejects.toThrow(
      "must not be the API secret",
    );
    await expect(startServer({ port: 0, host: "127.0.0.1", secret: SECRET, log: quiet, admin: { password: "short" } })).rejects.toThrow(
      "at least 12 characters",
    );
  });
});

describe("admin console - credential", () => {
  it("GET pages - redirect to the login page without a session, and show no room", async () => {
    const client = new ConsoleClient(server.url);
    for (const path of ["/admin", "/admin/rooms", "/admin/room?id=design-review", "/admin/users?userId=ada"]) {
      const { response, body } = await client.get(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get("location")).toBe("/admin/login");
      expect(body).not.toContain("design-review");
    }
  });

  it("POST - 401 without a session, and the room is unchanged", async () => {
    const client = new ConsoleClient(server.url);
    const { response } = await client.post("/admin/room/defaults", { id: "design-review", scopes: "room:write", csrf: "x" });
    expect(response.status).toBe(401);
    expect((await liveblocks.getRoom("design-review")).defaultAccesses).toEqual([]);
  });

  it("GET pages - the API secret as a bearer token or a forged cookie is no login", async () => {
    const bearer = await fetch(`${server.url}/admin/rooms`, { headers: { authorization: `Bearer ${SECRET}` }, redirect: "manual" });
    expect(bearer.status).toBe(303);
    const forged = new ConsoleClient(server.url);
    const payload = Buffer.from(JSON.stringify({ s: "x", n: "mallory", e: Date.now() + 60_000 })).toString("base64url");
    forged.cookies.set("roomgate_admin", `${payload}.AAAA`);
    expect((await forged.get("/admin/rooms")).response.status).toBe(303);
  });

  it("login - a wrong password is refused with 401 and no session", async () => {
    const client = new ConsoleClient(server.url);
    const form = await client.get("/admin/login");
    const { response, body } = await client.post("/admin/login", {
      csrf: ConsoleClient.csrfOf(form.body),
      name: "ada",
      password: `${ADMIN_PASSWORD}!`,
    });
    expect(response.status).toBe(401);
    expect(body).toContain("Wrong admin password.");
    expect((await client.get("/admin/rooms")).response.status).toBe(303);
  });

  it("login - the session cookie is HttpOnly, SameSite=Strict, scoped to /admin and expires; Secure behind HTTPS", async () => {
    const client = new ConsoleClient(server.url);
    const form = await client.get("/admin/login");
    const csrf = ConsoleClient.csrfOf(form.body);
    const { response } = await client.post(
      "/admin/login",
      { csrf, name: "ada", password: ADMIN_PASSWORD },
      { "x-forwarded-proto": "https" },
    );
    expect(response.status).toBe(303);
    const cookie = response.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^roomgate_admin=[\w-]+\.[\w-]+; Path=\/admin; HttpOnly; SameSite=Strict; Max-Age=28800; Secure$/);
    expect((await client.get("/admin/rooms")).response.status).toBe(200);
  });

  it("logout - the session's cookie stops working, even replayed", async () => {
    const client = new ConsoleClient(server.url);
    const csrf = await client.login();
    const stolen = client.cookies.get("roomgate_admin")!;
    expect((await client.post("/admin/logout", { csrf })).response.status).toBe(303);
    const replay = new ConsoleClient(server.url);
    replay.cookies.set("roomgate_admin", stolen);
    expect((await replay.get("/admin/rooms")).response.status).toBe(303);
  });
});

describe("admin console - CSRF", () => {
  it("POST - 403 without the CSRF token or with another session's, and the room is unchanged", async () => {
    const client = new ConsoleClient(server.url);
    await client.login();
    const other = new ConsoleClient(server.url);
    const otherCsrf = await other.login("grace");
    for (const csrf of [undefined, "", otherCsrf]) {
      const fields: Record<string, string> = { id: "design-review", scopes: "room:write" };
      if (csrf !== undefined) fields["csrf"] = csrf;
      const { response, body } = await client.post("/admin/room/defaults", fields);
      expect(response.status).toBe(403);
      expect(body).toContain("CSRF token");
    }
    expect((await liveblocks.getRoom("design-review")).defaultAccesses).toEqual([]);
  });

  it("POST /admin/login - 403 without the login form's token", async () => {
    const client = new ConsoleClient(server.url);
    await client.get("/admin/login");
    const { response } = await client.post("/admin/login", { name: "ada", password: ADMIN_PASSWORD });
    expect(response.status).toBe(403);
    expect((await client.get("/admin/rooms")).response.status).toBe(303);
  });

  it("POST - a body that is not a form is refused with 415, and changes nothing", async () => {
    const client = new ConsoleClient(server.url);
    const csrf = await client.login();
    const { response } = await client.request("/admin/room/defaults", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "design-review", scopes: "room:write", csrf }),
    });
    expect(response.status).toBe(415);
    expect((await liveblocks.getRoom("design-review")).defaultAccesses).toEqual([]);
  });

  it("POST - a cross-site post is refused even with a valid token", async () => {
    const client = new ConsoleClient(server.url);
    const csrf = await client.login();
    const { response } = await client.post(
      "/admin/room/defaults",
      { id: "design-review", scopes: "room:write", csrf },
      { "sec-fetch-site": "cross-site" },
    );
    expect(response.status).toBe(403);
    expect((await liveblocks.getRoom("design-review")).defaultAccesses).toEqual([]);
  });
});

describe("admin console - pages", () => {
  it("every answer - carries the strict Content-Security-Policy; no page has a script or inline style", async () => {
    const client = new ConsoleClient(server.url);
    await client.login();
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
    for (const path of [
      "/admin/login",
      "/admin/rooms",
      "/admin/rooms?prefix=design",
      "/admin/room?id=design-review&checkUser=bob&checkGroups=contractors",
      "/admin/users?userId=ada",
      "/admin/console.css",
      "/admin/nope",
    ]) {
      const { response, body } = await client.get(path);
      expect(response.headers.get("content-security-policy"), path).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      expect(body, path).not.toMatch(/<script|<[^>]+\s(style|on\w+)=/i);
    }
  });

  it("rooms and room view - a room id and metadata holding markup are shown as text", async () => {
    const client = new ConsoleClient(server.url);
    await client.login();
    const list = await client.get("/admin/rooms?prefix=%3Cscript");
    expect(list.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(list.body).toContain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(list.body).not.toMatch(/<script|<img/);
    // Typed values echoed back (a user id in the check, the users view, the search form) are text too.
    for (const path of [
      `/admin/room?id=design-review&checkUser=${encodeURIComponent("<img src=x onerror=alert(1)>")}`,
      `/admin/users?userId=${encodeURIComponent("<script>x</script>")}&groupIds=${encodeURIComponent('"><script>')}`,
      `/admin/rooms?userId=${encodeURIComponent('"><script>y</script>')}`,
    ]) {
      const { response, body } = await client.get(path);
      expect(response.status, path).toBe(200);
      expect(body, path).not.toMatch(/<script|<img/);
      expect(body, path).toMatch(/&lt;(script|img)/);
    }
    const room = await client.get(`/admin/room?id=${encodeURIComponent("<script>alert(1)</script>")}`);
    expect(room.response.status).toBe(200);
    expect(room.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(room.body).not.toMatch(/<script|<img/);
  });

  it("edit - invalid scopes answer the API's status and message and change nothing; valid ones are saved", async () => {
    const client = new ConsoleClient(server.url);
    const csrf = await client.login();
    const bad = await client.post("/admin/room/user", { id: "design-review", entry: "bob", scopes: "room:read room:write", csrf });
    expect(bad.response.status).toBe(422);
    expect(bad.body).toContain(
      "422 UNPROCESSABLE_ENTITY: Invalid value for field &#39;usersAccesses.bob&#39;: Permissions must include exactly one of *:read, *:write",
    );
    expect((await liveblocks.getRoom("design-review")).usersAccesses).toEqual({ ada: ["room:write"] });

    const good = await client.post("/admin/room/user", {
      id: "design-review",
      entry: "bob",
      scopes: "room:read, room:presence:write",
      csrf,
    });
    expect(good.response.status).toBe(303);
    expect((await client.get(good.response.headers.get("location")!)).body).toContain("User access saved.");
    expect((await liveblocks.getRoom("design-review")).usersAccesses).toEqual({
      ada: ["room:write"],
      bob: ["room:read", "room:presence:write"],
    });

    const entries: JournalEntry[] = [];
    const stop = (server.store as MemoryStore).registerJournalWriter((entry) => void entries.push(entry));
    const removed = await client.post("/admin/room/user", { id: "design-review", entry: "bob", remove: "1", csrf });
    stop();
    // The change is on record under the signed-in admin's name.
    expect(entries.map((entry) => [entry.type, entry.actor])).toEqual([["roomUpdated", "admin:ada"]]);
    // The room's audit trail shows it, newest first, with the entry before and after.
    const trail = (await client.get("/admin/room?id=design-review")).body;
    const audit = trail.slice(trail.indexOf('id="audit"'));
    expect(audit).toMatch(
      /<code>admin:ada<\/code>[\s\S]*?user <code>bob<\/code>: <span class="scopes">room:read room:presence:write<\/span> → <span class="scopes">\(none\)<\/span>/,
    );
    expect(audit.indexOf("(none)</span> → ")).toBeGreaterThan(audit.indexOf('→ <span class="scopes">(none)</span>'));
    expect(removed.response.status).toBe(303);
    expect((await liveblocks.getRoom("design-review")).usersAccesses).toEqual({ ada: ["room:write"] });
  });

  it("search - a bad query answers the API's 422 INVALID_QUERY message", async () => {
    const client = new ConsoleClient(server.url);
    await client.login();
    const { response, body } = await client.get(`/admin/rooms?query=${encodeURIComponent("bogus:1")}`);
    expect(response.status).toBe(422);
    expect(body).toContain("422 INVALID_QUERY: Invalid value for field &#39;query&#39;");
  });

  it("can enter - shows the decision for a user through a group", async () => {
    const client = new ConsoleClient(server.url);
    await client.login();
    const { body } = await client.get("/admin/room?id=design-review&checkUser=carol&checkGroups=contractors");
    expect(body).toContain("Yes: carol can enter, read-only.");
    // explainAccess's sentence and the layer that decided each feature.
    expect(body).toContain("Read-only: group &quot;contractors&quot; grants room:read");
    expect(body).toContain("<td>group contractors (room:read)</td>");
    const denied = await client.get("/admin/room?id=design-review&checkUser=carol");
    expect(denied.body).toContain("No: carol cannot enter this room.");
  });

  it("login - too many failed logins answer 429, even with the right password", async () => {
    const own = await startServer({ port: 0, host: "127.0.0.1", secret: SECRET, log: quiet, admin: { password: ADMIN_PASSWORD } });
    try {
      const client = new ConsoleClient(own.url);
      const csrf = ConsoleClient.csrfOf((await client.get("/admin/login")).body);
      for (let i = 0; i < 10; i++) {
        expect((await client.post("/admin/login", { csrf, name: "ada", password: "wrong password!" })).response.status).toBe(401);
      }
      expect((await client.post("/admin/login", { csrf, name: "ada", password: ADMIN_PASSWORD })).response.status).toBe(429);
    } finally {
      await own.close();
    }
  });
});

describe("admin console - access views", () => {
  it("room view - lists the effective access of the default and every entry", async () => {
    const client = new ConsoleClient(server.url);
    await client.login();
    const { body } = await client.get("/admin/room?id=design-review");
    const section = body.slice(body.indexOf('id="access-list"'));
    expect(section).toMatch(/everyone else[\s\S]*?cannot enter/);
    expect(section).toMatch(/user <code>ada<\/code>[\s\S]*?can write/);
    expect(section).toMatch(/group <code>contractors<\/code>[\s\S]*?read-only/);
  });

  it("users view - lists the rooms one identity can enter, public ones included", async () => {
    const client = new ConsoleClient(server.url);
    await client.login();
    const rooms = (body: string) => [...body.matchAll(/<a href="\/admin\/room\?id=[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);
    // design-review through the group; the markup room through its public default.
    expect(rooms((await client.get("/admin/users?userId=carol&groupIds=contractors")).body).sort()).toEqual(
      ["&lt;script&gt;alert(1)&lt;/script&gt;", "design-review"].sort(),
    );
    expect(rooms((await client.get("/admin/users?userId=dave")).body)).toEqual(["&lt;script&gt;alert(1)&lt;/script&gt;"]);
  });
});
