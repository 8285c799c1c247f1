// "Past incidents" on the home page, as Statuspage shows them: the last 14 calendar days in the
// site's zone, newest first, each with what happened that day, or a line saying nothing did.
// Pure: `now` is the build's clock, passed in.
import { words, type Words } from '../i18n/messages.ts';
import type { Impact, IncidentStatus, MaintenanceUpdateStatus } from '../posts/types.ts';
import { zonedDate } from '../posts/time.ts';
import { zoneDays } from '../status/component-days.ts';
import type { SiteIncident, SiteMaintenance } from './data.ts';
import { impactLabels } from './phrases.ts';

/** The fixed phrases of the section, in the site's language (src/i18n). */
export function pastText(w: Words) {
  return {
    heading: w.t('past.heading'),
    nothing: w.t('past.nothing'),
    history: w.t('past.history'),
    impact: impactLabels(w),
    status: {
      investigating: w.t('stage.investigating'),
      identified: w.t('stage.identified'),
      monitoring: w.t('stage.monitoring'),
      resolved: w.t('stage.resolved'),
      scheduled: w.t('stage.scheduled'),
      in_progress: w.t('stage.in_progress'),
      verifying: w.t('stage.verifying'),
      completed: w.t('stage.completed'),
      overrunning: w.t('stage.overrunning'),
    },
  } as const;
}

/** The English phrases, as the tests written before other languages read them. */
export const PAST_TEXT = pastText(words());

export const PAST_DAYS = 14;

export interface PastEntry {
  kind: 'incident' | 'maintenance';
  slug: string;
  title: string;
  /** The colour it is shown in: the incident's impact, or maintenance. */
  impact: Impact | 'maintenance';
  /** Where it stands: the latest update's word (an incident), or the window's state (maintenance). */
  status: keyof ReturnType<typeof pastText>['status'];
  /** The latest update published by `now`, if any. */
  update: { at: number; html: string } | null;
}

export interface PastDay {
  /** "2026-11-20": the calendar date in the site's zone. */
  date: string;
  entries: PastEntry[];
}

type Incident = Pick<SiteIncident, 'slug' | 'title' | 'impact' | 'startedAt' | 'resolvedAt' | 'updates'> & { updates: Array<{ at: number; status: IncidentStatus; html: string }> };
type Window = Pick<SiteMaintenance, 'slug' | 'title' | 'state' | 'startsAt' | 'endsAt'> & { updates: Array<{ at: number; status: MaintenanceUpdateStatus | null; html: string }> };

/**
 * The last `count` days (today first) in `zone`. An incident is listed on the day it started; one
 * that started before those days but was still open during them is listed on the day it was
 * resolved, or today while it is open, so an incident resolved ten minutes ago is always there.
 * A maintenance window is listed on the day it began, once it has begun (a cancelled one is not:
 * nothing happened); upcoming windows have their own section above.
 */
export function pastDays(posts: { incidents: readonly Incident[]; maintenance: readonly Window[] }, zone: string, now: number, count = PAST_DAYS): PastDay[] {
  const days = zoneDays(zone);
  const today = days.dayOf(now);
  const first = today - count + 1;
  const windowStart = days.startOf(first);
  const byDay = new Map<number, Array<PastEntry & { at: number }>>();
  const add = (day: number, entry: PastEntry & { at: number }) => {
    if (day < first || day > today) return;
    const list = byDay.get(day);
    if (list) list.push(entry);
    else byDay.set(day, [entry]);
  };

  for (const incident of posts.incidents) {
    if (incident.startedAt > now) continue;
    if (incident.resolvedAt !== null && incident.resolvedAt <= now && incident.resolvedAt < windowStart) continue;
    const open = incident.resolvedAt === null || incident.resolvedAt > now;
    const day = incident.startedAt >= windowStart ? days.dayOf(incident.startedAt) : open ? today : days.dayOf(incident.resolvedAt!);
    const last = incident.updates.filter((u) => u.at <= now).at(-1);
    add(day, { kind: 'incident', slug: incident.slug, title: incident.title, impact: incident.impact, at: incident.startedAt, status: last?.status ?? 'investigating', update: last ? { at: last.at, html: last.html } : null });
  }
  for (const window of posts.maintenance) {
    if (window.startsAt > now || window.state === 'cancelled' || window.state === 'upcoming') continue;
    const last = window.updates.filter((u) => u.at <= now).at(-1);
    add(days.dayOf(window.startsAt), { kind: 'maintenance', slug: window.slug, title: window.title, impact: 'maintenance', at: window.startsAt, status: window.state, update: last ? { at: last.at, html: last.html } : null });
  }

  const out: PastDay[] = [];
  for (let day = today; day >= first; day--) {
    const entries = (byDay.get(day) ?? []).sort((a, b) => b.at - a.at).map(({ at: _at, ...entry }) => entry);
    out.push({ date: new Date(day * 86_400_000).toISOString().slice(0, 10), entries });
  }
  return out;
}

/** The slugs of incidents the section shows: the build keeps their latest update's text. */
export function pastIncidentSlugs(days: readonly PastDay[]): Set<string> {
  return new Set(days.flatMap((d) => d.entries.filter((e) => e.kind === 'incident').map((e) => e.slug)));
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
/** "Nov 20, 2026" (in German "20. Nov. 2026") for the date "2026-11-20" (already a date in the site's zone). */
export function dayLabel(date: string, w: Words = words()): string {
  let format = dayFormats.get(w.locale);
  if (!format) dayFormats.set(w.locale, (format = new Intl.DateTimeFormat(w.locale, { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' })));
  return format.format(Date.parse(`${date}T12:00:00Z`));
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
const format = (locale: string, zone: string, withDate: boolean) => {
  const key = `${locale} ${zone} ${withDate}`;
  let formatter = timeFormats.get(key);
  if (!formatter) {
    const date = withDate ? ({ month: 'short', day: 'numeric' } as const) : {};
    formatter = new Intl.DateTimeFormat(locale, { timeZone: zone, ...date, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
    timeFormats.set(key, formatter);
  }
  return formatter;
};

/** "10:05 PM PST" for a time on `date` (in the site's zone), "Nov 2, 10:05 PM PST" for one on another day. */
export function timeOnDay(at: number, zone: string, date: string, w: Words = words()): string {
  return format(w.locale, zone, zonedDate(at, zone) !== date).format(at);
}
