// The publisher's view of the other locations: every result the probers commit to the shared store,
// read in commit order with a cursor (store.resultsAfter) about once a second, and taken into that
// location's kept state (LiveByLocation). The daemon's own location is not read back: the daemon
// takes its own results as it makes them, even while the store is down.
//
// Nothing is missed at start: the first poll asks with no cursor, which answers "the store's present",
// before the first publish reads the stored rows; what commits between the two comes both in that
// read and in the next page, and the page's copy is skipped as already held (a result not newer than
// what the location holds for the check), so it never counts as an out-of-order result.
import type { Check } from '../probes/registry.ts';
import type { CheckResult } from '../probes/types.ts';
import type { Logger } from '../daemon/log.ts';
import type { ResultCursor, Store, StoredResult } from '../store/types.ts';
import type { LeaseTimers } from './lease.ts';
import type { LiveByLocation } from './live.ts';

export interface FollowerOptions {
  store: Pick<Store, 'resultsAfter'>;
  live: LiveByLocation;
  checks: readonly Check[];
  /** The locations voted over (site.locations); results of others are not read into the kept state. */
  locations: readonly string[];
  /** The daemon's own location: taken by the daemon, skipped here. */
  own: string;
  logger: Logger;
  /** Default 1 s. */
  intervalMs?: number;
  /** Results per page; a full page is followed at once by the next. Default 1,000. */
  pageSize?: number;
  /** After every good poll, with the results it took (none too: freshness moves with time alone). */
  onPoll?: (taken: readonly StoredResult[]) => void;
  timers?: Pick<LeaseTimers, 'set' | 'clear'>;
}

export interface FollowerStats {
  /** Results taken into the kept state. */
  taken: number;
  /** Results skipped as already held (the overlap with a publish's read). */
  duplicates: number;
  polls: number;
  failing: boolean;
}

export interface Follower {
  /** Resolves once the first cursor is held (the store's present), or at stop: a publish must not read the rows before it. */
  readonly ready: Promise<void>;
  /** One poll now, to the end of what is committed (tests; the timer does it every second). */
  poll(): Promise<void>;
  stats(): FollowerStats;
  stop(): Promise<void>;
}

const realTimers: Pick<LeaseTimers, 'set' | 'clear'> = {
  set: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function startFollower(options: FollowerOptions): Follower {
  const { store, live, logger } = options;
  const intervalMs = options.intervalMs ?? 1_000;
  const pageSize = options.pageSize ?? 1_000;
  const timers = options.timers ?? realTimers;
  const checks = new Map(options.checks.map((check) => [check.id, check]));
  const voted = new Set(options.locations.filter((location) => location !== options.own));
  const stats: FollowerStats = { taken: 0, duplicates: 0, polls: 0, failing: false };

  let cursor: ResultCursor | null = null;
  let started = false;
  let stopped = false;
  let timer: unknown;
  let polling: Promise<void> | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const take = (results: readonly StoredResult[], taken: StoredResult[]) => {
    for (const result of results) {
      if (!voted.has(result.location)) continue;
      const check = checks.get(result.checkId);
      if (!check) continue;
      const kept = live.location(result.location);
      const latest = kept.latestAt(check.id);
      if (latest !== undefined && result.startedAt <= latest) {
        stats.duplicates++;
        continue;
      }
      kept.take(check, asCheckResult(result, check.kind));
      taken.push(result);
      stats.taken++;
    }
  };

  const pollOnce = async (): Promise<void> => {
    const taken: StoredResult[] = [];
    try {
      for (;;) {
        const page = await store.resultsAfter(cursor, pageSize);
        if (stopped) return;
        const first = !started;
        cursor = page.cursor;
        started = true;
        if (first) markReady();
        take(page.results, taken);
        if (first || page.results.length < pageSize) break; // a full page: more are waiting
      }
    } catch (error) {
      if (!stats.failing) logger.warn('follow-failed', `the other locations' results cannot be read: ${(error as Error).message}; retried every ${intervalMs / 1000} s`);
      stats.failing = true;
      return;
    }
    stats.polls++;
    if (stats.failing) logger.info('follow-resumed', 'the other locations\' results are read again');
    stats.failing = false;
    options.onPoll?.(taken);
  };

  const poll = (): Promise<void> => (polling ??= pollOnce().finally(() => (polling = undefined)));

  const loop = () => {
    void poll().then(() => {
      if (!stopped) timer = timers.set(loop, intervalMs);
    });
  };
  loop();

  return {
    ready,
    poll,
    stats: () => ({ ...stats }),
    async stop() {
      stopped = true;
      timers.clear(timer);
      markReady();
      await polling;
    },
  };
}

/** A stored result as the probe made it (the kept state and the alerts take CheckResults). */
export function asCheckResult(result: StoredResult, kind: string): CheckResult {
  return { checkId: result.checkId, kind, status: result.status, startedAt: result.startedAt, latencyMs: result.latencyMs, message: result.message, details: result.details };
}
