/**
 * The rooms view: a search form (room id prefix, user, groups, one
 * metadata pair, or the query language) over `getRooms`, and a page of
 * results with a link to the next page.
 */
import type { GetRoomsOptions, Page, RoomData } from "../index.js";
import { type SafeHtml, html } from "./html.js";
import { type Notice, type Viewer, layout } from "./layout.js";

/** The search form's fields, as typed. */
export type RoomSearch = {
  prefix: string;
  userId: string;
  groupIds: string;
  metaKey: string;
  metaValue: string;
  query: string;
  cursor: string;
};

const FIELDS = ["prefix", "userId", "groupIds", "metaKey", "metaValue", "query", "cursor"] as const;

/** The search a URL's query string asks for (missing fields are empty). */
export function roomSearchOf(params: URLSearchParams): RoomSearch {
  const search = {} as RoomSearch;
  for (const field of FIELDS) search[field] = (params.get(field) ?? "").trim();
  return search;
}

/** Ids typed as a list: split on commas and whitespace. */
export function idList(text: string): string[] {
  return text.split(/[\s,]+/).filter((id) => id.length > 0);
}

/**
 * The `getRooms` parameters of a search, or a message saying why the form
 * cannot be one (the API itself judges everything else, with its messages).
 */
export function roomsQueryOf(search: RoomSearch): GetRoomsOptions | { problem: string } {
  const params: GetRoomsOptions = { limit: 20 };
  if (search.query !== "") {
    if (search.prefix !== "" || search.metaKey !== "") {
      return { problem: "Give either a query or the room id prefix and metadata fields, not both." };
    }
    params.query = search.query;
  } else if (search.prefix !== "" || search.metaKey !== "") {
    params.query = {
      ...(search.prefix !== "" && { roomId: { startsWith: search.prefix } }),
      ...(search.metaKey !== "" && { metadata: Object.fromEntries([[search.metaKey, search.metaValue]]) }),
    };
  } else if (search.metaValue !== "") {
    return { problem: "A metadata value needs its key." };
  }
  if (search.userId !== "") params.userId = search.userId;
  const groups = idList(search.groupIds);
  if (groups.length > 0) params.groupIds = groups;
  if (search.cursor !== "") params.startingAfter = search.cursor;
  return params;
}

/** `/admin/room?id=…` */
export function roomHref(roomId: string): string {
  return `/admin/room?${new URLSearchParams({ id: roomId })}`;
}

/** Scopes as one line of text. */
export function scopesText(scopes: readonly string[]): string {
  return scopes.length === 0 ? "—" : scopes.join(" ");
}

function accessesSummary(accesses: Readonly<Record<string, readonly string[]>>): SafeHtml {
  const ids = Object.keys(accesses);
  if (ids.length === 0) return html`<span class="muted">none</span>`;
  const shown = ids.slice(0, 3).map((id, i) => html`${i > 0 ? ", " : ""}<code>${id}</code>`);
  return html`${shown}${ids.length > 3 ? html` <span class="muted">+${ids.length - 3} more</span>` : ""}`;
}

function metadataSummary(metadata: RoomData["metadata"]): SafeHtml {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return html`<span class="muted">none</span>`;
  return html`${entries.map(
    ([key, value], i) => html`${i > 0 ? html`<br />` : ""}<code>${key}</code> = ${Array.isArray(value) ? value.join(", ") : value}`,
  )}`;
}

/** The rooms view. */
export function roomsPage(viewer: Viewer, search: RoomSearch, results: Page<RoomData> | undefined, notice?: Notice): SafeHtml {
  const next = results?.nextCursor == null ? undefined : `/admin/rooms?${new URLSearchParams({ ...search, cursor: results.nextCursor })}`;
  const table =
    results === undefined
      ? ""
      : results.data.length === 0
        ? html`<p class="muted" id="no-rooms">No room matches.</p>`
        : html`<table id="rooms">
              <thead>
                <tr>
                  <th>Room</th>
                  <th>Default access</th>
                  <th>Users</th>
                  <th>Groups</th>
                  <th>Metadata</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                ${results.data.map(
                  (room) =>
                    html`<tr>
                      <td><a href="${roomHref(room.id)}">${room.id}</a></td>
                      <td class="scopes">${scopesText(room.defaultAccesses)}</td>
                      <td>${accessesSummary(room.usersAccesses)}</td>
                      <td>${accessesSummary(room.groupsAccesses)}</td>
                      <td>${metadataSummary(room.metadata)}</td>
                      <td>${room.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            ${next === undefined ? "" : html`<p class="pager"><a href="${next}" id="next-page">Next page →</a></p>`}`;
  return layout(
    "Rooms",
    viewer,
    "rooms",
    html`<h1>Rooms</h1>
      <section>
        <form method="get" action="/admin/rooms" class="grid" id="room-search">
          <label>Room id starts with<input type="search" name="prefix" value="${search.prefix}" /></label>
          <label>User id (named in usersAccesses)<input type="text" name="userId" value="${search.userId}" /></label>
          <label>Group ids (comma separated)<input type="text" name="groupIds" value="${search.groupIds}" /></label>
          <label>Metadata key<input type="text" name="metaKey" value="${search.metaKey}" /></label>
          <label>Metadata value<input type="text" name="metaValue" value="${search.metaValue}" /></label>
          <label
            >…or a query (<code>metadata["status"]:"open" AND roomId^"org:"</code>)<input type="text" name="query" value="${search.query}"
          /></label>
          <div><button type="submit">Search</button></div>
        </form>
        <p class="muted">
          A user or groups match rooms naming them (either one), as <code>getRooms</code> does; the other fields narrow the search. The
          users view lists every room a user can enter.
        </p>
      </section>
      <section>${table}</section>`,
    notice,
  );
}
