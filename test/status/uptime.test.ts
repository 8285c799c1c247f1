import { describe, expect, it } from 'vitest';
import type { ProbeStatus } from '../../src/probes/types.ts';
import type { Incident, Maintenance } from '../../src/posts/types.ts';
import { checkTimeline, componentTimeline, overlayPosts, postSegments } from '../../src/status/timeline.ts';
import { dayStarts, startOfDayIn, uptimeOver } from '../../src/status/uptime.ts';

const M = 60_000;
const T0 = Date.UTC(2026, 10, 23, 0, 0);
const at = (minute: number) => T0 + minute * M;
const results = (statuses: string) => [...statuses].map((c, i) => ({ startedAt: at(i), status: ({ u: 'up', d: 'down', g: 'degraded' } as Record<string, ProbeStatus>)[c]! }));
const once = { confirm: { down: 1, up: 1 }, gapLimitMs: 2.5 * M };
const nodes = { partialAt: 1, majorAt: 'all' as const };

describe('checkTimeline', () => {
  it('dates a confirmed outage from its first failing result, and ignores a single blip', () => {
    const timeline = checkTimeline(results('uuduudddduu'), { confirm: { down: 3, up: 1 }, gapLimitMs: 2.5 * M }, at(0), at(11));
    expect(timeline.map((s) => [(s.from - T0) / M, (s.to - T0) / M, s.status])).toEqual([
      [0, 5, 'up'], // the lone 'd' at minute 2 never confirmed
      [5, 9, 'down'], // confirmed at minute 7, dated from minute 5
      [9, 11, 'up'],
    ]);
  });

  it('turns a gap longer than the gap limit into no data', () => {
    const timeline = checkTimeline([{ startedAt: at(0), status: 'up' }, { startedAt: at(10), status: 'up' }], once, at(0), at(12));
    expect(timeline.map((s) => [(s.from - T0) / M, (s.to - T0) / M, s.status])).toEqual([
      [0, 2.5, 'up'],
      [2.5, 10, 'unknown'],
      [10, 12, 'up'],
    ]);
  });

  it('gives the same timeline for results that arrive out of order', () => {
    const ordered = results('uudduuuddd');
    const shuffled = [ordered[3]!, ordered[0]!, ordered[9]!, ordered[1]!, ordered[5]!, ordered[2]!, ordered[8]!, ordered[4]!, ordered[7]!, ordered[6]!];
    expect(checkTimeline(shuffled, once, at(0), at(10))).toEqual(checkTimeline(ordered, once, at(0), at(10)));
  });
});

describe('componentTimeline and uptimeOver', () => {
  it('weighs one of three nodes down as a partial outage (0.3) and all three as a major one', () => {
    const node1 = checkTimeline(results('dddddddddd'), once, at(0), at(10));
    const node2 = checkTimeline(results('uuuuuddddd'), once, at(0), at(10));
    const node3 = checkTimeline(results('uuuuuddddd'), once, at(0), at(10));
    const component = componentTimeline([node1, node2, node3], nodes, at(0), at(10));
    expect(component.map((s) => [(s.from - T0) / M, (s.to - T0) / M, s.status])).toEqual([
      [0, 5, 'partial_outage'],
      [5, 10, 'major_outage'],
    ]);
    const uptime = uptimeOver(component, at(0), at(10));
    expect(uptime.downtimeMinutes).toBeCloseTo(5 * 0.3 + 5);
    expect(uptime.uptimePercent).toBeCloseTo(100 * (1 - 6.5 / 10));
    expect(uptime.coverage).toBe(1);
  });

  it('reports no data as coverage and leaves it out of the percentage', () => {
    const timeline = checkTimeline([{ startedAt: at(0), status: 'down' }], once, at(0), at(10));
    const uptime = uptimeOver(componentTimeline([timeline], nodes, at(0), at(10)), at(0), at(10));
    expect(uptime.ms).toMatchObject({ major_outage: 2.5 * M, no_data: 7.5 * M });
    expect(uptime.coverage).toBe(0.25);
    expect(uptime.uptimePercent).toBe(0);
  });

  it('has no percentage when nothing was measured', () => {
    expect(uptimeOver([], at(0), at(10))).toMatchObject({ uptimePercent: null, coverage: 0 });
  });
});

const incident = (slug: string, from: number, to: number | null, status: 'major_outage' | 'partial_outage'): Incident => ({
  kind: 'incident',
  slug,
  file: '',
  title: slug,
  timezone: 'UTC',
  body: '',
  impact: 'major',
  startedAt: from,
  components: { cache: status },
  updates: [],
  resolvedAt: to,
  postmortemAt: null,
  signInBlocked: false,
});

const maintenance = (announcedAt: number): Maintenance => ({
  kind: 'maintenance',
  slug: 'm',
  file: '',
  title: 'm',
  timezone: 'UTC',
  body: '',
  announcedAt,
  startsAt: at(20),
  endsAt: at(30),
  components: ['cache'],
  affected: 'x',
  unaffected: null,
  signInBlocked: false,
  updateRequired: null,
  updates: [],
  cancelled: false,
  completedAt: null,
});

describe('posts over checks', () => {
  const allUp = componentTimeline([checkTimeline(results('u'.repeat(60)), once, at(0), at(60))], nodes, at(0), at(60));

  it('counts overlapping incidents once, at the worse status', () => {
    const posts = [incident('a', at(10), at(20), 'partial_outage'), incident('b', at(15), at(25), 'major_outage')];
    const uptime = uptimeOver(overlayPosts(allUp, postSegments('cache', posts, at(60))), at(0), at(60));
    expect(uptime.ms).toMatchObject({ partial_outage: 5 * M, major_outage: 10 * M, operational: 45 * M });
  });

  it('excludes maintenance announced before it began, and not a window written up afterwards', () => {
    const probesDown = componentTimeline([checkTimeline(results('u'.repeat(20) + 'd'.repeat(10) + 'u'.repeat(30)), once, at(0), at(60))], nodes, at(0), at(60));
    const announced = uptimeOver(overlayPosts(probesDown, postSegments('cache', [maintenance(at(-600))], at(60))), at(0), at(60));
    expect(announced.ms.under_maintenance).toBe(10 * M);
    expect(announced.uptimePercent).toBe(100);
    const afterwards = uptimeOver(overlayPosts(probesDown, postSegments('cache', [maintenance(at(25))], at(60))), at(0), at(60));
    expect(afterwards.ms.under_maintenance).toBe(0);
    expect(afterwards.uptimePercent).toBeCloseTo(100 * (1 - 10 / 60));
  });

  it('lets an open incident run until now', () => {
    const uptime = uptimeOver(overlayPosts(allUp, postSegments('cache', [incident('open', at(50), null, 'major_outage')], at(60))), at(0), at(60));
    expect(uptime.ms.major_outage).toBe(10 * M);
  });
});

describe('days in a zone', () => {
  it('makes the day of the November DST change 25 hours long and the March one 23', () => {
    const la = startOfDayIn('America/Los_Angeles');
    const november = dayStarts(Date.UTC(2026, 10, 2, 12), 2, la); // 1 and 2 November 2026, local
    expect(november.map((t) => new Date(t).toISOString())).toEqual(['2026-11-01T07:00:00.000Z', '2026-11-02T08:00:00.000Z']);
    const march = dayStarts(Date.UTC(2026, 2, 9, 12), 2, la);
    expect((march[1]! - march[0]!) / 3_600_000).toBe(23);
  });

  it('counts uptime per zone day from the same segments', () => {
    const la = startOfDayIn('America/Los_Angeles');
    const start = la(Date.UTC(2026, 10, 2, 12)) - 25 * 3_600_000; // midnight, 1 November, local
    const segments = [{ from: start, to: start + 25 * 3_600_000, status: 'operational' as const }];
    expect(uptimeOver(segments, start, la(start + 26 * 3_600_000)).ms.operational).toBe(25 * 3_600_000);
  });
});

describe('uptime properties', () => {
  // A small seeded generator: the same sequences on every run and machine.
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const statuses: ProbeStatus[] = ['up', 'degraded', 'down'];

  it('stays within [0, 100] and never rises when a result turns from up to down', () => {
    for (let trial = 0; trial < 200; trial++) {
      const length = 5 + Math.floor(random() * 40);
      const sequence = Array.from({ length }, (_, i) => ({
        startedAt: at(i + random() * 0.5),
        status: random() < 0.7 ? 'up' : statuses[Math.floor(random() * 3)]!,
      }));
      const options = { confirm: { down: 1 + Math.floor(random() * 3), up: 1 + Math.floor(random() * 2) }, gapLimitMs: 2 * M };
      const uptimeOf = (rows: typeof sequence) => uptimeOver(componentTimeline([checkTimeline(rows, options, at(0), at(length))], nodes, at(0), at(length)), at(0), at(length)).uptimePercent;
      const base = uptimeOf(sequence);
      if (base !== null) {
        expect(base).toBeGreaterThanOrEqual(0);
        expect(base).toBeLessThanOrEqual(100);
      }
      const ups = sequence.flatMap((r, i) => (r.status === 'up' ? [i] : []));
      if (ups.length === 0 || base === null) continue;
      const flipped = sequence.map((r, i) => (i === ups[Math.floor(random() * ups.length)] ? { ...r, status: 'down' as const } : r));
      const after = uptimeOf(flipped);
      expect(after ?? 0).toBeLessThanOrEqual(base + 1e-9);
    }
  });
});
