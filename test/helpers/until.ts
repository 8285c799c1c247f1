// Waiting on a condition instead of sleeping a fixed time: a busy machine only makes it take longer.

/** Resolves once `condition()` holds, re-checked every `pollMs`; rejects after `ms` naming `what`. */
export async function until(condition: () => boolean, ms: number, what: string, pollMs = 20): Promise<void> {
  const end = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
