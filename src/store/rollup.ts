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
  // Plain counters and one pass: the site's 90-day summary runs this over a full day of raw rows.
  let upMs = 0;
  let degradedMs = 0;
  let downMs = 0;
  let upCount = 0;
  let degradedCount = 0;
  let downCount = 0;
  const latencies = new Float64Array(results.length);
  let measured = 0;

  const held = (from: number, next: number | undefined) => {
    const until = Math.min(next ?? Number.POSITIVE_INFINITY, from + gapLimitMs, end);
    const begin = from > start ? from : start;
    return until > begin ? until - begin : 0;
  };
  const add = (status: ProbeStatus, ms: number) => {
    if (status === 'up') upMs += ms;
    else if (status === 'degraded') degradedMs += ms;
    else downMs += ms;
  };

  if (previous) add(previous.status, held(previous.startedAt, results[0]?.startedAt));
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!;
    if (result.status === 'up') upCount++;
    else if (result.status === 'degraded') degradedCount++;
    else downCount++;
    if (result.latencyMs !== null) latencies[measured++] = result.latencyMs;
    add(result.status, held(result.startedAt, results[i + 1]?.startedAt));
  }

  return {
    checkId: series.checkId,
    location: series.location,
    day,
    upMs,
    degradedMs,
    downMs,
    noDataMs: Math.max(0, end - start - upMs - degradedMs - downMs),
    upCount,
    degradedCount,
    downCount,
    latency: summarizeSorted(latencies.subarray(0, measured).sort()),
    final: now >= start + DAY_MS + Math.max(gapLimitMs, SETTLE_MS),
  };
}

/** Nearest-rank percentiles: every figure is a latency that was actually measured. */
export function summarizeLatency(values: readonly number[]): LatencySummary | null {
  return summarizeSorted(Float64Array.from(values).sort());
}

function summarizeSorted(sorted: Float64Array): LatencySummary | null {
  if (sorted.length === 0) return null;
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { min: sorted[0]!, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted[sorted.length - 1]! };
}

/** A result is believed until twice its interval plus its timeout has passed without a newer one. */
export function gapLimitFor(check: { schedule: { intervalMs: number }; timeoutMs: number }): number {
  return 2 * check.schedule.intervalMs + check.timeoutMs;
}
