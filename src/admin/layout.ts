/**
 * The frame of every console page: head (the stylesheet, no script), the
 * navigation, the signed-in admin and the logout form, and a message line.
 */
import { type HtmlValue, type SafeHtml, html } from "./html.js";

/** Who is looking and what each of their forms must carry. */
export type Viewer = { readonly name: string; readonly csrf: string };

/** A line above the page's content: a success, or an error from the API shown as it answered. */
export type Notice = { readonly kind: "ok" | "error"; readonly text: string };

/** The hidden field every form of the console carries. */
export function csrfField(viewer: Viewer): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${viewer.csrf}" />`;
}

/** A whole page; `viewer` absent means the login page (no navigation). */
export function layout(
  title: string,
  viewer: Viewer | undefined,
  current: "rooms" | "users" | undefined,
  body: HtmlValue,
  notice?: Notice,
): SafeHtml {
  const link = (href: string, label: string, key: "rooms" | "users") =>
    html`<a href="${href}" ${current === key ? html` aria-current="page"` : ""}>${label}</a>`;
  const nav =
    viewer === undefined
      ? html`<header><span class="brand">roomgate console</span></header>`
      : html`<header>
          <span class="brand">roomgate console</span>
          <nav>${link("/admin/rooms", "Rooms", "rooms")}${link("/admin/users", "Users", "users")}</nav>
          <span class="who">signed in as ${viewer.name}</span>
          <form class="inline" method="post" action="/admin/logout">${csrfField(viewer)}<button type="submit">Log out</button></form>
        </header>`;
  return html`<html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="no-referrer" />
      <title>${title} · roomgate console</title>
      <link rel="stylesheet" href="/admin/console.css" />
      <link rel="icon" href="/admin/icon.svg" />
    </head>
    <body>
      ${nav}
      <main>
        ${notice === undefined ? "" : html`<div class="message ${notice.kind}" role="${notice.kind === "error" ? "alert" : "status"}">${notice.text}</div>`}
        ${body}
      </main>
    </body>
  </html>`;
}

/** The login page: a name for the audit trail, and the admin password. */
export function loginPage(csrf: string, notice?: Notice, name = ""): SafeHtml {
  return layout(
    "Log in",
    undefined,
    undefined,
    html`<section class="login">
      <h1>Log in</h1>
      <p class="muted">
        The admin password is the one <code>roomgate serve --admin</code> was started with (<code>--admin-password-file</code> or
        <code>ROOMGATE_ADMIN_PASSWORD</code>), not the API secret.
      </p>
      <form method="post" action="/admin/login">
        <input type="hidden" name="csrf" value="${csrf}" />
        <label
          >Your name (recorded with every change you make)<input
            type="text"
            name="name"
            value="${name}"
            required
            maxlength="64"
            autocomplete="username"
        /></label>
        <label>Admin password<input type="password" name="password" required autocomplete="current-password" /></label>
        <button type="submit">Log in</button>
      </form>
    </section>`,
    notice,
  );
}
