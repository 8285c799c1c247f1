// What every feed is made from: the same Snapshot and posts as the pages, the time of the build, and
// the site's public address. Each feed is a pure function of this, serialised by code.
import { words, type Words } from '../i18n/messages.ts';
import type { Post } from '../posts/types.ts';
import type { Snapshot } from '../status/snapshot.ts';

export interface FeedContext {
  snapshot: Snapshot;
  /** Already filtered to what is published at `now` (announced maintenance, past updates only). */
  posts: readonly Post[];
  now: number;
  /** "https://status.example.org/", always with the trailing slash. */
  baseUrl: string;
}

export interface FeedFile {
  /** Relative to the site folder. */
  path: string;
  body: string | Buffer;
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const postUrl = (context: FeedContext, post: Post) => new URL(`${post.kind === 'incident' ? 'incidents' : 'maintenance'}/${post.slug}/`, context.baseUrl).href;
/** The fixed words of every feed, in the site's language (the Statuspage API keeps its English: see statuspage.ts). */
export const wordsOf = (context: FeedContext): Words => words(context.snapshot.site.language);
export const componentName = (context: FeedContext, id: string) => context.snapshot.components.find((c) => c.id === id)?.name ?? id;
