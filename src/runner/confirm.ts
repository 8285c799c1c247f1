// Confirmation thresholds: N results in a row before a worse status is believed, M before a better one,
// so one blip is not an outage. Pure: the caller keeps the state and passes each result in.
import type { ProbeStatus } from '../probes/types.ts';

export type ConfirmedStatus = ProbeStatus | 'unknown';

export interface ConfirmState {
  status: ConfirmedStatus;
  /** When the confirmed status began: the first result of the streak that confirmed it (retroactive). */
  since: number | null;
  /** A different status seen lately but not yet confirmed. */
  pending: { status: ProbeStatus; count: number; since: number } | null;
}

export interface Thresholds {
  down: number;
  up: number;
}

export const initialConfirmState: ConfirmState = { status: 'unknown', since: null, pending: null };

const SEVERITY: Record<ConfirmedStatus, number> = { unknown: -1, up: 0, degraded: 1, down: 2 };

export function confirmNext(
  state: ConfirmState,
  result: { status: ProbeStatus; startedAt: number },
  thresholds: Thresholds,
): ConfirmState {
  if (result.status === state.status) return state.pending ? { ...state, pending: null } : state;
  const pending =
    state.pending?.status === result.status
      ? { ...state.pending, count: state.pending.count + 1 }
      : { status: result.status, count: 1, since: result.startedAt };
  const worse = SEVERITY[result.status] > SEVERITY[state.status === 'unknown' ? 'up' : state.status];
  const needed = worse || (state.status === 'unknown' && result.status !== 'up') ? thresholds.down : thresholds.up;
  if (pending.count >= needed) return { status: pending.status, since: pending.since, pending: null };
  return { ...state, pending };
}
