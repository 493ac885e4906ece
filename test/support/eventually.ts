/**
 * Polls an assertion until it passes or the time runs out, then rethrows its last failure.
 * For conditions another process or an asynchronous delivery makes true; never a fixed sleep.
 */
export async function expectEventually(
  assertion: () => Promise<void> | void,
  { timeoutMs = 5_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
