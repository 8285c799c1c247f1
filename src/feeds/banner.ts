// banner.json: what client apps poll so they can say "maintenance Saturday 22:00 UTC", "sign-in is
// blocked" or "update required", even while the backend is down. Small, versioned, with its JSON
// Schema published beside it (generated from this zod schema, which the tests validate the feed
// with, so the two cannot drift). States that depend on time are left to the client: it has the
// timestamps, so the feed stays right between builds.
import { createHash } from 'node:crypto';
import { z } from 'zod/v4';
import { renderMarkdownCached as renderMarkdown } from '../posts/markdown.ts';
import { incidentBlocksSignIn, maintenanceState } from '../posts/state.ts';
import type { Incident } from '../posts/types.ts';
import { iso, postUrl, wordsOf, type FeedContext, type FeedFile } from './context.ts';

export const BANNER_VERSION = 1;
/**
 * The most banners a feed carries, and its size in bytes: banners are ranked by urgency first and cut
 * from the least urgent end, so what a client must show now is never dropped for something later.
 */
const MAX_BANNERS = 32;
export const MAX_FEED_BYTES = 16_384;
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

/**
 * How urgent a banner is, most urgent first. What is in effect now comes before anything later:
 *   0. in effect now and blocking sign-in or requiring an update (a window in progress, an incident);
 *   1. other windows in progress or overrunning;
 *   2. other open incidents, by impact, newest first;
 *   3. upcoming windows that require an update (the SDK asks apps to update before they start);
 *   4. other upcoming windows, soonest first.
 */
type Urgency = readonly [tier: number, impact: number, time: number, id: string];
const IMPACT_ORDER: Record<Incident['impact'], number> = { critical: 0, major: 1, minor: 2, none: 3 };

function compareUrgency(a: Urgency, b: Urgency): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0);
}

export function bannerFeed(context: FeedContext): BannerFeed {
  const { posts, now } = context;
  const w = wordsOf(context);
  // English keeps the feed's first form, "Sat, 24 Mar 2012 22:00 UTC"; other languages say it their way.
  const when = (ms: number) => (w.language === 'en' ? new Date(ms).toUTCString().replace(':00 GMT', ' UTC') : w.feedTime(ms));
  const ranked: Array<{ urgency: Urgency; banner: Banner }> = [];
  for (const m of posts) {
    if (m.kind !== 'maintenance' || m.announcedAt > now) continue;
    const state = maintenanceState(m, now);
    if (state !== 'upcoming' && state !== 'in_progress' && state !== 'overrunning') continue;
    const inEffect = state !== 'upcoming';
    const tier = inEffect ? (m.signInBlocked || m.updateRequired ? 0 : 1) : m.updateRequired ? 3 : 4;
    ranked.push({
      urgency: [tier, 0, m.startsAt, m.slug],
      banner: {
        id: m.slug,
        kind: 'maintenance',
        severity: m.signInBlocked || m.updateRequired ? 'warning' : 'info',
        title: m.title,
        short: clip(`${m.title}: ${when(m.startsAt)}`, MAX_SHORT),
        long: clip([m.affected, m.unaffected && w.t('common.stillWorking', { text: m.unaffected })].filter(Boolean).join(' '), MAX_LONG),
        startsAt: iso(m.startsAt),
        endsAt: iso(m.endsAt),
        components: m.components,
        signInBlocked: m.signInBlocked,
        updateRequired: m.updateRequired,
        url: postUrl(context, m),
      },
    });
  }
  for (const incident of posts) {
    if (incident.kind !== 'incident' || !context.snapshot.openIncidents.includes(incident.slug)) continue;
    const last = incident.updates.filter((u) => u.at <= now).at(-1);
    const signInBlocked = incidentBlocksSignIn(incident, now);
    ranked.push({
      urgency: [signInBlocked ? 0 : 2, IMPACT_ORDER[incident.impact], -incident.startedAt, incident.slug],
      banner: {
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
      },
    });
  }
  ranked.sort((a, b) => compareUrgency(a.urgency, b.urgency));

  const envelope = (banners: Banner[], hash: string): BannerFeed => ({
    $schema: new URL('banner.schema.json', context.baseUrl).href,
    version: BANNER_VERSION,
    generatedAt: context.snapshot.generatedAt,
    pollSeconds: POLL_SECONDS,
    hash,
    site: { title: context.snapshot.site.title, url: context.baseUrl },
    banners,
  });
  // Rank, then cap: banners are kept in order while the count and the bytes allow, and the first one
  // that does not fit ends the list, so nothing is ever dropped in favour of something less urgent.
  const HASH_LENGTH = 16;
  let bytes = Buffer.byteLength(JSON.stringify(envelope([], 'x'.repeat(HASH_LENGTH))));
  const banners: Banner[] = [];
  for (const { banner } of ranked) {
    const size = Buffer.byteLength(JSON.stringify(banner)) + (banners.length > 0 ? 1 : 0); // the comma
    if (banners.length === MAX_BANNERS || bytes + size > MAX_FEED_BYTES) break;
    banners.push(banner);
    bytes += size;
  }
  return envelope(banners, createHash('sha256').update(JSON.stringify(banners)).digest('base64url').slice(0, HASH_LENGTH));
}

export function bannerFiles(context: FeedContext): FeedFile[] {
  const feed = bannerFeedSchema.parse(bannerFeed(context)); // never publish a feed its own schema refuses
  const schema = { ...z.toJSONSchema(bannerFeedSchema, { target: 'draft-2020-12' }), $id: new URL('banner.schema.json', context.baseUrl).href, title: 'statuspost banner feed' };
  return [
    { path: 'banner.json', body: JSON.stringify(feed) },
    { path: 'banner.schema.json', body: `${JSON.stringify(schema, null, 1)}\n` },
  ];
}
