// Imports every public entry the way users do, from ESM and from CJS (by the
// package's own name, which Node resolves through the "exports" map).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const require = createRequire(import.meta.url);
const expected = {
  roomgate: ["resolveAccess", "resolveTokenAccess", "validatePermissionSet", "Permission"],
};
let failed = 0;
for (const subpath of Object.keys(pkg.exports).filter((p) => p !== "./package.json")) {
  const specifier = subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  const esm = await import(specifier);
  const cjs = require(specifier);
  for (const name of expected[specifier] ?? []) {
    for (const [kind, mod] of [["esm", esm], ["cjs", cjs]]) {
      if (mod[name] === undefined) {
        console.error(`${specifier} (${kind}) does not export ${name}`);
        failed++;
      }
    }
  }
  const esmKeys = Object.keys(esm).filter((k) => k !== "default" && k !== "module.exports").sort();
  const cjsKeys = Object.keys(cjs).sort();
  if (JSON.stringify(esmKeys) !== JSON.stringify(cjsKeys)) {
    console.error(`${specifier}: ESM and CJS export different names`, esmKeys, cjsKeys);
    failed++;
  }
  console.log(`ok ${specifier}: ${esmKeys.length} exports from ESM and CJS`);
}
process.exit(failed === 0 ? 0 : 1);
