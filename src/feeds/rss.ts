// RSS 2.0 (the `rss` package): one item per incident update, per maintenance announcement and
// update, and per published postmortem, newest first, each with a guid of its own so readers notify
// on every update. One feed for the site and one per component.
import RSS from 'rss';
import { renderMarkdownCached as renderMarkdown } from '../posts/markdown.ts';
import type { Post } from '../posts/types.ts';
import { postUrl, type FeedContext, type FeedFile } from './context.ts';

const MAX_ITEMS = 100;

interface Item {
  guid: string;
  title: string;
  url: string;
  date: number;
  html: string;
  categories: string[];
}

function itemsOf(context: FeedContext, post: Post): Item[] {
  const url = postUrl(context, post);
  const categories = post.kind === 'incident' ? Object.keys(post.components) : post.components;
  const items: Item[] = [];
  if (post.kind === 'incident') {
    post.updates
      .filter((u) => u.at <= context.now)
      .forEach((u, i) => items.push({ guid: `${url}#update-${i + 1}`, title: `${post.title}: ${u.status}`, url, date: u.at, html: renderMarkdown(u.body).html, categories }));
    if (post.postmortemAt !== null && post.postmortemAt <= context.now && post.body.trim())
      items.push({ guid: `${url}#postmortem`, title: `Postmortem: ${post.title}`, url: `${url}#postmortem`, date: post.postmortemAt, html: renderMarkdown(post.body, { headingIdPrefix: 'pm-' }).html, categories });
  } else if (post.announcedAt <= context.now) {
    const window = `<p>From ${new Date(post.startsAt).toUTCString()} to ${new Date(post.endsAt).toUTCString()}.</p>`;
    items.push({ guid: `${url}#announced`, title: `Scheduled maintenance: ${post.title}`, url, date: post.announcedAt, html: window + renderMarkdown(post.body).html, categories });
    post.updates
      .filter((u) => u.at <= context.now)
      .forEach((u, i) => items.push({ guid: `${url}#update-${i + 1}`, title: `${post.title}: ${u.status?.replace('_', ' ') ?? 'update'}`, url, date: u.at, html: renderMarkdown(u.body).html, categories }));
  }
  return items;
}

function feedXml(context: FeedContext, path: string, title: string, description: string, items: Item[]): string {
  const selfUrl = new URL(path, context.baseUrl).href;
  const updated = new Date(context.snapshot.generatedAt);
  const feed = new RSS({ title, description, site_url: context.baseUrl, feed_url: selfUrl, language: 'en', ttl: 5, pubDate: updated });
  for (const item of [...items].sort((a, b) => b.date - a.date || b.guid.localeCompare(a.guid)).slice(0, MAX_ITEMS)) {
    feed.item({ title: item.title, description: item.html, url: item.url, guid: item.guid, date: new Date(item.date), categories: item.categories });
  }
  // The package always stamps lastBuildDate with the clock (TOOLCHAIN P8, its PR #106 unanswered);
  // the feed is made reproducible by setting that one element to the Snapshot's time.
  return feed.xml({ indent: false }).replace(/<lastBuildDate>[^<]*<\/lastBuildDate>/, `<lastBuildDate>${updated.toUTCString()}</lastBuildDate>`);
}

export function rssFiles(context: FeedContext): FeedFile[] {
  const all = context.posts.flatMap((post) => itemsOf(context, post));
  const site = context.snapshot.site;
  const files: FeedFile[] = [{ path: 'rss.xml', body: feedXml(context, 'rss.xml', site.title, site.description, all) }];
  for (const component of context.snapshot.components) {
    const own = all.filter((item) => item.categories.includes(component.id));
    const path = `components/${component.id}/rss.xml`;
    files.push({ path, body: feedXml(context, path, `${site.title}: ${component.name}`, `Incidents and maintenance affecting ${component.name}.`, own) });
  }
  return files;
}
