// Atom and JSON Feed beside RSS, written from the same channels: read back by real parsers
// (fast-xml-parser for Atom and RSS, ajv with JSON Feed 1.1's rules for JSON Feed), the same items
// with the same ids (the RSS guids) in the same order, site-wide and per component, text that
// survives every format, and the elements RFC 4287 requires.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { feedFiles } from '../../src/feeds/index.ts';
import { nextWindowHistory } from '../../src/feeds/ics.ts';
import type { Maintenance, Post } from '../../src/posts/types.ts';
import { BASE_URL, DAY, H, feedContext, incident, maintenance } from './context.ts';

// Placed relative to the clock, as a build at any date would see them.
const NOW = Date.now();
const NASTY = `Sign-in "fails" <script>alert(1)</script> & ]]> 🚨 تسجيل الدخول`;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

const posts: Post[] = [
  incident('cache-down', {
    title: NASTY,
    startedAt: NOW - 5 * H,
    components: { cache: 'major_outage', 'chat-nodes': 'degraded_performance' },
    updates: [
      { at: NOW - 5 * H, status: 'investigating', body: `Looking; ${NASTY}`, components: {}, signInBlocked: null },
      { at: NOW - 4 * H, status: 'resolved', body: 'Back. See [the runbook](/about/uptime/).', components: {}, signInBlocked: null },
    ],
    resolvedAt: NOW - 4 * H,
    postmortemAt: NOW - 2 * H,
    body: '## Timeline\nIt broke.',
  }),
  maintenance('db-upgrade', { announcedAt: NOW - 3 * DAY, startsAt: NOW + 2 * DAY, endsAt: NOW + 2 * DAY + H, components: ['balancer'] }),
  // Announced in the future: in no feed yet.
  maintenance('later', { announcedAt: NOW + DAY, startsAt: NOW + 9 * DAY, endsAt: NOW + 9 * DAY + H }),
];

// The window moved once since an earlier build: a "Rescheduled" item in every format.
const earlier = nextWindowHistory({}, [{ ...(posts[1] as Maintenance), startsAt: NOW + DAY, endsAt: NOW + DAY + H }], NOW - DAY);
const windows = nextWindowHistory(earlier, [posts[1] as Maintenance], NOW - H);
const context = feedContext(NOW, posts.filter((p) => p.kind === 'incident' || p.announcedAt <= NOW));
const files = new Map(feedFiles(context, windows).map((f) => [f.path, String(f.body)]));
const file = (path: string) => {
  const body = files.get(path);
  expect(body, path).toBeDefined();
  return body!;
};

const xml = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['item', 'entry', 'category', 'link'].includes(name) });
const text = (node: unknown) => (typeof node === 'object' && node !== null ? (node as { '#text': string })['#text'] : String(node));

function rss(path: string) {
  const source = file(path);
  expect(XMLValidator.validate(source)).toBe(true);
  const items = (xml.parse(source).rss.channel.item ?? []) as Array<{ guid: unknown; title: string; description: string }>;
  return items.map((i) => ({ id: text(i.guid), title: i.title, html: i.description }));
}

function atom(path: string) {
  const source = file(path);
  expect(XMLValidator.validate(source)).toBe(true);
  const feed = xml.parse(source).feed;
  expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
  return feed as {
    id: string;
    title: unknown;
    updated: string;
    author: { name: string };
    link: Array<{ '@_rel': string; '@_href': string; '@_type': string }>;
    entry?: Array<{ id: string; title: unknown; updated: string; published: string; link: Array<{ '@_rel': string; '@_href': string }>; category?: Array<{ '@_term': string }>; content: { '#text': string; '@_type': string } }>;
  };
}

// JSON Feed 1.1's rules (https://jsonfeed.org/version/1.1), as a schema ajv checks the file against.
const jsonFeedSchema = {
  type: 'object',
  required: ['version', 'title', 'items'],
  properties: {
    version: { const: 'https://jsonfeed.org/version/1.1' },
    title: { type: 'string' },
    home_page_url: { type: 'string', format: 'uri' },
    feed_url: { type: 'string', format: 'uri' },
    description: { type: 'string' },
    language: { type: 'string' },
    authors: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, url: { type: 'string', format: 'uri' } } } },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        anyOf: [{ required: ['content_html'] }, { required: ['content_text'] }],
        properties: {
          id: { type: 'string' },
          url: { type: 'string', format: 'uri' },
          title: { type: 'string' },
          content_html: { type: 'string' },
          content_text: { type: 'string' },
          date_published: { type: 'string', format: 'date-time' },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', { validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) });
ajv.addFormat('uri', { validate: (s: string) => URL.canParse(s) });
const validJsonFeed = ajv.compile(jsonFeedSchema);

function jsonFeed(path: string) {
  const feed = JSON.parse(file(path));
  expect(validJsonFeed(feed), JSON.stringify(validJsonFeed.errors)).toBe(true);
  return feed as { title: string; feed_url: string; home_page_url: string; items: Array<{ id: string; title: string; content_html: string; content_text: string; date_published: string; tags: string[] }> };
}

describe('Atom and JSON Feed', () => {
  const channels = [
    { dir: '', page: BASE_URL },
    ...context.snapshot.components.map((c) => ({ dir: `components/${c.id}/`, page: `${BASE_URL}components/${c.id}/` })),
  ];

  it('publishes all three formats for the site and for every component', () => {
    for (const { dir } of channels) for (const name of ['rss.xml', 'feed.atom', 'feed.json']) expect(files.has(`${dir}${name}`), `${dir}${name}`).toBe(true);
  });

  it('gives every format the same items, in the same order, with the RSS guids as ids', () => {
    for (const { dir } of channels) {
      const fromRss = rss(`${dir}rss.xml`);
      const fromAtom = atom(`${dir}feed.atom`).entry ?? [];
      const fromJson = jsonFeed(`${dir}feed.json`).items;
      expect(fromAtom.map((e) => e.id), dir).toEqual(fromRss.map((i) => i.id));
      expect(fromJson.map((i) => i.id), dir).toEqual(fromRss.map((i) => i.id));
      expect(fromAtom.map((e) => text(e.title))).toEqual(fromRss.map((i) => i.title));
      expect(fromJson.map((i) => i.title)).toEqual(fromRss.map((i) => i.title));
      // The parser trims text nodes (not CDATA): compared trimmed.
      expect(fromAtom.map((e) => e.content['#text'].trim())).toEqual(fromRss.map((i) => i.html.trim()));
      expect(fromJson.map((i) => i.content_html.trim())).toEqual(fromRss.map((i) => i.html.trim()));
    }
    const site = rss('rss.xml').map((i) => i.id);
    // The incident's two updates and postmortem, the window's announcement and its move; nothing announced later.
    expect(site).toHaveLength(5);
    expect(site).toContain(`${BASE_URL}maintenance/db-upgrade/#change-1`);
    expect(site.some((id) => id.includes('later'))).toBe(false);
    // A component's feed has only what touched it.
    expect(rss('components/balancer/rss.xml').map((i) => i.id)).toEqual([`${BASE_URL}maintenance/db-upgrade/#change-1`, `${BASE_URL}maintenance/db-upgrade/#announced`]);
    expect(rss('components/file-share/rss.xml')).toEqual([]);
    expect(atom('components/file-share/feed.atom').entry).toBeUndefined();
    expect(jsonFeed('components/file-share/feed.json').items).toEqual([]);
  });

  it('keeps a title with quotes, markup, ]]> and other scripts intact in every format', () => {
    const title = `${NASTY}: investigating`;
    expect(rss('rss.xml').map((i) => i.title)).toContain(title);
    expect((atom('feed.atom').entry ?? []).map((e) => text(e.title))).toContain(title);
    expect(jsonFeed('feed.json').items.map((i) => i.title)).toContain(title);
    // The HTML inside is escaped once, by the serialiser: a reader renders the script as text.
    const html = jsonFeed('feed.json').items.find((i) => i.title === title)!.content_html;
    expect(html).toContain('&lt;script&gt;');
    expect(file('feed.atom')).not.toContain('<script>');
  });

  it('has what RFC 4287 requires of a feed and its entries, with absolute links', () => {
    for (const { dir, page } of channels) {
      const feed = atom(`${dir}feed.atom`);
      expect(feed.id).toBe(`${BASE_URL}${dir}feed.atom`);
      expect(text(feed.title)).toMatch(/^Chatter status/);
      expect(feed.updated).toMatch(RFC3339);
      expect(feed.author.name).toBe('Chatter status');
      expect(feed.link.find((l) => l['@_rel'] === 'self')).toMatchObject({ '@_href': `${BASE_URL}${dir}feed.atom`, '@_type': 'application/atom+xml' });
      expect(feed.link.find((l) => l['@_rel'] === 'alternate')!['@_href']).toBe(page);
      for (const entry of feed.entry ?? []) {
        expect(entry.updated).toMatch(RFC3339);
        expect(entry.published).toMatch(RFC3339);
        expect(entry.content['@_type']).toBe('html');
        expect(new URL(entry.link[0]!['@_href']).origin).toBe(new URL(BASE_URL).origin);
      }
      // The feed's time is its newest entry's, so its bytes change only with its entries.
      if (feed.entry?.[0]) expect(feed.updated).toBe(feed.entry[0].updated);
      const json = jsonFeed(`${dir}feed.json`);
      expect(json.feed_url).toBe(`${BASE_URL}${dir}feed.json`);
      expect(json.home_page_url).toBe(page);
    }
    const categories = (atom('feed.atom').entry ?? []).find((e) => e.id.endsWith('#update-1'))!.category!.map((c) => c['@_term']);
    expect(categories.sort()).toEqual(['cache', 'chat-nodes']);
    expect(jsonFeed('feed.json').items.find((i) => i.id.endsWith('#update-1'))!.tags.sort()).toEqual(['cache', 'chat-nodes']);
  });

  it('dates each item as RSS does (RSS to the second)', () => {
    const second = (ms: number) => Math.floor(ms / 1000) * 1000;
    const rssDates = (xml.parse(file('rss.xml')).rss.channel.item as Array<{ pubDate: string }>).map((i) => Date.parse(i.pubDate));
    expect(jsonFeed('feed.json').items.map((i) => second(Date.parse(i.date_published)))).toEqual(rssDates);
    expect((atom('feed.atom').entry ?? []).map((e) => second(Date.parse(e.published)))).toEqual(rssDates);
  });
});
