// The incident page's chart of measured impact: each affected check's confirmed status and response
// time over the incident's window (a little before and after), in at most CHART_COLUMNS columns.
// Statuses come from the status model's check timeline; a column shows the worst status it holds
// and the slowest answer measured in it. Pure: the caller passes the results and the clock in.
import type { ProbeStatus } from '../probes/types.ts';
import type { ConfirmedStatus, Thresholds } from '../runner/confirm.ts';
import { checkTimeline } from '../status/timeline.ts';

export const CHART_COLUMNS = 60;
/** A chart never spans more than this: a week-long incident's first week. */
export const CHART_MAX_SPAN_MS = 7 * 86_400_000;

export interface ChartColumn {
  from: number;
  to: number;
  /** The worst confirmed status in the column; 'unknown' where there is no data. */
  status: ConfirmedStatus;
  /** The slowest answer measured in the column, in ms; null when none measured a latency. */
  latencyMs: number | null;
}

export interface IncidentChart {
  /** The span drawn, and the incident's own window inside it. */
  from: number;
  to: number;
  window: { from: number; to: number };
  checks: Array<{ id: string; name: string; component: string; columns: ChartColumn[]; inWindow: WindowTime }>;
}

/** Milliseconds of the incident's window in each confirmed status, from the check's timeline. */
export type WindowTime = Record<ConfirmedStatus, number>;

/** Time in each confirmed status over the window, as the status model's check timeline gives it. */
export function windowTime(
  results: ReadonlyArray<{ status: ProbeStatus; startedAt: number }>,
  options: { confirm: Thresholds; gapLimitMs: number },
  window: { from: number; to: number },
): WindowTime {
  const time: WindowTime = { up: 0, degraded: 0, down: 0, unknown: 0 };
  for (const segment of checkTimeline(results, options, window.from, window.to)) time[segment.status] += segment.to - segment.from;
  return time;
}

/** The span drawn: the window with a sixth of its length (at least 5 minutes) on each side, up to now. */
export function chartSpan(window: { from: number; to: number }, now: number): { from: number; to: number } {
  const length = Math.min(Math.max(window.to - window.from, 60_000), CHART_MAX_SPAN_MS);
  const pad = Math.max(5 * 60_000, Math.round(length / 6));
  return { from: window.from - pad, to: Math.min(now, window.from + length + pad) };
}

const SEVERITY: Record<ConfirmedStatus, number> = { unknown: -1, up: 0, degraded: 1, down: 2 };

export function chartColumns(
  results: ReadonlyArray<{ status: ProbeStatus; startedAt: number; latencyMs: number | null }>,
  options: { confirm: Thresholds; gapLimitMs: number },
  span: { from: number; to: number },
  columns = CHART_COLUMNS,
): ChartColumn[] {
  if (span.to <= span.from) return [];
  const timeline = checkTimeline(results, options, span.from, span.to);
  const width = (span.to - span.from) / columns;
  const out: ChartColumn[] = Array.from({ length: columns }, (_, i) => ({
    from: Math.round(span.from + i * width),
    to: Math.round(span.from + (i + 1) * width),
    status: 'unknown' as ConfirmedStatus,
    latencyMs: null as number | null,
  }));
  const index = (t: number) => Math.min(columns - 1, Math.max(0, Math.floor((t - span.from) / width)));
  for (const segment of timeline) {
    if (segment.status === 'unknown') continue;
    for (let i = index(segment.from); i <= index(segment.to - 1); i++) {
      const column = out[i]!;
      if (SEVERITY[segment.status] > SEVERITY[column.status]) column.status = segment.status;
    }
  }
  for (const result of results) {
    if (result.latencyMs === null || result.startedAt < span.from || result.startedAt >= span.to) continue;
    const column = out[index(result.startedAt)]!;
    column.latencyMs = Math.max(column.latencyMs ?? 0, result.latencyMs);
  }
  return out;
}
