// One row per post for `statuspost list`: its kind, state now, start and last update. Pure.
import { maintenanceState } from './state.ts';
import type { Post } from './types.ts';

export type ListedState =
  | 'investigating'
  | 'identified'
  | 'monitoring'
  | 'resolved'
  | 'scheduled'
  | 'in progress'
  | 'overrunning'
  | 'completed'
  | 'cancelled';

export interface ListedPost {
  kind: Post['kind'];
  slug: string;
  title: string;
  state: ListedState;
  draft: boolean;
  /** Still being dealt with: an incident not resolved; a window scheduled, in progress or overrunning. */
  open: boolean;
  /** Epoch ms: the incident's start, the window's start. */
  start: number;
  /** Epoch ms of the last update; null when there is none. */
  lastUpdate: number | null;
  timezone: string;
  file: string;
}

export function listedPost(post: Post, now: number): ListedPost {
  const state = stateOf(post, now);
  return {
    kind: post.kind,
    slug: post.slug,
    title: post.title,
    state,
    draft: post.draft === true,
    open: !['resolved', 'completed', 'cancelled'].includes(state),
    start: post.kind === 'incident' ? post.startedAt : post.startsAt,
    lastUpdate: post.updates.at(-1)?.at ?? null,
    timezone: post.timezone,
    file: post.file,
  };
}

function stateOf(post: Post, now: number): ListedState {
  if (post.kind === 'incident') return post.updates.at(-1)?.status ?? 'investigating';
  const state = maintenanceState(post, now);
  if (state === 'upcoming') return 'scheduled';
  if (state === 'in_progress') return 'in progress';
  return state;
}

/** Newest first: the one an engineer is looking for is at the top. */
export function byStartDescending(a: ListedPost, b: ListedPost): number {
  return b.start - a.start || (a.slug < b.slug ? -1 : 1);
}
