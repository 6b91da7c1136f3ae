/**
 * The Web build of `src/index.ts`, bundled in memory by esbuild with the same
 * swap as tsup.config.ts (`crypto/node.js` → `crypto/web.ts`), zod included,
 * written once to a temp file so a Node test can import it beside the sources.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));

const webCrypto: Plugin = {
  name: "roomgate-web-crypto",
  setup(b) {
    b.onResolve({ filter: /\/crypto\/node\.js$/ }, (args) => ({
      path: resolve(dirname(args.importer), args.path.replace(/node\.js$/, "web.ts")),
    }));
  },
};

/** The bundle's code, its external imports, and a file URL to import it from. */
export interface WebBundle {
  readonly code: string;
  readonly externalImports: readonly string[];
  readonly url: string;
}

let cached: Promise<WebBundle> | undefined;

/**
 * Bundles the Web graph once per test file.
 *
 * @example
 * ```ts
 * const web: typeof import("../../src/index.js") = await import((await webBundle()).url);
 * ```
 */
export function webBundle(): Promise<WebBundle> {
  cached ??= (async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      target: "es2022",
      write: false,
      metafile: true,
      minifyWhitespace: true,
      legalComments: "none",
      plugins: [webCrypto],
      logLevel: "silent",
    });
    const output = result.outputFiles[0];
    if (output === undefined) throw new Error("esbuild wrote no output");
    const externalImports = Object.values(result.metafile.outputs).flatMap((out) =>
      out.imports.filter((i) => i.external).map((i) => i.path),
    );
    const file = join(mkdtempSync(join(tmpdir(), "roomgate-web-")), "web.mjs");
    writeFileSync(file, output.text);
    return { code: output.text, externalImports, url: pathToFileURL(file).href };
  })();
  return cached;
}
