/**
 * The users view: one identity (a user id, with the groups it belongs to in
 * the store or typed in the form) and the rooms it reaches.
 */
import type { Page, RoomData } from "../index.js";
import { type SafeHtml, html } from "./html.js";
import { type Notice, type Viewer, layout } from "./layout.js";
import { roomHref, scopesText } from "./rooms-page.js";

/** What the users view found for one identity. */
export type UserView = {
  userId: string;
  /** The groups typed in the form ("" for none typed). */
  typedGroups: string;
  groupIds: readonly string[];
  groupsFrom: "form" | "store";
  rooms: Page<RoomData>;
  /** How the rooms were chosen, in a sentence. */
  rule: string;
  /** The link to the next page of rooms. */
  next?: string | undefined;
};

/** The users view, with the results when a user was asked for. */
export function usersPage(viewer: Viewer, form: { userId: string; groupIds: string }, view?: UserView, notice?: Notice): SafeHtml {
  const results =
    view === undefined
      ? ""
      : html`<section id="user-rooms">
          <h2>Rooms <code>${view.userId}</code> can enter</h2>
          <p class="muted">
            ${view.rule} Groups: ${view.groupIds.length === 0 ? "none" : view.groupIds.join(", ")}
            (${view.groupsFrom === "store" ? "the user's memberships in the store" : "as typed"}).
          </p>
          ${
            view.rooms.data.length === 0
              ? html`<p class="muted" id="no-rooms">No room.</p>`
              : html`<table id="rooms">
                  <thead>
                    <tr>
                      <th>Room</th>
                      <th>Default</th>
                      <th>User entry</th>
                      <th>Group entries</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${view.rooms.data.map(
                      (room) =>
                        html`<tr>
                          <td><a href="${roomHref(room.id)}">${room.id}</a></td>
                          <td class="scopes">${scopesText(room.defaultAccesses)}</td>
                          <td class="scopes">
                            ${Object.hasOwn(room.usersAccesses, view.userId) ? scopesText(room.usersAccesses[view.userId]!) : "—"}
                          </td>
                          <td class="scopes">
                            ${view.groupIds
                              .filter((id) => Object.hasOwn(room.groupsAccesses, id))
                              .map((id) => html`<code>${id}</code>: ${scopesText(room.groupsAccesses[id]!)}<br />`)}
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }${view.next === undefined ? "" : html`<p class="pager"><a href="${view.next}" id="next-page">Next page →</a></p>`}
        </section>`;
  return layout(
    "Users",
    viewer,
    "users",
    html`<h1>Users</h1>
      <section>
        <form method="get" action="/admin/users" class="grid" id="user-search">
          <label>User id<input type="text" name="userId" value="${form.userId}" required /></label>
          <label
            >Group ids (comma separated; empty: the user's groups in the store)<input type="text" name="groupIds" value="${form.groupIds}"
          /></label>
          <div><button type="submit">Show rooms</button></div>
        </form>
      </section>
      ${results}`,
    notice,
  );
}
