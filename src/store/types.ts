// One store interface, two engines (sqlite.ts, postgres.ts), one contract suite (test/store/contract.ts).
// Engines only keep and fetch rows; the arithmetic of roll-ups is pure and lives in rollup.ts.
import type { Delivery, DeliveryState, NotifyEvent, NotifyEventKind, OutboxEntry } from '../notify/types.ts';
import type { CheckResult, ProbeStatus } from '../probes/types.ts';
import type { ConfirmedStatus } from '../runner/confirm.ts';

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
  /**
   * Writes all results in one transaction: all of them or none. Outbox entries (alerts caused by
   * these results) go in the same transaction, so a confirmed change and its alert are stored
   * together or not at all; an event whose key is already stored is skipped with its deliveries.
   */
  record(results: readonly CheckResult[], location: string, outbox?: readonly OutboxEntry[]): Promise<void>;
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

  // Several locations (src/locations/): a publisher follows every location's new results, holds a
  // lease so that one publishes at a time, and writes the agreed statuses fenced by its token.
  /**
   * Results committed after `cursor`, in commit order, at most `limit`; a result is given once.
   * `null` starts at the store's present: no results, and the cursor to follow from. Results of
   * transactions still open are not skipped: they come in a later page once committed.
   */
  resultsAfter(cursor: ResultCursor | null, limit: number): Promise<ResultPage>;
  /**
   * Takes or renews the lease `name` for `holder` for `ttlMs` (by the database's clock). Returns the
   * grant while `holder` holds it (a takeover gets a larger token than any before), or null while
   * another holder's lease runs.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseGrant | null>;
  /** Gives the lease up at once if `holder` still holds it with `token` (a clean stop: the next publisher need not wait). */
  releaseLease(name: string, holder: string, token: number): Promise<void>;
  /**
   * Fencing: in one transaction that holds the lease's row, and only if `token` is still the lease's
   * token and unexpired, writes `verdicts` and `outbox`, then runs `during` (the site's swap) before
   * committing. Otherwise rejects with SP_LEASE_LOST and nothing is written or run.
   */
  fenced(name: string, token: number, writes: { verdicts?: readonly Verdict[]; outbox?: readonly OutboxEntry[] }, during?: () => Promise<void>): Promise<void>;
  /** The latest verdict of each check (a publisher taking over resumes from them). */
  verdicts(): Promise<Verdict[]>;

  // Outbox (src/notify/): events with unique keys, one delivery row per (event, target).
  /** Stores entries in one transaction; events already stored (same key) are skipped. Returns how many were new. */
  enqueue(entries: readonly OutboxEntry[]): Promise<number>;
  /** Pending deliveries with nextAttemptAt <= now, oldest first, with their events. */
  dueDeliveries(now: number, limit: number): Promise<Array<{ delivery: Delivery; event: NotifyEvent }>>;
  /** When the next pending delivery is due, if any (the sender sleeps until then). */
  nextDueAt(): Promise<number | undefined>;
  /** Updates sending state (by delivery id) in one transaction. */
  updateDeliveries(updates: ReadonlyArray<Pick<Delivery, 'id' | 'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'sentAt'>>): Promise<void>;
  /** Deliveries per state, for metrics and `statuspost notify status`. */
  outboxCounts(): Promise<Record<DeliveryState, number>>;
  /** Stored events, oldest first (reminders resume from them after a restart). */
  events(query: { since: number; kind?: NotifyEventKind; audience?: NotifyEvent['audience'] }): Promise<NotifyEvent[]>;
  /** Deletes events (and their deliveries) created before `before` that have nothing pending. Returns how many events went. */
  pruneOutbox(before: number): Promise<number>;

  // Subscribers: kept only here, never published; the operator can export and delete them.
  subscribers(): Promise<Subscriber[]>;
  /** Inserts or replaces by id. */
  saveSubscriber(subscriber: Subscriber): Promise<void>;
  /** True if there was one to delete. */
  deleteSubscriber(id: string): Promise<boolean>;

  close(): Promise<void>;
}

export interface Subscriber {
  /** Stable id ("email:<sha256 of the address>" for sign-ups, "config:<name>" for those in notify.yaml). */
  id: string;
  channel: 'email' | 'webhook' | 'slack';
  /** Mail address or URL. Private: never published, never logged in full. */
  address: string;
  /** Component ids; null = every component. */
  components: string[] | null;
  state: 'pending' | 'confirmed';
  source: 'config' | 'self-service';
  createdAt: number;
  confirmedAt: number | null;
}

/** Where a follower has read up to: opaque, engine-specific, stable across restarts. */
export type ResultCursor = string;

export interface ResultPage {
  results: StoredResult[];
  cursor: ResultCursor;
}

export interface LeaseGrant {
  /** The fencing token: grows with every new holder. */
  token: number;
  /** Epoch ms by the database's clock. */
  expiresAt: number;
}

/** A check's status as the locations agreed it (src/locations/quorum.ts), written by the lease holder. */
export interface Verdict {
  checkId: string;
  status: ConfirmedStatus;
  since: number | null;
  /** When it was decided. */
  at: number;
  /** The locations that formed the quorum. */
  locations: string[];
}

export const DAY_MS = 86_400_000;

export const toEpochDay = (ms: number): EpochDay => Math.floor(ms / DAY_MS);
export const dayStart = (day: EpochDay): number => day * DAY_MS;
/** "2026-11-23" */
export const dayKey = (day: EpochDay): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
