/**
 * The room view's audit trail: who changed what and when, newest first,
 * each change as the entries before and after (never whole rooms).
 */
import type { AuditEntry } from "../rooms/audit.js";
import type { EntryChange, RoomChanges } from "../rooms/journal.js";
import { type SafeHtml, html } from "./html.js";
import { roomHref } from "./rooms-page.js";

const WHAT: Readonly<Record<AuditEntry["type"], string>> = {
  roomCreated: "created the room",
  roomUpdated: "updated",
  roomDeleted: "deleted the room",
  roomIdUpdated: "renamed the room",
  tokensRevoked: "revoked tokens",
  tokenRevocationCleared: "cleared a token revocation",
  groupCreated: "created a group",
  groupDeleted: "deleted a group",
  groupMembersAdded: "added group members",
  groupMembersRemoved: "removed group members",
};

function value(of: readonly string[] | string | null): string {
  if (of === null) return "(none)";
  return typeof of === "string" ? of : of.length === 0 ? "[]" : of.join(" ");
}

function change(label: SafeHtml, entry: EntryChange<readonly string[] | string>): SafeHtml {
  return html`<li>${label}: <span class="scopes">${value(entry.before)}</span> → <span class="scopes">${value(entry.after)}</span></li>`;
}

function changesList(changes: RoomChanges | undefined): SafeHtml {
  if (changes === undefined) return html``;
  const items: SafeHtml[] = [];
  if (changes.defaultAccesses !== undefined) items.push(change(html`default`, changes.defaultAccesses));
  for (const [kind, map] of [
    ["user", changes.usersAccesses],
    ["group", changes.groupsAccesses],
    ["metadata", changes.metadata],
  ] as const) {
    if (map === undefined) continue;
    for (const id of Object.keys(map)) items.push(change(html`${kind} <code>${id}</code>`, map[id]!));
  }
  return items.length === 0
    ? html``
    : html`<ul class="changes">
        ${items}
      </ul>`;
}

/** The audit trail section of the room view, with a link to older entries. */
export function auditSection(roomId: string, entries: readonly AuditEntry[], nextCursor: string | null): SafeHtml {
  const older =
    nextCursor === null
      ? ""
      : html`<p class="pager">
          <a href="${roomHref(roomId)}&amp;auditCursor=${encodeURIComponent(nextCursor)}#audit">Older entries →</a>
        </p>`;
  return html`<section id="audit">
    <h2>Audit trail <span class="muted">(newest first)</span></h2>
    ${
      entries.length === 0
        ? html`<p class="muted">No change on record.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
              </tr>
            </thead>
            <tbody>
              ${entries.map(
                (entry) =>
                  html`<tr>
                    <td>${entry.at.toISOString().replace("T", " ").slice(0, 19)}</td>
                    <td><code>${entry.actor}</code></td>
                    <td>
                      ${WHAT[entry.type] ?? entry.type}${entry.newRoomId === undefined ? "" : html` to <code>${entry.newRoomId}</code>`}
                      ${changesList(entry.changes)}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    ${older}
  </section>`;
}

/** In place of the trail when the store keeps none (`getAuditLog` answered 501). */
export function noAuditSection(): SafeHtml {
  return html`<section id="audit">
    <h2>Audit trail</h2>
    <p class="muted">This server's store keeps no audit trail.</p>
  </section>`;
}
