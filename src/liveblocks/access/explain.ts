/**
 * `Liveblocks.explainAccess`: the room read as `getRoom` reads it, the
 * groups as room entry counts them, then the pure `explainAccess`.
 */
import { explainAccess } from "../../permissions/explain.js";
import { roomNotFound } from "../../protocol/errors.js";
import { DEFAULT_ORGANIZATION } from "../../rooms/types.js";
import { storedGroupsOf } from "../entry/groups.js";
import type { Config } from "../options.js";
import { parseInput } from "../schemas.js";
import type { RequestOptions } from "../types.js";
import type { ExplainAccessIdentity, RoomAccessExplanation } from "./types.js";

/**
 * The explanation of `identity`'s access to `roomId`; 404 `ROOM_NOT_FOUND`
 * if there is no such room, 422 for a bad id or identity.
 * @internal
 */
export async function explainRoomAccess(
  config: Config,
  roomId: string,
  identity: ExplainAccessIdentity,
  options?: RequestOptions,
): Promise<RoomAccessExplanation> {
  options?.signal?.throwIfAborted();
  const id = parseInput(config.schemas.roomId, roomId, "roomId");
  const who = parseInput(config.schemas.identity, identity, "identity");
  const organizationId = who.organizationId ?? who.tenantId ?? DEFAULT_ORGANIZATION;
  const read = { signal: options?.signal };
  // As room entry: under groupsFrom "store" the stored memberships decide, not the groups given.
  const stored = config.groupsFrom === "store" ? await storedGroupsOf(config, who.userId, organizationId, read) : undefined;
  const groupIds = stored ?? who.groupIds ?? [];
  const room = await config.store.get(id, read);
  if (room === null) throw roomNotFound(id);
  const explanation = explainAccess(room, { userId: who.userId, groupIds, organizationId });
  // Every part at once (the pure explanation builds them when read): the answer is plain data.
  return { ...explanation.toJSON(), roomId: id, groupsFrom: stored === undefined ? "identity" : "store", groupIds: [...groupIds] };
}
