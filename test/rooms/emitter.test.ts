import { afterEach, describe, expect, it, vi } from "vitest";
import { RoomChangeEmitter } from "../../src/rooms/emitter.js";
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
