// Wall-clock conversion: the cached-offset fast path must agree with Intl, transitions included.
import { describe, expect, it } from 'vitest';
import { zonedParts } from '../../src/posts/time.ts';

describe('zonedParts, fast path', () => {
  it('agrees with Intl at every minute around DST changes, in zones with odd offsets too', () => {
    const intl = (instant: number, zone: string) => {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(instant);
      const value = (type: string) => Number(parts.find((p) => p.type === type)!.value);
      return { year: value('year'), month: value('month'), day: value('day'), hour: value('hour'), minute: value('minute'), second: value('second') };
    };
    const around = [Date.UTC(2026, 2, 8, 10), Date.UTC(2026, 10, 1, 9), Date.UTC(2026, 3, 5, 15), Date.UTC(2026, 9, 3, 15, 30), Date.UTC(2026, 2, 29, 1)];
    for (const zone of ['America/Los_Angeles', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Europe/Paris', 'UTC']) {
      for (const center of around) {
        for (let minute = -120; minute <= 120; minute += 7) {
          const instant = center + minute * 60_000 + 13_000;
          expect(zonedParts(instant, zone), `${zone} ${new Date(instant).toISOString()}`).toEqual(intl(instant, zone));
        }
      }
    }
  });
});
