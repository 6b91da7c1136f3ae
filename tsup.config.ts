import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { defineConfig, type Options } from "tsup";

/**
 * Every entry point comes from ONE list: `package.json`'s `exports` (and
 * `bin`). `./dist/<name>.js` is built from `src/<name>.ts` or
 * `src/<name>/index.ts`, and gets a CommonJS build when its export has a
 * `require` condition. Adding an entry point is adding it to `exports`.
 *
 * All entries are built together as ESM with code splitting, so they share
 * one module tree: `roomgate` and `roomgate/testing` hand out the same
 * `InvalidCursorError` class. A CommonJS entry is not a second build: it is
 * `module.exports = require("./<name>.js")`, the ESM build loaded through
 * `require(esm)` (unflagged on every Node `engines` admits), so `import` and
 * `require` hand out the same classes too (no dual-package hazard: an
 * `instanceof LiveblocksError` holds whichever loaded it). Only its types
 * (`.d.cts`) are built for it. Dependencies and peer dependencies
 * (`vitest`, `better-sqlite3`, `pg`) are external, which is tsup's default.
 *
 * An export may also point its Web-runtime conditions (`edge-light`,
 * `workerd`, `worker`, `deno`) at `./dist/<web name>.js`: that file is a
 * separate build of the same source with `src/runtime/crypto/node.ts`
 * swapped for `web.ts` (WebCrypto, no `node:` import), sharing the types of
 * the `import` build.
 */
type Export = string | { import?: unknown; require?: unknown; default?: unknown; types?: unknown };
const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
  exports: Record<string, Export>;
  bin?: Record<string, string>;
};

/** Export conditions that resolve to the Web build. */
const WEB_CONDITIONS = new Set(["edge-light", "workerd", "worker", "deno"]);

/** `./dist/testing.js` (or `.cjs`, `.d.ts`) → `testing`. */
function distName(file: string): string {
  const match = /^\.\/dist\/(.+?)\.(?:c|m)?js$/.exec(file);
  if (!match?.[1]) throw new Error(`tsup.config.ts: ${file} is not ./dist/<name>.js`);
  return match[1];
}

/** The first JS file an export condition tree points to (types skipped). */
function firstJs(target: unknown): string | undefined {
  if (typeof target === "string") return /\.(?:c|m)?js$/.test(target) ? target : undefined;
  if (target === null || typeof target !== "object") return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (condition === "types" || WEB_CONDITIONS.has(condition)) continue;
    const file = firstJs(value);
    if (file !== undefined) return file;
  }
  return undefined;
}

function sourceOf(name: string): string {
  const source = [`src/${name}.ts`, `src/${name}/index.ts`].find((candidate) => existsSync(candidate));
  if (source === undefined) throw new Error(`tsup.config.ts: no src/${name}.ts or src/${name}/index.ts for ${name}`);
  return source;
}

const esm: Record<string, string> = {};
const cjs: Record<string, string> = {};
for (const [subpath, target] of Object.entries(pkg.exports)) {
  const file = firstJs(target);
  if (file === undefined) continue; // "./package.json"
  const name = distName(file);
  esm[name] = sourceOf(name);
  if (typeof target === "object" && target.require !== undefined) cjs[name] = esm[name];
  else if (subpath === ".") throw new Error('tsup.config.ts: "." must have a require condition');
}
const web: Record<string, string> = {};
for (const target of Object.values(pkg.exports)) {
  if (typeof target !== "object") continue;
  const files = new Set(Object.entries(target).flatMap(([condition, value]) => (WEB_CONDITIONS.has(condition) ? [firstJs(value)] : [])));
  if (files.size === 0) continue;
  const [file, ...others] = [...files];
  if (file === undefined || others.length > 0)
    throw new Error("tsup.config.ts: the Web conditions of an export must name one ./dist/<name>.js");
  web[distName(file)] = sourceOf(distName(firstJs(target) ?? file));
}
for (const file of Object.values(pkg.bin ?? {})) esm[distName(file)] = sourceOf(distName(file));

const shared: Options = {
  dts: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
  splitting: true,
  treeshake: true,
};

/** Resolves every import of the Node crypto module to its Web twin. */
const webCrypto: NonNullable<Options["esbuildPlugins"]>[number] = {
  name: "roomgate-web-crypto",
  setup(build) {
    build.onResolve({ filter: /\/crypto\/node\.js$/ }, (args) => ({
      path: resolve(dirname(args.importer), args.path.replace(/node\.js$/, "web.ts")),
    }));
  },
};

/** Each CommonJS entry: the ESM build of the same name, through `require(esm)`. */
function writeCommonJsEntries(): void {
  for (const name of Object.keys(cjs)) {
    writeFileSync(
      `dist/${name}.cjs`,
      `"use strict";\n// The ESM build, one module tree for import and require.\nmodule.exports = require("./${name}.js");\n`,
    );
  }
}

export default defineConfig([
  { ...shared, entry: esm, format: ["esm"], onSuccess: async () => writeCommonJsEntries() },
  { ...shared, entry: cjs, format: ["cjs"], dts: { only: true } },
  ...(Object.keys(web).length === 0
    ? []
    : [
        {
          ...shared,
          entry: web,
          format: ["esm"],
          dts: false,
          splitting: false,
          platform: "neutral",
          target: "es2022",
          esbuildPlugins: [webCrypto],
        } satisfies Options,
      ]),
]);
