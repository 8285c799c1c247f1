// The Snapshot: everything the site and the feeds publish, as plain JSON-safe data, computed by one
// pure function from the configuration, the history, the posts and the time. No probe target,
// address or check detail goes in: only statuses, latencies and the checks' public messages.
import type { Impact, Post } from '../posts/types.ts';
import { maintenanceState, type MaintenanceState } from '../posts/state.ts';
import { toEpochDay, type ComponentDay, type DailyRollup, type EpochDay } from '../store/types.ts';
import type { ConfirmedStatus } from '../runner/confirm.ts';
import { decideComponent, overallStatus, statusFromChecks, type ComponentDecision, type Indicator, type OutageRule } from './component-status.ts';
import type { ZoneDays } from './component-days.ts';
import { overlayPosts, postSegments, type Segment } from './timeline.ts';
import { uptimeOver, type PeriodUptime, type UptimeWeights, STATUSPAGE_WEIGHTS } from './uptime.ts';
import type { ComponentStatus } from '../posts/types.ts';
import type { Language } from '../i18n/languages.ts';

export interface SnapshotInput {
  now: number;
  /** `language`: of the site's fixed text (src/i18n); absent means English. */
  site: { title: string; description: string; baseUrl: string; timezone: string; language?: Language };
  groups: ReadonlyArray<{ id: string; name: string; description: string }>;
  components: ReadonlyArray<{ id: string; name: string; group?: string | undefined; description: string; outage: OutageRule; essential: boolean }>;
  checks: ReadonlyArray<{ id: string; name: string | undefined; kind: string; component: string }>;
  /** Each check's confirmed status now and its latest result (public message only). */
  current: ReadonlyMap<string, { status: ConfirmedStatus; message: string; latencyMs: number | null; at: number } | undefined>;
  /** Component days covering the window (today's partial one included). */
  componentDays: readonly ComponentDay[];
  /** Check roll-ups covering the window, for latency. */
  rollups: readonly DailyRollup[];
  posts: readonly Post[];
  days: ZoneDays;
  /** How many days of history the page shows (90). */
  window: number;
  weights?: UptimeWeights;
  /**
   * Several locations (site.locations of two or more): the locations voted over, each check's status
   * at each ('unknown' = no fresh result), and the location whose roll-ups give the per-check latency
   * chart. `current` and `componentDays` then hold the agreed view. Absent on a single location.
   */
  locations?: {
    names: readonly string[];
    latencyFrom: string;
    checks: ReadonlyMap<string, ReadonlyArray<{ location: string; status: ConfirmedStatus }>>;
  };
}

export interface UptimeFigure {
  percent: number | null;
  coverage: number;
}

export interface DayFigure {
  date: string;
  percent: number | null;
  coverage: number;
  /** Minutes in each state: what the day's colour and its accessible text come from. */
  minutes: { major: number; partial: number; degraded: number; maintenance: number; noData: number };
  downtimeMinutes: number;
}

export interface SnapshotComponent {
  id: string;
  name: string;
  group: string | null;
  description: string;
  status: ComponentStatus;
  decidedBy: ComponentDecision['decidedBy'];
  /** What the probes saw underneath, whoever decided; null without check data. */
  probes: ComponentStatus | null;
  checks: Array<{ id: string; name: string; kind: string; status: ConfirmedStatus; message: string | null; latencyMs: number | null; at: string | null }>;
  uptime: { h24: UptimeFigure; d7: UptimeFigure; d30: UptimeFigure; d90: UptimeFigure };
  days: DayFigure[];
  /** Per check, per UTC day (the roll-ups' days), oldest first: median and 95th percentile latency. */
  latency: LatencySeries[];
  /** Several locations only (absent on one): what each saw, and how they voted. `status` and `probes` are the agreed view. */
  locations?: ComponentLocations;
}

export type LatencySeries = { checkId: string; days: Array<{ date: string; p50: number | null; p95: number | null }> };

export interface ComponentLocations {
  /** Locations with a fresh result for at least one of the component's checks, out of `of`. */
  reporting: number;
  of: number;
  /** Locations per status they see the component in (from their own checks' statuses); no data is not counted. */
  counts: Record<ComponentStatus, number>;
  /** Locations that see an outage (partial or major) which the agreed status does not show: "1 of 3 locations sees it down". */
  seeingOutage: number;
  byLocation: Array<{
    location: string;
    /** The component as this location sees it; null: no fresh result there. */
    status: ComponentStatus | null;
    /** Per check, per UTC day, from this location's roll-ups. */
    latency: LatencySeries[];
  }>;
}

export interface Snapshot {
  generatedAt: string;
  site: SnapshotInput['site'];
  overall: { indicator: Indicator; description: string };
  groups: Array<{
    id: string;
    name: string;
    description: string;
    components: string[];
    uptime: SnapshotComponent['uptime'];
    days: Array<{ date: string } & UptimeFigure>;
  }>;
  components: SnapshotComponent[];
  openIncidents: string[];
  maintenance: Array<{ slug: string; state: MaintenanceState }>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const dateOf = (day: EpochDay) => iso(day * 86_400_000).slice(0, 10);

export function buildSnapshot(input: SnapshotInput): Snapshot {
  const { now, days } = input;
  const weights = input.weights ?? STATUSPAGE_WEIGHTS;
  const today = days.dayOf(now);
  const firstDay = today - input.window + 1;
  // Day boundaries once for all components (each is a time-zone computation).
  const starts = Array.from({ length: input.window + 1 }, (_, i) => days.startOf(firstDay + i));
  const windowStart = starts[0]!;
  // Roll-ups are kept per UTC day, so latency goes by UTC day (the strip goes by the site's).
  const utcToday = toEpochDay(now);

  const daysByComponent = groupBy(input.componentDays, (d) => d.componentId);
  const where = input.locations;
  // With several locations the roll-ups are every location's; the per-check chart keeps to one.
  const rollupsByCheck = groupBy(where ? input.rollups.filter((r) => r.location === where.latencyFrom) : input.rollups, (r) => r.checkId);
  const rollupsBySeries = where ? groupBy(input.rollups, (r) => `${r.checkId}\u0000${r.location}`) : undefined;
  const latencyOf = (checkId: string, rollups: readonly DailyRollup[] | undefined): LatencySeries => {
    const byDay = new Map((rollups ?? []).map((r) => [r.day, r]));
    const out: LatencySeries['days'] = [];
    for (let day = utcToday - input.window + 1; day <= utcToday; day++) {
      const rollup = byDay.get(day);
      out.push({ date: dateOf(day), p50: rollup?.latency?.p50 ?? null, p95: rollup?.latency?.p95 ?? null });
    }
    return { checkId, days: out };
  };

  const components: SnapshotComponent[] = input.components.map((component) => {
    const checks = input.checks.filter((check) => check.component === component.id);
    const currentStatuses = checks.map((check) => input.current.get(check.id)?.status ?? 'unknown');
    const decision = decideComponent(component.id, statusFromChecks(currentStatuses, component.outage), input.posts, now);

    const base: Segment<ComponentStatus | null>[] = (daysByComponent.get(component.id) ?? [])
      .filter((d) => d.day >= firstDay && d.day <= today)
      .sort((a, b) => a.day - b.day)
      .flatMap((d) => d.segments);
    const timeline = overlayPosts(padded(base, windowStart, now), postSegments(component.id, input.posts, now));
    // Each period reads only its own stretch of the timeline (found by binary search), not all 90 days.
    const over = (from: number, to: number) => uptimeOver(within(timeline, from, to), from, to, weights);
    const figure = (from: number): UptimeFigure => {
      const u = over(Math.max(from, windowStart), now);
      return { percent: round(u.uptimePercent), coverage: roundCoverage(u.coverage) };
    };

    const dayFigures: DayFigure[] = [];
    for (let day = firstDay; day <= today; day++) {
      const from = starts[day - firstDay]!;
      const to = Math.min(starts[day - firstDay + 1]!, now);
      dayFigures.push(toDayFigure(dateOf(day), over(from, Math.max(from, to))));
    }

    return {
      id: component.id,
      name: component.name,
      group: component.group ?? null,
      description: component.description,
      status: decision.status,
      decidedBy: decision.decidedBy,
      probes: decision.probes,
      checks: checks.map((check) => {
        const current = input.current.get(check.id);
        return {
          id: check.id,
          name: check.name ?? check.id,
          kind: check.kind,
          status: current?.status ?? 'unknown',
          message: current?.message ?? null,
          latencyMs: current?.latencyMs ?? null,
          at: current ? iso(current.at) : null,
        };
      }),
      uptime: { h24: figure(now - 86_400_000), d7: figure(now - 7 * 86_400_000), d30: figure(now - 30 * 86_400_000), d90: figure(windowStart) },
      days: dayFigures,
      latency: checks.map((check) => latencyOf(check.id, rollupsByCheck.get(check.id))),
      ...(where && rollupsBySeries && checks.length > 0
        ? { locations: componentLocations(component, checks, where, decision.probes, (checkId, location) => latencyOf(checkId, rollupsBySeries.get(`${checkId}\u0000${location}`))) }
        : {}),
    };
  });

  const openIncidents = input.posts.filter((p) => p.kind === 'incident' && p.startedAt <= now && (p.resolvedAt === null || p.resolvedAt > now));
  const impacts = openIncidents.map((p) => (p.kind === 'incident' ? p.impact : 'none') as Impact);
  return {
    generatedAt: iso(now),
    site: input.site,
    overall: overallStatus(
      components.map((c) => ({ status: c.status, essential: input.components.find((k) => k.id === c.id)!.essential })),
      impacts,
    ),
    groups: input.groups.map((group) => {
      const members = components.filter((c) => c.group === group.id);
      return {
        id: group.id,
        name: group.name,
        description: group.description,
        components: members.map((c) => c.id),
        // A group's figures are the mean of its components' (as Statuspage does), over those with a figure.
        uptime: {
          h24: meanFigure(members.map((c) => c.uptime.h24)),
          d7: meanFigure(members.map((c) => c.uptime.d7)),
          d30: meanFigure(members.map((c) => c.uptime.d30)),
          d90: meanFigure(members.map((c) => c.uptime.d90)),
        },
        days: (members[0]?.days ?? []).map((day, i) => ({ date: day.date, ...meanFigure(members.map((c) => c.days[i]!)) })),
      };
    }),
    components,
    openIncidents: openIncidents.map((p) => p.slug),
    maintenance: input.posts.flatMap((p) => (p.kind === 'maintenance' ? [{ slug: p.slug, state: maintenanceState(p, now) }] : [])),
  };
}

const OUTAGES: ReadonlySet<ComponentStatus | null> = new Set(['partial_outage', 'major_outage']);

/** Each location's view of a component (its checks' statuses there, through the component's outage rule) and the count of the vote. */
function componentLocations(
  component: { outage: OutageRule },
  checks: ReadonlyArray<{ id: string }>,
  where: NonNullable<SnapshotInput['locations']>,
  agreed: ComponentStatus | null,
  latency: (checkId: string, location: string) => LatencySeries,
): ComponentLocations {
  const counts: Record<ComponentStatus, number> = { operational: 0, degraded_performance: 0, partial_outage: 0, major_outage: 0, under_maintenance: 0 };
  const byLocation = where.names.map((location) => {
    const statuses = checks.map((check) => where.checks.get(check.id)?.find((v) => v.location === location)?.status ?? 'unknown');
    const status = statusFromChecks(statuses, component.outage);
    if (status !== null) counts[status]++;
    return { location, status, latency: checks.map((check) => latency(check.id, location)) };
  });
  const reporting = byLocation.filter((l) => l.status !== null).length;
  const seeingOutage = OUTAGES.has(agreed) ? 0 : byLocation.filter((l) => OUTAGES.has(l.status)).length;
  return { reporting, of: where.names.length, counts, seeingOutage, byLocation };
}

function toDayFigure(date: string, u: PeriodUptime): DayFigure {
  const min = (ms: number) => Math.round(ms / 6_000) / 10;
  return {
    date,
    percent: round(u.uptimePercent),
    coverage: roundCoverage(u.coverage),
    minutes: { major: min(u.ms.major_outage), partial: min(u.ms.partial_outage), degraded: min(u.ms.degraded_performance), maintenance: min(u.ms.under_maintenance), noData: min(u.ms.no_data) },
    downtimeMinutes: Math.round(u.downtimeMinutes * 10) / 10,
  };
}

/** Segments from the component days, with no-data filling whatever they do not cover up to now. */
export function padded(segments: readonly Segment<ComponentStatus | null>[], from: number, to: number): Segment<ComponentStatus | null>[] {
  const out: Segment<ComponentStatus | null>[] = [];
  let cursor = from;
  for (const segment of segments) {
    if (segment.to <= cursor) continue;
    if (segment.from > cursor) out.push({ from: cursor, to: Math.min(segment.from, to), status: null });
    const start = Math.max(segment.from, cursor);
    if (start < to) out.push({ from: start, to: Math.min(segment.to, to), status: segment.status });
    cursor = Math.max(cursor, segment.to);
  }
  if (cursor < to) out.push({ from: cursor, to, status: null });
  return out;
}

/** The segments that overlap [from, to): a slice of a sorted, non-overlapping timeline. */
function within<S>(segments: readonly Segment<S>[], from: number, to: number): readonly Segment<S>[] {
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.to <= from) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < segments.length && segments[end]!.from < to) end++;
  return segments.slice(lo, end);
}

function meanFigure(figures: readonly { percent: number | null; coverage: number }[]): UptimeFigure {
  const measured = figures.flatMap((f) => (f.percent === null ? [] : [f.percent]));
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  return { percent: round(mean(measured)), coverage: roundCoverage(mean(figures.map((f) => f.coverage)) ?? 0) };
}

/** Six decimals: a few seconds of data in 90 days must not round to "nothing measured". */
const roundCoverage = (x: number) => Math.round(x * 1e6) / 1e6;

const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
