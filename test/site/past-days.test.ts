// The home page's past incidents, day by day in the site's zone, with the build's clock passed in.
import { describe, expect, it } from 'vitest';
import { dayLabel, pastDays, pastIncidentSlugs, timeOnDay } from '../../src/site/past-days.ts';

const MIN = 60_000;
const incident = (slug: string, startedAt: number, resolvedAt: number | null, impact: 'minor' | 'major' = 'minor') => ({
  slug,
  title: `Title of ${slug}`,
  impact,
  startedAt,
  resolvedAt,
  updates: [
    { at: startedAt, status: 'investigating' as const, html: '<p>Looking.</p>' },
    ...(resolvedAt === null ? [] : [{ at: resolvedAt, status: 'resolved' as const, html: '<p>Fixed.</p>' }]),
  ],
});
const dayOf = (days: ReturnType<typeof pastDays>, slug: string) => days.find((d) => d.entries.some((e) => e.slug === slug))?.date;

describe('pastDays', () => {
  it('lists fourteen consecutive dates in the zone, today first, across the end of daylight-saving time', () => {
    // 10:00 PST on Tuesday 3 November 2026; Los Angeles left daylight-saving time on Sunday 1 November.
    const days = pastDays({ incidents: [], maintenance: [] }, 'America/Los_Angeles', Date.UTC(2026, 10, 3, 18));
    expect(days.map((d) => d.date)).toEqual([
      '2026-11-03', '2026-11-02', '2026-11-01', '2026-10-31', '2026-10-30', '2026-10-29', '2026-10-28',
      '2026-10-27', '2026-10-26', '2026-10-25', '2026-10-24', '2026-10-23', '2026-10-22', '2026-10-21',
    ]);
    expect(days.every((d) => d.entries.length === 0)).toBe(true);
  });

  const now = Date.UTC(2026, 10, 3, 18); // 2026-11-03 10:00 PST
  it.each([
    { name: '01:30 PDT, before the clocks went back', at: Date.UTC(2026, 10, 1, 8, 30), expected: '2026-11-01' },
    { name: '01:30 PST, the same wall time an hour later', at: Date.UTC(2026, 10, 1, 9, 30), expected: '2026-11-01' },
    { name: '23:30 PST on the 25-hour day (07:30 UTC the next day)', at: Date.UTC(2026, 10, 2, 7, 30), expected: '2026-11-01' },
    { name: 'local midnight after it', at: Date.UTC(2026, 10, 2, 8), expected: '2026-11-02' },
    { name: 'the first minute of the fourteen days (00:00 PDT, 21 October)', at: Date.UTC(2026, 9, 21, 7), expected: '2026-10-21' },
    { name: 'the minute before them, still open now', at: Date.UTC(2026, 9, 21, 6, 59), expected: '2026-11-03', open: true },
    { name: 'earlier, resolved ten minutes ago', at: Date.UTC(2026, 9, 1), resolvedAt: now - 10 * MIN, expected: '2026-11-03' },
    { name: 'earlier, resolved inside the days', at: Date.UTC(2026, 9, 1), resolvedAt: Date.UTC(2026, 9, 22, 6, 30), expected: '2026-10-21' },
    { name: 'earlier, resolved before them', at: Date.UTC(2026, 9, 1), resolvedAt: Date.UTC(2026, 9, 21, 6), expected: undefined },
    { name: 'not begun yet', at: now + MIN, expected: undefined },
  ])('lists an incident started at $name on $expected', ({ at, resolvedAt, open, expected }) => {
    const days = pastDays({ incidents: [incident('x', at, open ? null : (resolvedAt ?? at + 30 * MIN))], maintenance: [] }, 'America/Los_Angeles', now);
    expect(dayOf(days, 'x')).toBe(expected);
  });

  it('shows an incident resolved ten minutes ago, with its latest update', () => {
    const resolved = now - 10 * MIN;
    const days = pastDays({ incidents: [incident('just-fixed', resolved - 50 * MIN, resolved, 'major')], maintenance: [] }, 'UTC', now);
    expect(days[0]!.entries).toEqual([
      { kind: 'incident', slug: 'just-fixed', title: 'Title of just-fixed', impact: 'major', status: 'resolved', update: { at: resolved, html: '<p>Fixed.</p>' } },
    ]);
    expect(pastIncidentSlugs(days)).toEqual(new Set(['just-fixed']));
  });

  it('gives each zone its own dates for the same instant', () => {
    const at = Date.UTC(2026, 10, 2, 11); // 01:00 on the 3rd in Kiritimati (+14), 00:00 on the 2nd in Pago Pago (-11)
    const posts = { incidents: [incident('x', at, at + MIN)], maintenance: [] };
    const later = at + 3_600_000;
    expect(dayOf(pastDays(posts, 'Pacific/Kiritimati', later), 'x')).toBe('2026-11-03');
    expect(dayOf(pastDays(posts, 'Pacific/Pago_Pago', later), 'x')).toBe('2026-11-02');
    expect(dayOf(pastDays(posts, 'UTC', later), 'x')).toBe('2026-11-02');
    expect(pastDays(posts, 'Pacific/Kiritimati', later)[0]!.date).toBe('2026-11-03');
    expect(pastDays(posts, 'Pacific/Pago_Pago', later)[0]!.date).toBe('2026-11-02');
  });

  it('counts the short day when daylight-saving time begins as one day', () => {
    // Los Angeles skipped 02:00–03:00 on Sunday 8 March 2026; now is Monday 9 March, 05:00 PDT.
    const now = Date.UTC(2026, 2, 9, 12);
    const posts = {
      incidents: [incident('saturday-late', Date.UTC(2026, 2, 8, 7, 30), Date.UTC(2026, 2, 8, 7, 45)), incident('sunday-late', Date.UTC(2026, 2, 9, 6, 30), Date.UTC(2026, 2, 9, 6, 45))],
      maintenance: [],
    };
    const days = pastDays(posts, 'America/Los_Angeles', now);
    expect(days.slice(0, 3).map((d) => d.date)).toEqual(['2026-03-09', '2026-03-08', '2026-03-07']);
    expect(days.at(-1)!.date).toBe('2026-02-24');
    expect(dayOf(days, 'saturday-late')).toBe('2026-03-07'); // 23:30 PST
    expect(dayOf(days, 'sunday-late')).toBe('2026-03-08'); // 23:30 PDT
  });

  it('lists maintenance windows that have begun, on the day they began, and not cancelled or upcoming ones', () => {
    const window = (slug: string, state: 'completed' | 'cancelled' | 'upcoming' | 'in_progress', startsAt: number) => ({ slug, title: slug, state, startsAt, endsAt: startsAt + 3_600_000, updates: [] });
    const days = pastDays(
      {
        incidents: [],
        maintenance: [window('done', 'completed', Date.UTC(2026, 10, 2, 6)), window('off', 'cancelled', Date.UTC(2026, 10, 2, 6)), window('soon', 'upcoming', now + 86_400_000), window('now', 'in_progress', now - MIN)],
      },
      'America/Los_Angeles',
      now,
    );
    expect(dayOf(days, 'done')).toBe('2026-11-01'); // 22:00 PST
    expect(days[0]!.entries.map((e) => [e.slug, e.status, e.impact])).toEqual([['now', 'in_progress', 'maintenance']]);
    expect(dayOf(days, 'off')).toBeUndefined();
    expect(dayOf(days, 'soon')).toBeUndefined();
  });

  it('orders a day\'s entries newest first', () => {
    const days = pastDays({ incidents: [incident('morning', Date.UTC(2026, 10, 3, 9), Date.UTC(2026, 10, 3, 10)), incident('noon', Date.UTC(2026, 10, 3, 12), null)], maintenance: [] }, 'UTC', now);
    expect(days[0]!.entries.map((e) => e.slug)).toEqual(['noon', 'morning']);
  });

  it('labels a date as readers read it', () => {
    expect(dayLabel('2026-11-01')).toBe('Nov 1, 2026');
    // An update on the listed day gives its time; one on a later day says which day.
    expect(timeOnDay(Date.UTC(2026, 10, 2, 7, 30), 'America/Los_Angeles', '2026-11-01')).toBe('11:30 PM PST');
    expect(timeOnDay(Date.UTC(2026, 10, 2, 8, 30), 'America/Los_Angeles', '2026-11-01')).toBe('Nov 2, 12:30 AM PST');
  });
});
