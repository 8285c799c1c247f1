// iCalendar edge cases, read back by ical.js and checked against RFC 5545's grammar: a calendar
// with no window is still a valid calendar (§3.6: at least one component) that no app shows as an
// event, and no control character reaches a TEXT value (§3.3.11).
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { escapeText, icsFiles } from '../../src/feeds/ics.ts';
import { DAY, H, feedContext, maintenance } from './context.ts';

const NOW = Date.UTC(2026, 11, 1, 9);

/** The content lines of a calendar, unfolded (§3.1), each checked to be free of bare CR and LF. */
function contentLines(text: string): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  const lines = text.slice(0, -2).split('\r\n');
  for (const line of lines) expect(line, JSON.stringify(line)).not.toMatch(/[\r\n]/);
  return lines.reduce<string[]>((out, line) => (line.startsWith(' ') ? [...out.slice(0, -1), out.at(-1)! + line.slice(1)] : [...out, line]), []);
}

describe('iCalendar text values', () => {
  it.each([
    ['bare CR', 'one\rtwo', 'one\\ntwo'],
    ['CRLF', 'one\r\ntwo', 'one\\ntwo'],
    ['LF', 'one\ntwo', 'one\\ntwo'],
    ['CR CR LF', 'one\r\r\ntwo', 'one\\n\\ntwo'],
    ['NUL, BEL, ESC, DEL', 'a\u0000b\u0007c\u001bd\u007fe', 'abcde'],
    ['vertical tab and form feed', 'a\u000bb\u000cc', 'abc'],
    ['tab, which TEXT allows', 'a\tb', 'a\tb'],
  ])('%s', (_name, input, expected) => expect(escapeText(input)).toBe(expected));

  it('publishes a title and description with CR and control characters as lines ical.js reads back', () => {
    const m = maintenance('2026-12-08-db', { title: 'DB\rupgrade\u0007', affected: 'Sign-in\rstops;\u001b for a while', announcedAt: NOW - DAY, startsAt: NOW + 7 * DAY, endsAt: NOW + 7 * DAY + H });
    const [all] = icsFiles(feedContext(NOW, [m]), {});
    const text = String(all!.body);
    // TEXT allows no control character but HTAB (§3.3.11): none is left on any content line.
    for (const line of contentLines(text)) expect(line, JSON.stringify(line)).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f]/);
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!);
    expect(event.summary).toBe('DB\nupgrade');
    expect(event.description).toBe('Sign-in\nstops; for a while');
  });
});

describe('a calendar with no window', () => {
  const files = icsFiles(feedContext(NOW, [maintenance('2026-12-08-db', { announcedAt: NOW - DAY, startsAt: NOW + 7 * DAY, endsAt: NOW + 7 * DAY + H, components: ['chat-nodes'] })]), {});
  const empty = files.find((f) => f.path === 'components/file-share/maintenance.ics')!;
  const none = icsFiles(feedContext(NOW, []), {});

  it('still holds a component (RFC 5545 §3.6), and it is no event', () => {
    for (const file of [empty, ...none]) {
      const lines = contentLines(String(file.body));
      expect(lines[0]).toBe('BEGIN:VCALENDAR');
      expect(lines.at(-1)).toBe('END:VCALENDAR');
      expect(lines).toContain('VERSION:2.0');
      expect(lines.some((l) => l.startsWith('PRODID:'))).toBe(true);
      const components = lines.filter((l) => /^BEGIN:/.test(l) && l !== 'BEGIN:VCALENDAR');
      expect(components.length, file.path).toBeGreaterThan(0);
      expect(lines.some((l) => l === 'BEGIN:VEVENT')).toBe(false);
    }
  });

  it('is read by ical.js as a calendar with a UTC time zone and no events', () => {
    for (const file of [empty, ...none]) {
      const calendar = new ICAL.Component(ICAL.parse(String(file.body)));
      expect(calendar.name).toBe('vcalendar');
      expect(calendar.getAllSubcomponents('vevent')).toHaveLength(0);
      const zone = calendar.getFirstSubcomponent('vtimezone')!;
      expect(zone.getFirstPropertyValue('tzid')).toBe('UTC');
      // A VTIMEZONE needs a STANDARD or DAYLIGHT part with DTSTART and both offsets (§3.6.5).
      const standard = zone.getFirstSubcomponent('standard')!;
      for (const name of ['dtstart', 'tzoffsetfrom', 'tzoffsetto']) expect(standard.hasProperty(name), name).toBe(true);
      const tz = new ICAL.Timezone(zone);
      expect(tz.utcOffset(ICAL.Time.fromJSDate(new Date(NOW), true))).toBe(0);
    }
  });

  it('leaves a calendar with windows as it was: events only', () => {
    const calendar = new ICAL.Component(ICAL.parse(String(files[0]!.body)));
    expect(calendar.getAllSubcomponents('vevent')).toHaveLength(1);
    expect(calendar.getAllSubcomponents('vtimezone')).toHaveLength(0);
  });
});
