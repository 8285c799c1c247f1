// One node-cron task per distinct schedule, starting every check on it at each tick: 200 checks
// every 5 s, staggered over 5 offsets, are 5 tasks rather than 200, and node-cron's work per tick
// (time-zone parts, next-match search, an execution record) was most of the daemon's garbage. A
// check never overlaps itself (the busy set); the shared limiter keeps all checks together under
// the configured concurrency.
import { setMaxListeners } from 'node:events';
import cron, { type ScheduledTask } from 'node-cron';
import { probeFor, type Check } from '../probes/registry.ts';
import type { CheckResult } from '../probes/types.ts';
import { createLimiter } from '../runner/limiter.ts';
import { runCheck } from '../runner/run-check.ts';
import type { Logger } from './log.ts';

export interface SchedulerOptions {
  checks: readonly Check[];
  concurrency: number;
  logger: Logger;
  onResult(check: Check, result: CheckResult): void;
  /** Run every check once right away, before its first scheduled instant (default true). */
  runAtStart?: boolean;
  /** How late a run started against its scheduled instant (for bench/schedule). */
  onRun?: (check: Check, scheduledAt: number, startedAt: number) => void;
}

export interface Scheduler {
  readonly running: number;
  /** Stops scheduling; in-flight checks finish or reach their deadline (at most `graceMs`), then are stopped. */
  stop(graceMs: number): Promise<void>;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { checks, logger } = options;
  const limiter = createLimiter(options.concurrency);
  const stopRuns = new AbortController();
  setMaxListeners(Math.max(10, options.concurrency * 4), stopRuns.signal);
  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  const cronLogger = {
    info: () => undefined,
    debug: () => undefined,
    warn: (message: string) => logger.debug('cron', String(message)),
    error: (message: string | Error) => logger.error('cron', String(message)),
  };

  // A check still running at its next instant skips that run (node-cron's noOverlap would hold back
  // every check of the task, so the guard is per check).
  const busy = new Set<string>();
  const runOnce = (check: Check, scheduledAt: number): Promise<void> | undefined => {
    if (stopping) return undefined;
    if (busy.has(check.id)) {
      logger.debug('overlap', `check ${check.id} is still running; this run is skipped`, { check: check.id });
      return undefined;
    }
    busy.add(check.id);
    const run = (async () => {
      const startedAt = Date.now();
      options.onRun?.(check, scheduledAt, startedAt);
      const result = await limiter.run(() =>
        runCheck(check, probeFor(check), {
          stop: stopRuns.signal,
          onInternalError: (_check, error) =>
            logger.error('probe-threw', `check ${check.id}: probe threw: ${(error as Error)?.stack ?? String(error)}`, { check: check.id }),
        }),
      );
      options.onResult(check, result);
    })().finally(() => {
      busy.delete(check.id);
      inFlight.delete(run);
    });
    inFlight.add(run);
    return run;
  };

  const bySchedule = new Map<string, Check[]>();
  for (const check of checks) {
    const due = bySchedule.get(check.schedule.cron);
    if (due) due.push(check);
    else bySchedule.set(check.schedule.cron, [check]);
  }
  const tasks: ScheduledTask[] = [...bySchedule].map(([expression, due]) =>
    cron.createTask(
      expression,
      (context) => {
        const at = context.date.getTime();
        for (const check of due) void runOnce(check, at);
      },
      { name: expression, noOverlap: false, logger: cronLogger, suppressMissedWarning: true },
    ),
  );
  for (const task of tasks) void task.start();
  // A restarted daemon should know where things stand at once, not one interval later.
  if (options.runAtStart ?? true) {
    const now = Date.now();
    for (const check of checks) void runOnce(check, now);
  }

  return {
    get running() {
      return inFlight.size;
    },
    async stop(graceMs) {
      stopping = true;
      await Promise.all(tasks.map(async (task) => task.destroy()));
      const timer = setTimeout(() => stopRuns.abort(), graceMs);
      await Promise.allSettled([...inFlight]);
      clearTimeout(timer);
    },
  };
}
