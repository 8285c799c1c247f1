// RFC 5545 text rules, table-driven: escaping and folding at 75 octets without splitting a character.
import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, nextWindowHistory } from '../../src/feeds/ics.ts';
import type { Maintenance } from '../../src/posts/types.ts';

describe('iCalendar text', () => {
  it.each([
    ['plain', 'plain'],
    ['a;b,c', 'a\\;b\\,c'],
    ['back\\slash', 'back\\\\slash'],
    ['two\nlines', 'two\\nlines'],
    ['crlf\r\nline', 'crlf\\nline'],
  ])('escapes %j', (input, expected) => expect(escapeText(input)).toBe(expected));

  it('folds at 75 octets, continuation lines starting with a space, never inside a UTF-8 character', () => {
    for (const text of ['x'.repeat(300), `SUMMARY:${'🚨é'.repeat(60)}`, `DESCRIPTION:${'تسجيل الدخول '.repeat(20)}`]) {
      const folded = foldLine(text);
      const lines = folded.split('\r\n');
      for (const [i, line] of lines.entries()) {
        expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
        if (i > 0) expect(line.startsWith(' ')).toBe(true);
        expect(line).not.toContain('\uFFFD');
      }
      expect(lines.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(text); // unfolding gives it back
    }
  });

  it('raises SEQUENCE only when a window moves or is cancelled', () => {
    const m = (startsAt: number, endsAt: number, cancelled = false) => ({ slug: 'w', startsAt, endsAt, cancelled }) as Maintenance;
    let history = nextWindowHistory({}, [m(0, 10)], 100);
    expect(history.w!.sequence).toBe(0);
    history = nextWindowHistory(history, [m(0, 10)], 200);
    expect(history.w!.sequence).toBe(0);
    history = nextWindowHistory(history, [m(0, 20)], 300);
    expect(history.w!.sequence).toBe(1);
    history = nextWindowHistory(history, [m(0, 20, true)], 400);
    expect(history.w!.sequence).toBe(2);
  });
});
