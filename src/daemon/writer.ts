// Results are buffered and written in batches, one transaction each. When the store is down the
// buffer holds them (bounded) and writes are retried with jitter; what overflows is counted and
// reported, never dropped silently. Alerts a result causes (outbox entries) travel with it and are
// committed in the same transaction, so a confirmed change and its alert are stored together or not
// at all; a result dropped from a full buffer hands its alerts to the next one.
import { nextDelay } from '../client/backoff.ts';
import type { OutboxEntry } from '../notify/types.ts';
import type { CheckResult } from '../probes/types.ts';
import type { Store } from '../store/types.ts';
import type { Logger } from './log.ts';

export interface WriterOptions {
  store: Store;
  location: string;
  logger: Logger;
  /** Called before the first write (and again after a failure) until it succeeds: migrations. */
  prepare?: () => Promise<void>;
  batchSize?: number;
  flushIntervalMs?: number;
  maxBuffered?: number;
  retry?: { minMs: number; maxMs: number; rate: number };
  random?: () => number;
  /** After each committed batch that carried alerts (the sender wakes). */
  onOutbox?: (entries: readonly OutboxEntry[]) => void;
  /** The store stopped taking writes (`down` true) or took one again. */
  onAvailability?: (available: boolean, detail: string) => void;
}

export interface WriterStats {
  buffered: number;
  written: number;
  dropped: number;
  storeAvailable: boolean;
}

export interface ResultWriter {
  add(result: CheckResult, outbox?: readonly OutboxEntry[]): void;
  /** Writes everything buffered now; resolves false if the store refused. */
  flush(): Promise<boolean>;
  stats(): WriterStats;
  /** Stops the timer and tries to write what is left until `deadlineMs` passes. */
  close(deadlineMs: number): Promise<WriterStats>;
}

export function createResultWriter(options: WriterOptions): ResultWriter {
  const { store, location, logger } = options;
  const batchSize = options.batchSize ?? 1_000;
  const maxBuffered = options.maxBuffered ?? 100_000;
  const retry = options.retry ?? { minMs: 1_000, maxMs: 60_000, rate: 3 };
  const random = options.random ?? Math.random;
  const buffer: CheckResult[] = [];
  /** Outbox entries by the result they came with (most results carry none). */
  const carried = new Map<CheckResult, readonly OutboxEntry[]>();
  /** Entries whose result was dropped from a full buffer: written with the next batch. */
  let orphaned: OutboxEntry[] = [];
  let written = 0;
  let dropped = 0;
  let prepared = options.prepare === undefined;
  let available = true;
  let retryDelayMs = 0;
  let nextAttemptAt = 0;
  let flushing: Promise<boolean> | undefined;

  const timer = setInterval(() => {
    if (buffer.length > 0 && Date.now() >= nextAttemptAt) void flush();
  }, options.flushIntervalMs ?? 1_000);
  timer.unref();

  async function writeAll(): Promise<boolean> {
    try {
      if (!prepared) {
        await options.prepare!();
        prepared = true;
      }
      while (buffer.length > 0) {
        const batch = buffer.slice(0, batchSize);
        const orphans = orphaned.length;
        const outbox = [...orphaned, ...batch.flatMap((result) => carried.get(result) ?? [])];
        if (outbox.length > 0) await store.record(batch, location, outbox);
        else await store.record(batch, location);
        buffer.splice(0, batch.length);
        for (const result of batch) carried.delete(result);
        if (orphans > 0) orphaned = orphaned.slice(orphans);
        if (outbox.length > 0) options.onOutbox?.(outbox);
        written += batch.length;
        logger.debug('recorded', `recorded ${batch.length} results`, { count: batch.length, total: written, buffered: buffer.length });
      }
      const wasDown = !available;
      available = true;
      if (wasDown) {
        logger.info('store-back', `store is reachable again; the buffer is written`, { total: written });
        options.onAvailability?.(true, 'written again');
      }
      retryDelayMs = 0;
      nextAttemptAt = 0;
      return true;
    } catch (error) {
      retryDelayMs = nextDelay(retryDelayMs, retry, random);
      nextAttemptAt = Date.now() + retryDelayMs;
      const wasUp = available;
      available = false;
      if (wasUp) {
        options.onAvailability?.(false, (error as Error).message);
        logger.warn('store-down', `cannot write results: ${(error as Error).message}; they wait in memory and writes are retried`, {
          buffered: buffer.length,
          retryInMs: Math.round(retryDelayMs),
        });
      }
      available = false;
      return false;
    }
  }

  function flush(): Promise<boolean> {
    flushing ??= writeAll().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    add(result, outbox) {
      buffer.push(result);
      if (outbox && outbox.length > 0) carried.set(result, outbox);
      if (buffer.length > maxBuffered) {
        const overflow = buffer.length - maxBuffered;
        // the oldest go first: recent results say more about now; their alerts stay
        for (const gone of buffer.splice(0, overflow)) {
          const entries = carried.get(gone);
          if (entries) {
            orphaned.push(...entries);
            carried.delete(gone);
          }
        }
        dropped += overflow;
        if (dropped === overflow || dropped % 1_000 < overflow) {
          logger.error('buffer-overflow', `result buffer full (${maxBuffered}); oldest results dropped`, { dropped });
        }
      }
    },
    flush,
    stats: () => ({ buffered: buffer.length, written, dropped, storeAvailable: available }),
    async close(deadlineMs) {
      clearInterval(timer);
      const giveUpAt = Date.now() + deadlineMs;
      await flushing;
      while (buffer.length > 0 && Date.now() < giveUpAt) {
        if (await flush()) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(0, giveUpAt - Date.now()))));
      }
      if (buffer.length > 0) logger.error('unwritten', `${buffer.length} results could not be written before stopping`, { unwritten: buffer.length });
      return { buffered: buffer.length, written, dropped, storeAvailable: available };
    },
  };
}
