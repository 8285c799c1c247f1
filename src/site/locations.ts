// The component page's per-location table (several locations): each location's latency in one cell,
// today's figures or, when today has none yet, the last UTC day that has them, with its date.
import type { Words } from '../i18n/messages.ts';
import type { LatencySeries } from '../status/snapshot.ts';

/** "12 ms / 30 ms", "12 ms / 30 ms (2026-11-22)" for an earlier day, or the no-data words. */
export function locationLatency(series: LatencySeries | undefined, w: Words): string {
  const days = series?.days ?? [];
  let i = days.length - 1;
  while (i >= 0 && (days[i]!.p50 === null || days[i]!.p95 === null)) i--;
  if (i < 0) return w.t('number.noData');
  const day = days[i]!;
  const values = { p50: w.ms(day.p50!), p95: w.ms(day.p95!) };
  return i === days.length - 1 ? w.t('component.locationLatencyValue', values) : w.t('component.locationLatencyOn', { ...values, date: w.day(day.date) });
}
