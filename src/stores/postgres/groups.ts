/**
 * The groups of `PostgresStore`: a `groups` row per group and a
 * `group_members` row per membership (migration 2). A membership change
 * locks the group row, so concurrent changes from any instance never lose
 * each other and the member limit holds.
 */
import type { PoolClient } from "pg";
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
import type { Connections } from "./connection.js";
import { checkText } from "./rows.js";
import { assertPageLimit } from "../../rooms/cursor.js";
import type { JournalBody } from "../../rooms/journal-writers.js";

/** Journals a group write inside its transaction (the store's journal). */
export type PostgresGroupJournal = (client: PoolClient, body: JournalBody, options: { actor?: string } | undefined) => Promise<void>;

/** `value`, once checked storable. */
function text(value: string, field: string): string {
  checkText(value, field);
  return value;
}

type GroupRow = { id: string; organization_id: string; created_at: string; updated_at: string; scopes: { mention?: unknown } };
type MemberRow = { group_id: string; user_id: string; added_at: string };

const GROUP_COLUMNS = "id, organization_id, created_at, updated_at, scopes";

/** The {@link GroupStore} of a `PostgresStore`, on its pool, in `schema`. */
export class PostgresGroups implements GroupStore {
  readonly #connections: Connections;
  readonly #groups: string;
  readonly #members: string;
  readonly #journal: PostgresGroupJournal;

  constructor(connections: Connections, schema: string, journal: PostgresGroupJournal) {
    this.#connections = connections;
    this.#journal = journal;
    this.#groups = `"${schema}".groups`;
    this.#members = `"${schema}".group_members`;
  }

  async createGroup(group: GroupData, options?: GroupWriteOptions): Promise<{ group: GroupData; created: boolean }> {
    checkText(group.id, "groupId");
    checkText(group.organizationId, "organizationId");
    const members = new Map<string, number>();
    for (const member of group.members) if (!members.has(text(member.id, "memberId"))) members.set(member.id, member.addedAt.getTime());
    const result = await this.#connections.transaction(options?.signal, async (client) => {
      const inserted = await client.query(
        `INSERT INTO ${this.#groups} (${GROUP_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [group.id, group.organizationId, group.createdAt.getTime(), group.updatedAt.getTime(), JSON.stringify(group.scopes)],
      );
      if (inserted.rowCount === 0) return { group: await this.#read(client, group.id), created: false };
      options?.assert?.(members.size);
      if (members.size > 0) {
        await client.query(
          `INSERT INTO ${this.#members} (group_id, user_id, added_at)
           SELECT $1, m.user_id, m.added_at FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS m(user_id, added_at, n) ORDER BY m.n`,
          [group.id, [...members.keys()], [...members.values()]],
        );
      }
      await this.#journal(client, { type: "groupCreated", groupId: group.id, organizationId: group.organizationId }, options);
      return { group: await this.#read(client, group.id), created: true };
    });
    // Deleted between the conflict and the read: try again.
    if (result.group === null) return this.createGroup(group, options);
    return { group: result.group, created: result.created };
  }

  async getGroup(groupId: string, options?: StoreReadOptions): Promise<GroupData | null> {
    checkText(groupId, "groupId");
    return this.#connections.read(options?.signal, (client) => this.#read(client, groupId));
  }

  async deleteGroup(groupId: string, options?: StoreWriteOptions): Promise<boolean> {
    checkText(groupId, "groupId");
    // Memberships go with the group through ON DELETE CASCADE.
    return this.#connections.transaction(options?.signal, async (client) => {
      const { rows } = await client.query<{ organization_id: string }>(
        `DELETE FROM ${this.#groups} WHERE id = $1 RETURNING organization_id`,
        [groupId],
      );
      if (rows[0] === undefined) return false;
      await this.#journal(client, { type: "groupDeleted", groupId, organizationId: rows[0].organization_id }, options);
      return true;
    });
  }

  async addGroupMembers(groupId: string, memberIds: readonly string[], at: Date, options?: GroupWriteOptions): Promise<GroupData | null> {
    checkText(groupId, "groupId");
    const ids = [...new Set(memberIds)].map((id) => text(id, "memberId"));
    return this.#connections.transaction(options?.signal, async (client) => {
      if (!(await this.#lock(client, groupId))) return null;
      const { rows } = await client.query<{ user_id: string }>(
        `INSERT INTO ${this.#members} (group_id, user_id, added_at)
         SELECT $1, m.user_id, $3 FROM unnest($2::text[]) WITH ORDINALITY AS m(user_id, n) ORDER BY m.n
         ON CONFLICT (group_id, user_id) DO NOTHING RETURNING user_id`,
        [groupId, ids, at.getTime()],
      );
      if (rows.length > 0) {
        const count = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.#members} WHERE group_id = $1`, [groupId]);
        options?.assert?.(Number(count.rows[0]!.n));
        await client.query(`UPDATE ${this.#groups} SET updated_at = $2 WHERE id = $1`, [groupId, at.getTime()]);
        const added = new Set(rows.map((row) => row.user_id));
        await this.#journal(client, { type: "groupMembersAdded", groupId, memberIds: ids.filter((id) => added.has(id)) }, options);
      }
      return this.#read(client, groupId);
    });
  }

  async removeGroupMembers(
    groupId: string,
    memberIds: readonly string[],
    at: Date,
    options?: StoreWriteOptions,
  ): Promise<GroupData | null> {
    checkText(groupId, "groupId");
    const ids = memberIds.map((id) => text(id, "memberId"));
    return this.#connections.transaction(options?.signal, async (client) => {
      if (!(await this.#lock(client, groupId))) return null;
      const { rows } = await client.query<{ user_id: string }>(
        `DELETE FROM ${this.#members} WHERE group_id = $1 AND user_id = ANY($2::text[]) RETURNING user_id`,
        [groupId, ids],
      );
      if (rows.length > 0) {
        await client.query(`UPDATE ${this.#groups} SET updated_at = $2 WHERE id = $1`, [groupId, at.getTime()]);
        // In the order the caller listed them, each once.
        const gone = new Set(rows.map((row) => row.user_id));
        const memberIds = [...new Set(ids)].filter((id) => gone.has(id));
        await this.#journal(client, { type: "groupMembersRemoved", groupId, memberIds }, options);
      }
      return this.#read(client, groupId);
    });
  }

  async listGroups(query: GroupListQuery, options?: StoreReadOptions): Promise<GroupListPage> {
    assertPageLimit(query.limit);
    const after = groupAfter(query.cursor);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (query.userId !== undefined) {
      where.push(`g.id IN (SELECT group_id FROM ${this.#members} WHERE user_id = ${param(text(query.userId, "userId"))})`);
    }
    if (query.organizationId !== undefined) where.push(`g.organization_id = ${param(text(query.organizationId, "organizationId"))}`);
    if (after !== undefined) where.push(`g.id > ${param(after)}`);
    // One row beyond the page proves there is a next page.
    const sql =
      `SELECT ${GROUP_COLUMNS.replace(/(\w+)/g, "g.$1")} FROM ${this.#groups} g` +
      (where.length > 0 ? ` WHERE ${where.join(" AND ")}` : "") +
      ` ORDER BY g.id LIMIT ${param(query.limit + 1)}`;
    return this.#connections.read(options?.signal, async (client) => {
      // One snapshot for the groups and their members.
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      try {
        const { rows } = await client.query<GroupRow>(sql, params);
        const page = rows.slice(0, query.limit);
        const members = await this.#membersOf(
          client,
          page.map((row) => row.id),
        );
        const groups = page.map((row) => toGroup(row, members.get(row.id) ?? []));
        return { groups, nextCursor: rows.length > query.limit ? groupCursor(groups[groups.length - 1]!.id) : null };
      } finally {
        await client.query("COMMIT");
      }
    });
  }

  /** Locks the group row for the transaction; `false` if there is no such group. */
  async #lock(client: PoolClient, groupId: string): Promise<boolean> {
    const { rowCount } = await client.query(`SELECT 1 FROM ${this.#groups} WHERE id = $1 FOR UPDATE`, [groupId]);
    return (rowCount ?? 0) > 0;
  }

  async #read(client: PoolClient, groupId: string): Promise<GroupData | null> {
    const { rows } = await client.query<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM ${this.#groups} WHERE id = $1`, [groupId]);
    if (rows[0] === undefined) return null;
    const members = await this.#membersOf(client, [groupId]);
    return toGroup(rows[0], members.get(groupId) ?? []);
  }

  async #membersOf(client: PoolClient, groupIds: string[]): Promise<Map<string, MemberRow[]>> {
    const out = new Map<string, MemberRow[]>();
    if (groupIds.length === 0) return out;
    const { rows } = await client.query<MemberRow>(
      `SELECT group_id, user_id, added_at FROM ${this.#members} WHERE group_id = ANY($1::text[]) ORDER BY group_id, seq`,
      [groupIds],
    );
    for (const row of rows) {
      let list = out.get(row.group_id);
      if (list === undefined) out.set(row.group_id, (list = []));
      list.push(row);
    }
    return out;
  }
}

function toGroup(row: GroupRow, members: MemberRow[]): GroupData {
  return {
    type: "group",
    id: row.id,
    tenantId: row.organization_id,
    organizationId: row.organization_id,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
    scopes: row.scopes?.mention === true ? { mention: true } : {},
    members: members.map((member) => ({ id: member.user_id, addedAt: new Date(Number(member.added_at)) })),
  };
}
