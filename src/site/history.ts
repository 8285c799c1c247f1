// The history archive: the incidents and maintenance windows that have happened, newest first, one
// page per month (in the site's zone), so the archive grows by pages instead of one ever-longer list;
// and the same, one component at a time. Windows that have not started yet, and cancelled ones, are
// not history: they are on the home page and the maintenance list.
import { words, type Words } from '../i18n/messages.ts';
import { maintenanceState } from '../posts/state.ts';
import type { Impact } from '../posts/types.ts';
import type { SiteData } from './data.ts';

export interface HistoryEntry {
  kind: 'incident' | 'maintenance';
  slug: string;
  title: string;
  /** The page, relative to the site's root: "incidents/<slug>/". */
  path: string;
  /** When it started. */
  at: number;
  /** The post's own zone, for showing `at`. */
  timezone: string;
  /** An incident's impact; a window's is "maintenance". */
  impact: Impact | 'maintenance';
  /** `overrunning`: a window past its planned end that nobody has said is done (posts/state.ts). */
  state: 'resolved' | 'ongoing' | 'completed' | 'in_progress' | 'overrunning';
  /** From the start to the end, or to `now` while it lasts (ongoing, in_progress, overrunning). */
  durationMs: number;
  /** A window's planned span; null for an incident. */
  plannedMs: number | null;
  components: Array<{ id: string; name: string }>;
}

export interface HistoryMonth {
  /** "2016-02" */
  month: string;
  entries: HistoryEntry[];
}

type Posts = Pick<SiteData, 'incidents' | 'maintenance'>;

/** Everything that has started by `now`, newest first; cancelled windows left out. */
export function historyEntries(data: Posts, now: number): HistoryEntry[] {
  const incidents = data.incidents
    .filter((i) => i.startedAt <= now)
    .map((i): HistoryEntry => {
      const over = i.resolvedAt !== null && i.resolvedAt <= now;
      return {
        kind: 'incident',
        slug: i.slug,
        title: i.title,
        path: `incidents/${i.slug}/`,
        at: i.startedAt,
        timezone: i.timezone,
        impact: i.impact,
        state: over ? 'resolved' : 'ongoing',
        durationMs: (over ? i.resolvedAt! : now) - i.startedAt,
        plannedMs: null,
        components: i.components.map(({ id, name }) => ({ id, name })),
      };
    });
  const windows = data.maintenance.flatMap((m): HistoryEntry[] => {
    // The window's state at `now`, by the same rule as the build's (not the state the build wrote, so
    // the archive is a function of `now` alone).
    const state = maintenanceState({ cancelled: m.state === 'cancelled', startsAt: m.startsAt, endsAt: m.endsAt, completedAt: m.completedAt ?? null }, now);
    if (state === 'cancelled' || state === 'upcoming') return [];
    const over = state === 'completed';
    // A window said to be done ended then; one never said done, at its planned end.
    const end = over ? Math.min(now, Math.max(m.startsAt, m.completedAt ?? m.endsAt)) : now;
    return [
      {
        kind: 'maintenance',
        slug: m.slug,
        title: m.title,
        path: `maintenance/${m.slug}/`,
        at: m.startsAt,
        timezone: m.timezone,
        impact: 'maintenance',
        state,
        durationMs: Math.max(0, end - m.startsAt),
        plannedMs: m.endsAt - m.startsAt,
        components: m.components,
      },
    ];
  });
  return [...incidents, ...windows].sort((a, b) => b.at - a.at || a.slug.localeCompare(b.slug));
}

function byMonth(entries: readonly HistoryEntry[], zone: string): HistoryMonth[] {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' });
  const months: HistoryMonth[] = [];
  for (const entry of entries) {
    const month = format.format(entry.at).slice(0, 7);
    const last = months[months.length - 1];
    if (last?.month === month) last.entries.push(entry);
    else months.push({ month, entries: [entry] });
  }
  return months;
}

/** The archive's months, newest first, in the site's zone; only what has happened by `now`. */
export function historyMonths(data: Posts, zone: string, now: number): HistoryMonth[] {
  return byMonth(historyEntries(data, now), zone);
}

/** The months in which the component was touched, with only its entries. */
export function componentHistory(months: readonly HistoryMonth[], componentId: string): HistoryMonth[] {
  return months.flatMap((m) => {
    const entries = m.entries.filter((e) => e.components.some((c) => c.id === componentId));
    return entries.length > 0 ? [{ month: m.month, entries }] : [];
  });
}

/** The components touched in these entries, in the order of `all` (the site's order). */
export function componentsTouched<T extends { id: string }>(entries: readonly HistoryEntry[], all: readonly T[]): T[] {
  const touched = new Set(entries.flatMap((e) => e.components.map((c) => c.id)));
  return all.filter((c) => touched.has(c.id));
}

/** "February 2016" for "2016-02", in the site's language (English by default). */
export function monthName(month: string, w: Words = words()): string {
  return w.month(month);
}

const archives = new WeakMap<object, HistoryMonth[]>();

/**
 * The archive of one build's data, at the build's own time: every history page (a month's, each
 * component's) reads the same months, so they are made once per build rather than once per page.
 */
export function archiveOf(data: Posts & Pick<SiteData, 'snapshot'>): HistoryMonth[] {
  let months = archives.get(data);
  if (months === undefined) {
    months = historyMonths(data, data.snapshot.site.timezone, Date.parse(data.snapshot.generatedAt));
    archives.set(data, months);
  }
  return months;
}
