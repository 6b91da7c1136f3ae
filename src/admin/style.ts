/**
 * The console's one stylesheet, served as `/admin/console.css` (the
 * Content-Security-Policy allows styles from the console's own origin
 * only, never inline).
 */
export const CONSOLE_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d8dce4; --accent: #2f5bd3; --bad: #b3261e; --good: #1b7a3d; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f5f6f8; }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #1d2330; color: #fff; }
header .brand { font-weight: 600; letter-spacing: .02em; }
header nav { display: flex; gap: 1rem; flex: 1; }
header a { color: #fff; text-decoration: none; opacity: .85; }
header a:hover, header a[aria-current="page"] { opacity: 1; text-decoration: underline; }
header form { margin: 0; }
header .who { opacity: .75; font-size: .9em; }
main { max-width: 72rem; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 1rem; word-break: break-all; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1.25rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; word-break: break-word; }
th { color: var(--muted); font-weight: 600; font-size: .85em; }
code, .scopes { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .9em; }
form.inline { display: inline; margin: 0; }
td form.inline { display: flex; gap: .5rem; align-items: center; }
td form.inline input[type=text] { flex: 1; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .75rem 1rem; align-items: end; }
label { display: flex; flex-direction: column; gap: .2rem; font-size: .85em; color: var(--muted); }
input[type=text], input[type=password], input[type=search] { font: inherit; color: var(--ink); padding: .4rem .5rem; border: 1px solid var(--line); border-radius: 4px; width: 100%; }
button { font: inherit; padding: .4rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
header button { background: transparent; border-color: #fff6; }
.message { padding: .6rem .9rem; border-radius: 4px; margin-bottom: 1rem; }
.message.error { background: #fdecea; color: var(--bad); border: 1px solid #f3b8b3; }
.message.ok { background: #e8f5ec; color: var(--good); border: 1px solid #b6dfc3; }
.muted { color: var(--muted); }
.verdict { font-weight: 600; font-size: 1.05rem; }
.verdict.yes { color: var(--good); }
.verdict.no { color: var(--bad); }
.login { max-width: 24rem; margin: 4rem auto; }
.login form { display: flex; flex-direction: column; gap: .75rem; }
.pager { margin-top: .75rem; }
.changes { margin: .25rem 0 0; padding-left: 1.1rem; }
`;

/** The console's icon, served as `/admin/icon.svg` (so the browser does not ask the REST API for `/favicon.ico`). */
export const CONSOLE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d2330"/><path d="M4 12V4h5a2.5 2.5 0 0 1 0 5H4m4 0 3 3" stroke="#fff" stroke-width="1.6" fill="none"/></svg>`;
