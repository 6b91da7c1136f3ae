import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type ImportGraph, cycles, readImportGraph, violations } from "./layers.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));
const graph = readImportGraph(SRC);

/** The real graph with one more import added. */
function withImport(from: string, to: string): ImportGraph {
  const copy = new Map(graph);
  copy.set(from, [...(graph.get(from) ?? []), to]);
  return copy;
}

describe("layers", () => {
  it("src - reads the imports of every layer", () => {
    const layers = new Set([...graph.keys()].map((file) => file.split("/")[0]));
    for (const layer of [
      "permissions",
      "runtime",
      "rooms",
      "tokens",
      "protocol",
      "stores",
      "liveblocks",
      "http",
      "cli",
      "hocuspocus",
      "partyserver",
      "testing",
    ]) {
      expect(layers, layer).toContain(layer);
    }
    // The facade imports the permission core: the reader sees real arrows.
    expect([...graph.values()].flat()).toContain("permissions/resolve.ts");
  });

  it("src - no upward or sideways import, no store reaching another or the facade, no face reaching a store, no cycle", () => {
    expect(violations(graph)).toEqual([]);
  });

  it("rules - an upward import is caught", () => {
    // The facade already imports rooms/patch.ts, so the arrow also closes a cycle.
    expect(violations(withImport("rooms/patch.ts", "liveblocks/client.ts"))).toEqual([
      "rooms/patch.ts → liveblocks/client.ts: upward import (rooms 1 → liveblocks 4)",
      "cycle: liveblocks/client.ts → rooms/patch.ts → liveblocks/client.ts",
    ]);
  });

  it("rules - permissions/ importing anything else is caught", () => {
    expect(violations(withImport("permissions/resolve.ts", "runtime/signal.ts"))).toEqual([
      "permissions/resolve.ts → runtime/signal.ts: permissions/ imports nothing outside itself",
    ]);
  });

  it("rules - a store importing the facade or another store is caught", () => {
    expect(violations(withImport("stores/sqlite/store.ts", "liveblocks/client.ts"))[0]).toMatch(/upward import/);
    expect(violations(withImport("stores/sqlite/store.ts", "stores/memory/store.ts"))).toEqual([
      "stores/sqlite/store.ts → stores/memory/store.ts: a store imports another store",
    ]);
  });

  it("rules - a face importing a store directly is caught", () => {
    for (const face of ["http/handler.ts", "cli/serve.ts", "hocuspocus/index.ts"]) {
      expect(violations(withImport(face, "stores/memory/store.ts"))).toEqual([
        `${face} → stores/memory/store.ts: a face reaches a store directly (use its entry point)`,
      ]);
    }
  });

  it("rules - rooms/ and tokens/ importing each other is caught", () => {
    expect(violations(withImport("tokens/index.ts", "rooms/types.ts"))).toEqual([
      "tokens/index.ts → rooms/types.ts: sideways import between tokens/ and rooms/",
    ]);
  });

  it("rules - a cycle is caught", () => {
    expect(
      cycles(
        new Map([
          ["a.ts", ["b.ts"]],
          ["b.ts", ["c.ts"]],
          ["c.ts", ["a.ts"]],
        ]),
      ),
    ).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
    expect(violations(withImport("permissions/scopes.ts", "permissions/resolve.ts")).some((line) => line.startsWith("cycle:"))).toBe(true);
  });
});
