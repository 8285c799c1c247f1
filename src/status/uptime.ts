// Uptime, one documented number (docs/uptime.md): from the time a component spent in each status,
//   uptime = 1 − (major × 1.0 + partial × 0.3 + degraded × 0) ÷ (period − announced maintenance − no data)
// with the weights configurable. "No data" is reported as coverage, never counted as up. Pure.
import type { ComponentStatus } from '../posts/types.ts';
import type { Segment } from './timeline.ts';
import { zoneDays } from './component-days.ts';

export interface UptimeWeights {
  major_outage: number;
  partial_outage: number;
  degraded_performance: number;
}

/** Statuspage's documented weights. */
export const STATUSPAGE_WEIGHTS: UptimeWeights = { major_outage: 1, partial_outage: 0.3, degraded_performance: 0 };

export interface PeriodUptime {
  from: number;
  to: number;
  /** Milliseconds in each status, and without data. */
  ms: Record<ComponentStatus, number> & { no_data: number };
  /** Weighted downtime in minutes: what the day's colour is chosen from. */
  downtimeMinutes: number;
  /** Share of the period with data, 0–1. */
  coverage: number;
  /** 0–100, or null when nothing was measured (all no data or maintenance). */
  uptimePercent: number | null;
}

export function uptimeOver(segments: readonly Segment<ComponentStatus | null>[], from: number, to: number, weights: UptimeWeights = STATUSPAGE_WEIGHTS): PeriodUptime {
  const ms = { operational: 0, degraded_performance: 0, partial_outage: 0, major_outage: 0, under_maintenance: 0, no_data: 0 };
  let covered = 0;
  for (const segment of segments) {
    const a = Math.max(segment.from, from);
    const b = Math.min(segment.to, to);
    if (b <= a) continue;
    covered += b - a;
    if (segment.status === null) ms.no_data += b - a;
    else ms[segment.status] += b - a;
  }
  ms.no_data += Math.max(0, to - from - covered); // anything the segments do not reach
  const weighted = ms.major_outage * weights.major_outage + ms.partial_outage * weights.partial_outage + ms.degraded_performance * weights.degraded_performance;
  const measured = to - from - ms.no_data - ms.under_maintenance;
  return {
    from,
    to,
    ms,
    downtimeMinutes: weighted / 60_000,
    coverage: to > from ? (to - from - ms.no_data) / (to - from) : 0,
    uptimePercent: measured > 0 ? Math.min(100, Math.max(0, 100 * (1 - weighted / measured))) : null,
  };
}

/** Day boundaries in a zone (UTC by default), newest last, for the last `days` days up to `now`. */
export function dayStarts(now: number, days: number, startOfDay: (instant: number) => number): number[] {
  const starts: number[] = [];
  let start = startOfDay(now);
  for (let i = 0; i < days; i++) {
    starts.unshift(start);
    start = startOfDay(start - 1);
  }
  return starts;
}

/** Midnight on the zone's wall clock on or before `instant` (days are 23 or 25 hours on DST days). */
export function startOfDayIn(zone: string): (instant: number) => number {
  const days = zoneDays(zone);
  return (instant) => days.startOf(days.dayOf(instant));
}
