// What an incident did, as the checks measured it: minutes in each status over the incident's
// window, the uptime of the days it touched and of 30 days with and without it, and which checks and
// locations saw it. Every figure comes from the status model's own functions (the uptime page's
// rules, docs/uptime.md): nothing here weighs or counts time itself. Pure: time is passed in.
import type { ComponentStatus, Incident, Post } from '../posts/types.ts';
import type { ConfirmedStatus } from '../runner/confirm.ts';
import type { ZoneDays } from '../status/component-days.ts';
import { padded } from '../status/snapshot.ts';
import { overlayPosts, postSegments, type Segment } from '../status/timeline.ts';
import { uptimeOver, type PeriodUptime, type UptimeWeights } from '../status/uptime.ts';

/** How many calendar days (in the site's zone) the "30 days" figures cover, ending with the incident's last day. */
export const PERIOD_DAYS = 30;

export interface ImpactInput {
  incident: Incident;
  /** The incident's window: its start until its resolution, or `now` while it is open. */
  window: { from: number; to: number };
  now: number;
  days: ZoneDays;
  weights: UptimeWeights;
  /** The published posts, this incident included: the day and 30-day figures lay them over the checks, as the uptime page does. */
  posts: readonly Post[];
  components: ReadonlyArray<{
    id: string;
    name: string;
    /** The component's status from its checks at the site's location (no posts), over at least the period. */
    measured: readonly Segment<ComponentStatus | null>[];
  }>;
  /** Each check of an affected component at each location that has results: its confirmed timeline over the window. */
  series: ReadonlyArray<{ componentId: string; checkId: string; location: string; timeline: readonly Segment<ConfirmedStatus>[] }>;
}

export interface Figure {
  /** 0–100, or null when nothing was measured. */
  percent: number | null;
  coverage: number;
}

export interface ComponentImpact {
  id: string;
  name: string;
  /** Over the window, from the checks alone: ms in each status and without data, as uptimeOver gives them. */
  window: PeriodUptime;
  /** Each site-zone day the window touches, as the uptime page's day strip counts it. */
  days: Array<{ date: string } & Figure>;
  /** The 30 days ending with the incident's last day (up to now), with the incident, and with its window left out. */
  period: { from: number; to: number; with: Figure; without: Figure };
  /** Checks × locations that had data in the window, and those that confirmed a degraded or down status in it. */
  measuredBy: { checks: string[]; locations: string[] };
  sawIt: { checks: string[]; locations: string[] };
}

export function periodOf(window: { from: number; to: number }, days: ZoneDays, now: number): { from: number; to: number } {
  const lastDay = days.dayOf(Math.max(window.from, window.to - 1));
  return { from: days.startOf(lastDay - PERIOD_DAYS + 1), to: Math.min(days.startOf(lastDay + 1), now) };
}

export function measureImpact(input: ImpactInput): ComponentImpact[] {
  const { window, days, now, weights } = input;
  const period = periodOf(window, days, now);
  const start = Math.min(period.from, window.from);
  const end = Math.max(period.to, window.to);
  return input.components.map((component) => {
    const measured = padded(component.measured, start, end);
    // As the uptime page: posts over the checks (an incident's declared status wins where it speaks).
    const published = overlayPosts(measured, postSegments(component.id, input.posts, now));
    const figure = (segments: readonly Segment<ComponentStatus | null>[], from: number, to: number): Figure => {
      const u = uptimeOver(segments, from, to, weights);
      return { percent: u.uptimePercent, coverage: u.coverage };
    };
    const touched: ComponentImpact['days'] = [];
    for (let day = days.dayOf(window.from); day <= days.dayOf(Math.max(window.from, window.to - 1)); day++) {
      const from = days.startOf(day);
      const to = Math.max(from, Math.min(days.startOf(day + 1), now));
      touched.push({ date: dateOf(day), ...figure(published, from, to) });
    }
    const own = input.series.filter((s) => s.componentId === component.id);
    const hasData = own.filter((s) => s.timeline.some((seg) => seg.status !== 'unknown' && overlaps(seg, window)));
    const saw = own.filter((s) => s.timeline.some((seg) => (seg.status === 'down' || seg.status === 'degraded') && overlaps(seg, window)));
    return {
      id: component.id,
      name: component.name,
      window: uptimeOver(measured, window.from, window.to, weights),
      days: touched,
      period: {
        ...period,
        with: figure(published, period.from, period.to),
        // Left out the way the page leaves out what it cannot count: the window's time becomes "no data".
        without: figure(blank(published, window.from, window.to), period.from, period.to),
      },
      measuredBy: { checks: distinct(hasData.map((s) => s.checkId)), locations: distinct(hasData.map((s) => s.location)) },
      sawIt: { checks: distinct(saw.map((s) => s.checkId)), locations: distinct(saw.map((s) => s.location)) },
    };
  });
}

/** The timeline with [from, to) set to no data. */
export function blank<S>(segments: readonly Segment<S | null>[], from: number, to: number): Segment<S | null>[] {
  const out: Segment<S | null>[] = [];
  for (const s of segments) {
    if (s.to <= from || s.from >= to) {
      out.push(s);
      continue;
    }
    if (s.from < from) out.push({ from: s.from, to: from, status: s.status });
    out.push({ from: Math.max(s.from, from), to: Math.min(s.to, to), status: null });
    if (s.to > to) out.push({ from: to, to: s.to, status: s.status });
  }
  return out;
}

const overlaps = (s: { from: number; to: number }, w: { from: number; to: number }) => s.from < w.to && s.to > w.from;
const distinct = (xs: readonly string[]) => [...new Set(xs)].sort();
const dateOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
