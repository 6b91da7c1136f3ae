import { afterEach, describe, expect, it, vi } from "vitest";
import { RoomChangeEmitter, StoreListeners } from "../../src/rooms/emitter.js";
import type { RoomChangeEvent } from "../../src/rooms/types.js";

const deleted = (roomId: string): RoomChangeEvent => ({ type: "deleted", roomId, room: null });

describe("RoomChangeEmitter", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("emit - calls every listener in subscription order", () => {
    const emitter = new RoomChangeEmitter();
    const calls: string[] = [];
    emitter.subscribe((event) => calls.push(`1:${event.roomId}`));
    emitter.subscribe((event) => calls.push(`2:${event.roomId}`));
    emitter.emit(deleted("r"));
    expect(calls).toEqual(["1:r", "2:r"]);
  });

  it("emit - without listeners does nothing", () => {
    expect(() => new RoomChangeEmitter().emit(deleted("r"))).not.toThrow();
  });

  it("subscribe - the returned function unsubscribes, once and idempotently", () => {
    const emitter = new RoomChangeEmitter();
    const listener = vi.fn();
    const unsubscribe = emitter.subscribe(listener);
    emitter.emit(deleted("a"));
    unsubscribe();
    unsubscribe();
    emitter.emit(deleted("b"));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(emitter.size).toBe(0);
  });

  it("subscribe - the same function twice is two subscriptions", () => {
    const emitter = new RoomChangeEmitter();
    const listener = vi.fn();
    const first = emitter.subscribe(listener);
    emitter.subscribe(listener);
    emitter.emit(deleted("a"));
    expect(listener).toHaveBeenCalledTimes(2);
    first();
    emitter.emit(deleted("b"));
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it("emit - changes made by a listener apply from the next emit", () => {
    const emitter = new RoomChangeEmitter();
    const late = vi.fn();
    const second = vi.fn();
    let unsubscribeSecond = () => {};
    emitter.subscribe(() => {
      unsubscribeSecond();
      emitter.subscribe(late);
    });
    unsubscribeSecond = emitter.subscribe(second);
    emitter.emit(deleted("a"));
    expect(second).toHaveBeenCalledTimes(1);
    expect(late).not.toHaveBeenCalled();
    emitter.emit(deleted("b"));
    expect(second).toHaveBeenCalledTimes(1);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it("emit - a throwing listener stops neither emit nor the other listeners", () => {
    const onListenerError = vi.fn();
    const emitter = new RoomChangeEmitter({ onListenerError });
    const error = new Error("listener bug");
    const after = vi.fn();
    emitter.subscribe(() => {
      throw error;
    });
    emitter.subscribe(after);
    const event = deleted("r");
    expect(() => emitter.emit(event)).not.toThrow();
    expect(after).toHaveBeenCalledWith(event);
    expect(onListenerError).toHaveBeenCalledWith(error, event);
  });

  it("emit - a throwing onListenerError is contained too", () => {
    const emitter = new RoomChangeEmitter({
      onListenerError: () => {
        throw new Error("handler bug");
      },
    });
    const after = vi.fn();
    emitter.subscribe(() => {
      throw new Error("listener bug");
    });
    emitter.subscribe(after);
    expect(() => emitter.emit(deleted("r"))).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
  });

  it("emit - by default rethrows a listener's error in a microtask", () => {
    const scheduled: (() => void)[] = [];
    vi.stubGlobal("queueMicrotask", (task: () => void) => scheduled.push(task));
    const emitter = new RoomChangeEmitter();
    const error = new Error("listener bug");
    emitter.subscribe(() => {
      throw error;
    });
    emitter.emit(deleted("r"));
    expect(scheduled).toHaveLength(1);
    expect(() => scheduled[0]?.()).toThrow(error);
  });
});

describe("StoreListeners", () => {
  const feed = () => {
    const calls: string[] = [];
    return { calls, hooks: { start: () => calls.push("start"), stop: () => calls.push("stop") } };
  };

  it("subscribe - starts the feed at each subscription; the last unsubscribe, of either kind, stops it", () => {
    const { calls, hooks } = feed();
    const listeners = new StoreListeners(hooks);
    const offRooms = listeners.subscribe(() => undefined);
    const offRevocations = listeners.subscribeRevocations(() => undefined);
    expect(calls).toEqual(["start", "start"]);
    expect(listeners.size).toBe(2);
    offRooms();
    expect(calls).toEqual(["start", "start"]);
    offRevocations();
    expect(calls).toEqual(["start", "start", "stop"]);
    expect(listeners.size).toBe(0);
  });

  it("subscribe - unsubscribing twice stops the feed once and leaves other listeners", () => {
    const { calls, hooks } = feed();
    const listeners = new StoreListeners(hooks);
    const heard: string[] = [];
    const off = listeners.subscribe(() => heard.push("first"));
    const offSame = listeners.subscribe(() => heard.push("second"));
    off();
    off();
    listeners.rooms.emit(deleted("r"));
    expect(heard).toEqual(["second"]);
    expect(calls).toEqual(["start", "start"]);
    offSame();
    offSame();
    expect(calls).toEqual(["start", "start", "stop"]);
  });

  it("emit - each kind reaches only its own listeners, in order", () => {
    const listeners = new StoreListeners({ start: () => undefined, stop: () => undefined });
    const heard: string[] = [];
    listeners.subscribe((event) => heard.push(`room:${event.roomId}`));
    listeners.subscribeRevocations((event) => heard.push(`revoked:${event.userId}`));
    listeners.rooms.emit(deleted("a"));
    listeners.revocations.emit({ userId: "alice", issuedBefore: 1 });
    listeners.rooms.emit(deleted("b"));
    expect(heard).toEqual(["room:a", "revoked:alice", "room:b"]);
  });

  it("emit - onListenerError receives a room listener's error", () => {
    const errors: unknown[] = [];
    const listeners = new StoreListeners(
      { start: () => undefined, stop: () => undefined },
      { onListenerError: (error) => errors.push(error) },
    );
    const boom = new Error("boom");
    listeners.subscribe(() => {
      throw boom;
    });
    listeners.rooms.emit(deleted("r"));
    expect(errors).toEqual([boom]);
  });
});
