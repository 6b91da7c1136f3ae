/** The y-websocket wire verdict on arbitrary bytes: never throws, never lets a read-only connection write. */
import fc from "fast-check";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import { REFUSED_FOREIGN_AWARENESS, REFUSED_MALFORMED } from "../../src/realtime/yjs-wire.js";
import { verdict } from "../../src/y-websocket/messages.js";

const nobodyElse = { changesForeign: () => false };

function message(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** A sync message (type 0) of `step` with `payload`, as y-protocols writes it. */
const sync = (step: number, payload: Uint8Array) =>
  message((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, step);
    encoding.writeVarUint8Array(e, payload);
  });

/** An awareness message (type 1) with one entry. */
const awareness = (clientId: number, clock: number, state: string) =>
  message((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(
      e,
      message((body) => {
        encoding.writeVarUint(body, 1);
        encoding.writeVarUint(body, clientId);
        encoding.writeVarUint(body, clock);
        encoding.writeVarString(body, state);
      }),
    );
  });

describe("y-websocket verdict", () => {
  it("verdict - arbitrary bytes never throw, and are passed, dropped or closed with a reason", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, readOnly) => {
        const judged = verdict(bytes, readOnly, nobodyElse);
        expect(["pass", "drop", "close"]).toContain(judged.kind);
        if (judged.kind === "close") expect(judged.reason).toBe(REFUSED_MALFORMED);
      }),
    );
  });

  it("verdict - a read-only connection's sync step 2 and update are never passed; step 1 always is", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(1, 2), (payload, step) => {
        expect(verdict(sync(step, payload), true, nobodyElse)).toEqual({ kind: "drop" });
        expect(verdict(sync(step, payload), false, nobodyElse)).toEqual({ kind: "pass" });
        expect(verdict(sync(0, payload), true, nobodyElse)).toEqual({ kind: "pass" });
      }),
    );
  });

  it("verdict - awareness of one's own passes even read-only; changing another connection's entry closes", () => {
    const owners = { changesForeign: (clientId: number) => clientId === 7 };
    expect(verdict(awareness(3, 1, '{"user":"me"}'), true, owners)).toEqual({ kind: "pass" });
    expect(verdict(awareness(7, 9, "null"), true, owners)).toEqual({ kind: "close", reason: REFUSED_FOREIGN_AWARENESS });
    expect(verdict(awareness(7, 9, "{}"), false, owners)).toEqual({ kind: "close", reason: REFUSED_FOREIGN_AWARENESS });
  });
});
