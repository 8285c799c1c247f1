// The feeds in the site's language: RSS titles and sentences, calendar names and descriptions, the
// banner feed's line and "Still working", the badges. Posts keep their words; the API keeps Statuspage's.
import { describe, expect, it } from 'vitest';
import { badgeFiles } from '../../src/feeds/badge.ts';
import { bannerFeed } from '../../src/feeds/banner.ts';
import type { FeedContext } from '../../src/feeds/context.ts';
import { icsFiles } from '../../src/feeds/ics.ts';
import { feedItems } from '../../src/feeds/rss.ts';
import { statuspageFiles } from '../../src/feeds/statuspage.ts';
import { DAY, H, feedContext, incident, maintenance } from './context.ts';

const german = (context: FeedContext): FeedContext => ({ ...context, snapshot: { ...context.snapshot, site: { ...context.snapshot.site, language: 'de' } } });
const bodyOf = (files: ReturnType<typeof icsFiles>, path: string) => String(files.find((f) => f.path === path)?.body);

describe('feeds in German', () => {
  const now = 20 * DAY;
  const posts = [
    incident('cache-down', { startedAt: now - H, updates: [{ at: now - H, status: 'identified', body: 'Looking into it.', components: {}, signInBlocked: null }], body: 'What happened.', postmortemAt: now - 1000 }),
    maintenance('db-upgrade', { announcedAt: now - DAY, startsAt: now + DAY, endsAt: now + DAY + H, unaffected: 'Chat keeps working.', signInBlocked: true, updateRequired: { minimumVersion: '4.2' } }),
  ];

  it('says the RSS items’ fixed words in German and leaves the posts’ words as written', () => {
    const titles = feedItems(german(feedContext(now, posts))).map((i) => i.title).sort();
    expect(titles).toEqual(['Geplante Wartung: Window db-upgrade', 'Incident cache-down: Ursache gefunden', 'Nachbetrachtung: Incident cache-down']);
    const announced = feedItems(german(feedContext(now, posts))).find((i) => i.id === 'maintenance:db-upgrade#announced')!;
    expect(announced.text).toBe('Von Do., 22. Jan. 1970, 00:00 UTC bis Do., 22. Jan. 1970, 01:00 UTC.');
  });

  it('names the calendars and describes the window in German', () => {
    const files = icsFiles(german(feedContext(now, posts)), {});
    expect(bodyOf(files, 'maintenance.ics')).toContain('X-WR-CALNAME:Chatter status: Wartungen\r\n');
    expect(bodyOf(files, 'components/chat-nodes/maintenance.ics')).toContain('X-WR-CALNAME:Chatter status: Wartungen an Chat nodes\r\n');
    expect(bodyOf(files, 'maintenance.ics').replace(/\r\n /g, '')).toContain(
      'DESCRIPTION:Chat pauses.\\nWeiterhin verfügbar: Chat keeps working.\\nWährend der Wartung ist die Anmeldung gesperrt.\\nClients älter als 4.2 müssen aktualisiert werden.',
    );
  });

  it('gives the banner feed’s line its time in German', () => {
    const banner = bannerFeed(german(feedContext(now, posts))).banners.find((b) => b.id === 'db-upgrade')!;
    expect(banner.short).toBe('Window db-upgrade: Do., 22. Jan. 1970, 00:00 UTC');
    expect(banner.long).toBe('Chat pauses. Weiterhin verfügbar: Chat keeps working.');
    // English keeps its first form, which apps may already show.
    expect(bannerFeed(feedContext(now, posts)).banners.find((b) => b.id === 'db-upgrade')!.short).toBe('Window db-upgrade: Thu, 22 Jan 1970 00:00 UTC');
  });

  it('labels the badges in German, and keeps the API in Statuspage’s English words', () => {
    const context = german(feedContext(now, posts));
    const badge = JSON.parse(String(badgeFiles(context).find((f) => f.path === 'badge.json')!.body)) as { label: string; message: string };
    expect(badge).toEqual({ schemaVersion: 1, label: 'Status', message: 'Kleinere Störung des Dienstes', color: '#9a6700' });
    const cache = JSON.parse(String(badgeFiles(context).find((f) => f.path === 'components/cache/badge.json')!.body)) as { message: string };
    expect(cache.message).toMatch(/^Teilausfall · \d+,\d\d\u00a0% 30 T\.$/);
    const summary = JSON.parse(String(statuspageFiles(context).find((f) => f.path === 'api/v2/summary.json')!.body)) as { status: { description: string } };
    expect(summary.status.description).toBe('Minor Service Outage');
  });
});
