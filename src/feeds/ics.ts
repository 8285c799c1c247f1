// maintenance.ics (and one per component): RFC 5545, CRLF line ends, lines folded at 75 octets, a
// stable UID per maintenance, times in UTC, the last 90 days and everything ahead, STATUS:CANCELLED for a cancelled window, and SEQUENCE
// raised whenever a window changes (kept from build to build in the site's hidden .statuspost/).
import type { Maintenance } from '../posts/types.ts';
import { postUrl, wordsOf, type FeedContext, type FeedFile } from './context.ts';

export interface WindowPlan {
  startsAt: number;
  endsAt: number;
  cancelled: boolean;
}

/** A window moved, cancelled or reinstated, as first published (`at`: that build's time). */
export interface WindowChange {
  sequence: number;
  at: number;
  from: WindowPlan;
  to: WindowPlan;
}

export interface WindowHistory {
  /** `changes` is absent in histories written before changes were kept: none recorded then. */
  [slug: string]: WindowPlan & { sequence: number; changes?: WindowChange[] };
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/**
 * A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped; a line break of any kind
 * (CRLF, LF, or a CR alone) becomes `\n`; every other control character, which TEXT forbids (only
 * HTAB is allowed), is dropped, so no reader ever sees a raw CR end a content line early.
 */
export const escapeText = (text: string) =>
  text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');

/** Folds a content line at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1). */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with a space
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

/**
 * Each window as this build publishes it. A change since the last build raises its SEQUENCE (what
 * calendar apps go by) and is kept with the time it was first published, so RSS can give every move
 * and cancellation an item of its own with a guid that stays the same in every later build.
 */
export function nextWindowHistory(previous: WindowHistory, maintenance: readonly Maintenance[], now: number): WindowHistory {
  const next: WindowHistory = {};
  for (const m of maintenance) {
    const before = previous[m.slug];
    const to: WindowPlan = { startsAt: m.startsAt, endsAt: m.endsAt, cancelled: m.cancelled };
    const changed = before !== undefined && (before.startsAt !== to.startsAt || before.endsAt !== to.endsAt || before.cancelled !== to.cancelled);
    const sequence = before ? before.sequence + (changed ? 1 : 0) : 0;
    const changes = [...(before?.changes ?? [])];
    if (changed) changes.push({ sequence, at: now, from: { startsAt: before.startsAt, endsAt: before.endsAt, cancelled: before.cancelled }, to });
    next[m.slug] = { ...to, sequence, ...(changes.length > 0 ? { changes } : {}) };
  }
  return next;
}

function calendar(context: FeedContext, name: string, maintenance: readonly Maintenance[], history: WindowHistory): string {
  const host = new URL(context.baseUrl).host;
  const w = wordsOf(context);
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//statuspost//maintenance//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', `X-WR-CALNAME:${escapeText(name)}`, 'REFRESH-INTERVAL;VALUE=DURATION:PT1H'];
  for (const m of [...maintenance].sort((a, b) => a.startsAt - b.startsAt)) {
    const lastChange = Math.max(m.announcedAt, ...m.updates.filter((u) => u.at <= context.now).map((u) => u.at));
    const description = [m.affected, m.unaffected && w.t('common.stillWorking', { text: m.unaffected }), m.signInBlocked && w.t('common.signInBlockedWindow'), m.updateRequired && w.t('common.mustUpdate', { version: m.updateRequired.minimumVersion })]
      .filter(Boolean)
      .join('\n');
    lines.push(
      'BEGIN:VEVENT',
      `UID:${m.slug}@${host}`,
      `DTSTAMP:${stamp(lastChange)}`,
      `LAST-MODIFIED:${stamp(lastChange)}`,
      `DTSTART:${stamp(m.startsAt)}`,
      `DTEND:${stamp(m.endsAt)}`,
      `SEQUENCE:${history[m.slug]?.sequence ?? 0}`,
      `SUMMARY:${escapeText(m.title)}`,
      `DESCRIPTION:${escapeText(description)}`,
      `URL:${postUrl(context, m)}`,
      `STATUS:${m.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  if (maintenance.length === 0) {
    // RFC 5545 §3.6 wants at least one component in a calendar, and a subscriber's URL must work
    // before the first window. A VTIMEZONE for UTC (the zone every time here is in) is the one
    // component no calendar app shows: no placeholder event appears in anyone's calendar.
    lines.push('BEGIN:VTIMEZONE', 'TZID:UTC', 'BEGIN:STANDARD', 'DTSTART:19700101T000000', 'TZOFFSETFROM:+0000', 'TZOFFSETTO:+0000', 'TZNAME:UTC', 'END:STANDARD', 'END:VTIMEZONE');
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

/** Windows that ended longer ago than this leave the calendars: subscribers re-download the whole file. */
const CALENDAR_PAST_MS = 90 * 86_400_000;

export function icsFiles(context: FeedContext, history: WindowHistory): FeedFile[] {
  const maintenance = context.posts.filter((p): p is Maintenance => p.kind === 'maintenance' && p.announcedAt <= context.now && p.endsAt >= context.now - CALENDAR_PAST_MS);
  const title = context.snapshot.site.title;
  const w = wordsOf(context);
  return [
    { path: 'maintenance.ics', body: calendar(context, w.t('ics.siteCalendar', { site: title }), maintenance, history) },
    ...context.snapshot.components.map((c) => ({
      path: `components/${c.id}/maintenance.ics`,
      body: calendar(context, w.t('ics.componentCalendar', { site: title, component: c.name }), maintenance.filter((m) => m.components.includes(c.id)), history),
    })),
  ];
}
