// The pure parts of the postmortem: probe events dated by the confirmation rules, the timeline's
// order, a window left out of a period, the chart's columns, the placeholders.
import { describe, expect, it } from 'vitest';
import { chartColumns, chartSpan, windowTime } from '../../src/postmortem/chart.ts';
import { blank } from '../../src/postmortem/impact.ts';
import { placeholdersIn, POSTMORTEM_PLACEHOLDERS } from '../../src/postmortem/placeholders.ts';
import { bothZones } from '../../src/postmortem/render.ts';
import { mergeTimeline, probeEvents, TRANSITION_MARGIN_MS } from '../../src/postmortem/timeline.ts';
import type { Incident } from '../../src/posts/types.ts';
import type { ProbeStatus } from '../../src/probes/types.ts';

const M = 60_000;
const T0 = Math.floor(Date.now() / M) * M;
const series = (statuses: string) => [...statuses].map((c, i) => ({ status: ({ u: 'up', d: 'down', g: 'degraded' } as const)[c as 'u' | 'd' | 'g'] as ProbeStatus, startedAt: T0 + i * M, latencyMs: c === 'd' ? null : 10 + i }));
const at = { checkId: 'c', location: 'dc1' };

describe('probeEvents', () => {
  it.each([
    { name: 'one failing result among passing ones is no event (confirm down: 2)', statuses: 'uuduu', confirm: { down: 2, up: 1 }, expected: [] },
    {
      name: 'an outage is dated from its first failing result, confirmed at the second, recovered at the first passing one',
      statuses: 'uudddu',
      confirm: { down: 2, up: 1 },
      expected: [
        { kind: 'first-failing', at: T0 + 2 * M, status: 'down' },
        { kind: 'confirmed', at: T0 + 3 * M, status: 'down' },
        { kind: 'recovered', at: T0 + 5 * M, status: 'up', confirmedAt: T0 + 5 * M },
      ],
    },
    {
      name: 'a recovery needing two passing results is dated from the first and confirmed at the second',
      statuses: 'uddudduu',
      confirm: { down: 2, up: 2 },
      expected: [
        { kind: 'first-failing', at: T0 + M, status: 'down' },
        { kind: 'confirmed', at: T0 + 2 * M, status: 'down' },
        { kind: 'recovered', at: T0 + 6 * M, status: 'up', confirmedAt: T0 + 7 * M },
      ],
    },
    { name: 'the first results of a series are no recovery', statuses: 'uuu', confirm: { down: 2, up: 1 }, expected: [] },
    {
      name: 'down then degraded: a better status confirmed, with no new first failing result',
      statuses: 'uddgg',
      confirm: { down: 2, up: 2 },
      expected: [
        { kind: 'first-failing', at: T0 + M, status: 'down' },
        { kind: 'confirmed', at: T0 + 2 * M, status: 'down' },
        { kind: 'confirmed', at: T0 + 4 * M, status: 'degraded' },
      ],
    },
  ])('$name', ({ statuses, confirm, expected }) => {
    expect(probeEvents(at, series(statuses), confirm).map(({ checkId: _c, location: _l, ...rest }) => rest)).toEqual(expected);
  });
});

describe('mergeTimeline', () => {
  it('merges updates and probe events in time order, updates first at one instant, and drops events beyond the margin', () => {
    const incident = {
      updates: [
        { at: T0 + 5 * M, status: 'investigating', body: 'Looking.\nMore.', components: {}, signInBlocked: null },
        { at: T0 + 20 * M, status: 'resolved', body: 'Fixed.', components: {}, signInBlocked: null },
      ],
    } as unknown as Incident;
    const events = [
      { ...at, kind: 'confirmed' as const, at: T0 + 5 * M, status: 'down' as const },
      { ...at, kind: 'first-failing' as const, at: T0 + 4 * M, status: 'down' as const },
      { ...at, kind: 'recovered' as const, at: T0 + 20 * M + TRANSITION_MARGIN_MS + 1, status: 'up' as const },
    ];
    const merged = mergeTimeline(incident, events, { from: T0 + 5 * M, to: T0 + 20 * M });
    expect(merged.map((e) => [e.at - T0, e.source])).toEqual([
      [4 * M, 'probe'],
      [5 * M, 'update'],
      [5 * M, 'probe'],
      [20 * M, 'update'],
    ]);
  });
});

describe('blank', () => {
  it('turns the window into no data and keeps the rest', () => {
    const segments = [
      { from: 0, to: 10, status: 'operational' as const },
      { from: 10, to: 20, status: 'major_outage' as const },
    ];
    expect(blank(segments, 5, 15)).toEqual([
      { from: 0, to: 5, status: 'operational' },
      { from: 5, to: 10, status: null },
      { from: 10, to: 15, status: null },
      { from: 15, to: 20, status: 'major_outage' },
    ]);
  });
});

describe('chartColumns', () => {
  it('gives each column the worst confirmed status and the slowest answer in it; no data before the first result', () => {
    const results = series('uuddduu');
    const span = { from: T0 - 2 * M, to: T0 + 7 * M };
    const columns = chartColumns(results, { confirm: { down: 2, up: 1 }, gapLimitMs: 2 * M }, span, 9);
    expect(columns.map((c) => c.status)).toEqual(['unknown', 'unknown', 'up', 'up', 'down', 'down', 'down', 'up', 'up']);
    expect(columns.map((c) => c.latencyMs)).toEqual([null, null, 10, 11, null, null, null, 15, 16]);
    expect(windowTime(results, { confirm: { down: 2, up: 1 }, gapLimitMs: 2 * M }, { from: T0, to: T0 + 7 * M })).toEqual({ up: 4 * M, down: 3 * M, degraded: 0, unknown: 0 });
  });

  it('pads the window by a sixth (at least 5 minutes), never past now', () => {
    expect(chartSpan({ from: T0, to: T0 + 60 * M }, T0 + 120 * M)).toEqual({ from: T0 - 10 * M, to: T0 + 70 * M });
    expect(chartSpan({ from: T0, to: T0 + 6 * M }, T0 + 7 * M)).toEqual({ from: T0 - 5 * M, to: T0 + 7 * M });
  });
});

describe('placeholders', () => {
  it('finds every prompt left, even rewrapped by an editor', () => {
    const text = `## What happened\n\n${POSTMORTEM_PLACEHOLDERS[0].replace(' in words', '\nin words')}\n\nThe cause was found.`;
    expect(placeholdersIn(text)).toEqual([POSTMORTEM_PLACEHOLDERS[0]]);
    expect(placeholdersIn('All written.')).toEqual([]);
  });
});

describe('the timeline across a daylight-saving change in the post zone', () => {
  /** The next instant (to the minute) at which `zone` turns its clocks back, found from today's clock. */
  const nextFallBack = (from: number, zone: string): number => {
    const offset = (instant: number) => {
      const p = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' }).formatToParts(instant);
      const n = (type: string) => Number(p.find((part) => part.type === type)!.value);
      return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute')) - Math.floor(instant / M) * M;
    };
    let t = Math.floor(from / 3_600_000) * 3_600_000;
    while (offset(t + 3_600_000) >= offset(t)) t += 3_600_000;
    while (offset(t + M) >= offset(t)) t += M;
    return t + M;
  };

  it('keeps the repeated hour in time order and tells its two halves apart by their UTC time', () => {
    const zone = 'America/Los_Angeles';
    const change = nextFallBack(Date.now(), zone);
    const first = change - 30 * M; // 01:30 on the clock, before it goes back
    const second = change + 30 * M; // 01:30 on the clock again, an hour later
    expect(bothZones(first, zone).slice(0, 19)).toBe(bothZones(second, zone).slice(0, 19));
    expect(bothZones(first, zone)).not.toBe(bothZones(second, zone));
    const incident = {
      updates: [
        { at: first, status: 'investigating', body: 'Looking.', components: {}, signInBlocked: null },
        { at: second, status: 'resolved', body: 'Fixed.', components: {}, signInBlocked: null },
      ],
    } as unknown as Incident;
    const events = [{ ...at, kind: 'recovered' as const, at: change + 10 * M, status: 'up' as const }];
    const merged = mergeTimeline(incident, events, { from: first, to: second });
    expect(merged.map((e) => e.at)).toEqual([first, change + 10 * M, second]);
    // In the post's zone the recovery reads 01:10, earlier on the clock than the 01:30 before it: the
    // UTC time beside it is what shows the order, so every line carries it.
    expect(bothZones(change + 10 * M, zone)).toMatch(/ 01:10:00 America\/Los_Angeles \(\d{4}-\d\d-\d\d (09|10):10:00 UTC\)$/);
  });
});
