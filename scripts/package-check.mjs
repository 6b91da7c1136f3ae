// The package as users install it (`npm run lint:package`, after `npm run
// build`): publint and attw on the packed tarball, then small consumer
// projects in a temp dir that type-check, load and test the tarball's files.
// Every entry point comes from package.json's `exports`, the one list that
// tsup.config.ts builds from, so a new entry point is checked with no edit here.
// Prints one line per check; exits 1 if any fails.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "scripts", "package-check");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const modules = join(root, "node_modules");
const started = Date.now();
let failures = 0;

/** Runs `file args` in `cwd`; resolves to its stdout (warnings on stderr do not spoil JSON), rejects with all output of a failure. */
async function sh(cwd, file, args, env = {}) {
  try {
    const { stdout } = await run(file, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    throw new Error(
      `${[file, ...args].join(" ")} (in ${cwd}) failed:\n${error.stdout ?? ""}${error.stderr ?? ""}${error.stdout || error.stderr ? "" : error.message}`,
    );
  }
}

async function check(name, body) {
  const start = Date.now();
  try {
    const detail = await body();
    const took = `${((Date.now() - start) / 1000).toFixed(1)} s`;
    console.log(`ok   ${name} (${detail ? `${detail}, ` : ""}${took})`);
  } catch (error) {
    failures++;
    console.log(
      `FAIL ${name}\n${String(error.message)
        .trim()
        .split("\n")
        .slice(0, 40)
        .map((line) => `     ${line}`)
        .join("\n")}`,
    );
  }
}

const bin = (name, file) => join(modules, name, file);
const tsc = bin("typescript", "bin/tsc");
const vitest = bin("vitest", "vitest.mjs");

// The entry points, from `exports`: specifier, and whether CommonJS may require it.
const entries = Object.entries(pkg.exports)
  .filter(([subpath]) => subpath !== "./package.json")
  .map(([subpath, target]) => ({
    specifier: subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
    cjs: typeof target === "object" && target.require !== undefined,
  }));
const cjsEntries = entries.filter((entry) => entry.cjs);

if (!existsSync(join(root, "dist"))) {
  console.log("FAIL dist/ is missing: run `npm run build` first");
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "roomgate-package-check-"));
try {
  const packed = JSON.parse(await sh(root, "npm", ["pack", "--json", "--pack-destination", work]));
  const tarball = join(work, packed[0].filename);

  // Install the tarball as npm would, without the network: extract it, then
  // link only what its package.json declares (dependencies, peers and their
  // @types) plus the tools, from this repository's node_modules. A module
  // that dist/ imports without declaring it is not found.
  const consumers = join(work, "consumers");
  const installed = join(consumers, "node_modules");
  mkdirSync(join(installed, "@types"), { recursive: true });
  await sh(work, "tar", ["-xzf", tarball]);
  cpSync(join(work, "package"), join(installed, pkg.name), { recursive: true });
  const shipped = JSON.parse(readFileSync(join(installed, pkg.name, "package.json"), "utf8"));
  const link = (name, required) => {
    if (!existsSync(join(modules, name))) {
      if (required) throw new Error(`${name} is not installed in this repository`);
      return;
    }
    mkdirSync(dirname(join(installed, name)), { recursive: true });
    symlinkSync(join(modules, name), join(installed, name), "dir");
  };
  for (const name of Object.keys(shipped.dependencies ?? {})) link(name, true);
  for (const name of Object.keys(shipped.peerDependencies ?? {})) {
    link(name, false);
    if (!name.startsWith("@")) link(`@types/${name}`, false);
  }
  for (const name of ["typescript", "@types/node", "vitest"]) if (!existsSync(join(installed, name))) link(name, true);

  // The Web build (edge-light, workerd, worker, deno): no node: import, no Node global, only dependencies.
  await check("dist/web.js: no node: import, no Buffer / process / setImmediate", async () => {
    const code = readFileSync(join(installed, pkg.name, "dist", "web.js"), "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
    const imports = [...code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm)].map(
      (m) => m[1] ?? m[2],
    );
    // "@noble/hashes/sha2.js" is of the package "@noble/hashes".
    const packageOf = (name) => /^(?:@[^/]+\/)?[^/]+/.exec(name)?.[0] ?? name;
    const foreign = imports.filter((name) => !Object.hasOwn(shipped.dependencies ?? {}, packageOf(name)));
    if (foreign.length > 0) throw new Error(`dist/web.js imports ${foreign.join(", ")}`);
    const globals = [...code.matchAll(/(?<![.\w$])(?:Buffer|process)\s*\.|(?<![.\w$])setImmediate\s*\(/g)].map((m) => m[0]);
    if (globals.length > 0) throw new Error(`dist/web.js uses ${globals.join(", ")}`);
    return `imports ${[...new Set(imports)].join(", ") || "nothing"}`;
  });

  // (0) The linters, on the same tarball.
  await Promise.all([
    check("publint --strict", async () => {
      const out = await sh(root, process.execPath, [bin("publint", "src/cli.js"), "run", tarball, "--strict"]);
      return out.includes("All good") ? "" : out.trim();
    }),
    check("attw (entries with CommonJS: node16; ESM-only entries: esm-only)", async () => {
      const attw = bin("@arethetypeswrong/cli", "dist/index.js");
      const subpaths = (list) =>
        list.map((entry) => (entry.specifier === pkg.name ? "." : `./${entry.specifier.slice(pkg.name.length + 1)}`));
      const esmOnly = entries.filter((entry) => !entry.cjs);
      // node16: TypeScript's legacy "node" resolution (node10) cannot see subpath exports at all.
      const dual = ["--profile", "node16", "--entrypoints", ...subpaths(cjsEntries)];
      await sh(root, process.execPath, [attw, tarball, "--format", "ascii", "--no-emoji", ...dual]);
      if (esmOnly.length > 0)
        await sh(root, process.execPath, [
          attw,
          tarball,
          "--format",
          "ascii",
          "--no-emoji",
          "--profile",
          "esm-only",
          "--entrypoints",
          ...subpaths(esmOnly),
        ]);
      return `${cjsEntries.length} dual, ${esmOnly.length} ESM-only`;
    }),
  ]);

  // (a) Consumer projects type-check against the tarball with skipLibCheck: false.
  const projects = [
    { name: "cjs-node16", type: "commonjs", compilerOptions: { module: "node16", moduleResolution: "node16" } },
    { name: "esm-node16", type: "module", compilerOptions: { module: "node16", moduleResolution: "node16" } },
    { name: "bundler", type: "module", compilerOptions: { module: "esnext", moduleResolution: "bundler" } },
  ];
  for (const project of projects) {
    const dir = join(consumers, project.name);
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `consumer-${project.name}`, private: true, type: project.type }));
    const compilerOptions = {
      target: "es2022",
      lib: ["es2023"],
      types: ["node"],
      strict: true,
      skipLibCheck: false,
      // TypeScript's own lib.*.d.ts are not the package's types; checking them thrice costs a third of the time.
      skipDefaultLibCheck: true,
      noEmit: true,
      ...project.compilerOptions,
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["*.ts"] }, null, 2));
    cpSync(join(fixtures, "usage.ts"), join(dir, "usage.ts"));
    // Every entry point: a value import where this consumer can load it, a
    // type import (resolution-mode "import") of the ESM-only ones from CommonJS.
    const lines = entries.map((entry, i) =>
      project.type === "commonjs" && !entry.cjs
        ? `import type * as entry${i} from "${entry.specifier}" with { "resolution-mode": "import" };\nexport type Entry${i} = keyof typeof entry${i};`
        : `import * as entry${i} from "${entry.specifier}";\nexport const names${i} = Object.keys(entry${i});`,
    );
    writeFileSync(join(dir, "entries.ts"), `${lines.join("\n")}\n`);
    if (project.type === "module") cpSync(join(fixtures, "testing-usage.ts"), join(dir, "testing-usage.ts"));
  }
  const stores = join(consumers, "esm-node16");
  cpSync(join(fixtures, "store.test.mjs"), join(stores, "store.test.mjs"));

  await Promise.all(
    projects.map((project) =>
      check(`types: ${project.name} consumer, skipLibCheck false`, () =>
        sh(join(consumers, project.name), process.execPath, [tsc, "-p", "."]).then(() => ""),
      ),
    ),
  );

  // (b) Loading from CommonJS: require() reaches the ESM-only dependencies
  // (jose, @noble/hashes) through require(esm), unflagged on every Node that
  // engines admits. ESM and CJS builds export the same names.
  await check(`require() of ${cjsEntries.map((e) => e.specifier).join(", ")}`, async () => {
    const script = `const names = {}; for (const s of ${JSON.stringify(cjsEntries.map((e) => e.specifier))}) names[s] = Object.keys(require(s)).sort(); console.log(JSON.stringify(names));`;
    const cjsNames = JSON.parse(await sh(join(consumers, "cjs-node16"), process.execPath, ["-e", script]));
    const esmScript = `const names = {}; for (const s of ${JSON.stringify(cjsEntries.map((e) => e.specifier))}) names[s] = Object.keys(await import(s)).filter((k) => k !== "default" && k !== "module.exports").sort(); console.log(JSON.stringify(names));`;
    const esmNames = JSON.parse(await sh(stores, process.execPath, ["--input-type=module", "-e", esmScript]));
    for (const entry of cjsEntries) {
      if (JSON.stringify(cjsNames[entry.specifier]) !== JSON.stringify(esmNames[entry.specifier]))
        throw new Error(
          `${entry.specifier}: ESM and CJS export different names\nESM ${esmNames[entry.specifier]}\nCJS ${cjsNames[entry.specifier]}`,
        );
    }
    return "same names as ESM";
  });

  const webFiles = new Set(
    Object.values(pkg.exports).flatMap((target) =>
      typeof target === "object" ? ["edge-light", "workerd", "worker", "deno"].map((c) => target[c]?.default?.replace("./dist/", "")) : [],
    ),
  );
  // (d) One module tree: a name two entry points export is one object, and
  // no class is copied into two files of one format.
  await check(`one module tree for ${entries.map((e) => e.specifier).join(", ")}`, async () => {
    const script = `
      const specs = ${JSON.stringify(entries.map((e) => e.specifier))};
      const seen = new Map(); const clashes = [];
      for (const s of specs) for (const [k, v] of Object.entries(await import(s))) {
        if (k === "default") continue;
        if (seen.has(k) && seen.get(k).value !== v) clashes.push(k + " differs between " + seen.get(k).from + " and " + s);
        else seen.set(k, { value: v, from: s });
      }
      console.log(JSON.stringify(clashes));`;
    const clashes = JSON.parse(await sh(stores, process.execPath, ["--input-type=module", "-e", script]));
    // A copied module is copied verbatim: the same name with the same body in
    // two files. Two different classes may share a name (two stores' change feeds could).
    const dist = join(installed, pkg.name, "dist");
    for (const ext of [".js", ".cjs"]) {
      const declared = new Map();
      // The Web build is its own module tree by design: a runtime loads either it or the Node build.
      for (const file of readdirSync(dist).filter((f) => f.endsWith(ext) && !webFiles.has(f))) {
        const text = readFileSync(join(dist, file), "utf8");
        for (const match of text.matchAll(/^(?:var (\w+) = class\b|class (\w+)\b)[^]*?^}/gm)) {
          const key = match[0].replace(/^var \w+ = class|^class \w+/, "");
          const name = match[1] ?? match[2];
          const files = declared.get(`${name}\0${key}`) ?? [];
          declared.set(`${name}\0${key}`, [...files, file]);
        }
      }
      for (const [key, files] of declared) {
        if (files.length > 1) clashes.push(`class ${key.split("\0")[0]} is declared in ${files.join(" and ")}`);
      }
    }
    if (clashes.length > 0) throw new Error(clashes.join("\n"));
    return "";
  });

  // (e) No dual-package hazard: whichever of import and require loads an
  // entry point, every name is the same object (one LiveblocksError class).
  await check(`import and require hand out the same objects for ${cjsEntries.map((e) => e.specifier).join(", ")}`, async () => {
    const script = `
      const specs = ${JSON.stringify(cjsEntries.map((e) => e.specifier))};
      (async () => {
        const differ = [];
        for (const s of specs) {
          const required = require(s);
          const imported = await import(s);
          for (const [k, v] of Object.entries(imported)) if (k !== "default" && k !== "module.exports" && required[k] !== v) differ.push(s + ": " + k);
        }
        const { LiveblocksError } = require("roomgate");
        if (!(new (await import("roomgate")).LiveblocksError("x", 404) instanceof LiveblocksError)) differ.push("instanceof LiveblocksError");
        console.log(JSON.stringify(differ));
      })();`;
    const differ = JSON.parse(await sh(join(consumers, "cjs-node16"), process.execPath, ["-e", script]));
    if (differ.length > 0) throw new Error(`import and require differ: ${differ.join(", ")}`);
    return "one class per name";
  });

  // (c) The packed conformance suite against the packed MemoryStore, entirely.
  await check("roomgate/testing's testRoomStore against the packed MemoryStore", async () => {
    const report = join(work, "vitest.json");
    await sh(stores, process.execPath, [vitest, "run", "--root", ".", "--reporter=json", `--outputFile=${report}`], { CI: "true" }).catch(
      (error) => {
        if (!existsSync(report)) throw error;
      },
    );
    const result = JSON.parse(readFileSync(report, "utf8"));
    const failed = result.testResults.flatMap((file) =>
      file.assertionResults
        .filter((t) => t.status !== "passed")
        .map((t) => `${t.status}: ${t.fullName}${t.failureMessages?.length ? `\n  ${t.failureMessages[0].split("\n")[0]}` : ""}`),
    );
    if (result.numTotalTests === 0) throw new Error("no test ran");
    if (failed.length > 0) throw new Error(`${result.numPassedTests} of ${result.numTotalTests} pass\n${failed.join("\n")}`);
    return `${result.numPassedTests} of ${result.numTotalTests} pass`;
  });
} catch (error) {
  failures++;
  console.log(`FAIL package check\n${error.message}`);
} finally {
  // PACKAGE_CHECK_KEEP=1 keeps the tarball and the consumer projects to look into.
  if (process.env.PACKAGE_CHECK_KEEP === "1") console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(failures === 0 ? `package check: all good in ${seconds} s` : `package check: ${failures} check(s) failed in ${seconds} s`);
process.exit(failures === 0 ? 0 : 1);
