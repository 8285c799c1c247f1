// The incident chart in words: what each check measured over the incident's window, and each
// column's status and slowest answer. Pure, so the page and its tests agree.
import type { ChartColumn, IncidentChart } from '../postmortem/chart.ts';
import { zonedParts } from '../posts/time.ts';
import { formatMs, latencyScale } from './latency.ts';

const STATUS_WORDS = { up: 'up', degraded: 'degraded', down: 'down', unknown: 'no data' } as const;

export const minutesOf = (ms: number) => Math.round(ms / 6_000) / 10;

/** "14:05" on the zone's clock. */
export function clockIn(ms: number, zone: string): string {
  const p = zonedParts(ms, zone);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** One check over the incident's window: minutes down, degraded, up and without data; the slowest answer. */
export function describeChartCheck(check: IncidentChart['checks'][number]): string {
  const t = check.inWindow;
  const parts = (['down', 'degraded', 'up', 'unknown'] as const).filter((s) => t[s] > 0).map((s) => `${STATUS_WORDS[s]} ${minutesOf(t[s])} min`);
  const slowest = Math.max(...check.columns.map((c) => c.latencyMs ?? 0));
  return `${parts.length > 0 ? parts.join(', ') : 'no data'} during the incident${slowest > 0 ? `; slowest answer ${formatMs(slowest)}` : ''}`;
}

export function describeColumn(column: ChartColumn, zone: string): string {
  return `${clockIn(column.from, zone)}–${clockIn(column.to, zone)}: ${STATUS_WORDS[column.status]}${column.latencyMs === null ? '' : `, slowest answer ${formatMs(column.latencyMs)}`}`;
}

/** The top of a check's latency scale (1, 2 or 5 times a power of ten), null when nothing measured a latency. */
export function chartScale(columns: readonly ChartColumn[]): number | null {
  return latencyScale(columns.map((c) => ({ date: '', p50: c.latencyMs, p95: c.latencyMs })));
}
