/**
 * Every method of the official `@liveblocks/node` 3.24.2 that calls the REST
 * API, run against a `createRequestHandler` server on loopback: each gets
 * Liveblocks' answer (parsed by the SDK's own code) or a 501
 * `NOT_IMPLEMENTED` naming what roomgate does not implement. In `npm run
 * test:e2e`: the SDK retries two upload methods on a 5xx for about 18 s.
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Liveblocks as Official, LiveblocksError as OfficialError } from "@liveblocks/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequestHandler, toNodeListener } from "../../src/http/index.js";
import { SECRET, makeLiveblocks } from "../liveblocks/helpers.js";

type Sdk = Record<string, (...args: never[]) => unknown>;
/** What a method must get: Liveblocks' answer (checked by `ok`) or a 501. */
type Expected = { ok: (value: unknown) => void } | "501" | "501 retried";
type Case = [method: string, call: (sdk: Sdk) => unknown, expected: Expected];

const ROOM = "sdk-methods-room";
const file = () => new File(["hello"], "hello.txt", { type: "text/plain" });
const room = (value: unknown) => expect(value).toMatchObject({ type: "room", id: expect.any(String), createdAt: expect.any(Date) });
const page = (value: unknown) => expect(value).toMatchObject({ data: expect.any(Array) });
const none = (value: unknown) => expect(value).toBeUndefined();
const tokenAnswer = (value: unknown) => expect(value).toMatchObject({ status: 200, body: expect.stringContaining('"token"') });
const consume = async (iterable: AsyncIterable<unknown>) => {
  const seen: unknown[] = [];
  for await (const item of iterable) if (seen.push(item) >= 50) break;
  return seen;
};
const call =
  (method: string, ...args: unknown[]) =>
  (sdk: Sdk) =>
    sdk[method]!(...(args as never[]));

const served: Case[] = [
  ["identifyUser", call("identifyUser", "alice", { userInfo: { name: "Alice" } }), { ok: tokenAnswer }],
  [
    "prepareSession().authorize",
    (sdk) =>
      (sdk["prepareSession"]!("alice" as never) as { allow(r: string, s: string[]): { authorize(): unknown } })
        .allow(ROOM, ["room:write"])
        .authorize(),
    { ok: tokenAnswer },
  ],
  ["createRoom", call("createRoom", ROOM, { defaultAccesses: [], usersAccesses: { alice: ["room:write"] } }), { ok: room }],
  ["getOrCreateRoom", call("getOrCreateRoom", ROOM, { defaultAccesses: [] }), { ok: room }],
  ["upsertRoom", call("upsertRoom", ROOM, { update: { metadata: { k: "v" } } }), { ok: room }],
  ["getRoom", call("getRoom", ROOM), { ok: room }],
  ["updateRoom", call("updateRoom", ROOM, { usersAccesses: { bob: ["room:read", "room:presence:write"] } }), { ok: room }],
  [
    "getRooms",
    call("getRooms", { limit: 10 }),
    { ok: (value) => expect(value).toMatchObject({ nextCursor: null, nextPage: null, data: [expect.anything()] }) },
  ],
  [
    "iterRooms",
    (sdk) => consume(sdk["iterRooms"]!({} as never) as AsyncIterable<unknown>),
    { ok: (value) => expect(value).toHaveLength(1) },
  ],
  [
    "updateRoomId (there and back)",
    async (sdk) => {
      await sdk["updateRoomId"]!({ currentRoomId: ROOM, newRoomId: `${ROOM}-2` } as never);
      return sdk["updateRoomId"]!({ currentRoomId: `${ROOM}-2`, newRoomId: ROOM } as never);
    },
    { ok: room },
  ],
  // No realtime gate runs in the serving process: nobody is connected.
  ["getActiveUsers", call("getActiveUsers", ROOM), { ok: (value) => expect(value).toEqual({ data: [] }) }],
];

const unserved: Case[] = [
  ["prewarmRoom", call("prewarmRoom", ROOM), "501"],
  ["broadcastEvent", call("broadcastEvent", ROOM, { type: "ping" }), "501"],
  ["setPresence", call("setPresence", ROOM, { userId: "alice", data: {} }), "501"],
  ["getStorageDocument", call("getStorageDocument", ROOM, "json"), "501"],
  ["initializeStorageDocument", call("initializeStorageDocument", ROOM, { liveblocksType: "LiveObject", data: {} }), "501"],
  ["deleteStorageDocument", call("deleteStorageDocument", ROOM), "501"],
  ["mutateStorage", call("mutateStorage", ROOM, () => {}), "501"],
  ["massMutateStorage", call("massMutateStorage", {}, () => {}), "501"],
  // The SDK retries an upload on any 5xx (10 attempts, about 18 s) before it rejects with the last error.
  ["uploadFile", call("uploadFile", { roomId: ROOM, file: file() }), "501 retried"],
  ["getFileUrl", call("getFileUrl", { roomId: ROOM, file: { id: "fi_1", type: "LiveFile" } }), "501"],
  ["getYjsDocument", call("getYjsDocument", ROOM), "501"],
  ["sendYjsBinaryUpdate", call("sendYjsBinaryUpdate", ROOM, new Uint8Array([0, 0])), "501"],
  ["getYjsDocumentAsBinaryUpdate", call("getYjsDocumentAsBinaryUpdate", ROOM), "501"],
  ["getVersionHistory", call("getVersionHistory", ROOM), "501"],
  ["createVersionHistorySnapshot", call("createVersionHistorySnapshot", ROOM), "501"],
  ["getYjsVersion", call("getYjsVersion", { roomId: ROOM, versionId: "v1" }), "501"],
  ["deleteVersion", call("deleteVersion", { roomId: ROOM, versionId: "v1" }), "501"],
  ["getThreads", call("getThreads", { roomId: ROOM }), "501"],
  ["getThread", call("getThread", { roomId: ROOM, threadId: "th_1" }), "501"],
  ["getThreadParticipants", call("getThreadParticipants", { roomId: ROOM, threadId: "th_1" }), "501"],
  ["getThreadSubscriptions", call("getThreadSubscriptions", { roomId: ROOM, threadId: "th_1" }), "501"],
  ["getComment", call("getComment", { roomId: ROOM, threadId: "th_1", commentId: "cm_1" }), "501"],
  [
    "createComment",
    call("createComment", { roomId: ROOM, threadId: "th_1", data: { userId: "alice", body: { version: 1, content: [] } } }),
    "501",
  ],
  [
    "editComment",
    call("editComment", { roomId: ROOM, threadId: "th_1", commentId: "cm_1", data: { body: { version: 1, content: [] } } }),
    "501",
  ],
  ["deleteComment", call("deleteComment", { roomId: ROOM, threadId: "th_1", commentId: "cm_1" }), "501"],
  ["getAttachment", call("getAttachment", { roomId: ROOM, attachmentId: "at_1" }), "501"],
  ["uploadAttachment", call("uploadAttachment", { roomId: ROOM, userId: "alice", file: file() }), "501 retried"],
  [
    "createThread",
    call("createThread", { roomId: ROOM, data: { comment: { userId: "alice", body: { version: 1, content: [] } } } }),
    "501",
  ],
  ["deleteThread", call("deleteThread", { roomId: ROOM, threadId: "th_1" }), "501"],
  ["markThreadAsResolved", call("markThreadAsResolved", { roomId: ROOM, threadId: "th_1", data: { userId: "alice" } }), "501"],
  ["markThreadAsUnresolved", call("markThreadAsUnresolved", { roomId: ROOM, threadId: "th_1", data: { userId: "alice" } }), "501"],
  ["subscribeToThread", call("subscribeToThread", { roomId: ROOM, threadId: "th_1", data: { userId: "alice" } }), "501"],
  ["unsubscribeFromThread", call("unsubscribeFromThread", { roomId: ROOM, threadId: "th_1", data: { userId: "alice" } }), "501"],
  ["editThreadMetadata", call("editThreadMetadata", { roomId: ROOM, threadId: "th_1", data: { metadata: {}, userId: "alice" } }), "501"],
  [
    "editCommentMetadata",
    call("editCommentMetadata", { roomId: ROOM, threadId: "th_1", commentId: "cm_1", data: { metadata: {}, userId: "alice" } }),
    "501",
  ],
  [
    "addCommentReaction",
    call("addCommentReaction", { roomId: ROOM, threadId: "th_1", commentId: "cm_1", data: { emoji: "👍", userId: "alice" } }),
    "501",
  ],
  [
    "removeCommentReaction",
    call("removeCommentReaction", { roomId: ROOM, threadId: "th_1", commentId: "cm_1", data: { emoji: "👍", userId: "alice" } }),
    "501",
  ],
  ["getInboxNotification", call("getInboxNotification", { userId: "alice", inboxNotificationId: "in_1" }), "501"],
  ["getInboxNotifications", call("getInboxNotifications", { userId: "alice" }), "501"],
  [
    "iterInboxNotifications",
    (sdk) => consume(sdk["iterInboxNotifications"]!({ userId: "alice" } as never) as AsyncIterable<unknown>),
    "501",
  ],
  ["getUserRoomSubscriptionSettings", call("getUserRoomSubscriptionSettings", { userId: "alice" }), "501"],
  ["getRoomSubscriptionSettings", call("getRoomSubscriptionSettings", { roomId: ROOM, userId: "alice" }), "501"],
  [
    "updateRoomSubscriptionSettings",
    call("updateRoomSubscriptionSettings", { roomId: ROOM, userId: "alice", data: { threads: "all" } }),
    "501",
  ],
  ["deleteRoomSubscriptionSettings", call("deleteRoomSubscriptionSettings", { roomId: ROOM, userId: "alice" }), "501"],
  [
    "triggerInboxNotification",
    call("triggerInboxNotification", { userId: "alice", kind: "$custom", subjectId: "s", activityData: {} }),
    "501",
  ],
  ["deleteInboxNotification", call("deleteInboxNotification", { userId: "alice", inboxNotificationId: "in_1" }), "501"],
  ["deleteAllInboxNotifications", call("deleteAllInboxNotifications", { userId: "alice" }), "501"],
  ["getNotificationSettings", call("getNotificationSettings", { userId: "alice" }), "501"],
  ["updateNotificationSettings", call("updateNotificationSettings", { userId: "alice", data: {} }), "501"],
  ["deleteNotificationSettings", call("deleteNotificationSettings", { userId: "alice" }), "501"],
  ["getAiCopilots", call("getAiCopilots"), "501"],
  [
    "createAiCopilot",
    call("createAiCopilot", { name: "c", systemPrompt: "s", provider: "openai", providerModel: "gpt-4o", providerApiKey: "k" }),
    "501",
  ],
  ["getAiCopilot", call("getAiCopilot", "co_1"), "501"],
  ["updateAiCopilot", call("updateAiCopilot", "co_1", { name: "d" }), "501"],
  ["deleteAiCopilot", call("deleteAiCopilot", "co_1"), "501"],
  [
    "createWebKnowledgeSource",
    call("createWebKnowledgeSource", { copilotId: "co_1", url: "https://example.com", type: "individual_link" }),
    "501",
  ],
  ["createFileKnowledgeSource", call("createFileKnowledgeSource", { copilotId: "co_1", file: file() }), "501"],
  ["deleteFileKnowledgeSource", call("deleteFileKnowledgeSource", { copilotId: "co_1", knowledgeSourceId: "ks_1" }), "501"],
  ["deleteWebKnowledgeSource", call("deleteWebKnowledgeSource", { copilotId: "co_1", knowledgeSourceId: "ks_1" }), "501"],
  ["getKnowledgeSources", call("getKnowledgeSources", { copilotId: "co_1" }), "501"],
  ["getKnowledgeSource", call("getKnowledgeSource", { copilotId: "co_1", knowledgeSourceId: "ks_1" }), "501"],
  ["getFileKnowledgeSourceMarkdown", call("getFileKnowledgeSourceMarkdown", { copilotId: "co_1", knowledgeSourceId: "ks_1" }), "501"],
  ["getWebKnowledgeSourceLinks", call("getWebKnowledgeSourceLinks", { copilotId: "co_1", knowledgeSourceId: "ks_1" }), "501"],
  ["getFeeds", call("getFeeds", { roomId: ROOM }), "501"],
  ["createFeed", call("createFeed", { roomId: ROOM, feedId: "f1" }), "501"],
  ["getFeed", call("getFeed", { roomId: ROOM, feedId: "f1" }), "501"],
  ["updateFeed", call("updateFeed", { roomId: ROOM, feedId: "f1", metadata: {} }), "501"],
  ["deleteFeed", call("deleteFeed", { roomId: ROOM, feedId: "f1" }), "501"],
  ["getFeedMessages", call("getFeedMessages", { roomId: ROOM, feedId: "f1" }), "501"],
  ["createFeedMessage", call("createFeedMessage", { roomId: ROOM, feedId: "f1", data: {} }), "501"],
  ["updateFeedMessage", call("updateFeedMessage", { roomId: ROOM, feedId: "f1", messageId: "m1", data: {} }), "501"],
  ["deleteFeedMessage", call("deleteFeedMessage", { roomId: ROOM, feedId: "f1", messageId: "m1" }), "501"],
];

const group = (members: string[]) => (value: unknown) =>
  expect(value).toMatchObject({
    type: "group",
    id: "g1",
    createdAt: expect.any(Date),
    members: members.map((id) => expect.objectContaining({ id })),
  });
const groups: Case[] = [
  ["createGroup", call("createGroup", { groupId: "g1", memberIds: ["alice"] }), { ok: group(["alice"]) }],
  ["getGroup", call("getGroup", { groupId: "g1" }), { ok: group(["alice"]) }],
  ["addGroupMembers", call("addGroupMembers", { groupId: "g1", memberIds: ["bob"] }), { ok: group(["alice", "bob"]) }],
  ["removeGroupMembers", call("removeGroupMembers", { groupId: "g1", memberIds: ["bob"] }), { ok: group(["alice"]) }],
  ["getGroups", call("getGroups"), { ok: page }],
  ["getUserGroups", call("getUserGroups", { userId: "alice" }), { ok: page }],
  ["deleteGroup", call("deleteGroup", { groupId: "g1" }), { ok: none }],
];

/** Served last: the room goes once every other method has run. */
const last: Case[] = [["deleteRoom", call("deleteRoom", ROOM), { ok: none }]];

let server: Server;
let sdk: Sdk;
const requests: string[] = [];

beforeAll(async () => {
  const { liveblocks } = makeLiveblocks({ now: Date.now });
  const handler = toNodeListener(createRequestHandler(liveblocks));
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  sdk = new Official({ secret: SECRET, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }) as unknown as Sdk;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("@liveblocks/node - every REST method against createRequestHandler", () => {
  it("the table names every method of the SDK that calls the REST API", () => {
    const methods = Object.getOwnPropertyNames(Official.prototype).filter((name) => name !== "constructor");
    const tested = new Set([...served, ...unserved, ...groups, ...last].map(([name]) => name.split(/[ .(]/)[0]!));
    expect(methods.filter((name) => !tested.has(name))).toEqual([]);
  });

  it.each([...served, ...unserved, ...groups, ...last])(
    "%s - Liveblocks' answer or 501",
    { timeout: 40_000 },
    async (name, run, expected) => {
      const before = requests.length;
      const outcome = await Promise.resolve()
        .then(() => run(sdk))
        .then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      expect(requests.length, `${name} sent no request`).toBeGreaterThan(before);
      if (expected === "501 retried") {
        const error = (outcome as { error?: Error }).error;
        expect(String(error)).toMatch(
          /^Error: Failed after \d+ attempts: LiveblocksError: roomgate does not implement .+; see README \(status 501\)$/,
        );
        return;
      }
      if (expected === "501") {
        expect("error" in outcome, `${name} resolved`).toBe(true);
        const error = (outcome as { error: unknown }).error as OfficialError;
        expect(error, String(error)).toBeInstanceOf(OfficialError);
        expect(error.status).toBe(501);
        expect(error.message).toMatch(/^roomgate does not implement .+; see README$/);
        return;
      }
      if ("error" in outcome) throw outcome.error;
      expected.ok(outcome.value);
    },
  );
});
