import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { SqliteStore } from "../../src/sqlite.js";
import { testRoomStore } from "../../src/testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "roomgate-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

testRoomStore({ name: "SqliteStore", create: () => new SqliteStore({ filename: join(dir, `${files++}.db`) }) });
