// Runs a set of checks once under the shared concurrency limit (`statuspost probe --once`).
import { setMaxListeners } from 'node:events';
import { probeFor, type Check } from '../probes/registry.ts';
import type { CheckResult } from '../probes/types.ts';
import { createLimiter } from './limiter.ts';
import { runCheck, type RunCheckOptions } from './run-check.ts';

export async function runChecksOnce(
  checks: readonly Check[],
  concurrency: number,
  options: RunCheckOptions & { onResult?: (result: CheckResult) => void },
): Promise<CheckResult[]> {
  const limiter = createLimiter(concurrency);
  // Every running probe listens on the one stop signal; that many listeners is by design.
  setMaxListeners(Math.max(10, concurrency * 4), options.stop);
  return Promise.all(
    checks.map((check) =>
      limiter.run(async () => {
        const result = await runCheck(check, probeFor(check), options);
        options.onResult?.(result);
        return result;
      }),
    ),
  );
}
