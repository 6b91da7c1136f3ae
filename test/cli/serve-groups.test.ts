/**
 * The official `@liveblocks/node` against `roomgate serve` itself (its
 * `startServer`, in process) over SQLite and PostgreSQL: all seven group
 * methods get Liveblocks' shapes. `test/http/official-sdk-groups.test.ts`
 * checks them in detail against the handler with a controlled clock.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Liveblocks as Official } from "@liveblocks/node";
import { afterAll, describe, expect, it } from "vitest";
import { type StoreChoice, startServer } from "../../src/cli/serve.js";
import { DATABASE_URL, dropSchema, probePostgres, testSchema } from "../stores/postgres/helpers.js";
import { tempDir } from "./helpers.js";

const SECRET = "sk_test_roomgate_serve_groups_0123456789";
const pgUnavailable = await probePostgres();
if (pgUnavailable !== null) console.warn(`Skipping roomgate serve groups over PostgreSQL: ${pgUnavailable}`);

const dir = tempDir();
const schema = testSchema("servegroups");
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (pgUnavailable === null) await dropSchema(schema);
});

const backends: { name: string; skip: boolean; store: StoreChoice }[] = [
  { name: "SQLite", skip: false, store: { kind: "sqlite", filename: join(dir, "rooms.db") } },
  { name: "PostgreSQL", skip: pgUnavailable !== null, store: { kind: "postgres", connectionString: DATABASE_URL, schema } },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`roomgate serve over ${backend.name}`, () => {
    it("groups - the official SDK's seven group methods get Liveblocks' answers", async () => {
      const running = await startServer({ port: 0, host: "127.0.0.1", secret: SECRET, log: () => undefined, store: backend.store });
      try {
        const sdk = new Official({ secret: SECRET, baseUrl: running.url });
        const created = await sdk.createGroup({ groupId: "eng", memberIds: ["alice"] });
        expect(created).toMatchObject({ type: "group", id: "eng", organizationId: "default", members: [{ id: "alice" }] });
        expect(created.createdAt).toBeInstanceOf(Date);
        expect(await sdk.getGroup({ groupId: "eng" })).toEqual(created);
        const added = await sdk.addGroupMembers({ groupId: "eng", memberIds: ["bob"] });
        expect(added.members.map((member) => member.id)).toEqual(["alice", "bob"]);
        const removed = await sdk.removeGroupMembers({ groupId: "eng", memberIds: ["alice"] });
        expect(removed.members.map((member) => member.id)).toEqual(["bob"]);
        expect((await sdk.getGroups()).data.map((group) => group.id)).toEqual(["eng"]);
        expect((await sdk.getUserGroups({ userId: "bob" })).data.map((group) => group.id)).toEqual(["eng"]);
        expect((await sdk.getUserGroups({ userId: "alice" })).data).toEqual([]);
        await sdk.deleteGroup({ groupId: "eng" });
        await expect(sdk.getGroup({ groupId: "eng" })).rejects.toMatchObject({ status: 404 });
      } finally {
        await running.close();
      }
    });
  });
}
