// banner.json: what client apps poll so they can say "maintenance Saturday 22:00 UTC", "sign-in is
// blocked" or "update required", even while the backend is down. Small, versioned, with its JSON
// Schema published beside it (generated from this zod schema, which the tests validate the feed
// with, so the two cannot drift). States that depend on time are left to the client: it has the
// timestamps, so the feed stays right between builds.
import { createHash } from 'node:crypto';
import { z } from 'zod/v4';
import { renderMarkdownCached as renderMarkdown } from '../posts/markdown.ts';
import { incidentBlocksSignIn, maintenanceState } from '../posts/state.ts';
import type { Incident, Maintenance } from '../posts/types.ts';
import { iso, postUrl, type FeedContext, type FeedFile } from './context.ts';

export const BANNER_VERSION = 1;
/** The most banners a feed carries, and the longest long text: the feed stays under 16 KB whatever the history. */
const MAX_BANNERS = 12;
const MAX_LONG = 600;
const MAX_SHORT = 140;
/** How often clients should poll, in seconds, unless the server says otherwise. */
export const POLL_SECONDS = 300;

const timestamp = z.iso.datetime({ offset: false }).describe('RFC 3339 time in UTC');
export const bannerSchema = z
  .object({
    id: z.string().min(1).describe('Stable across builds: the post slug'),
    kind: z.enum(['maintenance', 'incident']),
    severity: z.enum(['info', 'warning', 'critical']),
    title: z.string().min(1),
    short: z.string().max(MAX_SHORT).describe('One line for a banner'),
    long: z.string().max(MAX_LONG).describe('A few sentences for a details view, plain text'),
    startsAt: timestamp,
    endsAt: timestamp.nullable().describe('Null while an incident is open with no known end'),
    components: z.array(z.string()),
    signInBlocked: z.boolean(),
    updateRequired: z.object({ minimumVersion: z.string() }).nullable(),
    url: z.url(),
  })
  .strict();

export const bannerFeedSchema = z
  .object({
    $schema: z.string(),
    version: z.literal(BANNER_VERSION),
    generatedAt: timestamp,
    pollSeconds: z.number().int().positive().describe('Poll no more often than this'),
    hash: z.string().describe('Changes when, and only when, the banners change'),
    site: z.object({ title: z.string(), url: z.url() }).strict(),
    banners: z.array(bannerSchema).max(MAX_BANNERS),
  })
  .strict();

export type BannerFeed = z.infer<typeof bannerFeedSchema>;
export type Banner = z.infer<typeof bannerSchema>;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`);

export function bannerFeed(context: FeedContext): BannerFeed {
  const { posts, now } = context;
  const maintenance = posts
    .filter((p): p is Maintenance => p.kind === 'maintenance' && p.announcedAt <= now)
    .filter((m) => ['upcoming', 'in_progress', 'overrunning'].includes(maintenanceState(m, now)))
    .sort((a, b) => a.startsAt - b.startsAt)
    .map(
      (m): Banner => ({
        id: m.slug,
        kind: 'maintenance',
        severity: m.signInBlocked || m.updateRequired ? 'warning' : 'info',
        title: m.title,
        short: clip(`${m.title}: ${new Date(m.startsAt).toUTCString().replace(':00 GMT', ' UTC')}`, MAX_SHORT),
        long: clip([m.affected, m.unaffected && `Still working: ${m.unaffected}`].filter(Boolean).join(' '), MAX_LONG),
        startsAt: iso(m.startsAt),
        endsAt: iso(m.endsAt),
        components: m.components,
        signInBlocked: m.signInBlocked,
        updateRequired: m.updateRequired,
        url: postUrl(context, m),
      }),
    );
  const incidents = posts
    .filter((p): p is Incident => p.kind === 'incident' && context.snapshot.openIncidents.includes(p.slug))
    .sort((a, b) => b.startedAt - a.startedAt)
    .map((incident): Banner => {
      const last = incident.updates.filter((u) => u.at <= now).at(-1);
      const signInBlocked = incidentBlocksSignIn(incident, now);
      return {
        id: incident.slug,
        kind: 'incident',
        severity: signInBlocked || incident.impact === 'critical' || incident.impact === 'major' ? 'critical' : 'warning',
        title: incident.title,
        short: clip(incident.title, MAX_SHORT),
        long: clip(last ? renderMarkdown(last.body).text.trim() : '', MAX_LONG),
        startsAt: iso(incident.startedAt),
        endsAt: null,
        components: Object.keys(incident.components),
        signInBlocked,
        updateRequired: null,
        url: postUrl(context, incident),
      };
    });
  // Open incidents first (they are happening), then maintenance by start; capped.
  const banners = [...incidents, ...maintenance].slice(0, MAX_BANNERS);
  return {
    $schema: new URL('banner.schema.json', context.baseUrl).href,
    version: BANNER_VERSION,
    generatedAt: context.snapshot.generatedAt,
    pollSeconds: POLL_SECONDS,
    hash: createHash('sha256').update(JSON.stringify(banners)).digest('base64url').slice(0, 16),
    site: { title: context.snapshot.site.title, url: context.baseUrl },
    banners,
  };
}

export function bannerFiles(context: FeedContext): FeedFile[] {
  const feed = bannerFeedSchema.parse(bannerFeed(context)); // never publish a feed its own schema refuses
  const schema = { ...z.toJSONSchema(bannerFeedSchema, { target: 'draft-2020-12' }), $id: new URL('banner.schema.json', context.baseUrl).href, title: 'statuspost banner feed' };
  return [
    { path: 'banner.json', body: JSON.stringify(feed) },
    { path: 'banner.schema.json', body: `${JSON.stringify(schema, null, 1)}\n` },
  ];
}
