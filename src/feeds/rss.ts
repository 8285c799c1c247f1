// RSS 2.0 (the `rss` package): one item per incident update, per maintenance announcement and
// update, per published postmortem, and per move or cancellation of a window, newest first, each
// with a guid of its own so readers notify on every change. One feed for the site and one per
// component, whose channel links to the component's page. Item HTML is read away from the site, in
// a feed reader that resolves links against the feed's URL, so every link in it is absolute.
import RSS from 'rss';
import { renderMarkdownCached as renderMarkdown } from '../posts/markdown.ts';
import type { Maintenance, Post } from '../posts/types.ts';
import type { Words } from '../i18n/messages.ts';
import { postUrl, wordsOf, type FeedContext, type FeedFile } from './context.ts';
import type { WindowHistory, WindowPlan } from './ics.ts';

const MAX_ITEMS = 100;

/**
 * One item of the feed. `id` is stable and says which fact the item is ("incident:<slug>#update-2"),
 * never what it says, so an edited typo keeps it: subscriber notifications are keyed on it.
 */
export interface FeedItem {
  id: string;
  guid: string;
  title: string;
  url: string;
  date: number;
  html: string;
  /** What a reader sees, as plain text (not HTML: serialise or escape it). */
  text: string;
  categories: string[];
  post: { kind: Post['kind']; slug: string; status: string };
}
type Item = FeedItem;

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** One paragraph of plain text, escaped: the feed's own sentences never go through a template unescaped. */
const paragraph = (text: string) => `<p>${escapeHtml(text)}</p>`;
const span = (w: Words, plan: WindowPlan) => w.t('rss.span', { start: w.feedTime(plan.startsAt), end: w.feedTime(plan.endsAt) });

function itemsOf(context: FeedContext, post: Post, windows: WindowHistory): Item[] {
  const w = wordsOf(context);
  const url = postUrl(context, post);
  const categories = post.kind === 'incident' ? Object.keys(post.components) : post.components;
  const render = (source: string, headingIdPrefix = '') => renderMarkdown(source, { headingIdPrefix, linkBase: url, anchorLabel: w.t('markdown.anchorLabel', { heading: '{heading}' }) });
  const items: Item[] = [];
  const item = (anchor: string, status: string, fields: Omit<Item, 'id' | 'guid' | 'post' | 'categories'>) =>
    items.push({ id: `${post.kind}:${post.slug}#${anchor}`, guid: `${url}#${anchor}`, ...fields, categories, post: { kind: post.kind, slug: post.slug, status } });
  if (post.kind === 'incident') {
    post.updates
      .filter((u) => u.at <= context.now)
      .forEach((u, i) => {
        const body = render(u.body);
        item(`update-${i + 1}`, u.status, { title: w.t('rss.update', { title: post.title, status: w.t(`incidentStatus.${u.status}`) }), url, date: u.at, html: body.html, text: body.text });
      });
    if (post.postmortemAt !== null && post.postmortemAt <= context.now && post.body.trim()) {
      const body = render(post.body, 'pm-');
      item('postmortem', 'postmortem', { title: w.t('rss.postmortem', { title: post.title }), url: `${url}#postmortem`, date: post.postmortemAt, html: body.html, text: body.text });
    }
  } else if (post.announcedAt <= context.now) {
    const body = render(post.body);
    const from = w.t('rss.window', { span: span(w, post) });
    item('announced', 'scheduled', { title: w.t('rss.scheduled', { title: post.title }), url, date: post.announcedAt, html: paragraph(from) + body.html, text: [from, body.text].filter(Boolean).join(' ') });
    // An update that names no status keeps the one before it (Statuspage's statuses, for its webhook).
    let status = 'scheduled';
    post.updates
      .filter((u) => u.at <= context.now)
      .forEach((u, i) => {
        const update = render(u.body);
        status = u.status ?? status;
        item(`update-${i + 1}`, status, { title: w.t('rss.update', { title: post.title, status: u.status ? w.t(`maintenanceUpdate.${u.status}`) : w.t('rss.maintenanceUpdate') }), url, date: u.at, html: update.html, text: update.text });
      });
    items.push(...changeItems(context, post, windows, url, categories));
  }
  return items;
}

/**
 * An item for each time the window moved, was cancelled or was put back, from the windows' history
 * (kept from build to build; guid by its SEQUENCE, dated when that build published it). A window that
 * was already cancelled when first published has no recorded change: it still gets its "Cancelled"
 * item, dated at its latest update (the one saying so) or its announcement.
 */
function changeItems(context: FeedContext, m: Maintenance, windows: WindowHistory, url: string, categories: string[]): Item[] {
  const w = wordsOf(context);
  const items: Item[] = [];
  const changes = (windows[m.slug]?.changes ?? []).filter((c) => c.at <= context.now);
  for (const change of changes) {
    const moved = change.from.startsAt !== change.to.startsAt || change.from.endsAt !== change.to.endsAt;
    const verb = change.to.cancelled && !change.from.cancelled ? 'Cancelled' : !change.to.cancelled && change.from.cancelled ? 'Back on' : 'Rescheduled';
    const sentences = [
      verb === 'Cancelled' ? w.t('rss.cancelledText', { span: span(w, change.to) }) : undefined,
      verb === 'Back on' ? w.t('rss.backOnText', { span: span(w, change.to) }) : undefined,
      moved ? w.t('rss.movedText', { from: span(w, change.from), to: span(w, change.to) }) : undefined,
    ].filter((s): s is string => s !== undefined);
    // Statuspage has no word for a cancelled window; a move or a reinstatement is "scheduled" again.
    const status = verb === 'Cancelled' ? 'cancelled' : 'scheduled';
    items.push({ id: `maintenance:${m.slug}#change-${change.sequence}`, guid: `${url}#change-${change.sequence}`, title: w.t(verb === 'Cancelled' ? 'rss.cancelled' : verb === 'Back on' ? 'rss.backOn' : 'rss.rescheduled', { title: m.title }), url, date: change.at, html: sentences.map(paragraph).join(''), text: sentences.join(' '), categories, post: { kind: 'maintenance', slug: m.slug, status } });
  }
  const cancellationRecorded = changes.some((c) => c.to.cancelled && !c.from.cancelled);
  if (m.cancelled && !cancellationRecorded) {
    const said = Math.max(m.announcedAt, ...m.updates.filter((u) => u.at <= context.now).map((u) => u.at));
    const sentence = w.t('rss.cancelledText', { span: span(w, m) });
    items.push({ id: `maintenance:${m.slug}#cancelled`, guid: `${url}#cancelled`, title: w.t('rss.cancelled', { title: m.title }), url, date: said, html: paragraph(sentence), text: sentence, categories, post: { kind: 'maintenance', slug: m.slug, status: 'cancelled' } });
  }
  return items;
}

/**
 * One feed's worth of items: the site's or a component's. RSS, Atom and JSON Feed are all written
 * from these, so the three formats carry the same items, in the same order, with the same ids.
 */
export interface FeedChannel {
  /** Where the channel's files go: '' for the site, 'components/<id>/' for a component. */
  dir: string;
  /** The page the channel is about (the home page, or the component's page). */
  pageUrl: string;
  title: string;
  description: string;
  /** Newest first, at most MAX_ITEMS. */
  items: FeedItem[];
  /** The Snapshot's time. */
  updated: number;
}

/** The channel's feed file `name` ("rss.xml", "feed.atom", "feed.json") as an absolute URL. */
export const channelFileUrl = (context: FeedContext, channel: FeedChannel, name: string) => new URL(`${channel.dir}${name}`, context.baseUrl).href;

function newestFirst(items: readonly Item[]): Item[] {
  return [...items].sort((a, b) => b.date - a.date || b.guid.localeCompare(a.guid)).slice(0, MAX_ITEMS);
}

function feedXml(context: FeedContext, channel: FeedChannel): string {
  const updated = new Date(channel.updated);
  const feed = new RSS({ title: channel.title, description: channel.description, site_url: channel.pageUrl, feed_url: channelFileUrl(context, channel, 'rss.xml'), language: wordsOf(context).language, ttl: 5, pubDate: updated });
  for (const item of channel.items) {
    feed.item({ title: item.title, description: item.html, url: item.url, guid: item.guid, date: new Date(item.date), categories: item.categories });
  }
  // The package always stamps lastBuildDate with the clock (TOOLCHAIN P8, its PR #106 unanswered);
  // the feed is made reproducible by setting that one element to the Snapshot's time.
  return feed.xml({ indent: false }).replace(/<lastBuildDate>[^<]*<\/lastBuildDate>/, `<lastBuildDate>${updated.toUTCString()}</lastBuildDate>`);
}

/** Every item of the site's feed, unsorted and uncapped (rss.xml shows the newest MAX_ITEMS). */
export function feedItems(context: FeedContext, windows: WindowHistory = {}): FeedItem[] {
  return context.posts.flatMap((post) => itemsOf(context, post, windows));
}

/** The site's channel, then one per component (only the items in that component's categories). */
export function feedChannels(context: FeedContext, windows: WindowHistory = {}): FeedChannel[] {
  const all = feedItems(context, windows);
  const site = context.snapshot.site;
  const updated = Date.parse(context.snapshot.generatedAt);
  return [
    { dir: '', pageUrl: context.baseUrl, title: site.title, description: site.description, items: newestFirst(all), updated },
    ...context.snapshot.components.map((component) => ({
      dir: `components/${component.id}/`,
      pageUrl: new URL(`components/${component.id}/`, context.baseUrl).href,
      title: `${site.title}: ${component.name}`,
      description: wordsOf(context).t('rss.componentDescription', { component: component.name }),
      items: newestFirst(all.filter((item) => item.categories.includes(component.id))),
      updated,
    })),
  ];
}

/** `windows`: the maintenance windows' history (see nextWindowHistory); without it, no move is known. */
export function rssFiles(context: FeedContext, windows: WindowHistory = {}, channels: readonly FeedChannel[] = feedChannels(context, windows)): FeedFile[] {
  return channels.map((channel) => ({ path: `${channel.dir}rss.xml`, body: feedXml(context, channel) }));
}
