import { expect, it } from "vitest";
import { runDemo } from "../demo.js";

it("collaborative-editor demo: both edit, the downgraded editor's edit reaches no one, the removed one is disconnected", async () => {
  const lines: string[] = [];
  const outcome = await runDemo((line) => lines.push(line));
  expect(outcome.bobSawAlice).toBe("Hello world");
  expect(outcome.aliceSawBob).toBe("Hello world");
  expect(outcome.bobReadOnlyEditReachedAlice).toBe(false);
  expect(outcome.aliceAfterDowngrade).toBe("Hello world.");
  expect(outcome.bobDisconnectedWith).toMatch(/may not enter room "spec"/);
  expect(lines).toHaveLength(5);
});
