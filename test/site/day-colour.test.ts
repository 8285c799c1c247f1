import { describe, expect, it } from 'vitest';
import { dayColour, describeDay, type DayColour } from '../../src/site/day-colour.ts';

const minutes = (m: Partial<Record<'major' | 'partial' | 'degraded' | 'maintenance' | 'noData', number>>) => ({ major: 0, partial: 0, degraded: 0, maintenance: 0, noData: 0, ...m });

describe('dayColour', () => {
  it.each<{ name: string; coverage: number; m: Parameters<typeof minutes>[0]; expected: DayColour }>([
    { name: 'a quiet, fully measured day', coverage: 1, m: {}, expected: 'ok' },
    { name: 'a day with nothing measured', coverage: 0, m: { noData: 1440 }, expected: 'nodata' },
    // The day of the issue: 310 minutes of partial outage weigh 93 minutes of downtime, yet it is a partial outage.
    { name: '310 min partial outage', coverage: 1, m: { partial: 310 }, expected: 'partial' },
    { name: 'a few minutes of major outage', coverage: 1, m: { major: 3 }, expected: 'major' },
    { name: 'major beats partial and degraded', coverage: 1, m: { major: 1, partial: 500, degraded: 900 }, expected: 'major' },
    { name: 'partial beats degraded', coverage: 1, m: { partial: 0.5, degraded: 600 }, expected: 'partial' },
    { name: 'degraded only', coverage: 1, m: { degraded: 45 }, expected: 'degraded' },
    { name: 'maintenance only', coverage: 1, m: { maintenance: 10 }, expected: 'maintenance' },
    { name: 'an outage outweighs maintenance', coverage: 1, m: { maintenance: 10, degraded: 2 }, expected: 'degraded' },
    { name: 'a partly measured quiet day', coverage: 0.4, m: { noData: 864 }, expected: 'ok' },
  ])('colours $name $expected', ({ coverage, m, expected }) => {
    expect(dayColour({ coverage, minutes: minutes(m) })).toBe(expected);
  });

  it('names in its words every status its colour comes from', () => {
    const day = { date: '2026-11-20', percent: 93.542, coverage: 1, minutes: minutes({ partial: 310 }) };
    expect(describeDay(day)).toBe('2026-11-20: 93.54% uptime, 310 min partial outage');
    expect(dayColour(day)).toBe('partial');
    expect(describeDay({ date: '2026-11-21', percent: null, coverage: 0, minutes: minutes({ noData: 1440 }) })).toBe('2026-11-21: no data');
  });
});
