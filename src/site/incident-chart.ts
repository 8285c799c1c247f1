// The incident chart in words: what each check measured over the incident's window, and each
// column's status and slowest answer. Pure, so the page and its tests agree. English by default;
// the page passes the site's words (src/i18n).
import { words, type Words } from '../i18n/messages.ts';
import type { ChartColumn, IncidentChart } from '../postmortem/chart.ts';
import { zonedParts } from '../posts/time.ts';
import { latencyScale } from './latency.ts';

const statusWord = (w: Words, status: ChartColumn['status']) => (status === 'unknown' ? w.t('number.noData') : w.t(`check.${status}`));
const minutesWords = (w: Words, minutes: number) => w.number(minutes, Number.isInteger(minutes) ? 0 : 1);

export const minutesOf = (ms: number) => Math.round(ms / 6_000) / 10;

/** "14:05" on the zone's clock. */
export function clockIn(ms: number, zone: string): string {
  const p = zonedParts(ms, zone);
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** One check over the incident's window: minutes down, degraded, up and without data; the slowest answer. */
export function describeChartCheck(check: IncidentChart['checks'][number], w: Words = words()): string {
  const t = check.inWindow;
  const parts = (['down', 'degraded', 'up', 'unknown'] as const).filter((s) => t[s] > 0).map((s) => w.t('chart.minutes', { status: statusWord(w, s), minutes: minutesWords(w, minutesOf(t[s])) }));
  const slowest = Math.max(...check.columns.map((c) => c.latencyMs ?? 0));
  const during = w.t('chart.duringIncident', { parts: parts.length > 0 ? parts.join(', ') : w.t('number.noData') });
  return `${during}${slowest > 0 ? `; ${w.t('chart.slowest', { value: w.ms(slowest) })}` : ''}`;
}

export function describeColumn(column: ChartColumn, zone: string, w: Words = words()): string {
  return `${clockIn(column.from, zone)}–${clockIn(column.to, zone)}: ${statusWord(w, column.status)}${column.latencyMs === null ? '' : `, ${w.t('chart.slowest', { value: w.ms(column.latencyMs) })}`}`;
}

/** The top of a check's latency scale (1, 2 or 5 times a power of ten), null when nothing measured a latency. */
export function chartScale(columns: readonly ChartColumn[]): number | null {
  return latencyScale(columns.map((c) => ({ date: '', p50: c.latencyMs, p95: c.latencyMs })));
}
