// RSS as feed readers see it, parsed by fast-xml-parser (the item HTML too): every link in an item
// is absolute, a component's feed links to the component's page, and moving or cancelling a window
// gives subscribers a new item, with a guid that stays the same in every later build.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { nextWindowHistory, type WindowHistory } from '../../src/feeds/ics.ts';
import { rssFiles } from '../../src/feeds/rss.ts';
import type { Maintenance, Post } from '../../src/posts/types.ts';
import { BASE_URL, DAY, H, feedContext, incident, maintenance } from './context.ts';

const NOW = Date.UTC(2026, 11, 1, 9);
type Item = { title: string; link: string; guid: string | { '#text': string }; pubDate: string; description: string };
const guidOf = (item: Item) => (typeof item.guid === 'string' ? item.guid : item.guid['#text']);

function channel(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const rss = new XMLParser({ ignoreAttributes: false }).parse(xml).rss;
  const items = rss.channel.item === undefined ? [] : [rss.channel.item].flat();
  return { link: rss.channel.link as string, items: items as Item[] };
}
const feed = (now: number, posts: Post[], windows: WindowHistory = {}, path = 'rss.xml') => channel(String(rssFiles(feedContext(now, posts), windows).find((f) => f.path === path)!.body));

/** Every href and src in an item's HTML, read by an HTML-aware XML parser. */
function addresses(html: string): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@') for (const [attr, v] of Object.entries(value as Record<string, string>)) if (attr === '@_href' || attr === '@_src') found.push(v);
      walk(value);
    }
  };
  const parser = new XMLParser({ ignoreAttributes: false, preserveOrder: true, unpairedTags: ['br', 'hr', 'img'], htmlEntities: true });
  walk(parser.parse(`<div>${html}</div>`));
  return found;
}

describe('RSS item links', () => {
  const postmortem = [
    '## What happened',
    'See [the timeline](#pm-timeline), [the maintenance](../../maintenance/2026-11-20-db/), [the API](/api/v2/summary.json), [our notes](notes/) and [Redis](https://redis.io/docs/).',
    'Mail [us](mailto:ops@example.org).',
    '## Timeline',
    'Things happened.',
  ].join('\n\n');
  const posts = [
    incident('2026-11-30-redis', {
      startedAt: NOW - 2 * DAY,
      updates: [
        { at: NOW - 2 * DAY, status: 'investigating', body: 'Details on [the cache page](../../components/cache/).', components: {}, signInBlocked: null },
        { at: NOW - DAY, status: 'resolved', body: 'Fixed.', components: {}, signInBlocked: null },
      ],
      resolvedAt: NOW - DAY,
      postmortemAt: NOW - H,
      body: postmortem,
    }),
  ];
  const page = `${BASE_URL}incidents/2026-11-30-redis/`;

  it('makes every link and heading anchor in item HTML absolute, resolved against the post\'s page', () => {
    const { items } = feed(NOW, posts);
    const all = items.flatMap((i) => addresses(i.description));
    expect(all.length).toBeGreaterThan(6);
    for (const href of all) expect(/^(https?|mailto):/.test(href), href).toBe(true);
    const pm = items.find((i) => guidOf(i) === `${page}#postmortem`)!;
    expect(addresses(pm.description)).toEqual([
      `${page}#pm-what-happened`,
      `${page}#pm-timeline`,
      `${BASE_URL}maintenance/2026-11-20-db/`,
      `${BASE_URL}api/v2/summary.json`,
      `${page}notes/`,
      'https://redis.io/docs/',
      'mailto:ops@example.org',
      `${page}#pm-timeline`,
    ]);
    const update = items.find((i) => guidOf(i) === `${page}#update-1`)!;
    expect(addresses(update.description)).toEqual([`${BASE_URL}components/cache/`]);
  });

  it('links each component\'s feed to the component\'s page, and the site feed to the home page', () => {
    expect(feed(NOW, posts, {}, 'components/cache/rss.xml').link).toBe(`${BASE_URL}components/cache/`);
    expect(feed(NOW, posts, {}, 'components/file-share/rss.xml').link).toBe(`${BASE_URL}components/file-share/`);
    expect(feed(NOW, posts).link).toBe(BASE_URL);
  });
});

describe('RSS items for moved and cancelled windows', () => {
  const slug = '2026-12-08-db';
  const url = `${BASE_URL}maintenance/${slug}/`;
  const planned = maintenance(slug, { title: 'Database upgrade', announcedAt: NOW - 2 * DAY, startsAt: NOW + 7 * DAY, endsAt: NOW + 7 * DAY + H, components: ['cache'] });
  const moved = { ...planned, endsAt: planned.endsAt + H };
  const cancelled: Maintenance = { ...moved, cancelled: true, updates: [{ at: NOW + 2 * H, status: null, body: 'Called off.' }] };

  /** Builds in turn, the history kept between them as build-site keeps it (JSON in .statuspost/). */
  function builds(steps: Array<{ at: number; m: Maintenance }>) {
    let history: WindowHistory = {};
    return steps.map(({ at, m }) => {
      history = JSON.parse(JSON.stringify(nextWindowHistory(history, [m], at))) as WindowHistory;
      return { at, all: feed(at, [m], history), component: feed(at, [m], history, 'components/cache/rss.xml') };
    });
  }

  it('adds an item when a window moves and when it is cancelled, each with its own guid, kept in later builds', () => {
    const [first, second, third, fourth] = builds([
      { at: NOW - H, m: planned },
      { at: NOW + H, m: moved },
      { at: NOW + 3 * H, m: cancelled },
      { at: NOW + 5 * H, m: cancelled },
    ]);
    expect(first!.all.items.map(guidOf)).toEqual([`${url}#announced`]);
    const rescheduled = second!.all.items.find((i) => guidOf(i) === `${url}#change-1`)!;
    expect(rescheduled.title).toBe('Rescheduled: Database upgrade');
    expect(Date.parse(rescheduled.pubDate)).toBe(NOW + H);
    expect(rescheduled.description).toContain(new Date(planned.endsAt).toUTCString());
    expect(rescheduled.description).toContain(new Date(moved.endsAt).toUTCString());
    const gone = third!.all.items.find((i) => guidOf(i) === `${url}#change-2`)!;
    expect(gone.title).toBe('Cancelled: Database upgrade');
    expect(Date.parse(gone.pubDate)).toBe(NOW + 3 * H);
    // A later build with no change keeps both items, same guids, same dates: readers notify once.
    const later = fourth!.all.items.map((i) => `${guidOf(i)} ${i.title} ${i.pubDate}`);
    expect(later).toEqual(expect.arrayContaining(third!.all.items.map((i) => `${guidOf(i)} ${i.title} ${i.pubDate}`)));
    expect(fourth!.all.items.map(guidOf).sort()).toEqual([`${url}#announced`, `${url}#change-1`, `${url}#change-2`, `${url}#update-1`].sort());
    // The component's own feed has them too.
    expect(fourth!.component.items.map(guidOf)).toEqual(expect.arrayContaining([`${url}#change-1`, `${url}#change-2`]));
  });

  it('gives a window already cancelled when first published a "Cancelled" item, stable from build to build', () => {
    const [first, second] = builds([
      { at: NOW + 3 * H, m: cancelled },
      { at: NOW + 5 * H, m: cancelled },
    ]);
    for (const build of [first!, second!]) {
      const item = build.all.items.find((i) => guidOf(i) === `${url}#cancelled`)!;
      expect(item.title).toBe('Cancelled: Database upgrade');
      expect(Date.parse(item.pubDate)).toBe(NOW + 2 * H); // the update that called it off
    }
  });

  it('adds no item when nothing about the window changed', () => {
    const [, second] = builds([
      { at: NOW - H, m: planned },
      { at: NOW + H, m: { ...planned, title: 'Database upgrade (v15)', affected: 'Longer words.' } },
    ]);
    expect(second!.all.items.map(guidOf)).toEqual([`${url}#announced`]);
  });
});
