/** Waiting in loopback tests: bounded polls, never an open-ended wait. */

/** Waits until `condition` holds, polling every 10 ms; throws after `ms`. */
export async function until(condition: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
