import fc from "fast-check";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import { REFUSED_FOREIGN_AWARENESS, REFUSED_MALFORMED, REFUSED_READ_ONLY_BROADCAST, refusal } from "../../src/hocuspocus/messages.js";

type Entry = { clientId: number; clock: number; state: unknown };

function awareness(name: string, entries: readonly Entry[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(update, clientId);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, JSON.stringify(state));
  }
  const message = encoding.createEncoder();
  encoding.writeVarString(message, name);
  encoding.writeVarUint(message, 1);
  encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
  return encoding.toUint8Array(message);
}

const entry = fc.record({
  clientId: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  clock: fc.integer({ min: 0, max: 2 ** 40 }),
  state: fc.oneof(fc.constant(null), fc.dictionary(fc.string(), fc.string())),
});

describe("refusal", () => {
  it("property - reads every entry of an awareness message: refused exactly when one would change a foreign entry", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.array(entry, { maxLength: 8 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 7 }),
        (name, entries, readOnly, foreignPick) => {
          const foreign = entries[foreignPick % Math.max(entries.length, 1)];
          const seen: Entry[] = [];
          const reason = refusal(awareness(name, entries), readOnly, {
            changesForeign(clientId, clock, erases) {
              seen.push({ clientId, clock, state: erases ? null : "set" });
              return foreign !== undefined && clientId === foreign.clientId && clock === foreign.clock;
            },
          });
          const stop = foreign === undefined ? -1 : entries.findIndex((e) => e.clientId === foreign.clientId && e.clock === foreign.clock);
          expect(reason).toBe(stop === -1 ? undefined : REFUSED_FOREIGN_AWARENESS);
          const expected = (stop === -1 ? entries : entries.slice(0, stop + 1)).map((e) => ({
            ...e,
            state: e.state === null ? null : "set",
          }));
          expect(seen).toEqual(expected);
        },
      ),
    );
  });

  it("broadcast - refused from a read-only connection only", () => {
    const message = encoding.createEncoder();
    encoding.writeVarString(message, "doc");
    encoding.writeVarUint(message, 6);
    encoding.writeVarString(message, "hello");
    const bytes = encoding.toUint8Array(message);
    const owners = { changesForeign: () => true };
    expect(refusal(bytes, true, owners)).toBe(REFUSED_READ_ONLY_BROADCAST);
    expect(refusal(bytes, false, owners)).toBeUndefined();
  });

  it("property - arbitrary bytes never throw: a message is passed, refused, or malformed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, readOnly) => {
        const reason = refusal(bytes, readOnly, { changesForeign: () => false });
        expect([undefined, REFUSED_MALFORMED, REFUSED_READ_ONLY_BROADCAST]).toContain(reason);
      }),
    );
  });
});
