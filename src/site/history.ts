// The history archive: every incident and maintenance, newest first, one page per month (in the
// site's zone), so the archive grows by pages instead of one ever-longer list.
import type { SiteData } from './data.ts';

export interface HistoryEntry {
  kind: 'incident' | 'maintenance';
  slug: string;
  title: string;
  at: number;
  timezone: string;
  label: string;
}

export interface HistoryMonth {
  /** "2016-02" */
  month: string;
  entries: HistoryEntry[];
}

export function historyMonths(data: Pick<SiteData, 'incidents' | 'maintenance'>, zone: string): HistoryMonth[] {
  const entries: HistoryEntry[] = [
    ...data.incidents.map((i) => ({ kind: 'incident' as const, slug: i.slug, title: i.title, at: i.startedAt, timezone: i.timezone, label: `${i.impact} impact` })),
    ...data.maintenance.map((m) => ({ kind: 'maintenance' as const, slug: m.slug, title: m.title, at: m.startsAt, timezone: m.timezone, label: `maintenance, ${m.state.replace('_', ' ')}` })),
  ].sort((a, b) => b.at - a.at);
  const format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' });
  const monthOf = (at: number) => format.format(at).slice(0, 7);
  const months: HistoryMonth[] = [];
  for (const entry of entries) {
    const month = monthOf(entry.at);
    const last = months[months.length - 1];
    if (last?.month === month) last.entries.push(entry);
    else months.push({ month, entries: [entry] });
  }
  return months;
}

const monthFormat = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

export function monthName(month: string): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  return monthFormat.format(Date.UTC(year, number - 1, 15));
}
