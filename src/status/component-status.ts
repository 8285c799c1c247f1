// A component's status from its checks, then from the posts that speak for it, and the page's
// overall indicator. Pure: time and every input are passed in.
import type { ConfirmedStatus } from '../runner/confirm.ts';
import { maintenanceState } from '../posts/state.ts';
import type { ComponentStatus, Impact, Incident, Maintenance, Post } from '../posts/types.ts';

export interface OutageRule {
  partialAt: number;
  majorAt: number | 'all';
}

/** What the checks say; null when none of them has data. */
export function statusFromChecks(checks: readonly ConfirmedStatus[], rule: OutageRule): ComponentStatus | null {
  const known = checks.filter((status) => status !== 'unknown');
  if (known.length === 0) return null;
  const down = known.filter((status) => status === 'down').length;
  const majorAt = rule.majorAt === 'all' ? checks.length : Math.min(rule.majorAt, checks.length);
  if (down >= majorAt) return 'major_outage';
  if (down >= Math.min(rule.partialAt, majorAt)) return 'partial_outage';
  if (down > 0 || known.includes('degraded')) return 'degraded_performance';
  return 'operational';
}

export type DecidedBy = { kind: 'checks' } | { kind: 'incident'; slug: string } | { kind: 'maintenance'; slug: string } | { kind: 'none' };

export interface ComponentDecision {
  status: ComponentStatus;
  decidedBy: DecidedBy;
  /** What the probes saw underneath, whoever decided; null without check data. */
  probes: ComponentStatus | null;
}

const SEVERITY: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export const worse = (a: ComponentStatus, b: ComponentStatus): ComponentStatus => (SEVERITY[b] > SEVERITY[a] ? b : a);

/** The status an open incident declares for a component at `now`: its latest word on it. */
export function incidentStatusAt(incident: Incident, componentId: string, now: number): ComponentStatus | undefined {
  if (incident.startedAt > now || (incident.resolvedAt !== null && incident.resolvedAt <= now)) return undefined;
  let status = incident.components[componentId];
  for (const update of incident.updates) {
    if (update.at > now) break;
    status = update.components[componentId] ?? status;
  }
  return status;
}

export function isMaintenanceActive(maintenance: Maintenance, componentId: string, now: number): boolean {
  if (!maintenance.components.includes(componentId)) return false;
  const state = maintenanceState(maintenance, now);
  return state === 'in_progress' || state === 'overrunning';
}

/**
 * Posts take precedence where they speak: an open incident sets the status it declares (the worst
 * of several), a maintenance in its window sets under_maintenance; otherwise the checks decide.
 */
export function decideComponent(componentId: string, probes: ComponentStatus | null, posts: readonly Post[], now: number): ComponentDecision {
  let incidentStatus: { status: ComponentStatus; slug: string } | undefined;
  let maintenanceSlug: string | undefined;
  for (const post of posts) {
    if (post.kind === 'incident') {
      const status = incidentStatusAt(post, componentId, now);
      if (status && (!incidentStatus || SEVERITY[status] > SEVERITY[incidentStatus.status])) incidentStatus = { status, slug: post.slug };
    } else if (maintenanceSlug === undefined && isMaintenanceActive(post, componentId, now)) {
      maintenanceSlug = post.slug;
    }
  }
  if (incidentStatus) return { status: incidentStatus.status, decidedBy: { kind: 'incident', slug: incidentStatus.slug }, probes };
  if (maintenanceSlug) return { status: 'under_maintenance', decidedBy: { kind: 'maintenance', slug: maintenanceSlug }, probes };
  if (probes) return { status: probes, decidedBy: { kind: 'checks' }, probes };
  return { status: 'operational', decidedBy: { kind: 'none' }, probes };
}

export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

/**
 * The page's overall condition, one name per pair of words and indicator. Statuspage's seven
 * top-level statuses, their colours (green, blue, yellow, orange, red) giving the indicator, plus the
 * API's "Major Service Outage" for an open major incident that the components do not show as such.
 */
export type OverallLevel =
  | 'operational'
  | 'maintenance'
  | 'partially_degraded'
  | 'degraded'
  | 'minor_outage'
  | 'partial_outage'
  | 'major_service_outage'
  | 'major_system_outage';

export interface OverallStatus {
  indicator: Indicator;
  description: string;
}

/**
 * The one place the words and the indicator are paired: status.json, summary.json, the badge and
 * the home page's banner (its colour class is the indicator) all read this table through
 * overallStatus, so they cannot say "major" and "Minor Service Outage" at once.
 */
export const OVERALL_LEVELS: Readonly<Record<OverallLevel, OverallStatus>> = {
  operational: { indicator: 'none', description: 'All Systems Operational' },
  maintenance: { indicator: 'maintenance', description: 'Service Under Maintenance' },
  partially_degraded: { indicator: 'minor', description: 'Partially Degraded Service' },
  degraded: { indicator: 'minor', description: 'Degraded System Service' },
  minor_outage: { indicator: 'minor', description: 'Minor Service Outage' },
  partial_outage: { indicator: 'major', description: 'Partial System Outage' },
  major_service_outage: { indicator: 'major', description: 'Major Service Outage' },
  major_system_outage: { indicator: 'critical', description: 'Major System Outage' },
};

/** How far an indicator is from all clear; maintenance sits below any outage. */
export const INDICATOR_RANK: Readonly<Record<Indicator, number>> = { none: 0, maintenance: 0.5, minor: 1, major: 2, critical: 3 };

/** The level an open incident of each impact declares at least (none declares nothing). */
const LEVEL_OF_IMPACT: Readonly<Record<Impact, OverallLevel>> = {
  none: 'operational',
  minor: 'minor_outage',
  major: 'major_service_outage',
  critical: 'major_system_outage',
};

/**
 * The page's level from its components, after Statuspage's documented calculation: one component
 * speaks for the page; several are blended (any major outage is a partial system outage, all of them
 * or an essential one a major system outage). An open incident raises the level to its impact's when
 * that raises the indicator; at the same indicator the components' words, which say more, stand.
 */
export function overallLevel(
  components: ReadonlyArray<{ status: ComponentStatus; essential: boolean }>,
  openIncidentImpacts: readonly Impact[] = [],
): OverallLevel {
  let level = levelOfComponents(components);
  for (const impact of openIncidentImpacts) {
    const lifted = LEVEL_OF_IMPACT[impact];
    if (INDICATOR_RANK[OVERALL_LEVELS[lifted].indicator] > INDICATOR_RANK[OVERALL_LEVELS[level].indicator]) level = lifted;
  }
  return level;
}

export function overallStatus(
  components: ReadonlyArray<{ status: ComponentStatus; essential: boolean }>,
  openIncidentImpacts: readonly Impact[] = [],
): OverallStatus {
  return { ...OVERALL_LEVELS[overallLevel(components, openIncidentImpacts)] };
}

function levelOfComponents(components: ReadonlyArray<{ status: ComponentStatus; essential: boolean }>): OverallLevel {
  const statuses = components.map((c) => c.status);
  const has = (status: ComponentStatus) => statuses.includes(status);
  const all = (status: ComponentStatus) => statuses.length > 0 && statuses.every((s) => s === status);
  if (statuses.length === 1) {
    const only: Record<ComponentStatus, OverallLevel> = {
      operational: 'operational',
      under_maintenance: 'maintenance',
      degraded_performance: 'partially_degraded',
      partial_outage: 'partial_outage',
      major_outage: 'major_system_outage',
    };
    return only[statuses[0]!];
  }
  if (components.some((c) => c.essential && c.status === 'major_outage') || all('major_outage')) return 'major_system_outage';
  if (has('major_outage')) return 'partial_outage';
  if (has('partial_outage')) return 'minor_outage';
  if (all('degraded_performance')) return 'degraded';
  if (has('degraded_performance')) return 'partially_degraded';
  if (has('under_maintenance')) return 'maintenance';
  return 'operational';
}
