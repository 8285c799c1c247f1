// The daemon's incremental state: one CheckDay per check for today (in the site's zone), fed as
// results arrive, so that a publish asks the store only for what it does not know yet. A check is
// read from the store once (the first publish after a start, a new check, or an out-of-order result)
// and then kept; a new day starts from the results already held.
import type { Thresholds } from '../runner/confirm.ts';
import type { CheckResult } from '../probes/types.ts';
import type { ZoneDays } from '../status/component-days.ts';
import { gapLimitFor } from '../store/rollup.ts';
import { dayStart, toEpochDay, type DailyRollup, type EpochDay, type Series } from '../store/types.ts';
import { RollupDay } from './rollup-day.ts';
import { KeptHistory } from './kept-history.ts';
import { CheckDay, type CheckDayOptions, type LiveResult } from './check-day.ts';

/** What the kept state needs of a check. */
export interface KeptCheck {
  id: string;
  confirm: Thresholds;
  schedule: { intervalMs: number };
  timeoutMs: number;
}

/** How far before a day's start a check's results count for its state: enough for confirmation and the gap rule. */
export function lookbackFor(check: Omit<KeptCheck, 'id'>): number {
  return (check.confirm.down + check.confirm.up + 1) * check.schedule.intervalMs + gapLimitFor(check);
}

export function checkDayOptions(check: Omit<KeptCheck, 'id'>): CheckDayOptions {
  return { confirm: check.confirm, gapLimitMs: gapLimitFor(check), lookbackMs: lookbackFor(check) };
}

/**
 * How long results are kept for a check not read from the store yet. The publisher flushes the
 * writer before it reads, so what the store lacks then is what was taken since: seconds. A store
 * that is down fails the read too, and is flushed to before the read that follows.
 */
export const EARLY_SPAN_MS = 15 * 60_000;

export class LiveStatus {
  private readonly days = new Map<string, CheckDay>();
  /** Each check's roll-up of today, a UTC day as the stored roll-ups are. */
  private readonly rollupDays = new Map<string, RollupDay>();
  /** Results taken for checks not read from the store yet; added after the store's rows when they are. */
  private readonly early = new Map<string, LiveResult[]>();
  /** Days answered from what was kept, days read from the store, and checks dropped for an out-of-order result. */
  readonly counts = { kept: 0, read: 0, dropped: 0 };

  /** The stored days before today and the roll-ups, kept between the daemon's refreshes. */
  readonly history = new KeptHistory();

  /** `zone`: the site's calendar days, which the status model's "today" follows. */
  constructor(private readonly zone: ZoneDays) {}

  /** A result as the daemon records it (its own location). */
  take(check: Pick<KeptCheck, 'id'>, result: CheckResult): void {
    const live: LiveResult = { status: result.status, startedAt: result.startedAt, latencyMs: result.latencyMs, message: result.message };
    let day = this.days.get(check.id);
    if (day) {
      if (live.startedAt >= day.dayEnd) {
        const today = this.zone.dayOf(live.startedAt);
        day = CheckDay.after(day, this.zone.startOf(today), this.zone.startOf(today + 1));
        this.days.set(check.id, day);
      }
      if (!day.add(live)) {
        // Out of order: read from the store again at the next publish (which the writer will have reached).
        this.days.delete(check.id);
        this.counts.dropped++;
      }
    }
    let rollup = this.rollupDays.get(check.id);
    if (rollup) {
      if (live.startedAt >= dayStart(rollup.day + 1)) {
        rollup = rollup.next(toEpochDay(live.startedAt));
        this.rollupDays.set(check.id, rollup);
      }
      if (!rollup.add(live)) {
        this.rollupDays.delete(check.id);
        this.counts.dropped++;
      }
    }
    if (this.days.has(check.id) && this.rollupDays.has(check.id)) {
      this.early.delete(check.id);
      return;
    }
    const early = this.early.get(check.id) ?? [];
    early.push(live);
    let drop = 0;
    while (drop < early.length && early[drop]!.startedAt < live.startedAt - EARLY_SPAN_MS) drop++;
    if (drop > 0) early.splice(0, drop);
    this.early.set(check.id, early);
  }

  /**
   * The newest result held for the check (kept day, roll-up or early list), if any: a follower of
   * the store (src/locations/follow.ts) skips what is not newer, since the store's rows read by a
   * publish and the follower's pages overlap, and a result taken twice would count as out of order.
   */
  latestAt(checkId: string): number | undefined {
    const times = [this.days.get(checkId)?.last?.startedAt, this.rollupDays.get(checkId)?.lastAt, this.early.get(checkId)?.at(-1)?.startedAt];
    const held = times.filter((t): t is number => t !== undefined);
    return held.length === 0 ? undefined : Math.max(...held);
  }

  /**
   * The check's day [dayStart, dayEnd) as known at `now`, starting it if it is new; undefined if the
   * check has to be read from the store first, or if what is held is later than that day or than
   * `now` (a question about the past, which only the store answers).
   */
  day(check: Pick<KeptCheck, 'id'>, dayStart: number, dayEnd: number, now: number): CheckDay | undefined {
    let day = this.days.get(check.id);
    if (!day || dayStart < day.dayStart) return undefined;
    if (dayStart > day.dayStart) {
      day = CheckDay.after(day, dayStart, dayEnd);
      this.days.set(check.id, day);
    }
    if (day.last !== undefined && day.last.startedAt > now) return undefined;
    this.counts.kept++;
    return day;
  }

  /**
   * Starts keeping a check from its stored results since `dayStart` minus its lookback (in time
   * order, as the store gives them), then the results taken meanwhile that the store did not have yet.
   */
  adopt(check: KeptCheck, dayStart: number, dayEnd: number, stored: readonly LiveResult[]): CheckDay {
    let day = CheckDay.replay(dayStart, dayEnd, checkDayOptions(check), stored);
    for (const result of this.early.get(check.id) ?? []) {
      if (day.last !== undefined && result.startedAt <= day.last.startedAt) continue;
      if (result.startedAt >= day.dayEnd) {
        const next = this.zone.dayOf(result.startedAt);
        day = CheckDay.after(day, this.zone.startOf(next), this.zone.startOf(next + 1));
      }
      day.add(result);
    }
    this.days.set(check.id, day);
    if (this.rollupDays.has(check.id)) this.early.delete(check.id);
    this.counts.read++;
    return day;
  }

  /** Today's roll-up of the check (UTC `day`) at `now`, if it is kept; undefined if it has to be read. */
  rollup(check: Pick<KeptCheck, 'id'>, day: EpochDay, now: number): DailyRollup | undefined {
    let rollup = this.rollupDays.get(check.id);
    if (!rollup || day < rollup.day) return undefined;
    if (day > rollup.day) {
      rollup = rollup.next(day);
      this.rollupDays.set(check.id, rollup);
    }
    const kept = rollup.rollup(now);
    if (rollup.lastAt !== undefined && rollup.lastAt > now) return undefined;
    this.counts.kept++;
    return kept;
  }

  /** Starts keeping the check's roll-up of UTC `day` from its stored rows of that day, and the results taken meanwhile. */
  adoptRollup(check: Omit<KeptCheck, 'confirm'>, series: Series, day: EpochDay, previous: LiveResult | undefined, stored: readonly LiveResult[]): void {
    let rollup = new RollupDay(series, day, gapLimitFor(check), previous);
    for (const result of stored) rollup.add(result);
    for (const result of this.early.get(check.id) ?? []) {
      if (rollup.lastAt !== undefined && result.startedAt <= rollup.lastAt) continue;
      if (result.startedAt >= dayStart(rollup.day + 1)) rollup = rollup.next(toEpochDay(result.startedAt));
      rollup.add(result);
    }
    this.rollupDays.set(check.id, rollup);
    if (this.days.has(check.id)) this.early.delete(check.id);
    this.counts.read++;
  }

  /** Forgets checks no longer configured. */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.days.keys()) if (!ids.has(id)) this.days.delete(id);
    for (const id of this.rollupDays.keys()) if (!ids.has(id)) this.rollupDays.delete(id);
    for (const id of this.early.keys()) if (!ids.has(id)) this.early.delete(id);
  }

  /** What is held: for the memory figure (bench:soak, bench:publish-gather). */
  size(): { checks: number; segments: number; tail: number; recent: number; early: number; latencyCounts: number } {
    const total = { checks: this.days.size, segments: 0, tail: 0, recent: 0, early: 0, latencyCounts: 0 };
    for (const rollup of this.rollupDays.values()) total.latencyCounts += rollup.size;
    for (const day of this.days.values()) {
      const size = day.size;
      total.segments += size.segments;
      total.tail += size.tail;
      total.recent += size.recent;
    }
    for (const list of this.early.values()) total.early += list.length;
    return total;
  }
}
