// Every feed and API file of a build, from the same Snapshot and posts as the pages.
import type { FeedContext, FeedFile } from './context.ts';
import { atomFiles } from './atom.ts';
import { badgeFiles } from './badge.ts';
import { bannerFiles } from './banner.ts';
import { icsFiles, type WindowHistory } from './ics.ts';
import { jsonFeedFiles } from './json-feed.ts';
import { feedChannels, rssFiles } from './rss.ts';
import { statuspageFiles } from './statuspage.ts';

export type { FeedContext, FeedFile } from './context.ts';

export function feedFiles(context: FeedContext, windows: WindowHistory): FeedFile[] {
  // RSS, Atom and JSON Feed from one list of channels and items: the same ids in all three.
  const channels = feedChannels(context, windows);
  return [
    ...statuspageFiles(context),
    ...bannerFiles(context),
    ...rssFiles(context, windows, channels),
    ...atomFiles(context, channels),
    ...jsonFeedFiles(context, channels),
    ...icsFiles(context, windows),
    ...badgeFiles(context),
  ];
}
