// What the Astro pages read: the Snapshot plus the posts, rendered, as one plain-data file written by
// `statuspost build` (posts do not go through Astro's content layer, which cost four times the time
// and memory at 10,000 posts). The path comes in STATUSPOST_SITE_DATA.
import { readFileSync } from 'node:fs';
import type { MaintenanceState } from '../posts/state.ts';
import type { ComponentStatus, Impact, IncidentStatus, MaintenanceUpdateStatus } from '../posts/types.ts';
import type { Snapshot } from '../status/snapshot.ts';

export interface SiteIncident {
  slug: string;
  title: string;
  impact: Impact;
  timezone: string;
  startedAt: number;
  resolvedAt: number | null;
  status: IncidentStatus;
  components: Array<{ id: string; name: string; status: ComponentStatus }>;
  updates: Array<{ at: number; status: IncidentStatus; html: string }>;
  postmortemAt: number | null;
  postmortemHtml: string | null;
}

export interface SiteMaintenance {
  slug: string;
  title: string;
  timezone: string;
  state: MaintenanceState;
  announcedAt: number;
  startsAt: number;
  endsAt: number;
  components: Array<{ id: string; name: string }>;
  affected: string;
  unaffected: string | null;
  signInBlocked: boolean;
  updateRequired: { minimumVersion: string } | null;
  updates: Array<{ at: number; status: MaintenanceUpdateStatus | null; html: string }>;
  html: string;
}

export interface SiteData {
  snapshot: Snapshot;
  incidents: SiteIncident[];
  maintenance: SiteMaintenance[];
  uptimeDocHtml: string;
}

let cached: SiteData | undefined;

/** One read per build: every page of the same build sees the same data. */
export function siteData(): SiteData {
  if (!cached) {
    const path = process.env.STATUSPOST_SITE_DATA;
    if (!path) throw new Error('STATUSPOST_SITE_DATA is not set: build the site with `statuspost build`');
    cached = JSON.parse(readFileSync(path, 'utf8')) as SiteData;
  }
  return cached;
}
