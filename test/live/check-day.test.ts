// The daemon's kept state against the status model's own computation from raw rows: at random
// moments of random simulated days, in several zones and across a DST change, the kept day must
// give exactly what replaying the store's rows gives (src/status/gather.ts before src/live existed).
import { describe, expect, it } from 'vitest';
import { CheckDay, type LiveResult } from '../../src/live/check-day.ts';
import { checkDayOptions, EARLY_SPAN_MS, lookbackFor, LiveStatus } from '../../src/live/live-status.ts';
import type { ProbeStatus } from '../../src/probes/types.ts';
import { confirmNext, initialConfirmState } from '../../src/runner/confirm.ts';
import { zoneDays } from '../../src/status/component-days.ts';
import { checkTimeline } from '../../src/status/timeline.ts';
import { gapLimitFor } from '../../src/store/rollup.ts';

const HOUR = 3_600_000;

/** A small seeded generator, so a failure names the seed that reproduces it. */
function generator(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Case {
  seed: number;
  zone: string;
  /** A moment on the day to simulate (the day around it, in `zone`). */
  around: number;
}

function simulate({ seed, zone, around }: Case) {
  const random = generator(seed);
  const intervalMs = [1_000, 5_000, 30_000, 60_000][Math.floor(random() * 4)]!;
  const check = {
    id: 'c',
    confirm: { down: 1 + Math.floor(random() * 3), up: 1 + Math.floor(random() * 3) },
    schedule: { intervalMs },
    timeoutMs: Math.min(intervalMs, 5_000),
  };
  const days = zoneDays(zone);
  const day = days.dayOf(around);
  const start = days.startOf(day);
  const end = days.startOf(day + 1);
  // From well before the day (its lookback and more) until after it, so the day rolls over.
  const results: LiveResult[] = [];
  const flipChance = [0.002, 0.02, 0.2][Math.floor(random() * 3)]!;
  let status: ProbeStatus = 'up';
  const span = end - start;
  // At 1 s over a whole day that is 90,000 results: sample a stretch of it at that pace instead.
  const from = intervalMs < 30_000 ? start - 2 * lookbackFor(check) - random() * HOUR : start - 3 * lookbackFor(check);
  const until = intervalMs < 30_000 ? from + 3 * HOUR : end + 2 * HOUR;
  for (let t = from; t < until; t += intervalMs) {
    if (random() < 0.003) t += random() * 10 * intervalMs; // a gap, sometimes past the gap limit
    if (random() < flipChance) status = (['up', 'degraded', 'down'] as const)[Math.floor(random() * 3)]!;
    const seen: ProbeStatus = random() < 0.03 ? (['up', 'degraded', 'down'] as const)[Math.floor(random() * 3)]! : status; // blips
    const jitter = Math.floor(random() * 200);
    results.push({ status: seen, startedAt: Math.floor(t) + jitter, latencyMs: seen === 'down' ? null : 3, message: seen });
  }
  // A short run: move it into the day at a random hour, crossing midnight sometimes.
  if (intervalMs < 30_000) {
    const shift = Math.floor(random() * (span + 2 * HOUR)) - HOUR;
    for (const result of results) result.startedAt += shift;
  }
  return { check, days, results, random };
}

/** What the status model computes from the store's rows for the day around `now`. */
function fromRows(check: ReturnType<typeof simulate>['check'], days: ReturnType<typeof zoneDays>, rows: readonly LiveResult[], now: number) {
  const day = days.dayOf(now);
  const start = days.startOf(day);
  const end = days.startOf(day + 1);
  const read = rows.filter((r) => r.startedAt >= start - lookbackFor(check) && r.startedAt < now + 1);
  let state = initialConfirmState;
  for (const result of read) state = confirmNext(state, result, check.confirm);
  const to = Math.max(start, Math.min(end, now));
  return { start, end, state, last: read.at(-1), timeline: checkTimeline(read, { confirm: check.confirm, gapLimitMs: gapLimitFor(check) }, start, to), to };
}

const ZONES = ['UTC', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe'];
// Days whose local clock changes (spring and autumn), and ordinary days: fixed, since they need not be today.
const MOMENTS = [
  Date.UTC(2027, 2, 14, 12), // US spring forward
  Date.UTC(2027, 9, 31, 12), // EU fall back
  Date.UTC(2027, 3, 4, 12), // Lord Howe's half-hour change
  Date.UTC(2027, 5, 1, 12),
];

describe('the kept check day', () => {
  const cases: Case[] = [];
  for (let i = 0; i < 60; i++) cases.push({ seed: 1_000 + i, zone: ZONES[i % ZONES.length]!, around: MOMENTS[i % MOMENTS.length]! });

  it.each(cases)('equals the replay of the rows at random moments (seed $seed, $zone)', ({ seed, zone, around }) => {
    const { check, days, results, random } = simulate({ seed, zone, around });
    const live = new LiveStatus(days);
    // Started from the store at a random point (as after a restart), fed the rest as they arrive.
    const adoptAt = Math.floor(random() * results.length);
    const taken: LiveResult[] = [];
    let compared = 0;
    for (let i = 0; i < results.length; i++) {
      const result = results[i]!;
      if (i < adoptAt) {
        taken.push(result);
        continue;
      }
      if (i === adoptAt) {
        // Some results were taken before the first publish read the store, and the store had only some of them.
        const now = result.startedAt - 1;
        const day = days.dayOf(now);
        // The daemon took the last few since it started; the writer had flushed some of those to the
        // store (all but the last EARLY_SPAN_MS at least: the publisher flushes before it reads).
        const sinceStart = Math.min(taken.length, Math.floor(random() * 50));
        const lastTaken = taken.at(-1)?.startedAt ?? 0;
        const withinSpan = taken.findIndex((r) => r.startedAt >= lastTaken - EARLY_SPAN_MS);
        const flushed = taken.slice(0, Math.max(withinSpan, taken.length - Math.floor(random() * (sinceStart + 1))));
        for (const early of taken.slice(taken.length - sinceStart)) live.take(check, { ...early, checkId: 'c', kind: 'tcp', details: {} });
        const start = days.startOf(day);
        live.adopt(check, start, days.startOf(day + 1), flushed.filter((r) => r.startedAt >= start - lookbackFor(check) && r.startedAt < now + 1));
      }
      live.take(check, { ...result, checkId: 'c', kind: 'tcp', details: {} });
      if (random() < 0.02 || i === results.length - 1) {
        const next = results[i + 1]?.startedAt ?? result.startedAt + 10 * check.schedule.intervalMs;
        const now = result.startedAt + Math.floor(random() * (next - result.startedAt));
        const expected = fromRows(check, days, results, now);
        const day = live.day(check, expected.start, expected.end, now);
        if (!day) throw new Error(`seed ${seed}: the day was not kept`);
        expect({ timeline: day.timeline(expected.to), state: day.state, last: day.last }, `seed ${seed} at ${new Date(now).toISOString()}`).toEqual({
          timeline: expected.timeline,
          state: expected.state,
          last: expected.last,
        });
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('holds one segment per change, not one per result', () => {
    const check = { id: 'c', confirm: { down: 2, up: 1 }, schedule: { intervalMs: 5_000 }, timeoutMs: 5_000 };
    const start = Date.UTC(2027, 5, 1);
    const day = new CheckDay(start, start + 24 * HOUR, checkDayOptions(check));
    for (let t = start; t < start + 24 * HOUR; t += 5_000) {
      const down = t >= start + 10 * HOUR && t < start + 11 * HOUR;
      day.add({ status: down ? 'down' : 'up', startedAt: t, latencyMs: null, message: '' });
    }
    expect(day.timeline(start + 24 * HOUR).map((s) => s.status)).toEqual(['up', 'down', 'up']);
    expect(day.size.segments).toBe(3);
    expect(day.size.tail).toBe(1);
    expect(day.size.recent).toBeLessThanOrEqual(Math.ceil(lookbackFor(check) / 5_000) + 1);
  });

  it('refuses a result out of order, and the check is read from the store again', () => {
    const check = { id: 'c', confirm: { down: 1, up: 1 }, schedule: { intervalMs: 60_000 }, timeoutMs: 5_000 };
    const days = zoneDays('UTC');
    const start = Date.UTC(2027, 5, 1);
    const live = new LiveStatus(days);
    live.adopt(check, start, start + 24 * HOUR, []);
    const at = (t: number, status: ProbeStatus) => ({ checkId: 'c', kind: 'tcp', status, startedAt: t, latencyMs: null, message: status, details: {} });
    live.take(check, at(start + 120_000, 'up'));
    expect(live.day(check, start, start + 24 * HOUR, start + 130_000)?.last?.startedAt).toBe(start + 120_000);
    live.take(check, at(start + 60_000, 'down'));
    expect(live.day(check, start, start + 24 * HOUR, start + 130_000)).toBeUndefined();
    expect(live.counts.dropped).toBe(1);
  });

  it('keeps only the last minutes of results for a check not read from the store yet', () => {
    const live = new LiveStatus(zoneDays('UTC'));
    const start = Date.UTC(2027, 5, 1);
    for (let i = 0; i < 2_000; i++) live.take({ id: 'c' }, { checkId: 'c', kind: 'tcp', status: 'up', startedAt: start + i * 5_000, latencyMs: 1, message: 'up', details: {} });
    expect(live.size().early).toBe(EARLY_SPAN_MS / 5_000 + 1);
  });
});
