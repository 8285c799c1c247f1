// The incident's story in time order: its updates, and what the probes confirmed (the first failing
// result, the confirmation, the recovery), dated by the same confirmation rules the status model
// uses (src/runner/confirm.ts). Pure: results and the window are passed in.
import type { Incident, IncidentStatus } from '../posts/types.ts';
import type { ProbeStatus } from '../probes/types.ts';
import { confirmNext, initialConfirmState, type ConfirmedStatus, type Thresholds } from '../runner/confirm.ts';

/** Probe transitions this long before the start or after the end still belong to the story (an outage seen before it was declared). */
export const TRANSITION_MARGIN_MS = 60 * 60_000;

export type ProbeEventKind = 'first-failing' | 'confirmed' | 'recovered';

export interface ProbeEvent {
  at: number;
  kind: ProbeEventKind;
  checkId: string;
  location: string;
  /** The confirmed status the event leads to. */
  status: ConfirmedStatus;
  /** For "recovered": when the recovery was confirmed (the status model dates it from the first passing result). */
  confirmedAt?: number;
}

export type TimelineEntry =
  | { at: number; source: 'update'; status: IncidentStatus; body: string }
  | ({ source: 'probe' } & ProbeEvent);

const SEVERITY: Record<ConfirmedStatus, number> = { unknown: -1, up: 0, degraded: 1, down: 2 };

/** A check's confirmed changes at one location, from its results in time order. */
export function probeEvents(
  series: { checkId: string; location: string },
  results: ReadonlyArray<{ status: ProbeStatus; startedAt: number }>,
  thresholds: Thresholds,
): ProbeEvent[] {
  const events: ProbeEvent[] = [];
  let state = initialConfirmState;
  for (const result of results) {
    const next = confirmNext(state, result, thresholds);
    if (next.status !== state.status && next.since !== null) {
      const base = { checkId: series.checkId, location: series.location, status: next.status };
      if (next.status === 'up') {
        // The first result ever (unknown → up) is no recovery.
        if (state.status !== 'unknown') events.push({ ...base, at: next.since, kind: 'recovered', confirmedAt: result.startedAt });
      } else {
        if (SEVERITY[next.status] > SEVERITY[state.status === 'unknown' ? 'up' : state.status]) events.push({ ...base, at: next.since, kind: 'first-failing' });
        events.push({ ...base, at: result.startedAt, kind: 'confirmed' });
      }
    }
    state = next;
  }
  return events;
}

/** Updates and probe events within the window (widened by the margin), oldest first; at one instant, updates first. */
export function mergeTimeline(incident: Incident, probes: readonly ProbeEvent[], window: { from: number; to: number }): TimelineEntry[] {
  const from = window.from - TRANSITION_MARGIN_MS;
  const to = window.to + TRANSITION_MARGIN_MS;
  const entries: TimelineEntry[] = [
    ...incident.updates.map((u) => ({ at: u.at, source: 'update' as const, status: u.status, body: u.body })),
    ...probes.filter((e) => e.at >= from && e.at <= to).map((e) => ({ source: 'probe' as const, ...e })),
  ];
  const order = (e: TimelineEntry) => (e.source === 'update' ? 0 : 1);
  return entries.sort((a, b) => a.at - b.at || order(a) - order(b) || (a.source === 'probe' && b.source === 'probe' ? `${a.checkId}@${a.location}`.localeCompare(`${b.checkId}@${b.location}`) : 0));
}
