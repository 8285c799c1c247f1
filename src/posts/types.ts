// Posts as the rest of statuspost sees them: times in epoch ms (UTC), Markdown still as source.
import type { componentStatuses, impacts, incidentStatuses, maintenanceUpdateStatuses } from './schema.ts';

export type ComponentStatus = (typeof componentStatuses)[number];
export type IncidentStatus = (typeof incidentStatuses)[number];
export type Impact = (typeof impacts)[number];
export type MaintenanceUpdateStatus = (typeof maintenanceUpdateStatuses)[number];

interface PostBase {
  /** The file name without ".md": also the URL. */
  slug: string;
  /** Relative to the project root. */
  file: string;
  title: string;
  /** The author's zone (the site's when an incident names none), for showing times as written. */
  timezone: string;
  /** The Markdown body: an incident's postmortem, a maintenance's longer description. */
  body: string;
  /** A draft is validated but never published: no page, feed, API, banner or notification has it. */
  draft?: boolean;
}

export interface IncidentUpdate {
  at: number;
  status: IncidentStatus;
  body: string;
  components: Record<string, ComponentStatus>;
  /** Sign-in blocked or working again from this update on; null: unchanged. */
  signInBlocked: boolean | null;
}

export interface ActionItem {
  title: string;
  owner: string;
  /** A calendar date, YYYY-MM-DD. */
  due: string;
  done: boolean;
}

export interface Incident extends PostBase {
  kind: 'incident';
  impact: Impact;
  startedAt: number;
  /** Each affected component with the status it had at the start. */
  components: Record<string, ComponentStatus>;
  updates: IncidentUpdate[];
  /** The resolving update's time; null while the incident is open. */
  resolvedAt: number | null;
  /** Null when there is no postmortem yet. */
  postmortemAt: number | null;
  /** The postmortem's action items, as written; the loader always sets it (absent reads as none). */
  actionItems?: ActionItem[];
  /** Sign-in blocked from the start (updates may change it; see incidentBlocksSignIn). */
  signInBlocked: boolean;
}

export interface MaintenanceUpdate {
  at: number;
  status: MaintenanceUpdateStatus | null;
  body: string;
}

export interface Maintenance extends PostBase {
  kind: 'maintenance';
  announcedAt: number;
  startsAt: number;
  endsAt: number;
  components: string[];
  affected: string;
  unaffected: string | null;
  signInBlocked: boolean;
  updateRequired: { minimumVersion: string } | null;
  updates: MaintenanceUpdate[];
  cancelled: boolean;
  /** The first update that says "completed"; null until one does. */
  completedAt: number | null;
}

export type Post = Incident | Maintenance;
