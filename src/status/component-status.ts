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

export interface OverallStatus {
  indicator: Indicator;
  description: string;
}

const IMPACT_RANK: Record<Impact, number> = { none: 0, minor: 1, major: 2, critical: 3 };
const INDICATOR_OF_RANK: readonly Indicator[] = ['none', 'minor', 'major', 'critical'];

/**
 * The page's indicator and its words, after Statuspage's documented vocabulary:
 * any component in major outage → major (critical when it is essential or when all are);
 * a partial outage or degraded performance → minor; maintenance alone → maintenance.
 * An open incident lifts the indicator to at least its impact.
 */
export function overallStatus(
  components: ReadonlyArray<{ status: ComponentStatus; essential: boolean }>,
  openIncidentImpacts: readonly Impact[] = [],
): OverallStatus {
  const statuses = components.map((c) => c.status);
  const count = (status: ComponentStatus) => statuses.filter((s) => s === status).length;
  const all = (status: ComponentStatus) => statuses.length > 0 && count(status) === statuses.length;
  const essentialDown = components.some((c) => c.essential && c.status === 'major_outage');

  let rank = 0;
  if (essentialDown || all('major_outage')) rank = 3;
  else if (count('major_outage') > 0) rank = 2;
  else if (count('partial_outage') > 0 || count('degraded_performance') > 0) rank = 1;
  for (const impact of openIncidentImpacts) rank = Math.max(rank, IMPACT_RANK[impact]);

  const indicator: Indicator = rank === 0 && count('under_maintenance') > 0 ? 'maintenance' : INDICATOR_OF_RANK[rank]!;
  return { indicator, description: describe(statuses, essentialDown, indicator) };
}

function describe(statuses: readonly ComponentStatus[], essentialDown: boolean, indicator: Indicator): string {
  const has = (status: ComponentStatus) => statuses.includes(status);
  if (statuses.length === 1) {
    const only: Record<ComponentStatus, string> = {
      operational: indicator === 'none' ? 'All Systems Operational' : 'Minor Service Outage', // an incident on a healthy component
      under_maintenance: 'Service Under Maintenance',
      degraded_performance: 'Partially Degraded Service',
      partial_outage: 'Partial System Outage',
      major_outage: 'Major System Outage',
    };
    return only[statuses[0]!];
  }
  if (essentialDown || (statuses.length > 0 && statuses.every((s) => s === 'major_outage'))) return 'Major System Outage';
  if (has('major_outage')) return 'Partial System Outage';
  if (has('partial_outage')) return 'Minor Service Outage';
  if (statuses.length > 0 && statuses.every((s) => s === 'degraded_performance')) return 'Degraded System Service';
  if (has('degraded_performance')) return 'Partially Degraded Service';
  if (has('under_maintenance')) return 'Service Under Maintenance';
  if (indicator !== 'none') return 'Minor Service Outage'; // an open incident on operational components
  return 'All Systems Operational';
}
