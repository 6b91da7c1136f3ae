/**
 * The revocation writes of `PostgresStore`, as statements run inside the
 * store's transaction, so the journal entry of a write that moved or cleared
 * a cutoff commits with it.
 */
import type { PoolClient } from "pg";
import type { Tables } from "./schema.js";

/** Where a revocation write logs its change and notifies other instances. */
type Feed = { origin: string; channel: string };

/**
 * Moves the cutoff of `userId` forward to `issuedBefore` (never back), logs
 * a `revoked` change (which drops other instances' cached cutoff and tells
 * their watches) and returns the cutoff as stored, and whether it moved. The
 * upsert locks the row, so concurrent revocations see one another.
 */
export async function revokeTokensIn(
  client: PoolClient,
  t: Tables,
  write: Feed & { userId: string; issuedBefore: number },
): Promise<{ cutoff: number; moved: boolean }> {
  const { rows } = await client.query<{ moved_to: string | null }>(
    `WITH up AS (INSERT INTO ${t.revocations} (user_id, issued_before) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO UPDATE SET issued_before = EXCLUDED.issued_before
                   WHERE ${t.revocations}.issued_before < EXCLUDED.issued_before
                 RETURNING issued_before),
          logged AS (INSERT INTO ${t.changes} (room_id, type, at, origin) VALUES ($1, 'revoked', $3, $4) RETURNING seq)
     SELECT pg_notify($5, seq::text), (SELECT issued_before FROM up) AS moved_to FROM logged`,
    [write.userId, write.issuedBefore, Date.now(), write.origin, write.channel],
  );
  if (rows[0]?.moved_to != null) return { cutoff: Number(rows[0].moved_to), moved: true };
  // Not moved: the row exists and this transaction holds its lock, so the
  // next statement reads the cutoff that stays.
  const current = await client.query<{ issued_before: string }>(`SELECT issued_before FROM ${t.revocations} WHERE user_id = $1`, [
    write.userId,
  ]);
  return { cutoff: Number(current.rows[0]?.issued_before ?? write.issuedBefore), moved: false };
}

/** Removes the cutoff of `userId` and logs it like a revocation; whether there was one. */
export async function clearRevocationIn(client: PoolClient, t: Tables, write: Feed & { userId: string }): Promise<boolean> {
  const { rows } = await client.query(
    `WITH gone AS (DELETE FROM ${t.revocations} WHERE user_id = $1 RETURNING user_id),
          logged AS (INSERT INTO ${t.changes} (room_id, type, at, origin)
                     SELECT user_id, 'revoked', $2, $3 FROM gone RETURNING seq)
     SELECT pg_notify($4, seq::text) FROM logged`,
    [write.userId, Date.now(), write.origin, write.channel],
  );
  return rows.length > 0;
}
