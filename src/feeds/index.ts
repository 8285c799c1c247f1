// Every feed and API file of a build, from the same Snapshot and posts as the pages.
import type { FeedContext, FeedFile } from './context.ts';
import { badgeFiles } from './badge.ts';
import { bannerFiles } from './banner.ts';
import { icsFiles, type WindowHistory } from './ics.ts';
import { rssFiles } from './rss.ts';
import { statuspageFiles } from './statuspage.ts';

export type { FeedContext, FeedFile } from './context.ts';

export function feedFiles(context: FeedContext, windows: WindowHistory): FeedFile[] {
  return [...statuspageFiles(context), ...bannerFiles(context), ...rssFiles(context, windows), ...icsFiles(context, windows), ...badgeFiles(context)];
}
