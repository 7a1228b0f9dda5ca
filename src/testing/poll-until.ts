/**
 * Waiting on a condition in real-time tests: re-checks `condition` every few ms until it holds or
 * the deadline passes (then throws with `what`, so a failing test says what it waited for). Used
 * instead of fixed sleeps, so tests are as fast as the system and fail instead of flaking.
 */
export async function pollUntil(
  condition: () => boolean,
  what: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const intervalMs = options.intervalMs ?? 2;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (condition()) return;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
