// Table tests of the pure quorum rules (src/locations/quorum.ts): which status several locations
// agree on at one instant, and the agreed timeline over a day. Instants are plain epoch ms.
import { describe, expect, it } from 'vitest';
import { agreeTimelines, agreedNext, initialAgreedState, neededFor, vote, type LocationReport, type QuorumRule } from '../../src/locations/quorum.ts';
import type { ConfirmedStatus } from '../../src/runner/confirm.ts';
import type { Segment } from '../../src/status/timeline.ts';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 29, 0, 0); // the night Europe moves its clocks: irrelevant to epoch ms

const r = (location: string, status: ConfirmedStatus, since: number | null = status === 'unknown' ? null : T0): LocationReport => ({ location, status, since });
const reports = (...statuses: ConfirmedStatus[]) => statuses.map((s, i) => r(String.fromCharCode(97 + i), s));

describe('neededFor', () => {
  it.each<[QuorumRule, number, number]>([
    ['majority', 1, 1],
    ['majority', 2, 2],
    ['majority', 3, 2],
    ['majority', 4, 3],
    ['majority', 5, 3],
    [{ min: 2 }, 3, 2],
    [{ min: 1 }, 3, 1],
    [{ min: 4 }, 3, 4], // more than there are: never reachable
    [{ min: 5 }, 1, 1], // one location always decides alone
    [{ min: 0 }, 3, 1],
  ])('%j of %i locations needs %i', (rule, n, needed) => {
    expect(neededFor(rule, n)).toBe(needed);
  });
});

describe('vote', () => {
  it.each<[string, QuorumRule, ConfirmedStatus[], ConfirmedStatus | null, number]>([
    // name, rule, each location's status, the vote, reporting
    ['one location up decides alone', 'majority', ['up'], 'up', 1],
    ['one location down decides alone', 'majority', ['down'], 'down', 1],
    ['one location stale: nobody reports', 'majority', ['unknown'], null, 0],
    ['2 of 2 down', 'majority', ['down', 'down'], 'down', 2],
    ['1 of 2 down: a tie holds', 'majority', ['down', 'up'], null, 2],
    ['1 of 2 stale: too few fresh', 'majority', ['up', 'unknown'], null, 1],
    ['3 locations, 1 down', 'majority', ['down', 'up', 'up'], 'up', 3],
    ['3 locations, 2 down', 'majority', ['down', 'down', 'up'], 'down', 3],
    ['3 locations, 1 stale, 2 up', 'majority', ['unknown', 'up', 'up'], 'up', 2],
    ['3 locations, 1 stale, split', 'majority', ['unknown', 'up', 'down'], null, 2],
    ['3 locations, 2 stale', 'majority', ['unknown', 'unknown', 'down'], null, 1],
    ['3 locations all stale', 'majority', ['unknown', 'unknown', 'unknown'], null, 0],
    ['3 locations: down + degraded count as degraded', 'majority', ['down', 'degraded', 'up'], 'degraded', 3],
    ['4 locations 2:2 split holds', 'majority', ['down', 'down', 'up', 'up'], null, 4],
    ['4 locations 3 down', 'majority', ['down', 'down', 'down', 'up'], 'down', 4],
    ['4 locations 3 up', 'majority', ['down', 'up', 'up', 'up'], 'up', 4],
    ['5 locations 3 down', 'majority', ['down', 'up', 'down', 'up', 'down'], 'down', 5],
    ['5 locations 2 down 2 up 1 stale', 'majority', ['down', 'up', 'down', 'up', 'unknown'], null, 4],
    ['min 2 of 3: 2 down', { min: 2 }, ['down', 'down', 'up'], 'down', 3],
    ['min 1 of 2: a failure wins the tie', { min: 1 }, ['down', 'up'], 'down', 2],
    ['min 4 of 3 all down: never reachable', { min: 4 }, ['down', 'down', 'down'], null, 3],
    ['min 4 of 3 all up: never reachable', { min: 4 }, ['up', 'up', 'up'], null, 3],
  ])('%s', (_name, rule, statuses, status, reporting) => {
    const v = vote(reports(...statuses), rule);
    expect(v.status).toBe(status);
    expect(v.reporting).toBe(reporting);
    expect(v.of).toBe(statuses.length);
    expect(v.counts).toEqual({
      up: statuses.filter((s) => s === 'up').length,
      degraded: statuses.filter((s) => s === 'degraded').length,
      down: statuses.filter((s) => s === 'down').length,
    });
  });

  it('says when the rule can never be met', () => {
    expect(vote(reports('up', 'up', 'up'), { min: 4 }).reachable).toBe(false);
    expect(vote(reports('up', 'up', 'up'), { min: 3 }).reachable).toBe(true);
  });

  it('dates a failure from the first failing result of the locations that formed it, a recovery from the needed-th', () => {
    const down = vote([r('a', 'down', T0 + 5 * M), r('b', 'down', T0 + 2 * M), r('c', 'up', T0)], 'majority');
    expect(down).toMatchObject({ status: 'down', since: T0 + 2 * M, agreeing: ['a', 'b'] });
    // c's earlier "down" would not count: it is not down now.
    const up = vote([r('a', 'up', T0 + 9 * M), r('b', 'up', T0 + 4 * M), r('c', 'up', T0 + 7 * M)], 'majority');
    expect(up).toMatchObject({ status: 'up', since: T0 + 7 * M, agreeing: ['a', 'b', 'c'] });
    const degraded = vote([r('a', 'degraded', T0 + 3 * M), r('b', 'down', T0 + 6 * M), r('c', 'up', T0)], 'majority');
    expect(degraded).toMatchObject({ status: 'degraded', since: T0 + 3 * M, agreeing: ['a', 'b'] });
  });
});

describe('agreedNext', () => {
  it.each<[string, ConfirmedStatus, ConfirmedStatus[], ConfirmedStatus]>([
    ['starts unknown and believes a quorum', 'unknown', ['up', 'up', 'down'], 'up'],
    ['holds up through a split', 'up', ['up', 'down', 'unknown'], 'up'],
    ['holds down through a split', 'down', ['up', 'down', 'unknown'], 'down'],
    ['holds through too few fresh', 'down', ['unknown', 'unknown', 'up'], 'down'],
    ['turns unknown when nobody reports', 'down', ['unknown', 'unknown', 'unknown'], 'unknown'],
    ['one location: its own status, as today', 'up', ['down'], 'down'],
    ['one location stale: unknown, as today', 'up', ['unknown'], 'unknown'],
  ])('%s', (_name, previous, statuses, next) => {
    const { state } = agreedNext({ status: previous, since: previous === 'unknown' ? null : T0 }, reports(...statuses), 'majority');
    expect(state.status).toBe(next);
  });

  it('keeps the date of a status held, and takes the vote\'s date for a new one', () => {
    const held = { status: 'down' as const, since: T0 - 30 * M };
    expect(agreedNext(held, [r('a', 'down', T0), r('b', 'down', T0 + M), r('c', 'up')], 'majority').state).toBe(held);
    expect(agreedNext(initialAgreedState, [r('a', 'down', T0 + 2 * M), r('b', 'down', T0 + M), r('c', 'up')], 'majority').state).toEqual({ status: 'down', since: T0 + M });
  });

  it('a rule that can never be met holds forever', () => {
    let state = initialAgreedState;
    for (const statuses of [['up', 'up', 'up'], ['down', 'down', 'down']] as ConfirmedStatus[][]) state = agreedNext(state, reports(...statuses), { min: 4 }).state;
    expect(state.status).toBe('unknown');
    state = agreedNext({ status: 'up', since: T0 }, reports('down', 'down', 'down'), { min: 4 }).state;
    expect(state.status).toBe('up');
  });
});

describe('agreeTimelines', () => {
  const from = T0;
  const to = T0 + 120 * M;
  const seg = (a: number, b: number, status: ConfirmedStatus): Segment<ConfirmedStatus> => ({ from: T0 + a * M, to: T0 + b * M, status });
  const upAll = [seg(0, 120, 'up')];

  it('one location is its own timeline, identical to today', () => {
    const timeline = [seg(0, 10, 'unknown'), seg(10, 50, 'up'), seg(50, 70, 'down'), seg(70, 120, 'up')];
    expect(agreeTimelines([{ location: 'a', timeline }], 'majority', from, to)).toEqual(timeline);
  });

  it('one location cut for a while: no outage', () => {
    const cut = [seg(0, 30, 'up'), seg(30, 80, 'down'), seg(80, 120, 'up')];
    const agreed = agreeTimelines([{ location: 'a', timeline: cut }, { location: 'b', timeline: upAll }, { location: 'c', timeline: upAll }], 'majority', from, to);
    expect(agreed).toEqual([seg(0, 120, 'up')]);
  });

  it('all three down: the outage is dated from the earliest failing result of those that formed it', () => {
    const a = [seg(0, 20, 'up'), seg(20, 90, 'down'), seg(90, 120, 'up')];
    const b = [seg(0, 25, 'up'), seg(25, 95, 'down'), seg(95, 120, 'up')];
    const c = [seg(0, 30, 'up'), seg(30, 100, 'down'), seg(100, 120, 'up')];
    const agreed = agreeTimelines([{ location: 'a', timeline: a }, { location: 'b', timeline: b }, { location: 'c', timeline: c }], 'majority', from, to);
    // Down from a's first failure (20), though the quorum formed at 25; up when the second location recovered (95).
    expect(agreed).toEqual([seg(0, 20, 'up'), seg(20, 95, 'down'), seg(95, 120, 'up')]);
  });

  it('a failure is dated from the locations that formed the quorum, not from one that recovered before', () => {
    const a = [seg(0, 5, 'up'), seg(5, 15, 'down'), seg(15, 120, 'up')]; // a blip of its own, over before the others fail
    const b = [seg(0, 40, 'up'), seg(40, 60, 'down'), seg(60, 120, 'up')];
    const c = [seg(0, 45, 'up'), seg(45, 60, 'down'), seg(60, 120, 'up')];
    const agreed = agreeTimelines([{ location: 'a', timeline: a }, { location: 'b', timeline: b }, { location: 'c', timeline: c }], 'majority', from, to);
    expect(agreed).toEqual([seg(0, 40, 'up'), seg(40, 60, 'down'), seg(60, 120, 'up')]);
  });

  it('a location failing since long before the others dates the outage back only within the dating span', () => {
    // a is cut from 10, then the target really fails at 60 for everyone (b and c). Unbounded, the
    // outage would be dated from 10, over a stretch where b and c agreed it was up; with a span of
    // 20 it starts at 60 (a's failure began more than the span before b's and c's). A failure of a
    // within the span (at 50) is where it starts.
    const a = [seg(0, 10, 'up'), seg(10, 90, 'down'), seg(90, 120, 'up')];
    const b = [seg(0, 60, 'up'), seg(60, 90, 'down'), seg(90, 120, 'up')];
    const three = [{ location: 'a', timeline: a }, { location: 'b', timeline: b }, { location: 'c', timeline: b }];
    expect(agreeTimelines(three, 'majority', from, to)).toEqual([seg(0, 10, 'up'), seg(10, 90, 'down'), seg(90, 120, 'up')]);
    expect(agreeTimelines(three, 'majority', from, to, { datingSpanMs: 20 * M })).toEqual([seg(0, 60, 'up'), seg(60, 90, 'down'), seg(90, 120, 'up')]);
    const near = [seg(0, 50, 'up'), seg(50, 90, 'down'), seg(90, 120, 'up')];
    expect(agreeTimelines([{ location: 'a', timeline: near }, three[1]!, three[2]!], 'majority', from, to, { datingSpanMs: 20 * M })).toEqual([seg(0, 50, 'up'), seg(50, 90, 'down'), seg(90, 120, 'up')]);
  });

  it.each([
    ['no span: the first failure of any former', undefined, 10],
    ['a span reaching it', 60, 10],
    ['a span that does not: the earliest within it', 20, 60],
  ])('vote dating with %s', (_why, datingSpanMs, expected) => {
    const reports = [
      { location: 'a', status: 'down' as const, since: 10 },
      { location: 'b', status: 'down' as const, since: 60 },
      { location: 'c', status: 'down' as const, since: 65 },
    ];
    expect(vote(reports, 'majority', datingSpanMs === undefined ? {} : { datingSpanMs }).since).toBe(expected);
  });

  it('two locations disagreeing hold the status before; both failing is an outage', () => {
    const a = [seg(0, 30, 'up'), seg(30, 120, 'down')];
    const b = [seg(0, 60, 'up'), seg(60, 120, 'down')];
    const agreed = agreeTimelines([{ location: 'a', timeline: a }, { location: 'b', timeline: b }], 'majority', from, to);
    expect(agreed).toEqual([seg(0, 30, 'up'), seg(30, 120, 'down')]);
  });

  it('a stale location is no data: the two fresh ones still decide, and a split among them holds', () => {
    const stale = [seg(0, 40, 'up'), seg(40, 120, 'unknown')];
    const b = [seg(0, 120, 'up')];
    const c = [seg(0, 60, 'up'), seg(60, 120, 'down')];
    const agreed = agreeTimelines([{ location: 'a', timeline: stale }, { location: 'b', timeline: b }, { location: 'c', timeline: c }], 'majority', from, to);
    expect(agreed).toEqual([seg(0, 120, 'up')]);
  });

  it('no location reporting is unknown, before and after what they agreed', () => {
    const a = [seg(0, 10, 'unknown'), seg(10, 100, 'up'), seg(100, 120, 'unknown')];
    const b = [seg(0, 10, 'unknown'), seg(10, 100, 'up'), seg(100, 120, 'unknown')];
    const agreed = agreeTimelines([{ location: 'a', timeline: a }, { location: 'b', timeline: b }, { location: 'c', timeline: [] }], 'majority', from, to);
    expect(agreed).toEqual([seg(0, 10, 'unknown'), seg(10, 100, 'up'), seg(100, 120, 'unknown')]);
  });

  it('min greater than the locations never forms a quorum: unknown throughout', () => {
    const agreed = agreeTimelines([{ location: 'a', timeline: upAll }, { location: 'b', timeline: upAll }], { min: 3 }, from, to);
    expect(agreed).toEqual([seg(0, 120, 'unknown')]);
  });

  it('min 1 of 3: one location failing is enough', () => {
    const a = [seg(0, 50, 'up'), seg(50, 70, 'down'), seg(70, 120, 'up')];
    const agreed = agreeTimelines([{ location: 'a', timeline: a }, { location: 'b', timeline: upAll }, { location: 'c', timeline: upAll }], { min: 1 }, from, to);
    expect(agreed).toEqual([seg(0, 50, 'up'), seg(50, 70, 'down'), seg(70, 120, 'up')]);
  });

  it('a failure that began before the window is dated from the window\'s start', () => {
    const a = [seg(0, 120, 'down')];
    const b = [seg(0, 10, 'up'), seg(10, 120, 'down')];
    const agreed = agreeTimelines([{ location: 'a', timeline: a }, { location: 'b', timeline: b }, { location: 'c', timeline: upAll }], 'majority', T0 + 5 * M, to);
    expect(agreed).toEqual([seg(5, 120, 'down')]);
  });

  it('works on epoch ms alone: the same shape shifted across a DST change', () => {
    const shift = (timeline: Segment<ConfirmedStatus>[], by: number) => timeline.map((s) => ({ ...s, from: s.from + by, to: s.to + by }));
    const a = [seg(0, 20, 'up'), seg(20, 90, 'down'), seg(90, 120, 'up')];
    const b = [seg(0, 25, 'up'), seg(25, 95, 'down'), seg(95, 120, 'up')];
    const base = agreeTimelines([{ location: 'a', timeline: a }, { location: 'b', timeline: b }, { location: 'c', timeline: upAll }], 'majority', from, to);
    const by = 37 * M; // 00:37 UTC, across 01:00 UTC when Europe springs forward
    const shifted = agreeTimelines([{ location: 'a', timeline: shift(a, by) }, { location: 'b', timeline: shift(b, by) }, { location: 'c', timeline: shift(upAll, by) }], 'majority', from + by, to + by);
    expect(shifted).toEqual(shift(base, by));
  });
});
