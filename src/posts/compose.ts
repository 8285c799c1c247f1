// A new post as a file: front matter serialised by the yaml package (never templated), times on the
// author's wall clock in their zone, and a name of the form YYYY-MM-DD-slug.md. Used by
// `statuspost new` and by the demo, which schedules an upcoming window the same way an operator would.
import { stringify } from 'yaml';
import type { ComponentStatus, Impact, IncidentStatus } from './types.ts';
import { POST_FOLDERS } from './load.ts';
import { formatWallClock, formatZoned, parsePostTime, zonedDate } from './time.ts';

export type NewPost =
  | {
      kind: 'incident';
      title: string;
      zone: string;
      start: number;
      components: string[];
      impact: Impact;
      status: ComponentStatus;
      /** Default: one "investigating" update at the start. */
      updates?: Array<{ at: number; status: IncidentStatus; body: string }>;
      /** A postmortem (the body) and its publication time, for an incident already resolved. */
      postmortem?: { at: number; body: string };
    }
  | {
      kind: 'maintenance';
      title: string;
      zone: string;
      start: number;
      durationText: string;
      announcedAt: number;
      components: string[];
      affected?: string;
      unaffected?: string;
      signInBlocked?: boolean;
      body?: string;
    };

export function composePost(post: NewPost): { file: string; text: string } {
  const wall = (instant: number) => authorsTime(instant, post.zone);
  const frontMatter =
    post.kind === 'incident'
      ? {
          title: post.title,
          impact: post.impact,
          timezone: post.zone,
          start: wall(post.start),
          signInBlocked: false, // written out so that authors see the switch client apps read
          components: Object.fromEntries(post.components.map((id) => [id, post.status])),
          updates: (post.updates ?? [{ at: post.start, status: 'investigating', body: 'We are investigating reports of a problem and will post an update within 30 minutes.' }]).map(
            (update) => ({ ...update, at: wall(update.at) }),
          ),
          ...(post.postmortem ? { postmortemAt: wall(post.postmortem.at) } : {}),
        }
      : {
          title: post.title,
          timezone: post.zone,
          announcedAt: wall(Math.min(post.announcedAt, post.start)),
          window: { start: wall(post.start), duration: post.durationText },
          components: post.components,
          affected: post.affected ?? 'Describe what stops working during the window.',
          unaffected: post.unaffected ?? 'Describe what keeps working.',
          signInBlocked: post.signInBlocked ?? false,
          updates: [],
        };
  const body =
    post.kind === 'maintenance' ? `\n${post.body ?? 'What the work is, and why it is worth the interruption.'}\n` : post.postmortem ? `\n${post.postmortem.body}\n` : '';
  return {
    file: `${POST_FOLDERS[post.kind]}/${zonedDate(post.start, post.zone)}-${slugify(post.title)}.md`,
    text: `---\n${stringify(frontMatter, { lineWidth: 0 })}---\n${body}`,
  };
}

/**
 * The wall clock an author would write (2026-11-28T22:00), to the minute; or, in the hour a
 * daylight-saving change repeats, where that clock names two instants, the time with its offset.
 */
export function authorsTime(instant: number, zone: string): string {
  const minute = Math.floor(instant / 60_000) * 60_000;
  const wall = formatWallClock(minute, zone);
  return parsePostTime(wall, zone) === minute ? wall : formatZoned(minute, zone);
}

export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'post';
}
