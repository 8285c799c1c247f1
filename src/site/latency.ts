// Response times as readers see them: a day's median and 95th percentile in words, and the scale of
// a check's 90-day chart. Pure, so the page and its tests agree.

export interface LatencyDay {
  date: string;
  p50: number | null;
  p95: number | null;
}

/** 0.4 ms, 12 ms, 1.25 s: as precise as a reader can use. */
export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 1 : 2)} s`;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

export function describeLatencyDay(day: LatencyDay): string {
  if (day.p50 === null || day.p95 === null) return `${day.date}: no latency measured`;
  return `${day.date}: median ${formatMs(day.p50)}, 95th percentile ${formatMs(day.p95)}`;
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
export function latencySummary(days: readonly LatencyDay[]): string {
  const measured = days.filter((d) => d.p50 !== null && d.p95 !== null);
  const span = `${days.length} ${days.length === 1 ? 'day' : 'days'}`;
  if (measured.length === 0) return `no latency measured in ${span}`;
  const newest = measured.at(-1)!;
  const worst = measured.reduce((a, b) => (b.p95! > a.p95! ? b : a));
  return `${describeLatencyDay(newest)}; highest 95th percentile in ${span}: ${formatMs(worst.p95!)} on ${worst.date}`;
}
