// The I/O half of `statuspost postmortem`: reads from the store what the pure parts (impact.ts,
// timeline.ts) need. A component's status comes from its stored component days where they are
// final (kept for good, as the uptime page reads them) and from raw results otherwise, computed by
// the same function the daemon stores them with; who saw it and when, from raw results (kept for
// the retention period: older than that, the text says "no data").
import type { Config } from '../config/load.ts';
import type { Check } from '../probes/registry.ts';
import type { ComponentStatus, Incident, Post } from '../posts/types.ts';
import { computeComponentDay, zoneDays, type ZoneDays } from '../status/component-days.ts';
import { checkTimeline, type Segment } from '../status/timeline.ts';
import { lookbackFor } from '../live/live-status.ts';
import { gapLimitFor } from '../store/rollup.ts';
import type { Store } from '../store/types.ts';
import { yieldToLoop } from '../event-loop.ts';
import { chartColumns, chartSpan, windowTime, type IncidentChart } from './chart.ts';
import { measureImpact, periodOf, type ComponentImpact } from './impact.ts';
import type { SkeletonInput } from './render.ts';
import { mergeTimeline, probeEvents, TRANSITION_MARGIN_MS, type ProbeEvent, type TimelineEntry } from './timeline.ts';

export interface Measured {
  window: { from: number; to: number };
  impact: ComponentImpact[];
  timeline: TimelineEntry[];
  skeleton: SkeletonInput;
}

/** Components the incident speaks for, at its start or in any update, in the configuration's order. */
export function affectedComponents(incident: Incident, config: Pick<Config, 'components'>): Config['components'] {
  const named = new Set([...Object.keys(incident.components), ...incident.updates.flatMap((u) => Object.keys(u.components))]);
  return config.components.filter((c) => named.has(c.id));
}

/** The incident's window: its start until its resolution, or until now while it is open. */
export const windowOf = (incident: Incident, now: number) => ({ from: incident.startedAt, to: Math.max(incident.startedAt, incident.resolvedAt ?? now) });

export async function measureIncident(store: Store, config: Config, published: readonly Post[], incident: Incident, now: number): Promise<Measured> {
  const days = zoneDays(config.site.timezone);
  const window = windowOf(incident, now);
  const period = periodOf(window, days, now);
  const from = Math.min(period.from, window.from);
  const to = Math.max(period.to, window.to);
  const location = config.site.location;
  const components = affectedComponents(incident, config);
  const allSeries = await store.series();

  const measuredComponents = [];
  const series: Array<{ componentId: string; checkId: string; location: string; timeline: Segment<'up' | 'degraded' | 'down' | 'unknown'>[] }> = [];
  const events: ProbeEvent[] = [];
  for (const component of components) {
    const checks = config.checks.filter((check) => check.component === component.id);
    measuredComponents.push({ id: component.id, name: component.name, measured: await componentSegments(store, component, checks, location, days, from, to, now) });
    for (const check of checks) {
      for (const { location: at } of allSeries.filter((s) => s.checkId === check.id)) {
        await yieldToLoop();
        const results = await store.results({ checkId: check.id, location: at, since: window.from - TRANSITION_MARGIN_MS - lookbackFor(check), until: window.to + TRANSITION_MARGIN_MS + 1 });
        series.push({ componentId: component.id, checkId: check.id, location: at, timeline: checkTimeline(results, { confirm: check.confirm, gapLimitMs: gapLimitFor(check) }, window.from, window.to) });
        events.push(...probeEvents({ checkId: check.id, location: at }, results, check.confirm));
      }
    }
  }

  // The figures as the page will show them once this incident is published (a draft counts as published).
  const posts = [...published.filter((p) => p.file !== incident.file), incident];
  const weights = { major_outage: config.site.uptimeWeights.majorOutage, partial_outage: config.site.uptimeWeights.partialOutage, degraded_performance: config.site.uptimeWeights.degradedPerformance };
  const impact = measureImpact({ incident, window, now, days, weights, posts, components: measuredComponents, series });
  const timeline = mergeTimeline(incident, events, window);
  const checkNames = new Map(config.checks.map((c) => [c.id, c.name ?? c.id]));
  const checksPerComponent = new Map(components.map((c) => [c.id, config.checks.filter((check) => check.component === c.id).length]));
  const locations = [...new Set(allSeries.filter((s) => config.checks.some((c) => c.id === s.checkId && checksPerComponent.has(c.component))).map((s) => s.location))].sort();
  return { window, impact, timeline, skeleton: { incident, window, now, siteTimezone: config.site.timezone, impact, timeline, checkNames, checksPerComponent, locations } };
}

/**
 * A component's check-derived status over [from, to) at one location, day by day in the site's
 * zone: a final stored day as stored, any other day computed from raw results the way the daemon
 * computes it (computeComponentDay), so the figures are those the uptime page shows.
 */
export async function componentSegments(
  store: Store,
  component: Config['components'][number],
  checks: readonly Check[],
  location: string,
  days: ZoneDays,
  from: number,
  to: number,
  now: number,
): Promise<Segment<ComponentStatus | null>[]> {
  if (checks.length === 0 || to <= from) return [];
  const first = days.dayOf(from);
  const last = days.dayOf(to - 1);
  const stored = new Map((await store.componentDays({ componentId: component.id, location, sinceDay: first, untilDay: last })).filter((d) => d.final).map((d) => [d.day, d]));
  const out: Segment<ComponentStatus | null>[] = [];
  for (let day = first; day <= last; day++) {
    let segments = stored.get(day)?.segments;
    if (!segments) {
      const start = days.startOf(day);
      const end = days.startOf(day + 1);
      const inputs = [];
      for (const check of checks) {
        await yieldToLoop();
        inputs.push({ check, results: await store.results({ checkId: check.id, location, since: start - lookbackFor(check), until: Math.min(end, now + 1) }) });
      }
      segments = computeComponentDay(component, inputs, location, day, days, now).segments;
    }
    for (const s of segments) {
      const a = Math.max(s.from, from);
      const b = Math.min(s.to, to);
      if (b > a) out.push({ from: a, to: b, status: s.status });
    }
  }
  return out;
}

/** As resultsForDay: enough results before a moment for the confirmation state and gap rule to be known at it. */

/**
 * The incident pages' charts: each published incident whose window lies within the raw results
 * kept (the retention period), its affected checks at the site's location. Older incidents get no
 * chart: their raw results are gone (their postmortem's Impact text keeps the figures).
 */
export async function incidentCharts(store: Store, config: Config, posts: readonly Post[], now: number): Promise<Map<string, IncidentChart>> {
  const charts = new Map<string, IncidentChart>();
  const oldest = now - config.site.retention;
  for (const post of posts) {
    if (post.kind !== 'incident' || post.startedAt > now) continue;
    const window = windowOf(post, now);
    const span = chartSpan(window, now);
    if (span.to < oldest) continue;
    const checks = [];
    for (const component of affectedComponents(post, config)) {
      for (const check of config.checks.filter((c) => c.component === component.id)) {
        await yieldToLoop();
        const results = await store.results({ checkId: check.id, location: config.site.location, since: span.from - lookbackFor(check), until: span.to });
        const options = { confirm: check.confirm, gapLimitMs: gapLimitFor(check) };
        checks.push({ id: check.id, name: check.name ?? check.id, component: component.name, columns: chartColumns(results, options, span), inWindow: windowTime(results, options, window) });
      }
    }
    if (checks.length > 0) charts.set(post.slug, { ...span, window, checks });
  }
  return charts;
}
