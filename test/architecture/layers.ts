/**
 * The layer rules of ARCHITECTURE.md as code: which folder of `src/` may
 * import which. `layers.test.ts` runs them over the real import graph and
 * over graphs with a deliberately broken arrow, so the check itself is shown
 * to fail.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** Lower ranks sit lower: an import may go to its own rank or below, never above. */
export const RANKS: Readonly<Record<string, number>> = {
  permissions: 0,
  runtime: 0,
  rooms: 1,
  tokens: 1,
  protocol: 2,
  // Webhook events, signing and the outbox contract: stores write it, the facade manages it.
  webhooks: 2.5,
  stores: 3,
  liveblocks: 4,
  // The gate core the realtime faces share: token reading, admission, watch holding, close codes.
  realtime: 4.5,
  http: 5,
  cli: 5,
  hocuspocus: 5,
  partyserver: 5,
  testing: 5,
  websocket: 5,
  "y-websocket": 5,
  admin: 5,
  // The package's entry files (`src/index.ts`, `src/sqlite.ts`, `src/postgres.ts`).
  "(entry)": 6,
};

const FACES = new Set(["http", "cli", "hocuspocus", "partyserver", "testing", "websocket", "y-websocket", "admin"]);
/** Entry files a face may load an adapter through, as a user would. */
const ADAPTER_ENTRIES = new Set(["sqlite.ts", "postgres.ts", "index.ts"]);

/** `src/`-relative module path → the `src/`-relative paths it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** The layer of a `src/`-relative file: its first folder, or `(entry)` for a top-level file. */
export function layerOf(file: string): string {
  const slash = file.indexOf("/");
  return slash === -1 ? "(entry)" : file.slice(0, slash);
}

/** Every broken rule in `graph`, one line each. */
export function violations(graph: ImportGraph): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    const fromLayer = layerOf(from);
    for (const to of targets) {
      const toLayer = layerOf(to);
      const broken = ruleBroken(from, fromLayer, to, toLayer);
      if (broken !== undefined) found.push(`${from} → ${to}: ${broken}`);
    }
  }
  for (const cycle of cycles(graph)) found.push(`cycle: ${cycle.join(" → ")}`);
  return found;
}

function ruleBroken(from: string, fromLayer: string, to: string, toLayer: string): string | undefined {
  const fromRank = RANKS[fromLayer];
  const toRank = RANKS[toLayer];
  if (fromRank === undefined) return `${fromLayer}/ is in no layer (add it to RANKS)`;
  if (toRank === undefined) return `${toLayer}/ is in no layer (add it to RANKS)`;
  if (fromLayer === toLayer) {
    if (fromLayer === "stores" && adapterOf(from) !== adapterOf(to)) return "a store imports another store";
    return undefined;
  }
  if (fromLayer === "permissions") return "permissions/ imports nothing outside itself";
  if (FACES.has(fromLayer)) {
    if (toLayer === "stores") return "a face reaches a store directly (use its entry point)";
    if (toLayer === "(entry)") return ADAPTER_ENTRIES.has(to) ? undefined : "a face imports an unknown entry file";
    if (FACES.has(toLayer)) return to === `${toLayer}/index.ts` ? undefined : "a face reaches into another face";
  }
  if (toRank > fromRank) return `upward import (${fromLayer} ${fromRank} → ${toLayer} ${toRank})`;
  if (toRank === fromRank) return `sideways import between ${fromLayer}/ and ${toLayer}/`;
  return undefined;
}

function adapterOf(file: string): string {
  return file.split("/")[1] ?? "";
}

/** Each import cycle once, as the files along it. */
export function cycles(graph: ImportGraph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const seen = state.get(next);
      if (seen === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (seen === undefined && graph.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g;

/** The relative imports of every `.ts` file under `srcDir`, as `src/`-relative paths (comments skipped). */
export function readImportGraph(srcDir: string): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(srcDir)) {
    const text = stripComments(readFileSync(file, "utf8"));
    const targets: string[] = [];
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolve(dirname(file), match[1]!).replace(/\.js$/, ".ts");
      targets.push(relative(srcDir, target));
    }
    graph.set(relative(srcDir, file), targets);
  }
  return graph;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}
