// What the Astro pages read: the Snapshot plus the posts, rendered, as one plain-data file written by
// `statuspost build` (posts do not go through Astro's content layer, which cost four times the time
// and memory at 10,000 posts). The path comes in STATUSPOST_SITE_DATA.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { words, type Words } from '../i18n/messages.ts';
import type { MaintenanceState } from '../posts/state.ts';
import type { ComponentStatus, Impact, IncidentStatus, MaintenanceUpdateStatus } from '../posts/types.ts';
import type { Snapshot } from '../status/snapshot.ts';
import type { IncidentChart } from '../postmortem/chart.ts';

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
  /** The postmortem's action items (shown with a published postmortem). */
  actionItems: Array<{ title: string; owner: string; due: string; done: boolean }>;
  /** The measured impact over the incident's window, while its raw results are kept; null otherwise. */
  chart: IncidentChart | null;
  /** Nobody can sign in at the time of the build, by the post's own account. */
  signInBlocked: boolean;
}

export interface SiteMaintenance {
  slug: string;
  title: string;
  timezone: string;
  state: MaintenanceState;
  announcedAt: number;
  startsAt: number;
  endsAt: number;
  /** When an update said the work was done (null: never said; absent in data written before it was kept). */
  completedAt?: number | null;
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
  /** The header's logo (its path in the built site) and the team's own site; null where not set. */
  brand: { logo: string | null; homepage: string | null };
  /** A line shown on every page, e.g. that the site shows demo data; null for none. */
  notice: string | null;
  /** Slugs of the post pages this build renders; the others are reused from the previous build. Null: all. */
  render: { incidents: string[]; maintenance: string[] } | null;
  /**
   * Where each rendered post page's whole entry is: `at` gives its byte offset and length in `file`
   * by `<incidents|maintenance>/<slug>`. The lists above then carry only what the list pages show (no
   * Markdown but the latest update of the posts the home page shows), so Astro never holds every
   * post's text at once. Absent: the entries above are whole.
   */
  posts?: { file: string; at: Record<string, [number, number]> } | null;
}

let cached: { path: string; data: SiteData } | undefined;

/**
 * One read per build: every page of the same build sees the same data. Keyed by the file's path,
 * because a long-running process (the daemon, the demo) builds again and again in one process, and
 * Node keeps the module (and so this cache) from one build to the next: each build has a new path.
 */
export function siteData(): SiteData {
  const path = process.env.STATUSPOST_SITE_DATA;
  if (!path) throw new Error('STATUSPOST_SITE_DATA is not set: build the site with `statuspost build`');
  if (cached?.path !== path) cached = { path, data: JSON.parse(readFileSync(path, 'utf8')) as SiteData };
  return cached.data;
}

/** The whole entry of one post page (see `posts`). */
export function postEntry(section: 'incidents', slug: string): SiteIncident;
export function postEntry(section: 'maintenance', slug: string): SiteMaintenance;
export function postEntry(section: 'incidents' | 'maintenance', slug: string): SiteIncident | SiteMaintenance {
  const data = siteData();
  const place = data.posts?.at[`${section}/${slug}`];
  if (data.posts && place) {
    const [offset, length] = place;
    const bytes = Buffer.alloc(length);
    const fd = openSync(data.posts.file, 'r');
    try {
      if (readSync(fd, bytes, 0, length, offset) !== length) throw new Error(`the site data's ${section}/${slug} is cut short`);
    } finally {
      closeSync(fd);
    }
    return JSON.parse(bytes.toString('utf8')) as SiteIncident | SiteMaintenance;
  }
  const entry = (data[section] as Array<SiteIncident | SiteMaintenance>).find((post) => post.slug === slug);
  if (!entry) throw new Error(`no ${section} entry for ${slug} in the site data`);
  return entry;
}

/** The fixed words and formats of this build's pages, in the site's language (site.yaml `language:`). */
export function siteWords(): Words {
  return words(siteData().snapshot.site.language);
}
