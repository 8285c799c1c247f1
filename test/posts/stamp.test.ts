// The time a command writes for "now": to the second, on the post's wall clock, with the offset
// wherever the wall clock alone would name two instants (or none could be read).
import { describe, expect, it } from 'vitest';
import { instantOf, stampTime } from '../../src/posts/stamp.ts';
import { parsePostTime } from '../../src/posts/time.ts';

const LA = 'America/Los_Angeles';

describe('stampTime', () => {
  it.each([
    // An ordinary day: the wall clock, seconds kept, milliseconds dropped.
    { utc: '2026-11-20T17:30:07.999Z', zone: LA, own: true, written: '2026-11-20T09:30:07' },
    // 2026-11-01 01:30 happens twice in Los Angeles: the offset says which.
    { utc: '2026-11-01T08:30:15Z', zone: LA, own: true, written: '2026-11-01T01:30:15-07:00' },
    { utc: '2026-11-01T09:30:15Z', zone: LA, own: true, written: '2026-11-01T01:30:15-08:00' },
    // Either side of the repeated hour the wall clock is unambiguous again.
    { utc: '2026-11-01T07:59:59Z', zone: LA, own: true, written: '2026-11-01T00:59:59' },
    { utc: '2026-11-01T10:00:00Z', zone: LA, own: true, written: '2026-11-01T02:00:00' },
    // The spring change skips 02:00-03:00; the second after it is 03:00:00.
    { utc: '2026-03-08T09:59:59Z', zone: LA, own: true, written: '2026-03-08T01:59:59' },
    { utc: '2026-03-08T10:00:00Z', zone: LA, own: true, written: '2026-03-08T03:00:00' },
    // A post with no timezone of its own: times there need their offset.
    { utc: '2026-11-20T17:30:07Z', zone: LA, own: false, written: '2026-11-20T09:30:07-08:00' },
    { utc: '2026-06-20T12:00:00Z', zone: 'Europe/Paris', own: true, written: '2026-06-20T14:00:00' },
  ])('writes $utc in $zone as $written', ({ utc, zone, own, written }) => {
    const instant = Date.parse(utc);
    expect(stampTime(instant, zone, own)).toBe(written);
    // What is written reads back as the same second, in the zone the post names (or none).
    expect(parsePostTime(written, own ? zone : undefined)).toBe(Math.floor(instant / 1000) * 1000);
  });

  it('keeps updates a second apart in order across the repeated hour', () => {
    // Every second from 00:59:58 PDT to 02:00:01 PST, stamped and read back, stays in order.
    const from = Date.parse('2026-11-01T07:59:58Z');
    let previous = -Infinity;
    for (let t = from; t <= Date.parse('2026-11-01T10:00:01Z'); t += 1000) {
      const back = parsePostTime(stampTime(t, LA, true), LA);
      expect(back).toBe(t);
      expect(back as number).toBeGreaterThan(previous);
      previous = back as number;
    }
  });
});

describe('instantOf', () => {
  it('is the clock without --at, the time written with it, and undefined for a time that is none', () => {
    expect(instantOf(undefined, LA, 1234)).toBe(1234);
    expect(instantOf('2026-11-20T09:30', LA, 0)).toBe(Date.parse('2026-11-20T17:30:00Z'));
    expect(instantOf('2026-11-20T17:30:00Z', LA, 0)).toBe(Date.parse('2026-11-20T17:30:00Z'));
    expect(instantOf('2026-11-01T01:30', LA, 0)).toBeUndefined(); // twice that day
    expect(instantOf('tomorrow', LA, 0)).toBeUndefined();
  });
});
