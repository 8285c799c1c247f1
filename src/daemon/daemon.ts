// `statuspost run`: probe on schedule, record every result, keep roll-ups current and prune old rows.
import type { Config } from '../config/load.ts';
import type { Alerts } from '../notify/alerts.ts';
import type { SelfTrouble } from '../notify/events.ts';
import type { OutboxEntry } from '../notify/types.ts';
import type { Check } from '../probes/registry.ts';
import type { CheckResult } from '../probes/types.ts';
import { confirmNext, initialConfirmState, type ConfirmState } from '../runner/confirm.ts';
import { refreshRollups } from '../store/refresh.ts';
import { gapLimitFor } from '../store/rollup.ts';
import { refreshComponentDays, zoneDays } from '../status/component-days.ts';
import { LiveStatus } from '../live/live-status.ts';
import { DAY_MS, type Store } from '../store/types.ts';
import { FEED_EVENT_HORIZON_MS } from '../notify/subscribers/feed-events.ts';
import type { Logger } from './log.ts';
import { startScheduler } from './scheduler.ts';
import { createResultWriter, type WriterStats } from './writer.ts';

export interface DaemonOptions {
  config: Config;
  store: Store;
  logger: Logger;
  flushIntervalMs?: number;
  /** How often roll-ups are refreshed and old raw rows pruned. */
  maintenanceIntervalMs?: number;
  /** Confirmation states to resume from (restoreConfirmStates), so a restart does not forget an outage. */
  initialStates?: ReadonlyMap<string, ConfirmState>;
  /** Called with every result (metrics). */
  observe?: (check: Check, result: CheckResult) => void;
  /** Keep today's state of each check for a publisher in this process (src/live). Default true; a prober that does not publish says false. */
  keepToday?: boolean;
  /** The kept state to feed instead of a new one (a publisher over several locations: its own location's, src/locations/live.ts). */
  live?: LiveStatus;
  /**
   * Alerts from this daemon's own view of the checks: confirmed changes, TLS, saturation and
   * reminders. Default true. With several locations it is false: one location's view is not the
   * truth, and the lease holder alerts from the verdicts (src/locations/verdicts.ts); own trouble
   * (the store down, publishing failing) is still alerted here.
   */
  ownViewAlerts?: boolean;
  /** Called when a check's confirmed status changes (the publisher republishes). */
  onStatusChange?: (check: Check, state: ConfirmState) => void;
  /** Alerts (probes/notify.yaml): events from confirmed changes, written with their results. */
  alerts?: Alerts;
  /** Something was written to the outbox (the sender wakes). */
  onOutbox?: () => void;
  /**
   * Sends an entry at once without the outbox, while the store is down (statuspost's own trouble
   * must reach someone then); resolves with the targets reached. Later written to the outbox
   * without those targets, so its record is complete and nobody gets it twice.
   */
  deliverDirect?: (entry: OutboxEntry) => Promise<string[]>;
  /**
   * More of the stored history to bring up to date in each maintenance, after this location's
   * roll-ups and component days (the lease holder's agreed days over several locations).
   */
  refreshMore?: (now: number) => Promise<void>;
  /** How often reminders are looked for (default 1 s). */
  reminderTickMs?: number;
}

/**
 * Each check's confirmation state as its recent recorded results leave it: a daemon restarted during
 * an outage resumes "down" instead of starting from "unknown" and waiting for a fresh streak.
 */
const RESUME_LIMIT_MS = 5 * 60_000;

export async function restoreConfirmStates(store: Store, checks: readonly Check[], location: string, now: number): Promise<Map<string, ConfirmState>> {
  const states = new Map<string, ConfirmState>();
  for (const check of checks) {
    const lookbackMs = (check.confirm.down + check.confirm.up + 1) * check.schedule.intervalMs + Math.max(gapLimitFor(check), RESUME_LIMIT_MS);
    const results = await store.results({ checkId: check.id, location, since: now - lookbackMs, until: now + 1 });
    let state = initialConfirmState;
    for (const result of results) state = confirmNext(state, result, check.confirm);
    // A restart takes seconds to minutes: states up to five minutes old are resumed (the next results
    // confirm or clear them); older ones are not believed, and the check starts afresh.
    const last = results.at(-1);
    states.set(check.id, last && now - last.startedAt <= Math.max(gapLimitFor(check), RESUME_LIMIT_MS) ? state : initialConfirmState);
  }
  return states;
}

/**
 * How long the outbox keeps what it sent: as long as raw results, and at least a day longer than a
 * feed item can become a subscriber event (FEED_EVENT_HORIZON_MS), so a post is never sent twice.
 */
export function outboxKeepMs(retentionMs: number): number {
  return Math.max(retentionMs, FEED_EVENT_HORIZON_MS + DAY_MS);
}

export interface Daemon {
  stats(): WriterStats & { running: number; statuses: Record<string, ConfirmState> };
  /** statuspost's own trouble began or ended (publishing, posts): an alert on each change. */
  trouble(trouble: SelfTrouble, troubled: boolean, detail: string): void;
  /** Alerts made outside the results (an incident drafted from an outage): to the outbox when the store takes writes. */
  enqueue(entries: readonly OutboxEntry[]): void;
  /** Writes what is buffered now (before a publish reads the store). */
  flush(): Promise<boolean>;
  /** Today's state of every check, kept as results arrive: what a publish reads instead of today's rows (src/live). None with `keepToday: false`. */
  readonly live: LiveStatus | undefined;
  /** Graceful: stop scheduling, let in-flight checks end (their deadline at most), write, close. */
  stop(): Promise<WriterStats>;
}

export function startDaemon(options: DaemonOptions): Daemon {
  const { config, store, logger } = options;
  const location = config.site.location;
  const alerts = options.alerts;

  // Alerts that come with no result (reminders, own trouble) wait here until the outbox takes them.
  let side: OutboxEntry[] = [];
  let sideWriting: Promise<void> | undefined;
  const writeSide = (): Promise<void> =>
    // .finally() runs after the assignment, even when there is nothing to write (no await inside).
    (sideWriting ??= (async () => {
      try {
        while (side.length > 0 && writer.stats().storeAvailable) {
          const entries = side.slice();
          await store.enqueue(entries);
          side = side.slice(entries.length);
          options.onOutbox?.();
        }
      } catch (error) {
        logger.debug('outbox-wait', `alerts wait in memory for the store: ${(error as Error).message}`);
      }
    })().finally(() => {
      sideWriting = undefined;
    }));
  const addSide = (entries: readonly OutboxEntry[]) => {
    side.push(...entries);
    if (side.length > 0) void writeSide(); // also retries what waits from before
  };
  /** Own trouble: through the outbox when the store takes writes, else sent directly and written later. */
  const trouble = (kind: SelfTrouble, troubled: boolean, detail: string) => {
    const entry = alerts?.self(kind, troubled, detail, Date.now());
    if (!entry) return;
    if (writer.stats().storeAvailable || !options.deliverDirect) return addSide([entry]);
    void options.deliverDirect(entry).then((reached) => {
      side.push({ ...entry, targets: entry.targets.filter((t) => !reached.includes(t.name)) });
      void writeSide();
    });
  };

  const writer = createResultWriter({
    store,
    location,
    logger,
    prepare: () => store.migrate(),
    onOutbox: () => options.onOutbox?.(),
    onAvailability: (available, detail) => {
      if (available) void writeSide();
      trouble('store', !available, detail);
    },
    ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
  });

  const live = options.keepToday === false ? undefined : (options.live ?? new LiveStatus(zoneDays(config.site.timezone)));
  const ownViewAlerts = options.ownViewAlerts !== false;
  const confirmed = new Map<string, ConfirmState>(config.checks.map((check) => [check.id, options.initialStates?.get(check.id) ?? initialConfirmState]));
  const onResult = (check: Check, result: CheckResult) => {
    const before = confirmed.get(check.id) ?? initialConfirmState;
    const after = confirmNext(before, result, check.confirm);
    confirmed.set(check.id, after);
    // The alerts this result causes are committed with it, in one transaction.
    let outbox: OutboxEntry[] | undefined;
    if (alerts && ownViewAlerts) {
      try {
        outbox = alerts.onResult(check, result, before, after, confirmed, Date.now());
      } catch (error) {
        logger.error('alerts-failed', `alerts for check ${check.id} could not be made: ${(error as Error).stack ?? String(error)}`, { check: check.id });
      }
    }
    writer.add(result, outbox);
    live?.take(check, result);
    options.observe?.(check, result);
    if (after.status !== before.status) {
      const level = after.status === 'down' ? 'warn' : 'info';
      logger[level]('status', `check ${check.id} is ${after.status}: ${result.message}`, {
        check: check.id,
        component: check.component,
        status: after.status,
        since: after.since === null ? null : new Date(after.since).toISOString(),
      });
      options.onStatusChange?.(check, after);
    }
  };

  const reminders = alerts && ownViewAlerts
    ? setInterval(() => {
        try {
          addSide(alerts.reminders(confirmed, Date.now()));
        } catch (error) {
          logger.error('alerts-failed', `reminders could not be made: ${(error as Error).message}`);
        }
      }, options.reminderTickMs ?? 1_000)
    : undefined;
  reminders?.unref();

  const scheduler = startScheduler({ checks: config.checks, concurrency: config.site.concurrency, logger, onResult });

  let maintaining: Promise<void> | undefined;
  const maintain = () => {
    maintaining ??= (async () => {
      try {
        if (!writer.stats().storeAvailable) return;
        const now = Date.now();
        let days: number;
        try {
          await writer.flush(); // what the daemon keeps from now on starts where the store ends
          days = await refreshRollups(store, config.checks, location, now, live);
          await refreshComponentDays(store, config.components, config.checks, location, config.site.timezone, now, live);
          await options.refreshMore?.(now);
        } finally {
          live?.history.changed(); // what a publish kept of the stored history may be old now, even after a failure midway
        }
        const pruned = await store.prune(now - config.site.retention);
        // Alerts are kept as long as raw results (their record of what was sent), never while pending,
        // and never before feed items stop becoming events: a pruned key could be enqueued again.
        const prunedAlerts = alerts ? await store.pruneOutbox(now - outboxKeepMs(config.site.retention)) : 0;
        logger.debug('maintenance', `roll-ups refreshed for ${days} days; ${pruned} old raw results and ${prunedAlerts} old alerts pruned`, { days, pruned, prunedAlerts });
      } catch (error) {
        logger.warn('maintenance-failed', `roll-up refresh or pruning failed: ${(error as Error).message}; retried later`);
      } finally {
        maintaining = undefined;
      }
    })();
    return maintaining;
  };
  const maintenance = setInterval(maintain, options.maintenanceIntervalMs ?? 10 * 60_000);
  maintenance.unref();
  // Once soon after start too, so that today's roll-up (its latency figures) and any days missed
  // while the daemon was down are there for the next publish, not ten minutes later. Not at once:
  // the first round of every check runs then.
  const firstMaintenance = setTimeout(maintain, Math.min(30_000, options.maintenanceIntervalMs ?? 30_000));
  firstMaintenance.unref();

  const longestTimeoutMs = Math.max(1_000, ...config.checks.map((check) => check.timeoutMs * (check.retries + 1) + check.retryDelayMs * check.retries));
  logger.info('started', `probing ${config.checks.length} checks from location "${location}" into the ${store.engine} store`, {
    checks: config.checks.length,
    location,
    engine: store.engine,
  });

  return {
    stats: () => ({ ...writer.stats(), running: scheduler.running, statuses: Object.fromEntries(confirmed) }),
    trouble,
    enqueue: addSide,
    flush: () => writer.flush(),
    live,
    async stop() {
      clearInterval(maintenance);
      clearInterval(reminders);
      clearTimeout(firstMaintenance);
      await scheduler.stop(longestTimeoutMs + 1_000);
      await maintaining;
      const stats = await writer.close(5_000);
      await writeSide();
      if (side.length > 0) logger.error('unwritten-alerts', `${side.length} alerts could not be written to the outbox before stopping`, { unwritten: side.length });
      if (stats.buffered === 0) await maintain();
      logger.info('stopped', `stopped; ${stats.written} results written${stats.dropped ? `, ${stats.dropped} dropped` : ''}`, {
        written: stats.written,
        unwritten: stats.buffered,
        dropped: stats.dropped,
      });
      return stats;
    },
  };
}
