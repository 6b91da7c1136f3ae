import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("npm run demo restart", () => {
  it("demo - a room written to a SQLite file is read back after the store is reopened", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/demo.ts"], {
      cwd: root,
      timeout: 60_000,
    });
    expect(stdout).toContain(
      'After a restart (SqliteStore, same file): getRoom("a32wQXid4A9").usersAccesses = {"olivier@example.com":["room:read","room:presence:write"]}',
    );
  });
});
