/** Every error of the room methods carries a stable `code` beside its status and message. */
import { describe, expect, it } from "vitest";
import { LiveblocksError, MemoryStore, type RoomStore } from "../../src/index.js";
import { makeLiveblocks } from "./helpers.js";

async function rejection(promise: Promise<unknown>): Promise<LiveblocksError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LiveblocksError);
  return error as LiveblocksError;
}

describe("LiveblocksError codes", () => {
  it("getRoom / updateRoom / updateRoomId - a missing room is ROOM_NOT_FOUND", async () => {
    const { liveblocks } = makeLiveblocks();
    for (const call of [
      liveblocks.getRoom("nope"),
      liveblocks.updateRoom("nope", { metadata: { a: "1" } }),
      liveblocks.updateRoomId({ currentRoomId: "nope", newRoomId: "other" }),
    ]) {
      const error = await rejection(call);
      expect(error).toMatchObject({ code: "ROOM_NOT_FOUND", status: 404, message: 'Room with id "nope" not found.' });
    }
  });

  it("createRoom / updateRoomId - a taken id is ROOM_ALREADY_EXISTS", async () => {
    const { liveblocks } = makeLiveblocks();
    await liveblocks.createRoom("a", { defaultAccesses: [] });
    await liveblocks.createRoom("b", { defaultAccesses: [] });
    expect(await rejection(liveblocks.createRoom("a", { defaultAccesses: [] }))).toMatchObject({
      code: "ROOM_ALREADY_EXISTS",
      status: 409,
      message: 'Room with id "a" already exists.',
    });
    expect(await rejection(liveblocks.updateRoomId({ currentRoomId: "a", newRoomId: "b" }))).toMatchObject({
      code: "ROOM_ALREADY_EXISTS",
      status: 409,
      message: 'Room with id "b" already exists.',
    });
  });

  it("validation - a field that breaks a rule is UNPROCESSABLE_ENTITY", async () => {
    const { liveblocks } = makeLiveblocks();
    expect(await rejection(liveblocks.createRoom("a*", { defaultAccesses: [] }))).toMatchObject({
      code: "UNPROCESSABLE_ENTITY",
      status: 422,
      message: "Invalid value for field 'roomId': must not contain '*'",
    });
    expect(await rejection(liveblocks.getRooms({ limit: 0 }))).toMatchObject({
      code: "UNPROCESSABLE_ENTITY",
      status: 422,
      message: "Invalid value for field 'limit': must be an integer between 1 and 100",
    });
  });

  it("updateRoom - a patch past a stored limit is UNPROCESSABLE_ENTITY", async () => {
    const { liveblocks } = makeLiveblocks({ limits: { metadataEntries: 1 } });
    await liveblocks.createRoom("a", { defaultAccesses: [], metadata: { x: "1" } });
    expect(await rejection(liveblocks.updateRoom("a", { metadata: { y: "2" } }))).toMatchObject({
      code: "UNPROCESSABLE_ENTITY",
      status: 422,
      message: "Invalid value for field 'metadata': must have at most 1 entries, got 2",
    });
  });

  it("getRooms - a cursor the store did not issue is INVALID_CURSOR, whether the schema or the store rejects it", async () => {
    const { liveblocks } = makeLiveblocks();
    expect(await rejection(liveblocks.getRooms({ startingAfter: "zzz" }))).toMatchObject({
      code: "INVALID_CURSOR",
      status: 422,
      message: "Invalid value for field 'startingAfter': is not a cursor this server issued",
    });
    expect(await rejection(liveblocks.getRooms({ startingAfter: 7 as unknown as string }))).toMatchObject({
      code: "INVALID_CURSOR",
      status: 422,
      message: "Invalid value for field 'startingAfter': must be a string",
    });
  });

  it("getRooms - a query that does not parse, or is not a query, is INVALID_QUERY", async () => {
    const { liveblocks } = makeLiveblocks();
    const syntax = await rejection(liveblocks.getRooms({ query: "roomId^" }));
    expect(syntax).toMatchObject({ code: "INVALID_QUERY", status: 422 });
    expect(syntax.message).toMatch(/^Invalid value for field 'query': /);
    expect(await rejection(liveblocks.getRooms({ query: 7 as unknown as string }))).toMatchObject({
      code: "INVALID_QUERY",
      status: 422,
      message: "Invalid value for field 'query': must be a query string or a query object",
    });
  });

  it("updateRoomId - a store without rename is NOT_IMPLEMENTED", async () => {
    const store = new MemoryStore();
    const { liveblocks } = makeLiveblocks({ store: Object.assign(Object.create(store), { rename: undefined }) });
    expect(await rejection(liveblocks.updateRoomId({ currentRoomId: "a", newRoomId: "b" }))).toMatchObject({
      code: "NOT_IMPLEMENTED",
      status: 501,
      message: "Renaming a room is not supported by this store.",
    });
  });

  it("upsertRoom - a room that keeps changing under it is ROOM_KEPT_CHANGING", async () => {
    const store = new MemoryStore();
    // Every update finds no room and every create finds one: the race the upsert retries, lost each time.
    const racing: RoomStore = Object.assign(Object.create(store), {
      update: async () => null,
      create: async (room: unknown) => ({ room, created: false }),
    });
    const { liveblocks } = makeLiveblocks({ store: racing });
    expect(await rejection(liveblocks.upsertRoom("r", { update: { metadata: { a: "1" } } }))).toMatchObject({
      code: "ROOM_KEPT_CHANGING",
      status: 409,
      message: 'Room with id "r" kept changing; upsert gave up.',
    });
  });

  it("toString - unchanged by the code: the SDK's `LiveblocksError: <message> (status N)`", async () => {
    const { liveblocks } = makeLiveblocks();
    const error = await rejection(liveblocks.getRoom("nope"));
    expect(String(error)).toBe('LiveblocksError: Room with id "nope" not found. (status 404)');
    expect(error.details).toBeUndefined();
  });
});
