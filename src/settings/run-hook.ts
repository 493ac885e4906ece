/** Longest an integration's check may take before the user gets an answer anyway. */
export const HOOK_TIMEOUT_MS = 20_000;

/**
 * Runs an integration's settings hook with an abort signal and a deadline. The deadline holds
 * even for a hook that ignores the signal: a save or a test button must answer, not hang on a
 * portal that never replies.
 */
export async function runHook<T>(hook: (signal: AbortSignal) => Promise<T>, timeoutMs = HOOK_TIMEOUT_MS): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([hook(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
