// JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the same channels and items as RSS (rss.ts:
// feedChannels), each item's `id` the RSS item's guid. Serialised by JSON.stringify.
import { FEED_FILES } from '../site/feed-links.ts';
import { iso, wordsOf, type FeedContext, type FeedFile } from './context.ts';
import { channelFileUrl, type FeedChannel } from './rss.ts';

export const JSON_FEED_FILE = FEED_FILES.json;

export function jsonFeed(context: FeedContext, channel: FeedChannel): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: channel.title,
    home_page_url: channel.pageUrl,
    feed_url: channelFileUrl(context, channel, JSON_FEED_FILE),
    description: channel.description,
    language: wordsOf(context).language,
    authors: [{ name: context.snapshot.site.title, url: context.baseUrl }],
    items: channel.items.map((item) => ({
      id: item.guid,
      url: item.url,
      title: item.title,
      content_html: item.html,
      content_text: item.text,
      date_published: iso(item.date),
      tags: item.categories,
    })),
  });
}

export function jsonFeedFiles(context: FeedContext, channels: readonly FeedChannel[]): FeedFile[] {
  return channels.map((channel) => ({ path: `${channel.dir}${JSON_FEED_FILE}`, body: jsonFeed(context, channel) }));
}
