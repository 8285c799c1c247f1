// One store interface, two engines (sqlite.ts, postgres.ts), one contract suite (test/store/contract.ts).
// Engines only keep and fetch rows; the arithmetic of roll-ups is pure and lives in rollup.ts.
import type { CheckResult, ProbeStatus } from '../probes/types.ts';

export type StoreEngine = 'sqlite' | 'postgres';

/** A recorded result, tagged with the location that measured it. */
export interface StoredResult {
  checkId: string;
  location: string;
  status: ProbeStatus;
  /** Epoch ms. */
  startedAt: number;
  latencyMs: number | null;
  message: string;
  /** Kept for degraded and down results only: what went wrong is worth its bytes, a healthy run's phases are not. */
  details: CheckResult['details'];
}

/** Days are counted in whole UTC days since 1970-01-01, so both engines agree without date types. */
export type EpochDay = number;

export interface LatencySummary {
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** One check, one location, one UTC day: time in each status, time-weighted, plus counts and latency. */
export interface DailyRollup {
  checkId: string;
  location: string;
  day: EpochDay;
  upMs: number;
  degradedMs: number;
  downMs: number;
  /** Time not covered by any result (a gap longer than the gap limit, or before the first result). */
  noDataMs: number;
  upCount: number;
  degradedCount: number;
  downCount: number;
  /** Over the results that measured a latency; null when none did. */
  latency: LatencySummary | null;
  /** True once the day is over and no later result can change it; only final days let raw rows be pruned. */
  final: boolean;
}

/** A component's status over time, as its checks decided it, before posts are laid over it. */
export type ComponentDayStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | null;

/**
 * One component, one location, one day: the check-derived status timeline of that day as segments
 * (from, to in epoch ms; status null = no data). Kept for good, like roll-ups, so 90 days of uptime
 * never need 90 days of raw results, and posts (which can be edited later) are applied when the
 * site is built, not baked in. `day` is a calendar day number in the site's zone (days since
 * 1970-01-01 of that local date).
 */
export interface ComponentDay {
  componentId: string;
  location: string;
  day: EpochDay;
  segments: Array<{ from: number; to: number; status: ComponentDayStatus }>;
  final: boolean;
}

export interface ResultQuery {
  checkId?: string;
  location?: string;
  /** Inclusive, epoch ms. */
  since: number;
  /** Exclusive, epoch ms; default: no end. */
  until?: number;
}

export interface Series {
  checkId: string;
  location: string;
}

export interface Store {
  readonly engine: StoreEngine;
  /** Applies pending migrations; refuses a database newer than this code (SP_STORE_TOO_NEW). */
  migrate(): Promise<void>;
  /** Writes all results in one transaction: all of them or none. */
  record(results: readonly CheckResult[], location: string): Promise<void>;
  /** Results in time order (then check id), for one series or all. */
  results(query: ResultQuery): Promise<StoredResult[]>;
  /** The same as results(), streamed in batches, for exports of any size. */
  streamResults(query: ResultQuery): AsyncIterable<StoredResult>;
  /** The last result of a series strictly before `at`: it holds into the period that starts at `at`. */
  lastResultBefore(series: Series, at: number): Promise<StoredResult | undefined>;
  /** When the first result of a series was taken, if it has any. */
  firstResultAt(series: Series): Promise<number | undefined>;
  /** Every series (check × location) that has results or roll-ups. */
  series(): Promise<Series[]>;
  /** Inserts or replaces roll-ups (by check, location and day). */
  saveRollups(rollups: readonly DailyRollup[]): Promise<void>;
  /** Roll-ups with day in [sinceDay, untilDay], ordered by check, location, day. */
  rollups(query: { checkId?: string; location?: string; sinceDay: EpochDay; untilDay?: EpochDay }): Promise<DailyRollup[]>;
  /** The newest day of a series whose roll-up is final, if any. */
  lastFinalDay(series: Series): Promise<EpochDay | undefined>;
  /** Inserts or replaces component days (by component, location and day). */
  saveComponentDays(days: readonly ComponentDay[]): Promise<void>;
  /** Component days with day in [sinceDay, untilDay], ordered by component, location, day. */
  componentDays(query: { componentId?: string; location?: string; sinceDay: EpochDay; untilDay?: EpochDay }): Promise<ComponentDay[]>;
  /** The newest final day of a component at a location, if any. */
  lastFinalComponentDay(componentId: string, location: string): Promise<EpochDay | undefined>;
  /**
   * Deletes raw results older than `before`, but only those in days whose roll-up is final, so
   * pruning never loses a day's numbers. Returns how many rows went.
   */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}

export const DAY_MS = 86_400_000;

export const toEpochDay = (ms: number): EpochDay => Math.floor(ms / DAY_MS);
export const dayStart = (day: EpochDay): number => day * DAY_MS;
/** "2026-11-23" */
export const dayKey = (day: EpochDay): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
