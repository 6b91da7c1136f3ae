/**
 * The group methods of the facade (`createGroup`, `getGroup`, …): validate,
 * call the store's optional group part, answer `@liveblocks/node`'s shapes
 * or its errors (404 `GROUP_NOT_FOUND`, 409 `GROUP_ALREADY_EXISTS`, 422).
 */
import { LiveblocksError, groupExists, groupNotFound, invalidField, notImplemented } from "../protocol/errors.js";
import type { AuthResponse } from "./auth.js";
import { DEFAULT_ORGANIZATION, type GroupData, type GroupStore, INVALID_CURSOR_CODE } from "../rooms/types.js";
import { DEFAULT_PAGE_SIZE } from "./limits.js";
import type { Config } from "./options.js";
import type { z } from "zod";
import { type Schemas, checkInput, parseInput } from "./schemas.js";
import type { Page, RequestOptions } from "./types.js";
import { regroupWatches } from "./entry/watch.js";
import { writeOptions } from "./actor.js";

/** The parameters of `createGroup`, as `@liveblocks/node` takes them. */
export type CreateGroupOptions = {
  groupId: string;
  memberIds?: string[];
  organizationId?: string;
  /** @deprecated Use `organizationId`. */
  tenantId?: string;
  scopes?: { mention?: boolean };
};

/** `limit` and `startingAfter` of the group listings, plus roomgate's organization filter. */
export type GroupPaginationOptions = { limit?: number; startingAfter?: string; organizationId?: string };

/** The store's group part, or 501 if the store has none. */
function groupsOf(config: Config): GroupStore {
  const store = config.store;
  if (
    store.createGroup === undefined ||
    store.getGroup === undefined ||
    store.deleteGroup === undefined ||
    store.addGroupMembers === undefined ||
    store.removeGroupMembers === undefined ||
    store.listGroups === undefined
  ) {
    throw notImplemented("Groups");
  }
  return store as GroupStore;
}

/** A check, in the store's atomic section, that a group keeps at most `limits.groupMembers` members. */
function memberLimit(config: Config): (count: number) => void {
  const max = config.limits.groupMembers;
  return (count) => {
    if (count > max) throw invalidField("memberIds", `a group can have at most ${max} members, it would have ${count}`);
  };
}

/** @internal `createGroup`. */
export async function createGroup(config: Config, params: CreateGroupOptions, options?: RequestOptions): Promise<GroupData> {
  options?.signal?.throwIfAborted();
  const input = parseInput(config.schemas.createGroup, params, "params");
  const store = groupsOf(config);
  const now = new Date(config.now());
  const organizationId = input.organizationId ?? input.tenantId ?? DEFAULT_ORGANIZATION;
  const group: GroupData = {
    type: "group",
    id: input.groupId,
    tenantId: organizationId,
    organizationId,
    createdAt: now,
    updatedAt: now,
    // Liveblocks' default is `{ mention: true }`.
    scopes: input.scopes?.mention === false ? {} : { mention: true },
    members: [...new Set(input.memberIds ?? [])].map((id) => ({ id, addedAt: now })),
  };
  const result = await store.createGroup(group, { ...writeOptions(options), assert: memberLimit(config) });
  if (!result.created) throw groupExists(input.groupId);
  return result.group;
}

/** @internal `getGroup`. */
export async function getGroup(config: Config, params: { groupId: string }, options?: RequestOptions): Promise<GroupData> {
  options?.signal?.throwIfAborted();
  const { groupId } = parseInput(config.schemas.group, params, "params");
  const group = await groupsOf(config).getGroup(groupId, { signal: options?.signal });
  if (group === null) throw groupNotFound(groupId);
  return group;
}

/** @internal `deleteGroup`. */
export async function deleteGroup(config: Config, params: { groupId: string }, options?: RequestOptions): Promise<void> {
  options?.signal?.throwIfAborted();
  const { groupId } = parseInput(config.schemas.group, params, "params");
  const write = writeOptions(options);
  const store = groupsOf(config);
  // Its members, for their watches: only read when a watch could care.
  const members = config.groupsFrom === "store" ? ((await store.getGroup(groupId, { signal: options?.signal }))?.members ?? []) : [];
  if (!(await store.deleteGroup(groupId, write))) throw groupNotFound(groupId);
  regroupWatches(
    config,
    members.map((member) => member.id),
  );
}

/** @internal `addGroupMembers` and `removeGroupMembers`. */
export async function changeGroupMembers(
  config: Config,
  change: "add" | "remove",
  params: { groupId: string; memberIds: string[] },
  options?: RequestOptions,
): Promise<GroupData> {
  options?.signal?.throwIfAborted();
  const { groupId, memberIds } = parseInput(config.schemas.groupMembers, params, "params");
  const store = groupsOf(config);
  const at = new Date(config.now());
  const group =
    change === "add"
      ? await store.addGroupMembers(groupId, memberIds, at, { ...writeOptions(options), assert: memberLimit(config) })
      : await store.removeGroupMembers(groupId, memberIds, at, writeOptions(options));
  if (group === null) throw groupNotFound(groupId);
  regroupWatches(config, memberIds);
  return group;
}

/** @internal `getGroups` (no `userId`) and `getUserGroups`. */
export async function listGroups(
  config: Config,
  params: GroupPaginationOptions & { userId?: string },
  options?: RequestOptions,
): Promise<Page<GroupData>> {
  options?.signal?.throwIfAborted();
  const input: { userId?: string } & z.output<Schemas["getGroups"]> =
    params.userId === undefined
      ? parseInput(config.schemas.getGroups, params, "params")
      : parseInput(config.schemas.getUserGroups, params, "params");
  const store = groupsOf(config);
  try {
    const page = await store.listGroups(
      {
        limit: input.limit ?? DEFAULT_PAGE_SIZE,
        ...(input.userId !== undefined && { userId: input.userId }),
        ...(input.organizationId !== undefined && { organizationId: input.organizationId }),
        ...(input.startingAfter !== undefined && { cursor: input.startingAfter }),
      },
      { signal: options?.signal },
    );
    return { nextCursor: page.nextCursor, data: page.groups };
  } catch (error) {
    // By code, not class: a store may come from another copy of roomgate.
    if ((error as { code?: unknown } | null)?.code === INVALID_CURSOR_CODE) {
      throw invalidField("startingAfter", "is not a cursor this server issued", "INVALID_CURSOR");
    }
    throw error;
  }
}

/**
 * @internal `identifyUser` with `groupsFrom: "store"`: the identity with the
 * stored groups `userId` is a member of (in the identity's organization)
 * appended to the `groupIds` given, or an answer when they cannot be read.
 * An identity the schema refuses is returned unchanged, for
 * `identifyUser` to answer its 422.
 */
export async function withStoredGroups(config: Config, identity: unknown): Promise<{ identity: unknown } | { answer: AuthResponse }> {
  const fields = typeof identity === "string" ? { userId: identity } : identity;
  const parsed = checkInput(config.schemas.identity, fields, "identity");
  if (!parsed.ok) return { identity };
  const { userId, groupIds = [], organizationId, tenantId } = parsed.data;
  const merged = new Set(groupIds);
  try {
    const store = groupsOf(config);
    let cursor: string | undefined;
    // Past the token's limit the schema answers 422 anyway: read no further.
    do {
      const page = await store.listGroups({
        userId,
        organizationId: organizationId ?? tenantId ?? DEFAULT_ORGANIZATION,
        limit: config.limits.pageSize,
        ...(cursor !== undefined && { cursor }),
      });
      for (const group of page.groups) merged.add(group.id);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && merged.size <= config.limits.groupIds);
  } catch (error) {
    const status = error instanceof LiveblocksError ? error.status : 503;
    const message = error instanceof LiveblocksError ? error.message : "Could not read the user's groups from the store.";
    return { answer: { status: status >= 500 ? 503 : status, body: message, ...(error instanceof Error && { error }) } };
  }
  return { identity: { ...(fields as object), userId, groupIds: [...merged] } };
}
