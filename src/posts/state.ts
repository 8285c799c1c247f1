// A maintenance's state comes from the clock and its updates, never written by hand. Pure.
import type { Incident, Maintenance } from './types.ts';

export type MaintenanceState = 'upcoming' | 'in_progress' | 'overrunning' | 'completed' | 'cancelled';

/** How long past its planned end a window without a "completed" update shows as overrunning. */
export const OVERRUN_LIMIT_MS = 24 * 3_600_000;

export function maintenanceState(m: Pick<Maintenance, 'cancelled' | 'startsAt' | 'endsAt' | 'completedAt'>, now: number): MaintenanceState {
  if (m.cancelled) return 'cancelled';
  if (now < m.startsAt) return 'upcoming';
  if (m.completedAt !== null && now >= m.completedAt) return 'completed';
  if (now < m.endsAt) return 'in_progress';
  // Past the planned end and nobody said it is done: say so, for a day; after that it is history.
  return now < m.endsAt + OVERRUN_LIMIT_MS ? 'overrunning' : 'completed';
}

/** Notices are public from their announcement until the window is over. */
export function isAnnounced(m: Pick<Maintenance, 'announcedAt'>, now: number): boolean {
  return now >= m.announcedAt;
}

/** Whether an incident blocks sign-in at `now`: as its last update so far says, else as it started; never once resolved. */
export function incidentBlocksSignIn(incident: Pick<Incident, 'signInBlocked' | 'updates' | 'resolvedAt'>, now: number): boolean {
  if (incident.resolvedAt !== null && incident.resolvedAt <= now) return false;
  let blocked = incident.signInBlocked;
  for (const update of incident.updates) if (update.at <= now && update.signInBlocked !== null) blocked = update.signInBlocked;
  return blocked;
}
