/**
 * The global `Liveblocks` augmentation of `@liveblocks/client` types
 * `userInfo`, in roomgate as in `@liveblocks/node`. An augmentation is global
 * to a whole program, so the code that declares one is compiled here as a
 * program of its own (the repository's tsconfig, one extra file) instead of
 * being part of the type-checked test tree.
 */
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

let previous: ts.Program | undefined;

/** Type-checks `source` as if it were `test/compat/<name>.ts`; returns the diagnostics, formatted. */
function typeCheck(name: string, source: string): string {
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const file = path.join(ROOT, "test/compat", `${name}.ts`);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, ...rest) =>
    path.resolve(fileName) === file ? ts.createSourceFile(fileName, source, language) : getSourceFile(fileName, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => path.resolve(fileName) === file || fileExists(fileName);
  // Every file but the virtual one is shared by the programs: reuse them.
  const program = ts.createProgram([file], options, host, previous);
  previous = program;
  // Only this file's diagnostics: the rest of the tree is checked by tsc, and
  // checking it all again would take most of a minute.
  const sourceFile = program.getSourceFile(file);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(sourceFile),
    ...program.getSemanticDiagnostics(sourceFile),
  ];
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (fileName) => fileName,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  });
}

const PRELUDE = `
import type { Liveblocks as SdkLiveblocks } from "@liveblocks/node";
import { expectTypeOf } from "vitest";
import { Liveblocks } from "../../src/index.js";
const liveblocks = new Liveblocks({ secret: "sk_dev_usermeta_0123456789abcdefghij" });
/** The arguments after the first (the SDK's Identity requires groupIds, roomgate's does not). */
type Rest<F> = F extends (first: never, ...rest: infer R) => unknown ? R : never;
export {};
`;

describe("UserMeta augmentation", () => {
  it("identifyUser, prepareSession - userInfo takes the augmented UserMeta's info type, required when it has required fields", () => {
    const source = `${PRELUDE}
declare global {
  interface Liveblocks {
    UserMeta: { id: string; info: { name: string; color: string } };
  }
}
void liveblocks.identifyUser("alice", { userInfo: { name: "Alice", color: "red" } });
// @ts-expect-error a field of the wrong type
void liveblocks.identifyUser("alice", { userInfo: { name: 1, color: "red" } });
// @ts-expect-error a required field missing
void liveblocks.identifyUser("alice", { userInfo: { name: "Alice" } });
// @ts-expect-error userInfo is required once info has a required field
void liveblocks.identifyUser({ userId: "alice", groupIds: ["eng"] });
liveblocks.prepareSession("alice", { userInfo: { name: "Alice", color: "red" }, organizationId: "acme" });
// @ts-expect-error a field of the wrong type
liveblocks.prepareSession("alice", { userInfo: { name: "Alice", color: 7 } });
// @ts-expect-error userInfo is required once info has a required field
liveblocks.prepareSession("alice");
expectTypeOf<Rest<Liveblocks["identifyUser"]>>().toEqualTypeOf<Rest<SdkLiveblocks["identifyUser"]>>();
expectTypeOf<Rest<Liveblocks["prepareSession"]>>().toEqualTypeOf<Rest<SdkLiveblocks["prepareSession"]>>();
`;
    expect(typeCheck("augmented-required", source)).toBe("");
  }, 60_000);

  it("identifyUser - an augmentation whose info fields are all optional keeps options optional", () => {
    const source = `${PRELUDE}
declare global {
  interface Liveblocks {
    UserMeta: { id: string; info?: { name?: string; plan?: "free" | "pro" } };
  }
}
void liveblocks.identifyUser("alice");
void liveblocks.identifyUser("alice", { userInfo: { plan: "pro" } });
// @ts-expect-error a value outside the augmented type
void liveblocks.identifyUser("alice", { userInfo: { plan: "gold" } });
expectTypeOf<Rest<Liveblocks["identifyUser"]>>().toEqualTypeOf<Rest<SdkLiveblocks["identifyUser"]>>();
`;
    expect(typeCheck("augmented-optional", source)).toBe("");
  }, 60_000);

  it("identifyUser - an augmentation that does not fit BaseUserMeta names the problem, as in the SDK", () => {
    const source = `${PRELUDE}
import type { UserMeta } from "../../src/index.js";
declare global {
  interface Liveblocks {
    UserMeta: { id: string; info: string };
  }
}
expectTypeOf<UserMeta["info"]>().toEqualTypeOf<
  "The type you provided for 'UserMeta' does not match its requirements. To learn how to fix this, see https://liveblocks.io/docs/errors/UserMeta"
>();
// @ts-expect-error info must be a JSON object
void liveblocks.identifyUser("alice", { userInfo: "Alice" });
expectTypeOf<Rest<Liveblocks["identifyUser"]>>().toEqualTypeOf<Rest<SdkLiveblocks["identifyUser"]>>();
`;
    expect(typeCheck("augmented-misfit", source)).toBe("");
  }, 60_000);
});
