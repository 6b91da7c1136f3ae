/**
 * The groups of `SqliteStore`: a `groups` row per group and a
 * `group_members` row per membership (schema version 2). Every method is a
 * few synchronous statements the store runs in one transaction, retried
 * while another connection holds the lock.
 */
import type { Database as Connection, Statement } from "better-sqlite3";
import { groupAfter, groupCursor } from "../../rooms/groups.js";
import type {
  GroupData,
  GroupListPage,
  GroupListQuery,
  GroupStore,
  GroupWriteOptions,
  StoreReadOptions,
  StoreWriteOptions,
} from "../../rooms/types.js";
import { checkText } from "./rows.js";
import { assertPageLimit } from "../../rooms/cursor.js";
import type { JournalBody } from "../../rooms/journal-writers.js";

/** Journals a group write inside its transaction (the store's journal). */
export type SqliteGroupJournal = (body: JournalBody, options: { actor?: string } | undefined) => void;

/** Runs `work` in a read (`write: false`) or `BEGIN IMMEDIATE` transaction, as the store runs its own. */
export type SqliteRunner = <T>(signal: AbortSignal | undefined, write: boolean, work: (db: Connection) => T) => Promise<T>;

type GroupRow = { id: string; organization_id: string; created_at: number; updated_at: number; scopes: string };
type MemberRow = { user_id: string; added_at: number };

const GROUP_COLUMNS = "id, organization_id, created_at, updated_at, scopes";

/** The {@link GroupStore} of a `SqliteStore`, over the runner it hands it. */
export class SqliteGroups implements GroupStore {
  readonly #run: SqliteRunner;
  readonly #journal: SqliteGroupJournal;
  /** Statements by SQL, prepared on the store's connection the first time they run. */
  readonly #statements = new Map<string, Statement>();

  constructor(run: SqliteRunner, journal: SqliteGroupJournal) {
    this.#run = run;
    this.#journal = journal;
  }

  async createGroup(group: GroupData, options?: GroupWriteOptions): Promise<{ group: GroupData; created: boolean }> {
    checkText(group.id, "groupId");
    checkText(group.organizationId, "organizationId");
    for (const member of group.members) checkText(member.id, "memberId");
    return this.#run(options?.signal, true, (db) => {
      const existing = this.#read(db, group.id);
      if (existing !== null) return { group: existing, created: false };
      const members = new Map<string, number>();
      for (const member of group.members) if (!members.has(member.id)) members.set(member.id, member.addedAt.getTime());
      options?.assert?.(members.size);
      this.#sql(db, `INSERT INTO groups (${GROUP_COLUMNS}) VALUES (?, ?, ?, ?, ?)`).run(
        group.id,
        group.organizationId,
        group.createdAt.getTime(),
        group.updatedAt.getTime(),
        JSON.stringify(group.scopes),
      );
      const insert = this.#sql(db, "INSERT INTO group_members (group_id, user_id, added_at) VALUES (?, ?, ?)");
      for (const [memberId, ms] of members) insert.run(group.id, memberId, ms);
      this.#journal({ type: "groupCreated", groupId: group.id, organizationId: group.organizationId }, options);
      return { group: this.#read(db, group.id)!, created: true };
    });
  }

  async getGroup(groupId: string, options?: StoreReadOptions): Promise<GroupData | null> {
    checkText(groupId, "groupId");
    return this.#run(options?.signal, false, (db) => this.#read(db, groupId));
  }

  async deleteGroup(groupId: string, options?: StoreWriteOptions): Promise<boolean> {
    checkText(groupId, "groupId");
    // Memberships go with the group through ON DELETE CASCADE.
    return this.#run(options?.signal, true, (db) => {
      const gone = this.#sql(db, "DELETE FROM groups WHERE id = ? RETURNING organization_id").pluck().get(groupId) as string | undefined;
      if (gone === undefined) return false;
      this.#journal({ type: "groupDeleted", groupId, organizationId: gone }, options);
      return true;
    });
  }

  async addGroupMembers(groupId: string, memberIds: readonly string[], at: Date, options?: GroupWriteOptions): Promise<GroupData | null> {
    checkText(groupId, "groupId");
    for (const id of memberIds) checkText(id, "memberId");
    return this.#run(options?.signal, true, (db) => {
      if (!this.#exists(db, groupId)) return null;
      const has = this.#sql(db, "SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?").pluck();
      const fresh = [...new Set(memberIds)].filter((id) => has.get(groupId, id) === undefined);
      const count = this.#sql(db, "SELECT count(*) FROM group_members WHERE group_id = ?").pluck().get(groupId) as number;
      options?.assert?.(count + fresh.length);
      const ms = at.getTime();
      const insert = this.#sql(db, "INSERT INTO group_members (group_id, user_id, added_at) VALUES (?, ?, ?)");
      for (const id of fresh) insert.run(groupId, id, ms);
      if (fresh.length > 0) {
        this.#sql(db, "UPDATE groups SET updated_at = ? WHERE id = ?").run(ms, groupId);
        this.#journal({ type: "groupMembersAdded", groupId, memberIds: fresh }, options);
      }
      return this.#read(db, groupId);
    });
  }

  async removeGroupMembers(
    groupId: string,
    memberIds: readonly string[],
    at: Date,
    options?: StoreWriteOptions,
  ): Promise<GroupData | null> {
    checkText(groupId, "groupId");
    for (const id of memberIds) checkText(id, "memberId");
    return this.#run(options?.signal, true, (db) => {
      if (!this.#exists(db, groupId)) return null;
      const remove = this.#sql(db, "DELETE FROM group_members WHERE group_id = ? AND user_id = ?");
      const removed = memberIds.filter((id) => remove.run(groupId, id).changes > 0);
      if (removed.length > 0) {
        this.#sql(db, "UPDATE groups SET updated_at = ? WHERE id = ?").run(at.getTime(), groupId);
        this.#journal({ type: "groupMembersRemoved", groupId, memberIds: removed }, options);
      }
      return this.#read(db, groupId);
    });
  }

  async listGroups(query: GroupListQuery, options?: StoreReadOptions): Promise<GroupListPage> {
    assertPageLimit(query.limit);
    const after = groupAfter(query.cursor);
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.userId !== undefined) {
      where.push("g.id IN (SELECT group_id FROM group_members WHERE user_id = ?)");
      params.push(checkText(query.userId, "userId"));
    }
    if (query.organizationId !== undefined) {
      where.push("g.organization_id = ?");
      params.push(checkText(query.organizationId, "organizationId"));
    }
    if (after !== undefined) {
      where.push("g.id > ?");
      params.push(after);
    }
    const sql =
      `SELECT ${GROUP_COLUMNS.replace(/(\w+)/g, "g.$1")} FROM groups g` +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      " ORDER BY g.id LIMIT ?";
    // One row beyond the page proves there is a next page.
    params.push(query.limit + 1);
    return this.#run(options?.signal, false, (db) => {
      const rows = this.#sql(db, sql).all(...params) as GroupRow[];
      const groups = rows.slice(0, query.limit).map((row) => this.#groupOf(db, row));
      const more = rows.length > query.limit;
      return { groups, nextCursor: more ? groupCursor(groups[groups.length - 1]!.id) : null };
    });
  }

  #sql(db: Connection, sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) this.#statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  }

  #exists(db: Connection, groupId: string): boolean {
    return this.#sql(db, "SELECT 1 FROM groups WHERE id = ?").pluck().get(groupId) !== undefined;
  }

  #read(db: Connection, groupId: string): GroupData | null {
    const row = this.#sql(db, `SELECT ${GROUP_COLUMNS} FROM groups WHERE id = ?`).get(groupId) as GroupRow | undefined;
    return row === undefined ? null : this.#groupOf(db, row);
  }

  #groupOf(db: Connection, row: GroupRow): GroupData {
    const members = this.#sql(db, "SELECT user_id, added_at FROM group_members WHERE group_id = ? ORDER BY rowid").all(
      row.id,
    ) as MemberRow[];
    return {
      type: "group",
      id: row.id,
      tenantId: row.organization_id,
      organizationId: row.organization_id,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
      scopes: (JSON.parse(row.scopes) as { mention?: unknown }).mention === true ? { mention: true } : {},
      members: members.map((member) => ({ id: member.user_id, addedAt: new Date(member.added_at) })),
    };
  }
}
