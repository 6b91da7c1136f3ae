/**
 * The room view's access sections: the effective access list (who the room
 * names and what each gets, from `getRoomAccessList`) and the explanation
 * of "can this user enter?" (from `explainAccess`).
 */
import { type AccessSource, type LayerLevel, RESOURCES, type RoomAccessExplanation, type RoomAccessList } from "../index.js";
import { type SafeHtml, html } from "./html.js";
import { roomHref, scopesText } from "./rooms-page.js";

/** The outcome of "can this user enter?". */
export type EntryCheck =
  { userId: string; explanation: RoomAccessExplanation; groupsFrom: "form" | "store" } | { userId: string; problem: string };

function effectiveCell(effective: RoomAccessList["defaultAccess"]["effective"]): SafeHtml {
  const verdict = !effective.canEnter ? "cannot enter" : effective.isReadOnly ? "read-only" : "can write";
  return html`<td class="scopes">${scopesText(effective.scopes)}</td>
    <td>${verdict}</td>`;
}

/** The effective access list, with a link to its next page. */
export function accessListSection(list: RoomAccessList): SafeHtml {
  const next =
    list.nextCursor === null
      ? ""
      : html`<p class="pager">
          <a href="${roomHref(list.roomId)}&amp;accessCursor=${encodeURIComponent(list.nextCursor)}">More entries →</a>
        </p>`;
  return html`<section id="access-list">
    <h2>Effective access <span class="muted">(each entry on its own, over the default)</span></h2>
    <table>
      <thead>
        <tr>
          <th>Who</th>
          <th>Stored entry</th>
          <th>Effective scopes</th>
          <th>Gives</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <td>everyone else <span class="muted">(default)</span></td>
          <td class="scopes">${scopesText(list.defaultAccess.stored)}</td>
          ${effectiveCell(list.defaultAccess.effective)}
        </tr>
        ${list.data.map(
          (entry) =>
            html`<tr>
              <td>${entry.kind} <code>${entry.id}</code></td>
              <td class="scopes">${scopesText(entry.stored)}</td>
              ${effectiveCell(entry.effective)}
            </tr>`,
        )}
      </tbody>
    </table>
    ${next}
    <p class="muted">
      A user in several groups gets the highest access of those groups, and a user entry overrides them: use "Can this user enter?" for one
      person.
    </p>
  </section>`;
}

function source(decidedBy: AccessSource): string {
  switch (decidedBy.layer) {
    case "user":
      return `user entry (${decidedBy.scope})`;
    case "group":
      return `group ${decidedBy.groupId} (${decidedBy.scope})`;
    case "default":
      return `default (${decidedBy.scope})`;
    case "fallback":
      return `follows ${decidedBy.from}`;
    case "nothing":
      return "nothing grants entry";
  }
}

const said = (level: LayerLevel) => level ?? "—";

/** The answer to "can this user enter?", feature by feature. */
export function checkResult(check: EntryCheck): SafeHtml {
  if ("problem" in check) return html`<div class="message error" role="alert" id="check-result">${check.problem}</div>`;
  const { explanation } = check;
  const { decision } = explanation;
  const verdict = explanation.allowed
    ? `Yes: ${check.userId} can enter${decision.isReadOnly ? ", read-only" : " and write"}.`
    : explanation.reason === "organization-mismatch"
      ? `No: ${check.userId} is in organization ${explanation.organization.identity}, the room in ${explanation.organization.room}.`
      : `No: ${check.userId} cannot enter this room.`;
  const groups =
    explanation.groupIds.length === 0
      ? html`no groups`
      : html`groups ${explanation.groupIds.map((id, i) => html`${i > 0 ? ", " : ""}<code>${id}</code>`)}`;
  return html`<div id="check-result">
    <p class="verdict ${explanation.allowed ? "yes" : "no"}">${verdict}</p>
    <p id="check-summary">${explanation.summary}</p>
    <p class="muted">
      Decided for user <code>${check.userId}</code> with ${groups}
      (${check.groupsFrom === "store" ? "the user's group memberships in the store" : "as typed"}). Scopes:
      <code>${scopesText(decision.scopes)}</code>
    </p>
    <table>
      <thead>
        <tr>
          <th>Feature</th>
          <th>Access</th>
          <th>Decided by</th>
          <th>Default says</th>
          <th>Groups say</th>
          <th>User entry says</th>
        </tr>
      </thead>
      <tbody>
        ${RESOURCES.map((resource) => {
          const row = explanation.resources[resource];
          const { layers } = explanation;
          return html`<tr>
            <td>${resource}</td>
            <td>${row.level}</td>
            <td>${source(row.decidedBy)}</td>
            <td>${said(layers.default[resource])}</td>
            <td>
              ${
                layers.groups.length === 0
                  ? "—"
                  : layers.groups.map((group) => html`<code>${group.groupId}</code>: ${said(group.levels[resource])}<br />`)
              }
            </td>
            <td>${layers.user === null ? "no entry" : said(layers.user[resource])}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}
