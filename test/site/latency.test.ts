import { describe, expect, it } from 'vitest';
import { describeLatencyDay, formatMs, latencyScale, latencySummary } from '../../src/site/latency.ts';

describe('response times in words', () => {
  it('formats milliseconds as precisely as a reader can use', () => {
    expect([0.44, 9.96, 12.4, 999, 1250, 12_345].map(formatMs)).toEqual(['0.4 ms', '10.0 ms', '12 ms', '999 ms', '1.25 s', '12.3 s']);
  });

  it('tops the chart at 1, 2 or 5 times a power of ten, at or above the highest 95th percentile', () => {
    const days = (...p95s: Array<number | null>) => p95s.map((p95, i) => ({ date: `d${i}`, p50: p95 === null ? null : p95 / 2, p95 }));
    expect(latencyScale(days(12, 60, null))).toBe(100);
    expect(latencyScale(days(100))).toBe(100);
    expect(latencyScale(days(101))).toBe(200);
    expect(latencyScale(days(0.3))).toBe(0.5);
    expect(latencyScale(days(4500))).toBe(5000);
    expect(latencyScale(days(null, null))).toBeNull();
  });

  it('sums up the newest measured day and the worst one', () => {
    const days = [
      { date: '2026-11-20', p50: 10, p95: 80 },
      { date: '2026-11-21', p50: 9, p95: 20 },
      { date: '2026-11-22', p50: null, p95: null },
    ];
    expect(latencySummary(days)).toBe('2026-11-21: median 9.0 ms, 95th percentile 20 ms; highest 95th percentile in 3 days: 80 ms on 2026-11-20');
    expect(describeLatencyDay(days[2]!)).toBe('2026-11-22: no latency measured');
    expect(latencySummary([days[2]!])).toBe('no latency measured in 1 day');
  });
});
