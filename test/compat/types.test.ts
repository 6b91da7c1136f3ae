/**
 * Code written for @liveblocks/node 3.24.2 compiles against roomgate
 * unchanged: for every mirrored method, roomgate accepts every argument list
 * the SDK accepts and returns what the SDK returns. Checked by `tsc` (the
 * typecheck step); the runtime half runs SDK-style code against roomgate.
 */
import type {
  CreateRoomOptions as SdkCreateRoomOptions,
  GetRoomsOptions as SdkGetRoomsOptions,
  IUserInfo as SdkIUserInfo,
  Liveblocks as SdkLiveblocks,
  LiveblocksError as SdkError,
  LiveblocksOptions as SdkLiveblocksOptions,
  Page as SdkPage,
  PaginationOptions as SdkPaginationOptions,
  RoomAccesses as SdkRoomAccesses,
  RoomData as SdkRoomData,
  RoomPermission as SdkRoomPermission,
  RoomPermissions as SdkRoomPermissions,
  RoomsQueryCriteria as SdkRoomsQueryCriteria,
  UpdateRoomOptions as SdkUpdateRoomOptions,
  UpsertRoomOptions as SdkUpsertRoomOptions,
} from "@liveblocks/node";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type CreateRoomOptions,
  type GetRoomsOptions,
  type IUserInfo,
  Liveblocks,
  type LiveblocksError,
  type LiveblocksOptions,
  type Page,
  type PaginationOptions,
  type RoomAccesses,
  type RoomData,
  type RoomPermission,
  type RoomPermissions,
  type RoomsQueryCriteria,
  type UpdateRoomOptions,
  type UpsertRoomOptions,
} from "../../src/index.js";

type Sdk = SdkLiveblocks;
type Ours = Liveblocks;
type Mirrored =
  | "createRoom"
  | "getOrCreateRoom"
  | "upsertRoom"
  | "getRoom"
  | "updateRoom"
  | "deleteRoom"
  | "getRooms"
  | "iterRooms"
  | "updateRoomId"
  | "identifyUser"
  | "prepareSession";

/** Every argument list of the SDK's method is one roomgate's accepts. */
type AcceptsSdkArguments<M extends Mirrored> = Parameters<Sdk[M]> extends Parameters<Ours[M]> ? true : false;
/** What roomgate returns can be used wherever the SDK's result is. */
type ReturnsSdkResult<M extends Exclude<Mirrored, "prepareSession">> = ReturnType<Ours[M]> extends ReturnType<Sdk[M]> ? true : false;

describe("@liveblocks/node type compatibility", () => {
  it("types - data shapes are the SDK's", () => {
    expectTypeOf<RoomData>().toEqualTypeOf<SdkRoomData>();
    expectTypeOf<Page<RoomData>>().toEqualTypeOf<SdkPage<SdkRoomData>>();
    expectTypeOf<Pick<LiveblocksError, "status" | "details" | "message" | "name">>().toEqualTypeOf<
      Pick<SdkError, "status" | "details" | "message" | "name">
    >();
  });

  it("types - the permission types are the SDK's, RoomPermission kept as the deprecated alias", () => {
    expectTypeOf<RoomPermissions>().toEqualTypeOf<SdkRoomPermissions>();
    expectTypeOf<RoomPermission>().toEqualTypeOf<SdkRoomPermission>();
    expectTypeOf<RoomAccesses>().toEqualTypeOf<SdkRoomAccesses>();
    expectTypeOf<IUserInfo>().toEqualTypeOf<SdkIUserInfo>();
  });

  it("types - every options type takes what the SDK's takes", () => {
    // baseUrl is the SDK's option to point at another server: accepted.
    expectTypeOf<SdkLiveblocksOptions>().toExtend<LiveblocksOptions>();
    expectTypeOf<{ secret: string; baseUrl: string }>().toExtend<LiveblocksOptions>();
    expectTypeOf<SdkCreateRoomOptions>().toExtend<CreateRoomOptions>();
    expectTypeOf<SdkUpdateRoomOptions>().toExtend<UpdateRoomOptions>();
    expectTypeOf<SdkUpsertRoomOptions>().toExtend<UpsertRoomOptions>();
    expectTypeOf<SdkGetRoomsOptions>().toExtend<GetRoomsOptions>();
    expectTypeOf<SdkRoomsQueryCriteria>().toExtend<RoomsQueryCriteria>();
    expectTypeOf<SdkPaginationOptions>().toEqualTypeOf<PaginationOptions>();
  });

  it("types - every mirrored method takes the SDK's arguments and gives its result", () => {
    expectTypeOf<AcceptsSdkArguments<"createRoom">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"getOrCreateRoom">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"upsertRoom">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"getRoom">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"updateRoom">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"deleteRoom">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"getRooms">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"iterRooms">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"updateRoomId">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"identifyUser">>().toEqualTypeOf<true>();
    expectTypeOf<AcceptsSdkArguments<"prepareSession">>().toEqualTypeOf<true>();

    expectTypeOf<ReturnsSdkResult<"createRoom">>().toEqualTypeOf<true>();
    expectTypeOf<ReturnsSdkResult<"getOrCreateRoom">>().toEqualTypeOf<true>();
    expectTypeOf<ReturnsSdkResult<"upsertRoom">>().toEqualTypeOf<true>();
    expectTypeOf<ReturnsSdkResult<"getRoom">>().toEqualTypeOf<true>();
    expectTypeOf<ReturnsSdkResult<"updateRoom">>().toEqualTypeOf<true>();
    expectTypeOf<ReturnsSdkResult<"deleteRoom">>().toEqualTypeOf<true>();
    expectTypeOf<ReturnsSdkResult<"getRooms">>().toEqualTypeOf<true>();
    expectTypeOf<ReturnsSdkResult<"iterRooms">>().toEqualTypeOf<true>();
    expectTypeOf<ReturnsSdkResult<"updateRoomId">>().toEqualTypeOf<true>();
    expectTypeOf<ReturnsSdkResult<"identifyUser">>().toEqualTypeOf<true>();

    type OurSession = ReturnType<Ours["prepareSession"]>;
    type SdkSession = ReturnType<Sdk["prepareSession"]>;
    // The SDK's Session has private fields, so only its surface can be compared.
    expectTypeOf<Pick<OurSession, "authorize" | "FULL_ACCESS" | "READ_ACCESS">>().toExtend<
      Pick<SdkSession, "authorize" | "FULL_ACCESS" | "READ_ACCESS">
    >();
    expectTypeOf<Parameters<SdkSession["allow"]>>().toExtend<Parameters<OurSession["allow"]>>();
  });

  it("runtime - SDK-style backend code runs against roomgate", async () => {
    // Written as for @liveblocks/node: only the import differs.
    async function backend(liveblocks: Pick<Sdk, Mirrored>) {
      await liveblocks.createRoom("a32wQXid4A9", { defaultAccesses: [], metadata: { color: "blue" } });
      await liveblocks.updateRoom("a32wQXid4A9", { usersAccesses: { alice: ["room:write"] } });
      await liveblocks.upsertRoom("a32wQXid4A9", { update: { groupsAccesses: { eng: ["room:read", "room:presence:write"] } } });
      const room = await liveblocks.getRoom("a32wQXid4A9");
      const page = await liveblocks.getRooms({ userId: "alice", query: { metadata: { color: "blue" } } });
      const session = liveblocks.prepareSession("alice", { userInfo: { name: "Alice" } });
      session.allow("a32wQXid4A9", session.FULL_ACCESS);
      const access = await session.authorize();
      const id = await liveblocks.identifyUser({ userId: "alice", groupIds: ["eng"] }, { userInfo: { name: "Alice" } });
      const renamed = await liveblocks.updateRoomId({ currentRoomId: "a32wQXid4A9", newRoomId: "b32wQXid4A9" });
      await liveblocks.deleteRoom("b32wQXid4A9");
      return { room, page, access, id, renamed };
    }
    const { room, page, access, id, renamed } = await backend(
      new Liveblocks({ secret: "sk_dev_compat_0123456789abcdefghij" }) as unknown as Pick<Sdk, Mirrored>,
    );
    expect(room.usersAccesses).toEqual({ alice: ["room:write"] });
    expect(room.groupsAccesses).toEqual({ eng: ["room:read", "room:presence:write"] });
    expect(page.data.map((r) => r.id)).toEqual(["a32wQXid4A9"]);
    expect([access.status, id.status]).toEqual([200, 200]);
    expect(renamed).toEqual({ ...room, id: "b32wQXid4A9" });
  });
});
