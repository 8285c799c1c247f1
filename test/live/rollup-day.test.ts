// Today's roll-up kept as results arrive, against rollupDay over the same rows: the same times and
// counts, and latency figures exact below 10 ms and within the stated 0.5% above.
import { describe, expect, it } from 'vitest';
import { latencyBucket, RollupDay } from '../../src/live/rollup-day.ts';
import type { ProbeStatus } from '../../src/probes/types.ts';
import { rollupDay } from '../../src/store/rollup.ts';
import { DAY_MS } from '../../src/store/types.ts';

function generator(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('the kept roll-up of today', () => {
  it.each(Array.from({ length: 40 }, (_, i) => ({ seed: 500 + i })))('gives what rollupDay gives from the rows (seed $seed)', ({ seed }) => {
    const random = generator(seed);
    const day = 20_600 + Math.floor(random() * 100);
    const start = day * DAY_MS;
    const interval = [5_000, 30_000, 60_000][Math.floor(random() * 3)]!;
    const gapLimitMs = 2 * interval + 5_000;
    const scale = [1, 40, 900][Math.floor(random() * 3)]!; // latencies around 1 ms, 40 ms or 900 ms
    const previous = random() < 0.8 ? { status: 'up' as ProbeStatus, startedAt: start - Math.floor(random() * 3 * interval), latencyMs: 1 } : undefined;
    const rows: Array<{ status: ProbeStatus; startedAt: number; latencyMs: number | null }> = [];
    for (let t = start + Math.floor(random() * interval); t < start + DAY_MS; t += interval) {
      if (random() < 0.002) t += Math.floor(random() * 20 * interval);
      if (t >= start + DAY_MS) break;
      const status = (['up', 'up', 'up', 'degraded', 'down'] as const)[Math.floor(random() * 5)]!;
      rows.push({ status, startedAt: t, latencyMs: status === 'down' ? null : Math.round(scale * (0.5 + random()) * 100) / 100 });
    }
    const kept = new RollupDay({ checkId: 'c', location: 'dc1' }, day, gapLimitMs, previous);
    let compared = 0;
    rows.forEach((row, i) => {
      expect(kept.add(row)).toBe(true);
      if (random() < 0.01 || i === rows.length - 1) {
        const now = row.startedAt + Math.floor(random() * 3 * interval);
        const expected = rollupDay({ series: { checkId: 'c', location: 'dc1' }, day, previous, results: rows.slice(0, i + 1), gapLimitMs, now });
        const got = kept.rollup(now);
        expect({ ...got, latency: null }).toEqual({ ...expected, latency: null });
        if (expected.latency === null) expect(got.latency).toBeNull();
        else {
          expect(got.latency!.min).toBe(expected.latency.min);
          expect(got.latency!.max).toBe(expected.latency.max);
          for (const q of ['p50', 'p95', 'p99'] as const) {
            const want = expected.latency[q];
            if (want < 10) expect(got.latency![q]).toBe(want);
            else expect(Math.abs(got.latency![q] - want)).toBeLessThanOrEqual(0.005 * want + 1e-9);
          }
        }
        compared++;
      }
    });
    expect(compared).toBeGreaterThan(0);
    expect(kept.size).toBeLessThanOrEqual(3 * 900);
  });

  it('counts latencies by three significant digits, exact on the stored 0.01 ms grid below 10 ms', () => {
    expect([0, 0.01, 0.57, 3.14, 9.99, 10.04, 10.05, 123.44, 123.46, 1234.5, 98_765].map(latencyBucket)).toEqual([0, 0.01, 0.57, 3.14, 9.99, 10, 10.1, 123, 123, 1230, 98_800]);
  });

  it('carries the last result of a day into the next', () => {
    const day = 20_650;
    const kept = new RollupDay({ checkId: 'c', location: 'dc1' }, day, 65_000);
    kept.add({ status: 'down', startedAt: (day + 1) * DAY_MS - 10_000, latencyMs: null });
    const next = kept.next(day + 1);
    expect(next.rollup((day + 1) * DAY_MS + 60_000)).toMatchObject({ downMs: 55_000, noDataMs: 5_000, downCount: 0 });
  });
});
