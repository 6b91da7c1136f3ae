/**
 * The groups of `MemoryStore`: each group with its members in a `Map` (the
 * order they were added), and for each user the set of groups they are a
 * member of, so `getUserGroups` reads only that user's groups.
 */
import { groupAfter, groupCursor } from "../../rooms/groups.js";
import { compareIds } from "../../rooms/order.js";
import { assertPageLimit } from "../../rooms/cursor.js";
import type {
  GroupData,
  GroupListPage,
  GroupListQuery,
  GroupStore,
  GroupWriteOptions,
  StoreReadOptions,
  StoreWriteOptions,
} from "../../rooms/types.js";
import type { JournalBody } from "../../rooms/journal-writers.js";

/** Journals a group write, synchronously, before the write changes anything. */
export type MemoryGroupJournal = (body: JournalBody, options: { actor?: string } | undefined) => void;

type StoredGroup = {
  readonly id: string;
  readonly organizationId: string;
  readonly createdAt: number;
  updatedAt: number;
  readonly mention: boolean;
  /** Member id → `addedAt` (epoch ms), in the order they were added. */
  readonly members: Map<string, number>;
};

/**
 * A {@link GroupStore} in process memory; every operation is synchronous
 * inside its promise, so each write is atomic. A listing sorts the ids it
 * draws from (all groups, or one user's), so it costs n log n of those.
 */
export class MemoryGroups implements GroupStore {
  readonly #groups = new Map<string, StoredGroup>();
  readonly #byMember = new Map<string, Set<string>>();
  readonly #journal: MemoryGroupJournal;

  constructor(journal: MemoryGroupJournal) {
    this.#journal = journal;
  }

  async createGroup(group: GroupData, options?: GroupWriteOptions): Promise<{ group: GroupData; created: boolean }> {
    options?.signal?.throwIfAborted();
    const existing = this.#groups.get(group.id);
    if (existing !== undefined) return { group: toData(existing), created: false };
    const members = new Map<string, number>();
    for (const member of group.members) if (!members.has(member.id)) members.set(member.id, member.addedAt.getTime());
    options?.assert?.(members.size);
    this.#journal({ type: "groupCreated", groupId: group.id, organizationId: group.organizationId }, options);
    const stored: StoredGroup = {
      id: group.id,
      organizationId: group.organizationId,
      createdAt: group.createdAt.getTime(),
      updatedAt: group.updatedAt.getTime(),
      mention: group.scopes.mention === true,
      members,
    };
    this.#groups.set(group.id, stored);
    for (const memberId of members.keys()) this.#index(memberId, group.id);
    return { group: toData(stored), created: true };
  }

  async getGroup(groupId: string, options?: StoreReadOptions): Promise<GroupData | null> {
    options?.signal?.throwIfAborted();
    const stored = this.#groups.get(groupId);
    return stored === undefined ? null : toData(stored);
  }

  async deleteGroup(groupId: string, options?: StoreWriteOptions): Promise<boolean> {
    options?.signal?.throwIfAborted();
    const stored = this.#groups.get(groupId);
    if (stored === undefined) return false;
    this.#journal({ type: "groupDeleted", groupId, organizationId: stored.organizationId }, options);
    this.#groups.delete(groupId);
    for (const memberId of stored.members.keys()) this.#unindex(memberId, groupId);
    return true;
  }

  async addGroupMembers(groupId: string, memberIds: readonly string[], at: Date, options?: GroupWriteOptions): Promise<GroupData | null> {
    options?.signal?.throwIfAborted();
    const stored = this.#groups.get(groupId);
    if (stored === undefined) return null;
    const fresh = [...new Set(memberIds)].filter((id) => !stored.members.has(id));
    options?.assert?.(stored.members.size + fresh.length);
    if (fresh.length > 0) this.#journal({ type: "groupMembersAdded", groupId, memberIds: fresh }, options);
    const ms = at.getTime();
    for (const memberId of fresh) {
      stored.members.set(memberId, ms);
      this.#index(memberId, groupId);
    }
    if (fresh.length > 0) stored.updatedAt = ms;
    return toData(stored);
  }

  async removeGroupMembers(
    groupId: string,
    memberIds: readonly string[],
    at: Date,
    options?: StoreWriteOptions,
  ): Promise<GroupData | null> {
    options?.signal?.throwIfAborted();
    const stored = this.#groups.get(groupId);
    if (stored === undefined) return null;
    const removed = [...new Set(memberIds)].filter((id) => stored.members.has(id));
    if (removed.length > 0) this.#journal({ type: "groupMembersRemoved", groupId, memberIds: removed }, options);
    for (const memberId of removed) {
      stored.members.delete(memberId);
      this.#unindex(memberId, groupId);
    }
    if (removed.length > 0) stored.updatedAt = at.getTime();
    return toData(stored);
  }

  async listGroups(query: GroupListQuery, options?: StoreReadOptions): Promise<GroupListPage> {
    options?.signal?.throwIfAborted();
    assertPageLimit(query.limit);
    const after = groupAfter(query.cursor);
    const source = query.userId === undefined ? this.#groups.keys() : (this.#byMember.get(query.userId)?.values() ?? []);
    const ids = [...source].filter((id) => after === undefined || compareIds(id, after) > 0).sort(compareIds);
    const groups: GroupData[] = [];
    for (const id of ids) {
      const stored = this.#groups.get(id)!;
      if (query.organizationId !== undefined && stored.organizationId !== query.organizationId) continue;
      if (groups.length === query.limit) return { groups, nextCursor: groupCursor(groups[groups.length - 1]!.id) };
      groups.push(toData(stored));
    }
    return { groups, nextCursor: null };
  }

  #index(memberId: string, groupId: string): void {
    let set = this.#byMember.get(memberId);
    if (set === undefined) this.#byMember.set(memberId, (set = new Set()));
    set.add(groupId);
  }

  #unindex(memberId: string, groupId: string): void {
    const set = this.#byMember.get(memberId);
    set?.delete(groupId);
    if (set?.size === 0) this.#byMember.delete(memberId);
  }
}

function toData(stored: StoredGroup): GroupData {
  return {
    type: "group",
    id: stored.id,
    tenantId: stored.organizationId,
    organizationId: stored.organizationId,
    createdAt: new Date(stored.createdAt),
    updatedAt: new Date(stored.updatedAt),
    scopes: stored.mention ? { mention: true } : {},
    members: [...stored.members].map(([id, ms]) => ({ id, addedAt: new Date(ms) })),
  };
}
