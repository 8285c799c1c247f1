// Timelines: what each check, then each component, was at every moment. A check's results become
// confirmed statuses (an outage dated from its first failing result), each holding until the next
// result or the gap limit; components combine their checks; posts are laid over them. Pure.
import type { ProbeStatus } from '../probes/types.ts';
import { confirmNext, initialConfirmState, type ConfirmedStatus, type Thresholds } from '../runner/confirm.ts';
import type { ComponentStatus, Post } from '../posts/types.ts';
import { statusFromChecks, worse, type OutageRule } from './component-status.ts';

export interface Segment<S> {
  from: number;
  to: number;
  status: S;
}

/** A check's confirmed status over [from, to); 'unknown' where there is no data. */
export function checkTimeline(
  unordered: ReadonlyArray<{ status: ProbeStatus; startedAt: number }>,
  options: { confirm: Thresholds; gapLimitMs: number },
  from: number,
  to: number,
): Segment<ConfirmedStatus>[] {
  // Results from several writers (or a buffer flushed late) may arrive out of order.
  const results = isSorted(unordered) ? unordered : [...unordered].sort((a, b) => a.startedAt - b.startedAt);
  // Confirmed status per result, relabelled back to the first result of a confirming streak.
  const effective: ConfirmedStatus[] = [];
  let state = initialConfirmState;
  results.forEach((result, i) => {
    const next = confirmNext(state, result, options.confirm);
    effective[i] = next.status;
    if (next.status !== state.status && next.since !== null) {
      for (let j = i - 1; j >= 0 && results[j]!.startedAt >= next.since; j--) effective[j] = next.status;
    }
    state = next;
  });

  const segments: Segment<ConfirmedStatus>[] = [];
  const push = (start: number, end: number, status: ConfirmedStatus) => {
    const a = Math.max(start, from);
    const b = Math.min(end, to);
    if (b <= a) return;
    const last = segments[segments.length - 1];
    if (last && last.status === status && last.to === a) last.to = b;
    else segments.push({ from: a, to: b, status });
  };
  let cursor = from;
  results.forEach((result, i) => {
    const holdsUntil = Math.min(results[i + 1]?.startedAt ?? Number.POSITIVE_INFINITY, result.startedAt + options.gapLimitMs);
    if (result.startedAt > cursor) push(cursor, result.startedAt, 'unknown');
    push(result.startedAt, holdsUntil, effective[i]!);
    cursor = Math.max(cursor, holdsUntil);
  });
  if (cursor < to) push(cursor, to, 'unknown');
  return segments;
}

/** The component's status from its checks' timelines; null where none has data. */
export function componentTimeline(checks: ReadonlyArray<Segment<ConfirmedStatus>[]>, rule: OutageRule, from: number, to: number): Segment<ComponentStatus | null>[] {
  const cuts = new Set<number>([from, to]);
  for (const timeline of checks) for (const segment of timeline) cuts.add(segment.from).add(segment.to);
  const instants = [...cuts].filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  const cursors = checks.map(() => 0);
  const out: Segment<ComponentStatus | null>[] = [];
  for (let i = 0; i + 1 < instants.length; i++) {
    const start = instants[i]!;
    const statuses = checks.map((timeline, c) => {
      while (cursors[c]! < timeline.length && timeline[cursors[c]!]!.to <= start) cursors[c]!++;
      const segment = timeline[cursors[c]!];
      return segment && segment.from <= start ? segment.status : 'unknown';
    });
    const status = statusFromChecks(statuses, rule);
    const last = out[out.length - 1];
    if (last && last.status === status) last.to = instants[i + 1]!;
    else out.push({ from: start, to: instants[i + 1]!, status });
  }
  return out;
}

/** What a component's status was, from posts alone, over time: incidents and announced maintenance. */
export function postSegments(componentId: string, posts: readonly Post[], to: number): Segment<ComponentStatus>[] {
  const segments: Segment<ComponentStatus>[] = [];
  for (const post of posts) {
    if (post.kind === 'incident') {
      let status = post.components[componentId];
      let since = post.startedAt;
      const end = post.resolvedAt ?? to;
      for (const update of post.updates) {
        const next = update.components[componentId];
        if (next === undefined || update.at >= end) continue;
        if (status !== undefined && update.at > since) segments.push({ from: since, to: update.at, status });
        status = next;
        since = Math.max(since, update.at);
      }
      if (status !== undefined && end > since) segments.push({ from: since, to: end, status });
    } else if (!post.cancelled && post.components.includes(componentId) && post.announcedAt <= post.startsAt) {
      // Only maintenance announced before it began counts as maintenance; a window written up
      // afterwards is an outage like any other, judged by the checks.
      const end = post.completedAt !== null ? Math.min(post.completedAt, post.endsAt) : post.endsAt;
      if (end > post.startsAt) segments.push({ from: post.startsAt, to: end, status: 'under_maintenance' });
    }
  }
  return segments;
}

/**
 * Posts over checks: where an incident speaks its (worst) status wins, then maintenance; elsewhere
 * the checks' status stands, and null (no data) stays null.
 */
export function overlayPosts(base: readonly Segment<ComponentStatus | null>[], posts: readonly Segment<ComponentStatus>[]): Segment<ComponentStatus | null>[] {
  if (posts.length === 0) return [...base];
  const cuts = new Set<number>();
  for (const s of base) cuts.add(s.from).add(s.to);
  for (const s of posts) cuts.add(s.from).add(s.to);
  const from = base[0]?.from ?? 0;
  const to = base[base.length - 1]?.to ?? 0;
  const instants = [...cuts].filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  const out: Segment<ComponentStatus | null>[] = [];
  let b = 0;
  for (let i = 0; i + 1 < instants.length; i++) {
    const start = instants[i]!;
    while (b < base.length && base[b]!.to <= start) b++;
    let status: ComponentStatus | null = base[b] && base[b]!.from <= start ? base[b]!.status : null;
    let incident: ComponentStatus | undefined;
    let maintenance = false;
    for (const post of posts) {
      if (post.from > start || post.to <= start) continue;
      if (post.status === 'under_maintenance') maintenance = true;
      else incident = incident === undefined ? post.status : worse(incident, post.status);
    }
    if (incident !== undefined) status = incident;
    else if (maintenance) status = 'under_maintenance';
    const last = out[out.length - 1];
    if (last && last.status === status) last.to = instants[i + 1]!;
    else out.push({ from: start, to: instants[i + 1]!, status });
  }
  return out;
}

function isSorted(results: ReadonlyArray<{ startedAt: number }>): boolean {
  for (let i = 1; i < results.length; i++) if (results[i]!.startedAt < results[i - 1]!.startedAt) return false;
  return true;
}
