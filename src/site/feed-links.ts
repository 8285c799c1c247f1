// Where each channel's feeds are, for the pages that link to them: the file names the feed writers
// (src/feeds) use, and the webcal:// form of a calendar's address that calendar apps open directly.

export const FEED_FILES = { rss: 'rss.xml', atom: 'feed.atom', json: 'feed.json', calendar: 'maintenance.ics' } as const;

export const FEED_TYPES = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' } as const;

/** The folder of a channel's files: the site's root, or a component's. */
export const channelDir = (componentId?: string) => (componentId === undefined ? '' : `components/${componentId}/`);

/**
 * A calendar's address with the webcal scheme (calendar apps subscribe to it rather than download
 * it once); `siteUrl` is the site's absolute public address (site.yaml baseUrl, required by the config).
 */
export function webcalUrl(siteUrl: string, path: string): string {
  const url = new URL(path, siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`);
  return `webcal://${url.host}${url.pathname}${url.search}`;
}

/** The absolute https (or http) address of a file of the site. */
export const absoluteUrl = (siteUrl: string, path: string) => new URL(path, siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`).href;
