// A new post as a file: front matter serialised by the yaml package (never templated), times on the
// author's wall clock in their zone, and a name of the form YYYY-MM-DD-slug.md. Used by
// `statuspost new` and by the demo, which schedules an upcoming window the same way an operator would.
import { stringify } from 'yaml';
import type { ComponentStatus, Impact, IncidentStatus } from './types.ts';
import { POST_FOLDERS } from './load.ts';
import { formatWallClock, formatZoned, parsePostTime, zonedDate } from './time.ts';
import { PLACEHOLDERS, STANDARD_MESSAGES } from './wording.ts';

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
      /** Nobody can sign in from the start (default false). */
      signInBlocked?: boolean;
      /** Written as `draft: true`: validated, published nowhere until `statuspost publish`. */
      draft?: boolean;
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
      /** Clients older than this version must update. */
      updateRequired?: string;
      body?: string;
      /** Written as `draft: true`. Without it a window whose texts are placeholders is a draft anyway. */
      draft?: boolean;
    };

/** Whether composePost fills placeholder text into `post` (and so writes it as a draft). */
export function fillsPlaceholders(post: NewPost): boolean {
  return post.kind === 'maintenance' && (post.affected === undefined || post.unaffected === undefined || post.body === undefined);
}

export function composePost(post: NewPost): { file: string; text: string; draft: boolean } {
  const wall = (instant: number) => authorsTime(instant, post.zone);
  const draft = post.draft === true || fillsPlaceholders(post);
  const frontMatter =
    post.kind === 'incident'
      ? {
          ...(draft ? { draft: true } : {}),
          title: post.title,
          impact: post.impact,
          timezone: post.zone,
          start: wall(post.start),
          signInBlocked: post.signInBlocked ?? false, // written out so that authors see the switch client apps read
          components: Object.fromEntries(post.components.map((id) => [id, post.status])),
          updates: (post.updates ?? [{ at: post.start, status: 'investigating', body: STANDARD_MESSAGES.investigating }]).map(
            (update) => ({ ...update, at: wall(update.at) }),
          ),
          ...(post.postmortem ? { postmortemAt: wall(post.postmortem.at) } : {}),
        }
      : {
          ...(draft ? { draft: true } : {}),
          title: post.title,
          timezone: post.zone,
          announcedAt: wall(Math.min(post.announcedAt, post.start)),
          window: { start: wall(post.start), duration: post.durationText },
          components: post.components,
          affected: post.affected ?? PLACEHOLDERS.affected,
          unaffected: post.unaffected ?? PLACEHOLDERS.unaffected,
          signInBlocked: post.signInBlocked ?? false,
          ...(post.updateRequired !== undefined ? { updateRequired: { minimumVersion: post.updateRequired } } : {}),
          updates: [],
        };
  const body =
    post.kind === 'maintenance' ? `\n${post.body ?? PLACEHOLDERS.maintenanceBody}\n` : post.postmortem ? `\n${post.postmortem.body}\n` : '';
  return {
    file: `${POST_FOLDERS[post.kind]}/${zonedDate(post.start, post.zone)}-${slugify(post.title)}.md`,
    text: `---\n${stringify(frontMatter, { lineWidth: 0 })}---\n${body}`,
    draft,
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
