// Daily roll-ups, time-weighted: a result holds from its start until the next result, but never past
// the gap limit (after which the time is "no data", never counted as up), the day's end or now.
// Pure: the caller fetches the rows and passes the clock in.
import type { ProbeStatus } from '../probes/types.ts';
import { DAY_MS, dayStart, type DailyRollup, type EpochDay, type LatencySummary, type Series } from './types.ts';

export interface RollupInput {
  series: Series;
  day: EpochDay;
  /** The last result before the day began: it holds into the day's first moments. */
  previous: { status: ProbeStatus; startedAt: number } | undefined;
  /** The day's results, in time order. */
  results: readonly { status: ProbeStatus; startedAt: number; latencyMs: number | null }[];
  gapLimitMs: number;
  now: number;
}

/** How long after a day ends its roll-up is taken as settled (buffered results may still arrive). */
export const SETTLE_MS = 3_600_000;

export function rollupDay({ series, day, previous, results, gapLimitMs, now }: RollupInput): DailyRollup {
  const start = dayStart(day);
  const end = Math.min(start + DAY_MS, Math.max(start, now));
  const time: Record<ProbeStatus, number> = { up: 0, degraded: 0, down: 0 };
  const counts: Record<ProbeStatus, number> = { up: 0, degraded: 0, down: 0 };

  const hold = (status: ProbeStatus, from: number, next: number | undefined) => {
    const until = Math.min(next ?? Number.POSITIVE_INFINITY, from + gapLimitMs, end);
    const begin = Math.max(from, start);
    if (until > begin) time[status] += until - begin;
  };

  if (previous) hold(previous.status, previous.startedAt, results[0]?.startedAt);
  const latencies: number[] = [];
  results.forEach((result, i) => {
    counts[result.status]++;
    if (result.latencyMs !== null) latencies.push(result.latencyMs);
    hold(result.status, result.startedAt, results[i + 1]?.startedAt);
  });

  const covered = time.up + time.degraded + time.down;
  return {
    checkId: series.checkId,
    location: series.location,
    day,
    upMs: time.up,
    degradedMs: time.degraded,
    downMs: time.down,
    noDataMs: Math.max(0, end - start - covered),
    upCount: counts.up,
    degradedCount: counts.degraded,
    downCount: counts.down,
    latency: summarizeLatency(latencies),
    final: now >= start + DAY_MS + Math.max(gapLimitMs, SETTLE_MS),
  };
}

/** Nearest-rank percentiles: every figure is a latency that was actually measured. */
export function summarizeLatency(values: number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { min: sorted[0]!, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted[sorted.length - 1]! };
}

/** A result is believed until twice its interval plus its timeout has passed without a newer one. */
export function gapLimitFor(check: { schedule: { intervalMs: number }; timeoutMs: number }): number {
  return 2 * check.schedule.intervalMs + check.timeoutMs;
}
