// The boundary between the runner and a probe: a hard deadline, retries with jitter, and any throw
// turned into a recorded result (a throw is our bug, not the target's outage).
import type { Check } from '../probes/registry.ts';
import { down, type CheckResult, type Probe } from '../probes/types.ts';

/** Extra time a probe gets past its own deadline before the runner gives up on it. */
const GRACE_MS = 1_000;

export interface RunCheckOptions {
  stop: AbortSignal;
  random?: () => number;
  /** Called with a probe's throw: it is logged with its stack, never published. */
  onInternalError?: (check: Check, error: unknown) => void;
}

export async function runCheck(check: Check, probe: Probe, options: RunCheckOptions): Promise<CheckResult> {
  const random = options.random ?? Math.random;
  let result = await attempt(check, probe, options);
  for (let retry = 1; retry <= check.retries && result.status === 'down' && !options.stop.aborted; retry++) {
    // Jitter spreads retries of many checks (and many locations) instead of aligning them.
    const delayMs = Math.round(check.retryDelayMs * (0.5 + random()));
    if (!(await sleep(delayMs, options.stop))) break;
    result = await attempt(check, probe, options);
    result = { ...result, details: { ...result.details, attempts: retry + 1 } };
  }
  return result;
}

async function attempt(check: Check, probe: Probe, options: RunCheckOptions): Promise<CheckResult> {
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hardDeadline = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve(down(check, { startedAt, message: `no answer within ${check.timeoutMs} ms`, details: { abandoned: true } })),
      check.timeoutMs + GRACE_MS,
    );
  });
  try {
    return await Promise.race([probe.run(check, options.stop), hardDeadline]);
  } catch (error) {
    options.onInternalError?.(check, error);
    return down(check, { startedAt, message: 'probe failed internally', details: { internal: true } });
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves true after `ms`, or false at once when `stop` aborts. */
export function sleep(ms: number, stop: AbortSignal): Promise<boolean> {
  if (stop.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    stop.addEventListener('abort', onAbort, { once: true });
  });
}
