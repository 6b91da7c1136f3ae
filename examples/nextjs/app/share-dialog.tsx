"use client";

import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { AccessLevel, Sharing } from "../lib/sharing";

const LABELS: Record<AccessLevel, string> = { read: "can view", write: "can edit" };

/** The share dialog: who has access to a room, invite, remove, private or public. */
export function ShareDialog() {
  const [me, setMe] = useState("alice");
  const [roomId, setRoomId] = useState("design-review");
  const [sharing, setSharing] = useState<Sharing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<"user" | "group">("user");
  const [invitee, setInvitee] = useState("");
  const [access, setAccess] = useState<AccessLevel>("read");

  const call = useCallback(
    async (method: string, body?: object) => {
      setError(null);
      const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/share`, {
        method,
        headers: { "content-type": "application/json", "x-user-id": me },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const json = await response.json();
      if (response.ok) setSharing(json as Sharing);
      else setError((json as { message?: string }).message ?? `HTTP ${response.status}`);
    },
    [me, roomId],
  );

  useEffect(() => {
    setSharing(null);
  }, [me, roomId]);

  function invite(event: FormEvent) {
    event.preventDefault();
    void call("POST", { [kind === "user" ? "userId" : "groupId"]: invitee, access }).then(() => setInvitee(""));
  }

  return (
    <section aria-label="Share dialog">
      <p>
        <label>
          Signed in as <input aria-label="Signed-in user" value={me} onChange={(e) => setMe(e.target.value)} />
        </label>{" "}
        <label>
          Room <input aria-label="Room id" value={roomId} onChange={(e) => setRoomId(e.target.value)} />
        </label>{" "}
        <button type="button" onClick={() => void call("GET")}>
          Open
        </button>
      </p>

      {error !== null && (
        <p role="alert" style={{ color: "crimson" }}>
          {error}
        </p>
      )}

      {sharing !== null && (
        <>
          <form onSubmit={invite} aria-label="Invite">
            <select aria-label="Invite a" value={kind} onChange={(e) => setKind(e.target.value as "user" | "group")}>
              <option value="user">User</option>
              <option value="group">Group</option>
            </select>{" "}
            <input aria-label="Invitee id" placeholder="id" value={invitee} onChange={(e) => setInvitee(e.target.value)} />{" "}
            <select aria-label="Access level" value={access} onChange={(e) => setAccess(e.target.value as AccessLevel)}>
              <option value="read">{LABELS.read}</option>
              <option value="write">{LABELS.write}</option>
            </select>{" "}
            <button type="submit">Invite</button>
          </form>

          <h2>People and groups with access</h2>
          <ul aria-label="Access list">
            {sharing.users.map((user) => (
              <li key={`user:${user.id}`} data-testid={`user-${user.id}`}>
                {user.id} — {LABELS[user.access]}{" "}
                <button type="button" onClick={() => void call("DELETE", { userId: user.id })}>
                  Remove {user.id}
                </button>
              </li>
            ))}
            {sharing.groups.map((group) => (
              <li key={`group:${group.id}`} data-testid={`group-${group.id}`}>
                group {group.id} — {LABELS[group.access]}{" "}
                <button type="button" onClick={() => void call("DELETE", { groupId: group.id })}>
                  Remove group {group.id}
                </button>
              </li>
            ))}
          </ul>

          <h2>General access</h2>
          <p data-testid="visibility">
            {sharing.visibility === "private" ? "Private: only people and groups above" : `Public: anyone ${LABELS[sharing.publicAccess!]}`}{" "}
            {sharing.visibility === "private" ? (
              <button type="button" onClick={() => void call("PATCH", { visibility: "public", access: "read" })}>
                Make public
              </button>
            ) : (
              <button type="button" onClick={() => void call("PATCH", { visibility: "private" })}>
                Make private
              </button>
            )}
          </p>
        </>
      )}
    </section>
  );
}
