/**
 * The room view: the room's stored access (default, users, groups) with
 * forms to change each through `updateRoom`, the "can this user enter?"
 * check, and the sections the access and audit APIs fill in.
 */
import type { RoomAccessList, RoomData } from "../index.js";
import { type EntryCheck, accessListSection, checkResult } from "./access-sections.js";
import { type HtmlValue, type SafeHtml, html } from "./html.js";
import { type Notice, type Viewer, csrfField, layout } from "./layout.js";
import { roomHref, scopesText } from "./rooms-page.js";

/** What a form that failed sent, so the page shows it again beside the API's message. */
export type FailedEdit = { form: "defaults" | "user" | "group"; id: string; scopes: string };

/** Everything the room view shows. */
export type RoomView = {
  room: RoomData;
  check?: EntryCheck | undefined;
  failed?: FailedEdit | undefined;
  /** One page of `getRoomAccessList`. */
  accessList?: RoomAccessList | undefined;
  /** The audit trail section, already rendered. */
  trail?: HtmlValue;
};

function entryRows(
  viewer: Viewer,
  room: RoomData,
  kind: "user" | "group",
  accesses: Readonly<Record<string, readonly string[]>>,
): SafeHtml {
  const ids = Object.keys(accesses).sort();
  if (ids.length === 0)
    return html`<tr>
      <td colspan="3" class="muted">No ${kind} entries.</td>
    </tr>`;
  return html`${ids.map(
    (id) =>
      html`<tr>
        <td><code>${id}</code></td>
        <td>
          <form method="post" action="/admin/room/${kind}" class="inline">
            ${csrfField(viewer)}<input type="hidden" name="id" value="${room.id}" /><input type="hidden" name="entry" value="${id}" /><input
              type="text"
              name="scopes"
              value="${accesses[id]!.join(" ")}"
              aria-label="Scopes of ${kind} ${id}"
            />
            <button type="submit" class="secondary">Save</button>
          </form>
        </td>
        <td>
          <form method="post" action="/admin/room/${kind}" class="inline">
            ${csrfField(viewer)}<input type="hidden" name="id" value="${room.id}" /><input type="hidden" name="entry" value="${id}" /><input
              type="hidden"
              name="remove"
              value="1"
            /><button type="submit" class="danger">Remove</button>
          </form>
        </td>
      </tr>`,
  )}`;
}

function entriesSection(viewer: Viewer, view: RoomView, kind: "user" | "group"): SafeHtml {
  const { room, failed } = view;
  const accesses = kind === "user" ? room.usersAccesses : room.groupsAccesses;
  const refill = failed?.form === kind ? failed : undefined;
  return html`<section id="${kind}s">
    <h2>${kind === "user" ? "Users" : "Groups"} <span class="muted">(${kind}sAccesses)</span></h2>
    <table>
      <thead>
        <tr>
          <th>${kind === "user" ? "User id" : "Group id"}</th>
          <th>Scopes</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${entryRows(viewer, room, kind, accesses)}
      </tbody>
    </table>
    <form method="post" action="/admin/room/${kind}" class="grid" id="add-${kind}">
      ${csrfField(viewer)}<input type="hidden" name="id" value="${room.id}" />
      <label>${kind === "user" ? "User id" : "Group id"}<input type="text" name="entry" value="${refill?.id ?? ""}" required /></label>
      <label
        >Scopes (space separated)<input
          type="text"
          name="scopes"
          placeholder="room:read room:presence:write"
          value="${refill?.scopes ?? ""}"
      /></label>
      <div><button type="submit">Set ${kind} access</button></div>
    </form>
  </section>`;
}

/** The room view. */
export function roomPage(viewer: Viewer, view: RoomView, notice?: Notice): SafeHtml {
  const { room, check, failed } = view;
  const metadata = Object.entries(room.metadata);
  return layout(
    room.id,
    viewer,
    "rooms",
    html`<h1>Room <code id="room-id">${room.id}</code></h1>
      <section id="summary">
        <table>
          <tr>
            <th>Organization</th>
            <td><code>${room.organizationId}</code></td>
          </tr>
          <tr>
            <th>Created</th>
            <td>${room.createdAt.toISOString()}</td>
          </tr>
          <tr>
            <th>Last connection</th>
            <td>${room.lastConnectionAt?.toISOString() ?? "never"}</td>
          </tr>
          <tr>
            <th>Metadata</th>
            <td>
              ${
                metadata.length === 0
                  ? html`<span class="muted">none</span>`
                  : metadata.map(([key, value]) => html`<code>${key}</code> = ${Array.isArray(value) ? value.join(", ") : value}<br />`)
              }
            </td>
          </tr>
        </table>
      </section>
      <section id="defaults">
        <h2>Default access <span class="muted">(defaultAccesses: everyone who can reach the room)</span></h2>
        <form method="post" action="/admin/room/defaults" class="grid">
          ${csrfField(viewer)}<input type="hidden" name="id" value="${room.id}" />
          <label
            >Scopes (space separated; empty for none)<input
              type="text"
              name="scopes"
              value="${failed?.form === "defaults" ? failed.scopes : room.defaultAccesses.join(" ")}"
          /></label>
          <div><button type="submit">Save default access</button></div>
        </form>
      </section>
      ${entriesSection(viewer, view, "user")} ${entriesSection(viewer, view, "group")}
      ${view.accessList === undefined ? "" : accessListSection(view.accessList)}
      <section id="check">
        <h2>Can this user enter?</h2>
        <form method="get" action="/admin/room" class="grid" id="check-form">
          <input type="hidden" name="id" value="${room.id}" />
          <label>User id<input type="text" name="checkUser" value="${check?.userId ?? ""}" required /></label>
          <label
            >Group ids (comma separated; empty: the user's groups in the store)<input
              type="text"
              name="checkGroups"
              value="${check !== undefined && "explanation" in check && check.groupsFrom === "form" ? check.explanation.groupIds.join(", ") : ""}"
          /></label>
          <div><button type="submit">Check</button></div>
        </form>
        ${check === undefined ? "" : checkResult(check)}
      </section>
      ${view.trail}
      <p><a href="${roomHref(room.id)}">Reload</a> · <a href="/admin/rooms">All rooms</a></p>`,
    notice,
  );
}
