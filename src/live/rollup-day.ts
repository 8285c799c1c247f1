// One check's roll-up of today (a UTC day, as the stored roll-ups are) as results arrive: time in
// each state, counts and latency, so the daemon's 10-minute refresh does not read today's rows
// again. Pure: results in time order, the clock passed with each question.
//
// It gives what rollupDay (src/store/rollup.ts) gives from the same rows, with one difference: the
// latency figures come from counts per value rounded to three significant digits, so below 10 ms
// (the stored resolution is 0.01 ms) they are exact, and above it within 0.5% of the value (0.05 ms
// at 10 ms, 5 ms at 1 s). Memory is at most 900 counts per power of ten that the latencies span,
// whatever the number of results. test/live/rollup-day.test.ts compares it with rollupDay.
import type { ProbeStatus } from '../probes/types.ts';
import { SETTLE_MS } from '../store/rollup.ts';
import { DAY_MS, dayStart, type DailyRollup, type EpochDay, type LatencySummary, type Series } from '../store/types.ts';

type Held = { status: ProbeStatus; startedAt: number };

/** The value a latency is counted under: three significant digits, on the stored 0.01 ms grid. */
export function latencyBucket(ms: number): number {
  if (ms <= 0) return 0;
  const digits = Math.floor(Math.log10(ms));
  const step = Math.max(0.01, 10 ** (digits - 2));
  return Math.round(Math.round(ms / step) * step * 100) / 100;
}

export class RollupDay {
  private readonly start: number;
  private previous: Held | undefined;
  private last: Held | undefined;
  private readonly ms = { up: 0, degraded: 0, down: 0 };
  private readonly count = { up: 0, degraded: 0, down: 0 };
  private readonly latencies = new Map<number, number>();
  private measured = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  constructor(
    readonly series: Series,
    readonly day: EpochDay,
    readonly gapLimitMs: number,
    /** The last result before the day: it holds into the day's first moments. */
    previous?: Held,
  ) {
    this.start = dayStart(day);
    this.previous = previous;
  }

  /** The next day's roll-up: what this day's last result carries into it. */
  next(day: EpochDay): RollupDay {
    return new RollupDay(this.series, day, this.gapLimitMs, this.last ?? this.previous);
  }

  /** Takes the next result of the day (in time order); false for one outside the day or out of order. */
  add(result: { status: ProbeStatus; startedAt: number; latencyMs: number | null }): boolean {
    if (result.startedAt < this.start || result.startedAt >= this.start + DAY_MS) return false;
    const holder = this.last ?? this.previous;
    if (this.last && result.startedAt <= this.last.startedAt) return false;
    // The holder's time is known now: it held until this result (within the day, so before any `now`).
    if (holder) this.ms[holder.status] += this.held(holder.startedAt, result.startedAt, this.start + DAY_MS);
    this.last = { status: result.status, startedAt: result.startedAt };
    this.count[result.status]++;
    if (result.latencyMs !== null) {
      const key = latencyBucket(result.latencyMs);
      this.latencies.set(key, (this.latencies.get(key) ?? 0) + 1);
      this.measured++;
      if (result.latencyMs < this.min) this.min = result.latencyMs;
      if (result.latencyMs > this.max) this.max = result.latencyMs;
    }
    return true;
  }

  /** The roll-up as rollupDay makes it at `now`. */
  rollup(now: number): DailyRollup {
    const end = Math.min(this.start + DAY_MS, Math.max(this.start, now));
    const ms = { ...this.ms };
    const holder = this.last ?? this.previous;
    if (holder) ms[holder.status] += this.held(holder.startedAt, undefined, end);
    return {
      checkId: this.series.checkId,
      location: this.series.location,
      day: this.day,
      upMs: ms.up,
      degradedMs: ms.degraded,
      downMs: ms.down,
      noDataMs: Math.max(0, end - this.start - ms.up - ms.degraded - ms.down),
      upCount: this.count.up,
      degradedCount: this.count.degraded,
      downCount: this.count.down,
      latency: this.summary(),
      final: now >= this.start + DAY_MS + Math.max(this.gapLimitMs, SETTLE_MS),
    };
  }

  /** When the latest result taken began, if any. */
  get lastAt(): number | undefined {
    return this.last?.startedAt;
  }

  /** Distinct latency values counted: the size of what is kept. */
  get size(): number {
    return this.latencies.size;
  }

  private held(from: number, next: number | undefined, end: number): number {
    const until = Math.min(next ?? Number.POSITIVE_INFINITY, from + this.gapLimitMs, end);
    const begin = from > this.start ? from : this.start;
    return until > begin ? until - begin : 0;
  }

  /** Nearest rank over the counts, as summarizeLatency ranks the values; min and max are exact. */
  private summary(): LatencySummary | null {
    if (this.measured === 0) return null;
    const keys = [...this.latencies.keys()].sort((a, b) => a - b);
    const ranks = [50, 95, 99].map((p) => Math.max(1, Math.ceil((p / 100) * this.measured)));
    const found: number[] = [];
    let seen = 0;
    for (const key of keys) {
      seen += this.latencies.get(key)!;
      while (found.length < ranks.length && seen >= ranks[found.length]!) found.push(key);
      if (found.length === ranks.length) break;
    }
    const clamp = (x: number) => Math.min(this.max, Math.max(this.min, x));
    return { min: this.min, p50: clamp(found[0]!), p95: clamp(found[1]!), p99: clamp(found[2]!), max: this.max };
  }
}
