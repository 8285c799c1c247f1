// Response times as readers see them: a day's median and 95th percentile in words, and the scale of
// a check's 90-day chart. Pure, so the page and its tests agree. Words default to English; the pages
// pass the site's (src/i18n).
import { words, type Words } from '../i18n/messages.ts';

export interface LatencyDay {
  date: string;
  p50: number | null;
  p95: number | null;
}

/** 0.4 ms, 12 ms, 1.25 s: as precise as a reader can use (in English; Words.ms in any language). */
export function formatMs(ms: number): string {
  return words().ms(ms);
}

export function describeLatencyDay(day: LatencyDay, w: Words = words()): string {
  if (day.p50 === null || day.p95 === null) return w.t('latency.noneMeasured', { date: w.day(day.date) });
  return w.t('latency.day', { date: w.day(day.date), p50: w.ms(day.p50), p95: w.ms(day.p95) });
}

/** The chart's top: the highest 95th percentile, rounded up to 1, 2 or 5 times a power of ten. Null without data. */
export function latencyScale(days: readonly LatencyDay[]): number | null {
  const highest = Math.max(...days.map((d) => d.p95 ?? 0));
  if (!(highest > 0)) return null;
  const power = 10 ** Math.floor(Math.log10(highest));
  const step = [1, 2, 5, 10].find((m) => m * power >= highest)!;
  return step * power;
}

/** One line for the chart's label: the newest measured day, and the highest 95th percentile of the window. */
export function latencySummary(days: readonly LatencyDay[], w: Words = words()): string {
  const measured = days.filter((d) => d.p50 !== null && d.p95 !== null);
  const span = w.plural('common.days', days.length);
  if (measured.length === 0) return w.t('latency.noneInSpan', { span });
  const newest = measured.at(-1)!;
  const worst = measured.reduce((a, b) => (b.p95! > a.p95! ? b : a));
  return w.t('latency.summary', { newest: describeLatencyDay(newest, w), span, worst: w.ms(worst.p95!), date: w.day(worst.date) });
}
