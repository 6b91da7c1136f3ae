// Imports every public entry the way users do, from ESM and from CJS (by the
// package's own name, which Node resolves through the "exports" map).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const require = createRequire(import.meta.url);
const expected = {
  roomgate: [
    "resolveAccess",
    "resolveTokenAccess",
    "validatePermissionSet",
    "Permission",
    "Liveblocks",
    "LiveblocksError",
    "MemoryStore",
    "HmacSigner",
    "KeyPairSigner",
    "JwksVerifier",
    "TokenError",
  ],
  "roomgate/testing": ["testRoomStore", "makeRoom"],
};
let failed = 0;
function check(specifier, kind, mod) {
  for (const name of expected[specifier] ?? []) {
    if (mod[name] === undefined) {
      console.error(`${specifier} (${kind}) does not export ${name}`);
      failed++;
    }
  }
}
for (const subpath of Object.keys(pkg.exports).filter((p) => p !== "./package.json")) {
  const specifier = subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  const esm = await import(specifier);
  // roomgate/testing imports vitest, which is ESM-only: it has no CJS build.
  if (pkg.exports[subpath].require === undefined) {
    check(specifier, "esm", esm);
    console.log(`ok ${specifier}: ${Object.keys(esm).length} exports from ESM (ESM-only)`);
    continue;
  }
  const cjs = require(specifier);
  check(specifier, "esm", esm);
  check(specifier, "cjs", cjs);
  const esmKeys = Object.keys(esm).filter((k) => k !== "default" && k !== "module.exports").sort();
  const cjsKeys = Object.keys(cjs).sort();
  if (JSON.stringify(esmKeys) !== JSON.stringify(cjsKeys)) {
    console.error(`${specifier}: ESM and CJS export different names`, esmKeys, cjsKeys);
    failed++;
  }
  console.log(`ok ${specifier}: ${esmKeys.length} exports from ESM and CJS`);
}
process.exit(failed === 0 ? 0 : 1);
