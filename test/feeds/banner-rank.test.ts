// banner.json ranks, then caps: what a client must show now (a window in progress, sign-in blocked,
// an update required) is never cut for something less urgent, and the feed stays within its bytes.
import { describe, expect, it } from 'vitest';
import { bannerFeed, bannerFeedSchema, MAX_FEED_BYTES } from '../../src/feeds/banner.ts';
import type { Post } from '../../src/posts/types.ts';
import { DAY, H, feedContext, incident, maintenance } from './context.ts';

const NOW = Date.UTC(2026, 11, 1, 9);
const ids = (posts: Post[]) => bannerFeed(feedContext(NOW, posts)).banners.map((b) => b.id);

// Windows and incidents of each kind, at NOW.
const inProgress = (slug: string, extra = {}) => maintenance(slug, { announcedAt: NOW - DAY, startsAt: NOW - H, endsAt: NOW + H, ...extra });
const overrunning = (slug: string, extra = {}) => maintenance(slug, { announcedAt: NOW - DAY, startsAt: NOW - 3 * H, endsAt: NOW - H, ...extra });
const upcoming = (slug: string, inMs: number, extra = {}) => maintenance(slug, { announcedAt: NOW - DAY, startsAt: NOW + inMs, endsAt: NOW + inMs + H, ...extra });
const open = (slug: string, extra = {}) => incident(slug, { startedAt: NOW - 2 * H, updates: [{ at: NOW - 2 * H, status: 'investigating', body: 'Looking.', components: {}, signInBlocked: null }], ...extra });

describe('banner.json ranking', () => {
  it.each([
    { first: inProgress('blocks-sign-in', { signInBlocked: true }), then: open('critical', { impact: 'critical' }), why: 'a window blocking sign-in now before a critical incident' },
    { first: inProgress('needs-update', { updateRequired: { minimumVersion: '4.2.0' } }), then: inProgress('plain'), why: 'a window requiring an update now before a plain window in progress' },
    { first: open('incident-blocks', { signInBlocked: true, impact: 'minor' }), then: inProgress('plain'), why: 'an incident blocking sign-in before a plain window in progress' },
    { first: inProgress('plain'), then: open('critical', { impact: 'critical' }), why: 'a window in progress before an incident that blocks nothing' },
    { first: overrunning('overrun'), then: open('critical', { impact: 'critical' }), why: 'an overrunning window before an incident that blocks nothing' },
    { first: open('critical', { impact: 'critical' }), then: open('major', { impact: 'major', startedAt: NOW - H }), why: 'critical before a newer major' },
    { first: open('major', { impact: 'major' }), then: open('minor', { impact: 'minor', startedAt: NOW - H }), why: 'major before a newer minor' },
    { first: open('newer', { startedAt: NOW - H }), then: open('older', { startedAt: NOW - 3 * H }), why: 'of the same impact, the newer first' },
    { first: open('minor', { impact: 'none' }), then: upcoming('soon', H, { signInBlocked: true }), why: 'any open incident before a window still to come' },
    { first: upcoming('update-later', 5 * DAY, { updateRequired: { minimumVersion: '4.2.0' } }), then: upcoming('soon', H), why: 'an upcoming window requiring an update before a sooner plain one' },
    { first: upcoming('soon', H), then: upcoming('later', DAY), why: 'upcoming windows soonest first' },
  ] as Array<{ first: Post; then: Post; why: string }>)('$why', ({ first, then }) => {
    expect(ids([then, first])).toEqual([first.slug, then.slug]);
    expect(ids([first, then])).toEqual([first.slug, then.slug]);
  });

  it('with 10 open incidents and 23 open windows, keeps everything in effect now, then the soonest windows', () => {
    const posts: Post[] = [
      ...Array.from({ length: 10 }, (_, i) => open(`incident-${i}`, { impact: (['minor', 'major', 'critical'] as const)[i % 3], startedAt: NOW - (i + 1) * H })),
      overrunning('overrun-0'),
      overrunning('overrun-1', { signInBlocked: true }),
      ...Array.from({ length: 9 }, (_, i) => inProgress(`now-${i}`, i === 4 ? { updateRequired: { minimumVersion: '5.0.0' } } : {})),
      ...Array.from({ length: 12 }, (_, i) => upcoming(`later-${String(i).padStart(2, '0')}`, (i + 1) * DAY)),
    ];
    const feed = bannerFeed(feedContext(NOW, posts));
    expect(bannerFeedSchema.safeParse(feed).success).toBe(true);
    const kept = feed.banners.map((b) => b.id);
    // All 21 things in effect now, the two that block sign-in or require an update first.
    const nowIds = posts.filter((p) => !p.slug.startsWith('later-')).map((p) => p.slug);
    expect(kept.slice(0, 2).sort()).toEqual(['now-4', 'overrun-1']);
    expect(kept.slice(0, 21).sort()).toEqual([...nowIds].sort());
    // Incidents after the windows in effect, by impact.
    const incidents = feed.banners.filter((b) => b.kind === 'incident');
    const impactOf = (id: string) => (posts.find((p) => p.slug === id) as { impact: string }).impact;
    expect(incidents.map((b) => impactOf(b.id))).toEqual([...incidents.map((b) => impactOf(b.id))].sort((a, b) => ['critical', 'major', 'minor'].indexOf(a) - ['critical', 'major', 'minor'].indexOf(b)));
    // Then the upcoming windows, soonest first; whatever the caps dropped is the latest of them.
    const later = kept.slice(21);
    expect(later).toEqual(Array.from({ length: later.length }, (_, i) => `later-${String(i).padStart(2, '0')}`));
    expect(later.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(JSON.stringify(feed))).toBeLessThanOrEqual(MAX_FEED_BYTES);
  });

  it('cuts by bytes from the least urgent end, and stays within 16 KB', () => {
    const long = 'Chat pauses while the cluster is moved. '.repeat(15);
    const posts: Post[] = [
      ...Array.from({ length: 12 }, (_, i) => upcoming(`later-${String(i).padStart(2, '0')}`, (i + 1) * DAY, { affected: long, title: `Window ${'é'.repeat(150)} ${i}` })),
      ...Array.from({ length: 8 }, (_, i) => inProgress(`now-${i}`, { affected: long, title: `Now ${'ü'.repeat(150)} ${i}` })),
    ];
    const feed = bannerFeed(feedContext(NOW, posts));
    const bytes = Buffer.byteLength(JSON.stringify(feed));
    expect(bytes).toBeLessThanOrEqual(MAX_FEED_BYTES);
    const kept = feed.banners.map((b) => b.id);
    expect(kept.length).toBeLessThan(posts.length); // the bytes, not the count, cut here
    expect(kept.slice(0, 8).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `now-${i}`));
    expect(kept.slice(8)).toEqual(Array.from({ length: kept.length - 8 }, (_, i) => `later-${String(i).padStart(2, '0')}`));
    // One more banner would not have fitted.
    const next = bannerFeed(feedContext(NOW, posts.filter((p) => kept.includes(p.slug) || p.slug === `later-${String(kept.length - 8).padStart(2, '0')}`)));
    expect(next.banners).toHaveLength(kept.length);
  });
});
