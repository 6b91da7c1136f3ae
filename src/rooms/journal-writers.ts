/**
 * How a store turns a write into a {@link JournalEntry}: the part every
 * store shares (who and when, the rule for "did anything change"), so the
 * memory, SQLite and Postgres stores journal the same writes the same way.
 *
 * The rule: a write journals one entry when it changed what the store holds,
 * and nothing otherwise. So `create` of an existing room (`created: false`),
 * an `update` whose patch changes no entry (`roomChanges` is `null`), a
 * delete, rename or membership change that finds nothing to act on, a
 * `revokeTokens` whose cutoff is not after the stored one, and a
 * `clearRevocation` of a user without a cutoff leave no entry; a write that
 * throws (its `assert`, a lost lock) leaves none either, since the entry is
 * written in the write's own transaction.
 */
import { DEFAULT_ACTOR, type JournalEntry } from "./journal.js";
import { assertStorableText } from "./text.js";

/** `Omit` over each member of a union, keeping it a union. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A journal entry before the store stamps it with who and when. */
export type JournalBody = DistributiveOmit<JournalEntry, "at" | "actor">;

/** The actor of a write: the caller's, or {@link DEFAULT_ACTOR}; refused (naming `actor`) unless a store can hold it. */
export function writeActor(options: { actor?: string } | undefined): string {
  const actor = options?.actor;
  if (actor === undefined) return DEFAULT_ACTOR;
  assertStorableText(actor, "actor");
  if (actor === "") throw new TypeError("actor must not be empty");
  return actor;
}

/**
 * The entry of a write, stamped with its actor and the store's clock.
 *
 * @example
 * ```ts
 * const entry = stampEntry({ type: "roomDeleted", roomId }, writeActor(options), this.#now);
 * ```
 */
export function stampEntry(body: JournalBody, actor: string, now: () => number): JournalEntry {
  return { ...body, at: new Date(now()), actor } as JournalEntry;
}

/**
 * The writers a store calls in every write's transaction (the audit trail,
 * the webhook outbox): a list the store owns, to which it adds its own and
 * which an integration may join through the store's
 * `registerJournalWriter`.
 */
export class JournalWriters<W> {
  readonly #writers: W[] = [];

  /** Is any writer registered? A store builds no entry when none is. */
  get active(): boolean {
    return this.#writers.length > 0;
  }

  /** The writers, in the order they were added. */
  get list(): readonly W[] {
    return this.#writers;
  }

  /** Adds `writer`; returns the function that removes it. */
  add(writer: W): () => void {
    this.#writers.push(writer);
    return () => {
      const at = this.#writers.indexOf(writer);
      if (at >= 0) this.#writers.splice(at, 1);
    };
  }
}
