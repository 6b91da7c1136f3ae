/** A tiny cookie-keeping HTTP client for the console's tests (real HTTP on loopback). */

export const ADMIN_PASSWORD = "correct horse battery staple";

export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly origin: string) {}

  /** The CSRF token the last page's forms carry. */
  static csrfOf(body: string): string {
    const match = /name="csrf" value="([^"]+)"/.exec(body);
    if (match === null) throw new Error(`no CSRF field in: ${body.slice(0, 300)}`);
    return match[1]!;
  }

  async request(path: string, init: RequestInit = {}): Promise<{ response: Response; body: string }> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(new URL(path, this.origin), { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";", 1);
      const eq = pair!.indexOf("=");
      const value = pair!.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(line)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
    return { response, body: await response.text() };
  }

  get(path: string) {
    return this.request(path);
  }

  post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Logs in; resolves to the CSRF token of the signed-in session. */
  async login(name = "ada", password = ADMIN_PASSWORD): Promise<string> {
    const form = await this.get("/admin/login");
    const { response } = await this.post("/admin/login", { csrf: ConsoleClient.csrfOf(form.body), name, password });
    if (response.status !== 303) throw new Error(`login answered ${response.status}`);
    return ConsoleClient.csrfOf((await this.get("/admin/rooms")).body);
  }
}
