import { describe, expect, it } from 'vitest';
import type { ProbeStatus } from '../../src/probes/types.ts';
import { gapLimitFor, rollupDay, summarizeLatency } from '../../src/store/rollup.ts';
import { DAY_MS, toEpochDay } from '../../src/store/types.ts';

const DAY = toEpochDay(Date.UTC(2026, 10, 2));
const START = DAY * DAY_MS;
const MIN = 60_000;
const series = { checkId: 'api', location: 'dc1' };
const r = (minute: number, status: ProbeStatus = 'up', latencyMs: number | null = 10) => ({ startedAt: START + minute * MIN, status, latencyMs });
const after = (ms: number) => START + ms;

describe('rollupDay', () => {
  it.each([
    {
      name: 'a result holds until the next one',
      results: [r(0), r(10, 'down'), r(20)],
      previous: undefined,
      now: after(30 * MIN),
      gap: 15 * MIN,
      expected: { upMs: 20 * MIN, downMs: 10 * MIN, degradedMs: 0, noDataMs: 0 },
    },
    {
      name: 'beyond the gap limit the time is no data, not up',
      results: [r(0), r(60)],
      previous: undefined,
      now: after(70 * MIN),
      gap: 5 * MIN,
      expected: { upMs: 10 * MIN, downMs: 0, degradedMs: 0, noDataMs: 60 * MIN },
    },
    {
      name: 'time before the first result is no data',
      results: [r(30)],
      previous: undefined,
      now: after(40 * MIN),
      gap: 15 * MIN,
      expected: { upMs: 10 * MIN, downMs: 0, degradedMs: 0, noDataMs: 30 * MIN },
    },
    {
      name: 'the last result of yesterday holds into today',
      results: [r(5, 'up')],
      previous: { startedAt: START - 2 * MIN, status: 'down' as const },
      now: after(10 * MIN),
      gap: 15 * MIN,
      expected: { upMs: 5 * MIN, downMs: 5 * MIN, degradedMs: 0, noDataMs: 0 },
    },
    {
      name: 'only the elapsed part of today is counted',
      results: [r(0, 'degraded')],
      previous: undefined,
      now: after(3 * MIN),
      gap: 15 * MIN,
      expected: { upMs: 0, downMs: 0, degradedMs: 3 * MIN, noDataMs: 0 },
    },
    {
      name: 'the last result of the day stops at midnight',
      results: [r(1_439)],
      previous: undefined,
      now: after(2 * DAY_MS),
      gap: 15 * MIN,
      expected: { upMs: MIN, downMs: 0, degradedMs: 0, noDataMs: 1_439 * MIN },
    },
  ])('$name', ({ results, previous, now, gap, expected }) => {
    const rollup = rollupDay({ series, day: DAY, previous, results, gapLimitMs: gap, now });
    expect(rollup).toMatchObject(expected);
    const elapsed = Math.min(DAY_MS, now - START);
    expect(rollup.upMs + rollup.degradedMs + rollup.downMs + rollup.noDataMs).toBe(elapsed);
  });

  it('counts results by status and summarises the latencies that were measured', () => {
    const rollup = rollupDay({
      series,
      day: DAY,
      previous: undefined,
      results: [r(0, 'up', 10), r(1, 'up', 30), r(2, 'down', null), r(3, 'degraded', 900)],
      gapLimitMs: 5 * MIN,
      now: after(DAY_MS),
    });
    expect(rollup).toMatchObject({ upCount: 2, downCount: 1, degradedCount: 1, latency: { min: 10, p50: 30, p95: 900, p99: 900, max: 900 } });
  });

  it('is final only once the day is over and settled', () => {
    const at = (now: number) => rollupDay({ series, day: DAY, previous: undefined, results: [r(0)], gapLimitMs: 5 * MIN, now }).final;
    expect(at(after(DAY_MS - 1))).toBe(false);
    expect(at(after(DAY_MS + 30 * MIN))).toBe(false);
    expect(at(after(DAY_MS + 60 * MIN))).toBe(true);
  });

  it('never counts more time as up when a result turns from up to down', () => {
    const statuses: ProbeStatus[] = ['up', 'up', 'degraded', 'up', 'down', 'up', 'up', 'down'];
    const results = statuses.map((status, i) => r(i * 7, status));
    const base = rollupDay({ series, day: DAY, previous: undefined, results, gapLimitMs: 10 * MIN, now: after(DAY_MS * 2) });
    for (let i = 0; i < results.length; i++) {
      if (results[i]!.status !== 'up') continue;
      const worse = results.map((x, j) => (j === i ? { ...x, status: 'down' as const } : x));
      const rollup = rollupDay({ series, day: DAY, previous: undefined, results: worse, gapLimitMs: 10 * MIN, now: after(DAY_MS * 2) });
      expect(rollup.upMs).toBeLessThan(base.upMs);
      expect(rollup.downMs).toBeGreaterThan(base.downMs);
    }
  });
});

describe('summarizeLatency', () => {
  it.each([
    { values: [], expected: null },
    { values: [5], expected: { min: 5, p50: 5, p95: 5, p99: 5, max: 5 } },
    { values: Array.from({ length: 100 }, (_, i) => 100 - i), expected: { min: 1, p50: 50, p95: 95, p99: 99, max: 100 } },
  ])('summarises $values.length values by nearest rank', ({ values, expected }) => {
    expect(summarizeLatency(values)).toEqual(expected);
  });
});

describe('gapLimitFor', () => {
  it('allows one missed run and one timeout before the time is no data', () => {
    expect(gapLimitFor({ schedule: { intervalMs: 30_000 }, timeoutMs: 10_000 })).toBe(70_000);
  });
});
