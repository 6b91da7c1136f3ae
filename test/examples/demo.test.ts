import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("npm run demo", () => {
  it("demo - walks the seed page and prints who may enter after each step", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/demo.ts"], {
      cwd: root,
      timeout: 60_000,
    });
    const rows = stdout
      .split("\n")
      .filter((line) => line.includes(" | ") && !line.startsWith("step"))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    expect(rows).toEqual([
      ["createRoom, defaultAccesses: [] (private)", "no (no-access)", "no (no-access)", "no (no-access)"],
      ['usersAccesses olivier: ["room:read", "room:presence:write"]', "read-only", "no (no-access)", "no (no-access)"],
      ['defaultAccesses: ["room:write"] (public)', "read-only", "read & write", "read & write"],
      ['groupsAccesses engineering: ["room:read", "room:presence:write"]', "read-only", "read-only", "read & write"],
      ["groupsAccesses engineering: null (removed)", "read-only", "read & write", "read & write"],
      ["defaultAccesses: null (private again)", "read-only", "no (no-access)", "no (no-access)"],
    ]);
    expect(stdout).toContain(
      'getRoom: {"defaultAccesses":[],"usersAccesses":{"olivier@example.com":["room:read","room:presence:write"]},"groupsAccesses":{}}',
    );
  });
});
