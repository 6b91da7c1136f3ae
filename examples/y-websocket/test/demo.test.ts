import { expect, it } from "vitest";
import { runDemo } from "../demo.js";

it("y-websocket demo - both edit, the downgraded editor's edit reaches no one, the removed one is disconnected", async () => {
  const lines: string[] = [];
  const outcome = await runDemo((line) => lines.push(line));
  expect(outcome.bothSee).toBe("Hello world");
  expect(outcome.activeUsers).toEqual(["alice", "bob"]);
  expect(outcome.aliceAfterDowngrade).toBe("Hello world.");
  // His own document keeps the edit (Yjs cannot take it back); concurrent inserts at one place order by client id.
  expect(outcome.bobAfterDowngrade).toMatch(/^Hello world(!!!\.|\.!!!)$/);
  expect(outcome.bobDisconnectedWith).toEqual({ code: 4403, reason: 'User "bob" may not enter room "notes".' });
  expect(outcome.activeUsersAfterRemoval).toEqual(["alice"]);
  expect(lines).toHaveLength(7);
});
