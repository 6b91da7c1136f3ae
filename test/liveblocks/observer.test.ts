import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DecisionEvent, LiveblocksError, MemoryStore, type StoreCallEvent, type TokenIssuedEvent } from "../../src/index.js";
import { makeLiveblocks, tokenOf } from "./helpers.js";

function recording() {
  const decisions: DecisionEvent[] = [];
  const tokens: TokenIssuedEvent[] = [];
  const storeCalls: StoreCallEvent[] = [];
  const observer = {
    onDecision: (event: DecisionEvent) => decisions.push(event),
    onTokenIssued: (event: TokenIssuedEvent) => tokens.push(event),
    onStoreCall: (event: StoreCallEvent) => storeCalls.push(event),
  };
  return { decisions, tokens, storeCalls, observer };
}

describe("observer", () => {
  it("observer - tells tokens issued by kind, and nothing for a refused identity", async () => {
    const { tokens, observer } = recording();
    const { liveblocks } = makeLiveblocks({ observer });
    expect((await liveblocks.identifyUser("alice")).status).toBe(200);
    const session = liveblocks.prepareSession("bob");
    session.allow("r*", session.FULL_ACCESS);
    expect((await session.authorize()).status).toBe(200);
    expect((await liveblocks.identifyUser({ userId: "carol", groupIds: ["x".repeat(1000)] })).status).toBe(422);
    expect(tokens).toEqual([{ kind: "id" }, { kind: "access" }]);
  });

  it("observer - tells checkRoomAccess decisions with outcome and reason", async () => {
    const { decisions, observer } = recording();
    const { liveblocks } = makeLiveblocks({ observer });
    await liveblocks.createRoom("open", { defaultAccesses: ["room:write"] });
    const token = tokenOf((await liveblocks.identifyUser("alice")).body);
    expect((await liveblocks.checkRoomAccess(token, "open")).allowed).toBe(true);
    expect((await liveblocks.checkRoomAccess(token, "missing")).allowed).toBe(false);
    expect((await liveblocks.checkRoomAccess("not-a-token", "open")).allowed).toBe(false);
    expect(decisions).toEqual([
      { source: "check", outcome: "allowed" },
      { source: "check", outcome: "denied", reason: "room-not-found" },
      { source: "check", outcome: "denied", reason: "invalid-token" },
    ]);
  });

  it("observer - tells a watch's first decision and each re-decision that changed it", async () => {
    const { decisions, observer } = recording();
    const { liveblocks } = makeLiveblocks({ observer });
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const token = tokenOf((await liveblocks.identifyUser("alice")).body);
    const watch = await liveblocks.watchRoomAccess(token, "r", () => {});
    await liveblocks.updateRoom("r", { defaultAccesses: [] });
    await liveblocks.updateRoom("r", { defaultAccesses: ["room:write"] });
    watch.stop();
    expect(decisions).toEqual([
      { source: "watch", outcome: "allowed" },
      { source: "rewatch", outcome: "denied", reason: "no-access" },
      { source: "rewatch", outcome: "allowed" },
    ]);
  });

  it("observer - times store calls by operation and names the error code of a failed one", async () => {
    const { storeCalls, observer } = recording();
    const store = new MemoryStore();
    const { liveblocks } = makeLiveblocks({ observer, store });
    await liveblocks.createRoom("r", { defaultAccesses: [] });
    await expect(liveblocks.getRoom("missing")).rejects.toBeInstanceOf(LiveblocksError);
    const { data } = await liveblocks.getRooms();
    expect(data.map((room) => room.id)).toEqual(["r"]);
    expect(storeCalls.map((call) => call.operation)).toEqual(["create", "get", "list"]);
    for (const call of storeCalls) expect(call.durationMs).toBeGreaterThanOrEqual(0);
    // The store object is the caller's, untouched; the facade's view of it still is one.
    expect(liveblocks.store).toBeInstanceOf(MemoryStore);
    expect(Object.hasOwn(store, "get")).toBe(false);

    const failing = new (class extends MemoryStore {
      override get(): never {
        throw Object.assign(new Error("down"), { code: "ECONNREFUSED" });
      }
      override async list(): Promise<never> {
        throw Object.assign(new Error("down"), { code: "ECONNREFUSED" });
      }
    })();
    const second = recording();
    const { liveblocks: other } = makeLiveblocks({ observer: second.observer, store: failing });
    await expect(other.getRooms()).rejects.toThrow("down");
    expect(second.storeCalls).toEqual([{ operation: "list", durationMs: expect.any(Number), errorCode: "ECONNREFUSED" }]);
  });

  it("observer - a throwing hook changes nothing for the caller", async () => {
    const boom = () => {
      throw new Error("observer broke");
    };
    const { liveblocks } = makeLiveblocks({ observer: { onDecision: boom, onTokenIssued: boom, onStoreCall: boom } });
    await liveblocks.createRoom("r", { defaultAccesses: ["room:write"] });
    const answer = await liveblocks.identifyUser("alice");
    expect(answer.status).toBe(200);
    expect((await liveblocks.checkRoomAccess(tokenOf(answer.body), "r")).allowed).toBe(true);
    expect((await liveblocks.getRoom("r")).id).toBe("r");
  });

  it("observer - hooks that throw or return anything never change an answer (property)", async () => {
    const hook = fc.constantFrom<"throw" | "value" | "absent">("throw", "value", "absent");
    await fc.assert(
      fc.asyncProperty(
        hook,
        hook,
        hook,
        fc.constantFrom("open", "closed", "missing"),
        async (onDecision, onTokenIssued, onStoreCall, roomId) => {
          const make = (kind: "throw" | "value" | "absent") =>
            kind === "absent"
              ? undefined
              : () => {
                  if (kind === "throw") throw new Error("observer broke");
                  return 42;
                };
          const observer = Object.fromEntries(
            Object.entries({ onDecision: make(onDecision), onTokenIssued: make(onTokenIssued), onStoreCall: make(onStoreCall) }).filter(
              ([, fn]) => fn !== undefined,
            ),
          );
          const answers = [];
          for (const options of [{}, { observer }]) {
            const { liveblocks } = makeLiveblocks(options);
            await liveblocks.createRoom("open", { defaultAccesses: ["room:write"] });
            await liveblocks.createRoom("closed", { defaultAccesses: [] });
            const issued = await liveblocks.identifyUser("alice");
            answers.push({ issued, access: await liveblocks.checkRoomAccess(tokenOf(issued.body), roomId) });
          }
          expect(answers[1]).toEqual(answers[0]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("observer - refuses a hook that is not a function, naming it", () => {
    expect(() => makeLiveblocks({ observer: { onDecision: 42 } as never })).toThrow("observer.onDecision");
    expect(() => makeLiveblocks({ observer: "yes" as never })).toThrow("observer");
  });
});
