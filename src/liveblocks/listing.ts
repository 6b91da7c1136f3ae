/**
 * `getRooms` parameters as a store filter: the query language and its object
 * form parsed, metadata conditions from both places merged.
 */
import type { z } from "zod";
import { RoomQuerySyntaxError, parseRoomQuery, roomQueryFromObject, uniqueMetadataPairs } from "../protocol/query.js";
import type { RoomFilter } from "../rooms/types.js";
import { invalidField } from "../protocol/errors.js";
import type { Schemas } from "./schemas.js";

/**
 * The store filter of validated `getRooms` params; `null` when no room can
 * match (`roomId:"a" roomId:"b"`), so no store is asked.
 * @internal
 */
export function toRoomFilter(input: z.output<Schemas["getRooms"]>): RoomFilter | null {
  const filter: RoomFilter = {};
  if (input.userId !== undefined) filter.userId = input.userId;
  if (input.groupIds !== undefined) filter.groupIds = input.groupIds;
  const organizationId = input.organizationId ?? input.tenantId;
  if (organizationId !== undefined) filter.organizationId = organizationId;

  const metadata: [string, string][] = Object.keys(input.metadata ?? {}).map((key) => [key, input.metadata![key]!]);
  if (input.query !== undefined) {
    const text = typeof input.query === "string" ? input.query : roomQueryFromObject(input.query);
    let query: ReturnType<typeof parseRoomQuery>;
    try {
      query = parseRoomQuery(text);
    } catch (error) {
      if (error instanceof RoomQuerySyntaxError) throw invalidField("query", error.message, "INVALID_QUERY");
      throw error;
    }
    if (query.impossible) return null;
    if (query.roomId !== undefined) filter.roomId = query.roomId;
    if (query.roomIdPrefix !== undefined) filter.roomIdPrefix = query.roomIdPrefix;
    metadata.push(...query.metadata);
  }
  if (metadata.length > 0) filter.metadata = uniqueMetadataPairs(metadata);
  return filter;
}
