// Quorum across locations: a status is believed when enough fresh locations agree on it. Pure, with
// no clock of its own: callers say which locations are fresh (a stale location reports 'unknown').
// One location is the single-machine case and behaves exactly as before: its own confirmed status.
import type { ConfirmedStatus } from '../runner/confirm.ts';
import type { ProbeStatus } from '../probes/types.ts';
import type { Segment } from '../status/timeline.ts';

/** `{ min: n }`: n locations must agree; 'majority': more than half of the locations voting. */
export type QuorumRule = { min: number } | 'majority';

/** One location's view of a check: its confirmed status (thresholds applied there), 'unknown' when it has no fresh result. */
export interface LocationReport {
  location: string;
  status: ConfirmedStatus;
  /** When that confirmed status began (the first result of its confirming streak). */
  since: number | null;
}

export interface Vote {
  /** The status enough locations agree on; null when none has a quorum (too few fresh, or split). */
  status: ProbeStatus | null;
  /** Locations that must agree. */
  needed: number;
  /** Locations with a fresh result, out of `of`. */
  reporting: number;
  of: number;
  /** The locations whose status formed the quorum (for down: every location down). */
  agreeing: string[];
  /** Locations per status, for "1 of 3 locations sees it down". */
  counts: Record<ProbeStatus, number>;
  /** When the agreed status began: for a failure the first failing result among the locations that formed the quorum; for up, the moment the needed-th location came up. */
  since: number | null;
  /** False when the rule can never be met (min greater than the locations voting). */
  reachable: boolean;
}

/** How many of `locations` must agree. One location always decides alone. */
export function neededFor(rule: QuorumRule, locations: number): number {
  if (locations <= 1) return 1;
  return rule === 'majority' ? Math.floor(locations / 2) + 1 : Math.max(1, Math.floor(rule.min));
}

/**
 * The vote at one instant. Down wins if enough locations see down; else degraded if enough see
 * degraded or worse; else up if enough see up. When a failing and a healthy verdict both reach
 * `min` (possible with `min` at most half), the failing one wins: a status page errs towards saying so.
 */
export interface QuorumOptions {
  /**
   * How far before the quorum formed a failure may be dated back: a location's failure that began
   * longer before the needed-th location's than this (one cut off for an hour, then a real outage)
   * is not the start of this outage. Default: no bound. Callers pass the check's confirmation span.
   */
  datingSpanMs?: number;
}

export function vote(reports: readonly LocationReport[], rule: QuorumRule, options: QuorumOptions = {}): Vote {
  const needed = neededFor(rule, reports.length);
  const counts: Record<ProbeStatus, number> = { up: 0, degraded: 0, down: 0 };
  for (const report of reports) if (report.status !== 'unknown') counts[report.status]++;
  const reporting = counts.up + counts.degraded + counts.down;
  const base = { needed, reporting, of: reports.length, counts, reachable: needed <= reports.length };
  const pick = (status: ProbeStatus, members: ReadonlySet<ConfirmedStatus>): Vote => {
    const formed = reports.filter((r) => members.has(r.status));
    const sinces = formed.map((r) => r.since).filter((s): s is number => s !== null).sort((a, b) => a - b);
    // A failure dates from its first failing result among the locations that formed it (within the
    // dating span of the needed-th); a recovery from when enough locations recovered.
    const nth = sinces[Math.min(needed, sinces.length) - 1];
    const bound = options.datingSpanMs === undefined || nth === undefined ? Number.NEGATIVE_INFINITY : nth - options.datingSpanMs;
    const since = nth === undefined ? null : status === 'up' ? nth : sinces.find((s) => s >= bound)!;
    return { ...base, status, agreeing: formed.map((r) => r.location), since };
  };
  if (reporting >= needed) {
    if (counts.down >= needed) return pick('down', new Set(['down']));
    if (counts.down + counts.degraded >= needed) return pick('degraded', new Set(['down', 'degraded']));
    if (counts.up >= needed) return pick('up', new Set(['up']));
  }
  return { ...base, status: null, agreeing: [], since: null };
}

/** The status believed over time: the last agreed status holds while no quorum forms; 'unknown' while no location reports at all. */
export interface AgreedState {
  status: ConfirmedStatus;
  since: number | null;
}

export const initialAgreedState: AgreedState = { status: 'unknown', since: null };

/** The agreed state after a vote: the vote's status if it has one, the previous one held if not, 'unknown' if nobody reports. */
export function agreedNext(previous: AgreedState, reports: readonly LocationReport[], rule: QuorumRule, options: QuorumOptions = {}): { state: AgreedState; vote: Vote } {
  const v = vote(reports, rule, options);
  if (v.status !== null) {
    const state = v.status === previous.status ? previous : { status: v.status, since: v.since };
    return { state, vote: v };
  }
  if (v.reporting === 0) return { state: previous.status === 'unknown' ? previous : { status: 'unknown', since: null }, vote: v };
  return { state: previous, vote: v };
}

/**
 * The agreed timeline over [from, to) from each location's confirmed timeline ('unknown' = no data
 * there). Cut at every instant any location changes; at each, the vote decides, a split or too few
 * fresh locations hold the status before, and no location at all is 'unknown'. A failure the vote
 * agrees on is then dated back to the first failing result of the locations that formed it.
 */
export function agreeTimelines(
  locations: ReadonlyArray<{ location: string; timeline: readonly Segment<ConfirmedStatus>[] }>,
  rule: QuorumRule,
  from: number,
  to: number,
  options: QuorumOptions = {},
): Segment<ConfirmedStatus>[] {
  if (locations.length === 1) return clip(locations[0]!.timeline, from, to);
  const cuts = new Set<number>([from, to]);
  for (const { timeline } of locations) for (const s of timeline) cuts.add(s.from).add(s.to);
  const instants = [...cuts].filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  const cursors = locations.map(() => 0);
  const at = (i: number, t: number): Segment<ConfirmedStatus> | undefined => {
    const timeline = locations[i]!.timeline;
    while (cursors[i]! < timeline.length && timeline[cursors[i]!]!.to <= t) cursors[i]!++;
    const segment = timeline[cursors[i]!];
    return segment && segment.from <= t ? segment : undefined;
  };
  const out: Segment<ConfirmedStatus>[] = [];
  const push = (start: number, end: number, status: ConfirmedStatus) => {
    if (end <= start) return;
    const last = out[out.length - 1];
    if (last && last.status === status && last.to === start) last.to = end;
    else out.push({ from: start, to: end, status });
  };
  let held: ConfirmedStatus = 'unknown';
  for (let k = 0; k + 1 < instants.length; k++) {
    const t = instants[k]!;
    const reports: LocationReport[] = locations.map(({ location }, i) => {
      const segment = at(i, t);
      return { location, status: segment?.status ?? 'unknown', since: segment ? runStart(locations[i]!.timeline, cursors[i]!) : null };
    });
    const { state } = agreedNext({ status: held, since: null }, reports, rule, options);
    if (state.status !== held && (state.status === 'down' || state.status === 'degraded') && state.since !== null && state.since < t) {
      relabel(out, Math.max(from, state.since), t, state.status);
    }
    held = state.status;
    push(t, instants[k + 1]!, held);
  }
  return out;
}

/** Where the run of equal statuses that contains segment `index` began. */
function runStart(timeline: readonly Segment<ConfirmedStatus>[], index: number): number {
  let i = index;
  while (i > 0 && timeline[i - 1]!.status === timeline[index]!.status && timeline[i - 1]!.to === timeline[i]!.from) i--;
  return timeline[i]!.from;
}

/** Marks [start, end) of the built timeline as `status` (a failure dated back), merging neighbours. */
function relabel(out: Segment<ConfirmedStatus>[], start: number, end: number, status: ConfirmedStatus): void {
  const kept: Segment<ConfirmedStatus>[] = [];
  for (const s of out) {
    if (s.to <= start || s.from >= end) kept.push(s);
    else {
      if (s.from < start) kept.push({ from: s.from, to: start, status: s.status });
      if (s.to > end) kept.push({ from: end, to: s.to, status: s.status });
    }
  }
  kept.push({ from: start, to: end, status });
  kept.sort((a, b) => a.from - b.from);
  out.length = 0;
  for (const s of kept) {
    const last = out[out.length - 1];
    if (last && last.status === s.status && last.to === s.from) last.to = s.to;
    else out.push({ ...s });
  }
}

function clip(timeline: readonly Segment<ConfirmedStatus>[], from: number, to: number): Segment<ConfirmedStatus>[] {
  return timeline.filter((s) => s.to > from && s.from < to).map((s) => ({ from: Math.max(s.from, from), to: Math.min(s.to, to), status: s.status }));
}
