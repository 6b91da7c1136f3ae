/**
 * `createAdminHandler`: the console as a Web-standard handler for the
 * `/admin` paths. It talks to the `Liveblocks` facade only, so every edit
 * goes through the same validation, and fails with the same messages, as
 * the REST API. Every page needs a signed-in session; every POST needs the
 * session's CSRF token; nothing is answered without the security headers
 * of `respond.ts`.
 */
import type { Liveblocks } from "../index.js";
import { type RequestHandler } from "../http/index.js";
import { loginPage } from "./layout.js";
import { asset, page, redirect, text } from "./respond.js";
import { type AdminRoutes, createRoutes } from "./routes.js";
import { type AdminSession, SESSION_COOKIE, SessionKeeper, secureRandomBytes } from "./session.js";
import { CONSOLE_CSS, CONSOLE_ICON } from "./style.js";

/** Where the console lives. */
export const ADMIN_PATH = "/admin";
/** The shortest admin password accepted. */
export const MIN_ADMIN_PASSWORD_LENGTH = 12;
/** The largest form body read, in bytes. */
export const MAX_FORM_BYTES = 64 * 1024;
const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const NAME_RULE = /^[\w.@+-]{1,64}$/;
/** The files anyone may fetch (no session): path → body and type. */
const STATIC = new Map<string, [string, string]>([
  ["/admin/console.css", [CONSOLE_CSS, "text/css; charset=utf-8"]],
  ["/admin/icon.svg", [CONSOLE_ICON, "image/svg+xml"]],
]);

/** Options of {@link createAdminHandler}. */
export type AdminConsoleOptions = {
  /** The admin password (at least 12 characters); never the API secret. */
  password: string;
  /** How long a login lasts (default 8 hours). */
  sessionTtlMs?: number;
  /** The clock (tests). */
  now?: () => number;
  /** The source of randomness (tests). */
  randomBytes?: (length: number) => Uint8Array;
};

/**
 * Throws unless `password` is long enough and, when the API secret is given, differs from it
 * (a browser must never hold the secret).
 */
export function assertAdminPassword(password: unknown, apiSecret?: string): asserts password is string {
  if (typeof password !== "string" || password.length < MIN_ADMIN_PASSWORD_LENGTH) {
    throw new Error(`The admin password must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters long`);
  }
  if (password === apiSecret) throw new Error("The admin password must not be the API secret: a browser never holds the secret");
}

/** Whether a request path belongs to the console. */
export function isAdminPath(path: string): boolean {
  return path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`) || path.startsWith(`${ADMIN_PATH}?`);
}

/**
 * The admin console over `liveblocks`. Users log in at `/admin/login` with a
 * name (recorded as the actor of their changes) and the admin password; the
 * session is a signed, HttpOnly, SameSite=Strict cookie (Secure over HTTPS)
 * signed with a key made at start-up, so sessions end when the server restarts.
 *
 * @example
 * ```ts
 * const admin = createAdminHandler(liveblocks, { password: process.env.ROOMGATE_ADMIN_PASSWORD! });
 * const response = await admin(new Request("http://localhost/admin/login"));
 * ```
 */
export function createAdminHandler(liveblocks: Liveblocks, options: AdminConsoleOptions): RequestHandler {
  assertAdminPassword(options.password);
  const ttlMs = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const now = options.now ?? Date.now;
  const keeper = new SessionKeeper({
    password: options.password,
    ttlMs,
    now,
    randomBytes: options.randomBytes ?? secureRandomBytes,
  });
  const routes = createRoutes(liveblocks);

  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return text(400, "Bad request URL");
    }
    if (!isAdminPath(url.pathname)) return text(404, "Not found");
    const method = request.method;
    const file = STATIC.get(url.pathname);
    if (file !== undefined) {
      return method === "GET" || method === "HEAD" ? asset(...file) : text(405, "Method not allowed", { allow: "GET, HEAD" });
    }
    const secure = isHttps(request, url);
    const session = keeper.verify(cookieOf(request, SESSION_COOKIE));
    const cookie = (value: string, maxAgeMs: number) => ({
      "set-cookie": `${SESSION_COOKIE}=${value}; Path=${ADMIN_PATH}; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure ? "; Secure" : ""}`,
    });
    if (method !== "GET" && method !== "HEAD" && method !== "POST") {
      return text(405, "Method not allowed", { allow: "GET, HEAD, POST" });
    }

    let form: URLSearchParams | undefined;
    if (method === "POST") {
      // A cross-site form post is refused before its body is read, whatever it carries.
      const site = request.headers.get("sec-fetch-site");
      if (site !== null && site !== "same-origin" && site !== "none") return text(403, "Cross-site form posts are refused");
      const read = await readForm(request);
      if (read instanceof Response) return read;
      form = read;
    }

    if (url.pathname === "/admin/login") {
      if (method !== "POST") {
        if (session?.name !== undefined) return redirect("/admin/rooms");
        const pre = keeper.issue();
        return page(200, loginPage(keeper.csrfToken(pre.session)), cookie(pre.cookie, pre.session.expiresAt - now()));
      }
      return login(form!, session, cookie);
    }

    if (session?.name === undefined) {
      return method === "POST" ? text(401, "Log in first: /admin/login") : redirect("/admin/login");
    }
    if (method === "POST" && !keeper.csrfMatches(session, form!.get("csrf"))) {
      return text(403, "The form's CSRF token is missing or wrong: reload the page and submit it again");
    }
    if (url.pathname === "/admin/logout") {
      if (method !== "POST") return text(405, "Method not allowed", { allow: "POST" });
      keeper.revoke(session);
      return redirect("/admin/login", cookie("", 0));
    }
    const viewer = { name: session.name, csrf: keeper.csrfToken(session) };
    return dispatch(routes, method, url, form, viewer, request.signal);
  };

  async function login(
    form: URLSearchParams,
    pre: AdminSession | undefined,
    cookie: (value: string, maxAgeMs: number) => Record<string, string>,
  ): Promise<Response> {
    const name = (form.get("name") ?? "").trim();
    if (pre === undefined || !keeper.csrfMatches(pre, form.get("csrf"))) {
      return text(403, "The login form expired or lacks its CSRF token: reload /admin/login and log in again");
    }
    const again = (status: number, message: string) =>
      page(status, loginPage(keeper.csrfToken(pre), { kind: "error", text: message }, name));
    if (keeper.tooManyFailures()) return again(429, "Too many failed logins: wait a minute and try again.");
    if (!NAME_RULE.test(name)) {
      return again(422, "Your name must be 1 to 64 letters, digits or . _ @ + - characters.");
    }
    if (!keeper.passwordMatches(form.get("password") ?? "")) {
      keeper.recordFailure();
      return again(401, "Wrong admin password.");
    }
    // A new session id at login: a pre-session cookie planted before it is worth nothing after.
    const signedIn = keeper.issue(name);
    return redirect("/admin/rooms", cookie(signedIn.cookie, ttlMs));
  }
}

async function dispatch(
  routes: AdminRoutes,
  method: string,
  url: URL,
  form: URLSearchParams | undefined,
  viewer: { name: string; csrf: string },
  signal: AbortSignal,
): Promise<Response> {
  const path = url.pathname;
  if (method === "POST") {
    const action = routes.posts.get(path);
    return action === undefined ? text(404, "Not found") : action(viewer, form!, signal);
  }
  if (path === ADMIN_PATH || path === `${ADMIN_PATH}/`) return redirect("/admin/rooms");
  const view = routes.gets.get(path);
  return view === undefined ? text(404, "Not found") : view(viewer, url.searchParams, signal);
}

/** The body of a form post, or the answer refusing it. */
async function readForm(request: Request): Promise<URLSearchParams | Response> {
  const type = (request.headers.get("content-type") ?? "").split(";", 1)[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return text(415, "Forms are posted as application/x-www-form-urlencoded");
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_FORM_BYTES) return text(413, `A form is at most ${MAX_FORM_BYTES} bytes`);
  const body = await request.text();
  if (body.length > MAX_FORM_BYTES) return text(413, `A form is at most ${MAX_FORM_BYTES} bytes`);
  return new URLSearchParams(body);
}

/** One cookie's value from the `Cookie` header. */
function cookieOf(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie");
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether the browser reached the console over HTTPS (directly or through a proxy that says so). */
function isHttps(request: Request, url: URL): boolean {
  if (url.protocol === "https:") return true;
  return (request.headers.get("x-forwarded-proto") ?? "").split(",", 1)[0]!.trim().toLowerCase() === "https";
}
