// Atom 1.0 (RFC 4287): the same channels and items as RSS (rss.ts: feedChannels), so an entry's
// <id> is the RSS item's guid and a reader moving from one format to the other sees no item twice.
// Serialised by `xml`, the package `rss` itself writes with: every text and attribute escaped.
import xml, { type XmlNode } from 'xml';
import { FEED_FILES } from '../site/feed-links.ts';
import { iso, wordsOf, type FeedContext, type FeedFile } from './context.ts';
import { channelFileUrl, type FeedChannel, type FeedItem } from './rss.ts';

export const ATOM_FILE = FEED_FILES.atom;

function entry(item: FeedItem, context: FeedContext): XmlNode {
  return {
    entry: [
      { id: item.guid },
      { title: [{ _attr: { type: 'text' } }, item.title] },
      { link: { _attr: { rel: 'alternate', type: 'text/html', href: item.url } } },
      { published: iso(item.date) },
      { updated: iso(item.date) },
      ...item.categories.map((term) => ({ category: { _attr: { term, label: context.snapshot.components.find((c) => c.id === term)?.name ?? term } } })),
      { content: [{ _attr: { type: 'html' } }, item.html] },
    ],
  };
}

export function atomXml(context: FeedContext, channel: FeedChannel): string {
  const self = channelFileUrl(context, channel, ATOM_FILE);
  // <updated> is the newest entry's time, so the file's bytes (and its ETag) change only with its
  // entries; an empty feed says the Snapshot's time.
  const updated = channel.items[0]?.date ?? channel.updated;
  return xml(
    {
      feed: [
        { _attr: { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': wordsOf(context).language } },
        { id: self },
        { title: [{ _attr: { type: 'text' } }, channel.title] },
        { subtitle: [{ _attr: { type: 'text' } }, channel.description] },
        { updated: iso(updated) },
        { link: { _attr: { rel: 'self', type: 'application/atom+xml', href: self } } },
        { link: { _attr: { rel: 'alternate', type: 'text/html', href: channel.pageUrl } } },
        { author: [{ name: context.snapshot.site.title }, { uri: context.baseUrl }] },
        { generator: 'statuspost' },
        ...channel.items.map((item) => entry(item, context)),
      ],
    },
    { declaration: { encoding: 'UTF-8' } },
  );
}

export function atomFiles(context: FeedContext, channels: readonly FeedChannel[]): FeedFile[] {
  return channels.map((channel) => ({ path: `${channel.dir}${ATOM_FILE}`, body: atomXml(context, channel) }));
}
