/**
 * The console's responses: every one carries the same security headers (a
 * Content-Security-Policy that allows no script at all and styles from the
 * console's own stylesheet only, no framing, no caching of pages).
 */
import type { SafeHtml } from "./html.js";

/** No scripts, no inline styles, forms post back to the console only, never framed. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** An HTML page. */
export function page(status: number, body: SafeHtml, headers: Record<string, string> = {}): Response {
  return new Response(`<!doctype html>\n${body.text}`, {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/** A 303 to `location` (a console path), after a form post or for a visitor not signed in. */
export function redirect(location: string, headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 303, headers: { ...SECURITY_HEADERS, location, "cache-control": "no-store", ...headers } });
}

/** A short plain-text answer (errors outside a page: 404, 405, 413, 415). */
export function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/** A static asset (the stylesheet, the icon). */
export function asset(body: string, contentType: string): Response {
  return new Response(body, {
    status: 200,
    headers: { ...SECURITY_HEADERS, "content-type": contentType, "cache-control": "private, max-age=300" },
  });
}
