// One check's day as results arrive: its confirmation state, its timeline since the day began and
// its latest result, kept incrementally so that a publish reads nothing it already knows. Pure: the
// caller passes each result in, in time order, and the clock with each question.
//
// What it answers is by definition what the status model computes from the store (src/status/gather.ts):
// the results of [day start - lookback, now], replayed from the initial confirmation state, then
// `checkTimeline` over [day start, now). test/live/check-day.test.ts compares the two on random days.
//
// How: a result's place on the timeline is final once the next result has arrived (it holds until
// then) and no confirming streak can still relabel it (relabelling reaches back only to the start of
// the pending streak). Final results become run-length segments; the rest (the pending streak and the
// latest result, a handful) stay in `tail`. Memory is one segment per status change or gap, plus the
// results of the last lookback span, whatever the number of results.
import type { ProbeStatus } from '../probes/types.ts';
import { confirmNext, initialConfirmState, type ConfirmedStatus, type ConfirmState, type Thresholds } from '../runner/confirm.ts';
import type { Segment } from '../status/timeline.ts';

export interface LiveResult {
  status: ProbeStatus;
  startedAt: number;
  latencyMs: number | null;
  message: string;
}

export interface CheckDayOptions {
  confirm: Thresholds;
  /** A result holds at most this long without a newer one (gapLimitFor). */
  gapLimitMs: number;
  /** How far before the day's start results count for its confirmation state (resultsForDay). */
  lookbackMs: number;
}

interface TailEntry {
  status: ProbeStatus;
  startedAt: number;
  effective: ConfirmedStatus;
}

export class CheckDay {
  /** The confirmation state after every result taken so far (from the day's start minus lookback). */
  state: ConfirmState = initialConfirmState;
  /** The latest result taken. */
  last: LiveResult | undefined;
  private readonly segments: Segment<ConfirmedStatus>[] = [];
  private cursor: number;
  private readonly tail: TailEntry[] = [];
  /** Results of the last lookback span: what the next day's state starts from. */
  private readonly recent: LiveResult[] = [];

  constructor(
    readonly dayStart: number,
    readonly dayEnd: number,
    readonly options: CheckDayOptions,
  ) {
    this.cursor = dayStart;
  }

  /** A day from results in time order (a check's stored rows since the day's start minus its lookback). */
  static replay(dayStart: number, dayEnd: number, options: CheckDayOptions, results: Iterable<LiveResult>): CheckDay {
    const day = new CheckDay(dayStart, dayEnd, options);
    for (const result of results) day.add(result);
    return day;
  }

  /** A later day, [dayStart, dayEnd), from the results of this one that it needs. */
  static after(previous: CheckDay, dayStart: number, dayEnd: number): CheckDay {
    const next = new CheckDay(dayStart, dayEnd, previous.options);
    for (const result of previous.recent) if (result.startedAt >= dayStart - previous.options.lookbackMs) next.add(result);
    return next;
  }

  /**
   * Takes the next result. Returns false, and takes nothing, for one that is not later than the
   * latest (out of order, or a second at the same instant): the caller then rebuilds from the store.
   */
  add(result: LiveResult): boolean {
    if (this.last !== undefined && result.startedAt <= this.last.startedAt) return false;
    if (result.startedAt < this.dayStart - this.options.lookbackMs) return true; // before what the day reads
    const next = confirmNext(this.state, result, this.options.confirm);
    if (next.status !== this.state.status && next.since !== null) {
      // The streak that confirmed it is dated from its first result: relabel back to there (timeline.ts).
      for (let j = this.tail.length - 1; j >= 0 && this.tail[j]!.startedAt >= next.since; j--) this.tail[j]!.effective = next.status;
    }
    this.tail.push({ status: result.status, startedAt: result.startedAt, effective: next.status });
    this.state = next;
    this.last = result;
    this.recent.push(result);
    const keepFrom = result.startedAt - this.options.lookbackMs;
    let drop = 0;
    while (drop < this.recent.length && this.recent[drop]!.startedAt < keepFrom) drop++;
    if (drop > 0) this.recent.splice(0, drop);
    this.settle();
    return true;
  }

  /** The check's confirmed status over [day start, to), exactly as checkTimeline gives it from the same results. */
  timeline(to: number): Segment<ConfirmedStatus>[] {
    const out: Segment<ConfirmedStatus>[] = [];
    for (const segment of this.segments) {
      if (segment.from >= to) break;
      out.push({ from: segment.from, to: Math.min(segment.to, to), status: segment.status });
    }
    let cursor = this.cursor;
    const push = (start: number, end: number, status: ConfirmedStatus) => {
      const a = Math.max(start, this.dayStart);
      const b = Math.min(end, to);
      if (b <= a) return;
      const last = out[out.length - 1];
      if (last && last.status === status && last.to === a) last.to = b;
      else out.push({ from: a, to: b, status });
    };
    this.tail.forEach((entry, i) => {
      const holdsUntil = Math.min(this.tail[i + 1]?.startedAt ?? Number.POSITIVE_INFINITY, entry.startedAt + this.options.gapLimitMs);
      if (entry.startedAt > cursor) push(cursor, entry.startedAt, 'unknown');
      push(entry.startedAt, holdsUntil, entry.effective);
      cursor = Math.max(cursor, holdsUntil);
    });
    if (cursor < to) push(cursor, to, 'unknown');
    return out;
  }

  /** Segments plus tail entries: the state's size, for the memory figure. */
  get size(): { segments: number; tail: number; recent: number } {
    return { segments: this.segments.length, tail: this.tail.length, recent: this.recent.length };
  }

  /** Moves every result whose place can no longer change from the tail into the segments. */
  private settle(): void {
    const latest = this.last!.startedAt;
    const pendingSince = this.state.pending?.since ?? Number.POSITIVE_INFINITY;
    let emitted = 0;
    while (emitted + 1 < this.tail.length) {
      const entry = this.tail[emitted]!;
      if (entry.startedAt >= pendingSince || entry.startedAt >= latest) break;
      const holdsUntil = Math.min(this.tail[emitted + 1]!.startedAt, entry.startedAt + this.options.gapLimitMs);
      if (entry.startedAt > this.cursor) this.push(this.cursor, entry.startedAt, 'unknown');
      this.push(entry.startedAt, holdsUntil, entry.effective);
      this.cursor = Math.max(this.cursor, holdsUntil);
      emitted++;
    }
    if (emitted > 0) this.tail.splice(0, emitted);
  }

  private push(start: number, end: number, status: ConfirmedStatus): void {
    const a = Math.max(start, this.dayStart);
    if (end <= a) return;
    const last = this.segments[this.segments.length - 1];
    if (last && last.status === status && last.to === a) last.to = end;
    else this.segments.push({ from: a, to: end, status });
  }
}
