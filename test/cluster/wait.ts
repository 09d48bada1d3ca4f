// Waiting on a condition with a timeout, never a fixed sleep: the control plane's scripts and the tests share it.

/**
 * Polls `probe` until it returns a value other than undefined, and returns that value.
 * On timeout the error names what was awaited and the last value `describe` gives, so a failure explains itself.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 60_000, describe }: { timeoutMs?: number; describe?: () => Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const state = describe ? `; last seen: ${await describe()}` : '';
      throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${state}`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
