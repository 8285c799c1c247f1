// Server hints and what-to-show rules of the SDK, table-driven, time passed in.
import { describe, expect, it } from 'vitest';
import { bannerStateAt, compareVersions } from '../../src/client/state.ts';
import { parseMaxAge, parseRetryAfter } from '../../src/client/hints.ts';
import type { Banner, BannerFeed } from '../../src/client/feed.ts';
import { parseFeed } from '../../src/client/feed.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    [new Date(NOW + 30_000).toUTCString(), 30_000],
    [new Date(NOW - 30_000).toUTCString(), 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    [null, undefined],
  ])('%j → %j ms', (value, expected) => expect(parseRetryAfter(value, NOW)).toBe(expected));
});

describe('parseMaxAge', () => {
  it.each([
    ['public, max-age=60', 60_000],
    ['max-age="300", must-revalidate', 300_000],
    ['s-maxage=10', undefined],
    ['public, s-max-age=10', 10_000],
    ['no-cache', undefined],
    [null, undefined],
  ])('%j → %j ms', (value, expected) => expect(parseMaxAge(value)).toBe(expected));
});

describe('compareVersions', () => {
  it.each([
    ['4.10.0', '4.9.3', 1],
    ['4.2.0', '4.2', 0],
    ['4.1.9', '4.2.0', -1],
    ['5', '4.99.99', 1],
  ])('%s vs %s → %i', (a, b, expected) => expect(compareVersions(a, b)).toBe(expected));
});

const banner = (over: Partial<Banner>): Banner => ({
  id: 'w', kind: 'maintenance', severity: 'warning', title: 'Window', short: 'Window', long: '', startsAt: new Date(NOW + 3_600_000).toISOString(), endsAt: new Date(NOW + 7_200_000).toISOString(),
  components: ['chat-nodes'], signInBlocked: true, updateRequired: null, url: 'https://status.example.org/maintenance/w/', ...over,
});
const feed = (banners: Banner[]): BannerFeed => ({ $schema: 'x', version: 1, generatedAt: new Date(NOW).toISOString(), pollSeconds: 300, hash: 'h', site: { title: 'S', url: 'https://status.example.org/' }, banners });

describe('bannerStateAt', () => {
  it('moves a window from upcoming to active to over by the clock alone, and says when it next changes', () => {
    const f = feed([banner({})]);
    const before = bannerStateAt(f, NOW);
    expect([before.upcoming.length, before.active.length, before.signInBlocked, before.nextChangeAt]).toEqual([1, 0, false, NOW + 3_600_000]);
    const during = bannerStateAt(f, NOW + 3_600_000);
    expect([during.upcoming.length, during.active.length, during.signInBlocked, during.nextChangeAt]).toEqual([0, 1, true, NOW + 7_200_000]);
    const after = bannerStateAt(f, NOW + 7_200_000);
    expect([after.upcoming.length, after.active.length, after.signInBlocked, after.nextChangeAt]).toEqual([0, 0, false, null]);
  });

  it('requires an update only from clients older than the minimum, the highest minimum winning', () => {
    const f = feed([banner({ id: 'a', updateRequired: { minimumVersion: '4.2.0' } }), banner({ id: 'b', updateRequired: { minimumVersion: '4.10.0' } })]);
    expect(bannerStateAt(f, NOW, '4.1.0').updateRequired).toEqual({ minimumVersion: '4.10.0' });
    expect(bannerStateAt(f, NOW, '4.10.0').updateRequired).toBeNull();
    expect(bannerStateAt(f, NOW).updateRequired).toEqual({ minimumVersion: '4.10.0' }); // unknown version: say so
  });

  it('keeps an open incident (no end) active', () => {
    const state = bannerStateAt(feed([banner({ kind: 'incident', startsAt: new Date(NOW - 60_000).toISOString(), endsAt: null, signInBlocked: false })]), NOW + 86_400_000);
    expect(state.active.map((b) => b.kind)).toEqual(['incident']);
  });
});

describe('parseFeed', () => {
  it('accepts a feed and refuses anything it cannot read', () => {
    const good = feed([banner({})]);
    expect(parseFeed(JSON.stringify(good))).toEqual(good);
    for (const bad of ['', '{', 'null', '[]', JSON.stringify({ ...good, version: 2 }), JSON.stringify({ ...good, banners: [{ ...banner({}), startsAt: 'soon' }] }), JSON.stringify({ ...good, pollSeconds: 0 })]) {
      expect(parseFeed(bad), bad.slice(0, 40)).toBeUndefined();
    }
  });
});

describe('the SDK and the server agree on the feed', () => {
  it('has the same shape on both sides (a compile-time check), and the SDK reads what the server makes', async () => {
    type Server = import('../../src/feeds/banner.ts').BannerFeed;
    // Each side's type must be assignable to the other's: tsc fails the run if they drift.
    const toSdk = (f: Server): BannerFeed => f;
    const toServer = (f: BannerFeed): Server => f;
    const { bannerFeedSchema } = await import('../../src/feeds/banner.ts');
    const made = bannerFeedSchema.parse(feed([banner({})]));
    expect(parseFeed(JSON.stringify(toServer(toSdk(made))))).toEqual(made);
  });
});
