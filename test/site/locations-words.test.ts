// The per-location table's words, in both languages: the latency cell (today's, or the last day
// measured with its date) and the two lines under the component's status.
import { describe, expect, it } from 'vitest';
import { words } from '../../src/i18n/messages.ts';
import { locationLatency } from '../../src/site/locations.ts';

const series = (...days: Array<[string, number | null, number | null]>) => ({ checkId: 'x', days: days.map(([date, p50, p95]) => ({ date, p50, p95 })) });

describe('the per-location table in words', () => {
  it('gives today\'s p50 / p95, an earlier day\'s with its date, or no data', () => {
    const en = words('en');
    expect(locationLatency(series(['2026-11-30', 9, 20], ['2026-12-01', 12, 30]), en)).toBe('12 ms / 30 ms');
    expect(locationLatency(series(['2026-11-30', 9, 20], ['2026-12-01', null, null]), en)).toBe('9.0 ms / 20 ms (2026-11-30)');
    expect(locationLatency(series(['2026-12-01', null, null]), en)).toBe('no data');
    expect(locationLatency(undefined, en)).toBe('no data');
    expect(locationLatency(series(['2026-11-30', 9, 20], ['2026-12-01', null, null]), words('de'))).toMatch(/^9,0 ms \/ 20 ms \(30\. Nov\. 2026\)$/);
  });

  it('says how many report and how many see it down, with plurals, in English and German', () => {
    const en = words('en');
    const de = words('de');
    expect(en.t('component.locationsReporting', { reporting: 2, of: 3 })).toBe('2 of 3 locations reporting');
    expect(en.plural('component.locationsSeeDown', 1, { of: 3 })).toBe('1 of 3 locations sees it down');
    expect(en.plural('component.locationsSeeDown', 2, { of: 5 })).toBe('2 of 5 locations see it down');
    expect(de.t('component.locationsReporting', { reporting: 2, of: 3 })).toBe('2 von 3 Standorten melden sich');
    expect(de.plural('component.locationsSeeDown', 1, { of: 3 })).toBe('1 von 3 Standorten sieht einen Ausfall');
    expect(de.plural('component.locationsSeeDown', 2, { of: 5 })).toBe('2 von 5 Standorten sehen einen Ausfall');
  });
});
