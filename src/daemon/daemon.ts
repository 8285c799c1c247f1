// `statuspost run`: probe on schedule, record every result, keep roll-ups current and prune old rows.
import type { Config } from '../config/load.ts';
import type { Check } from '../probes/registry.ts';
import type { CheckResult } from '../probes/types.ts';
import { confirmNext, initialConfirmState, type ConfirmState } from '../runner/confirm.ts';
import { refreshRollups } from '../store/refresh.ts';
import { refreshComponentDays } from '../status/component-days.ts';
import type { Store } from '../store/types.ts';
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
}

export interface Daemon {
  stats(): WriterStats & { running: number; statuses: Record<string, ConfirmState> };
  /** Graceful: stop scheduling, let in-flight checks end (their deadline at most), write, close. */
  stop(): Promise<WriterStats>;
}

export function startDaemon(options: DaemonOptions): Daemon {
  const { config, store, logger } = options;
  const location = config.site.location;
  const writer = createResultWriter({
    store,
    location,
    logger,
    prepare: () => store.migrate(),
    ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
  });

  const confirmed = new Map<string, ConfirmState>(config.checks.map((check) => [check.id, initialConfirmState]));
  const onResult = (check: Check, result: CheckResult) => {
    writer.add(result);
    const before = confirmed.get(check.id) ?? initialConfirmState;
    const after = confirmNext(before, result, check.confirm);
    confirmed.set(check.id, after);
    if (after.status !== before.status) {
      const level = after.status === 'down' ? 'warn' : 'info';
      logger[level]('status', `check ${check.id} is ${after.status}: ${result.message}`, {
        check: check.id,
        component: check.component,
        status: after.status,
        since: after.since === null ? null : new Date(after.since).toISOString(),
      });
    }
  };

  const scheduler = startScheduler({ checks: config.checks, concurrency: config.site.concurrency, logger, onResult });

  let maintaining: Promise<void> | undefined;
  const maintain = () => {
    maintaining ??= (async () => {
      try {
        if (!writer.stats().storeAvailable) return;
        const now = Date.now();
        const days = await refreshRollups(store, config.checks, location, now);
        await refreshComponentDays(store, config.components, config.checks, location, config.site.timezone, now);
        const pruned = await store.prune(now - config.site.retention);
        logger.debug('maintenance', `roll-ups refreshed for ${days} days; ${pruned} old raw results pruned`, { days, pruned });
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

  const longestTimeoutMs = Math.max(1_000, ...config.checks.map((check) => check.timeoutMs * (check.retries + 1) + check.retryDelayMs * check.retries));
  logger.info('started', `probing ${config.checks.length} checks from location "${location}" into the ${store.engine} store`, {
    checks: config.checks.length,
    location,
    engine: store.engine,
  });

  return {
    stats: () => ({ ...writer.stats(), running: scheduler.running, statuses: Object.fromEntries(confirmed) }),
    async stop() {
      clearInterval(maintenance);
      await scheduler.stop(longestTimeoutMs + 1_000);
      await maintaining;
      const stats = await writer.close(5_000);
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
