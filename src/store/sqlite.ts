// The embedded default store: one SQLite file (better-sqlite3, WAL), zero set-up.
// better-sqlite3 is synchronous; every method is async only to honour the Store interface.
// Rows are compact (see migrations/sqlite.ts): series and messages are interned, and the small
// caches of their ids below are filled only from committed rows or cleared when a write rolls back.
import { makeFolder } from '../make-folder.ts';
import { dirname, isAbsolute, relative } from 'node:path';
import Database from 'better-sqlite3';
import { StatuspostError } from '../errors.ts';
import type { CheckResult, ProbeStatus } from '../probes/types.ts';
import { latestSqliteVersion, sqliteMigrations } from './migrations/sqlite.ts';
import { decodeSegments, encodeSegments, type SegmentRow } from './component-day-codec.ts';
import {
  countsByState,
  outboxRows,
  subscriberValues,
  toDelivery,
  toEvent,
  toSubscriber,
  updateValues,
  type DeliveryRow,
  type DeliveryUpdate,
  type SubscriberRow,
} from './outbox-codec.ts';
import type { NotifyEvent, NotifyEventKind, OutboxEntry } from '../notify/types.ts';
import { randomBytes } from 'node:crypto';
import {
  type ComponentDay,
  type DailyRollup,
  type EpochDay,
  type LeaseGrant,
  type ResultCursor,
  type ResultQuery,
  type Series,
  type Store,
  type StoredResult,
  type Subscriber,
  type Verdict,
} from './types.ts';
import type { ConfirmedStatus } from '../runner/confirm.ts';

export interface SqliteStoreOptions {
  /** The database file; its folder is created if missing. */
  path: string;
}

const STATUSES: readonly ProbeStatus[] = ['up', 'degraded', 'down'];
/** Rows per batch of streamResults. */
const BATCH = 1_000;
const NO_END = Number.MAX_SAFE_INTEGER;
/** The message caches are cleared past this many texts; messages carry numbers, so they keep coming. */
const MESSAGE_CACHE_LIMIT = 50_000;

interface SeriesRow extends Series {
  id: number;
}

type Details = CheckResult['details'];

export async function openSqliteStore({ path }: SqliteStoreOptions): Promise<Store> {
  const shown = showPath(path);
  let db: Database.Database;
  try {
    await makeFolder(dirname(path));
    db = new Database(path);
  } catch (error) {
    throw cannotOpen(shown, error);
  }
  try {
    db.pragma('busy_timeout = 5000');
    // The first statement that reads the file: "file is not a database" surfaces here.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`the file system does not allow WAL mode (journal mode stays ${String(mode)})`);
    // In WAL mode, synchronous=NORMAL already keeps every commit through a crash of the process
    // (the WAL is in the OS's cache once the commit returns); it can lose the last commits on a
    // power cut or a kernel panic, which is exactly when a status history matters most. FULL adds
    // one fsync of the WAL per commit, about 0.2 ms here, and the daemon commits in batches.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // SQLite's own default page cache (2 MB). better-sqlite3 builds with 16 MB, and a daemon that
    // only appends keeps every page it writes in that cache until it is full: resident memory rose
    // about 4 MB per hour of 200 checks every 5 s, for four hours. Reads miss into the OS's page
    // cache, which holds the file anyway (bench/README.md, soak and history).
    db.pragma('cache_size = -2000');
    applyMigrations(db, shown);
  } catch (error) {
    db.close();
    throw error instanceof StatuspostError ? error : cannotOpen(shown, error);
  }

  const sql = prepareStatements(db);

  // Interned ids. Series and messages are never deleted or changed, so a committed id stays right.
  const seriesIds = new Map<string, Map<string, number>>(); // location → check id → series id
  const messageIds = new Map<string, number>();
  const messageTexts = new Map<number, string>();
  const forgetIds = () => {
    seriesIds.clear();
    messageIds.clear();
    messageTexts.clear();
  };

  const idsAt = (location: string) => {
    let ids = seriesIds.get(location);
    if (!ids) seriesIds.set(location, (ids = new Map()));
    return ids;
  };

  function findSeriesId(checkId: string, location: string): number | undefined {
    const ids = idsAt(location);
    let id = ids.get(checkId);
    if (id === undefined) {
      id = (sql.seriesId.get(checkId, location) as number | undefined) ?? undefined;
      if (id !== undefined) ids.set(checkId, id);
    }
    return id;
  }

  /** Inside a write transaction only: the id is cached before the commit, so a rollback must forgetIds(). */
  function seriesIdFor(checkId: string, location: string): number {
    const found = findSeriesId(checkId, location);
    if (found !== undefined) return found;
    const id = sql.insertSeries.get(checkId, location) as number;
    idsAt(location).set(checkId, id);
    return id;
  }

  /** Inside a write transaction only, as seriesIdFor. */
  function messageIdFor(text: string): number {
    let id = messageIds.get(text);
    if (id !== undefined) return id;
    id = (sql.messageId.get(text) as number | undefined) ?? (sql.insertMessage.get(text) as number);
    if (messageIds.size >= MESSAGE_CACHE_LIMIT) messageIds.clear();
    messageIds.set(text, id);
    return id;
  }

  /** Makes sure every id is in messageTexts. */
  function loadMessages(ids: readonly number[]) {
    let missing = new Set(ids.filter((id) => !messageTexts.has(id)));
    if (missing.size === 0) return;
    if (messageTexts.size + missing.size > MESSAGE_CACHE_LIMIT) {
      messageTexts.clear();
      missing = new Set(ids);
    }
    for (const [id, text] of sql.messagesById.all(JSON.stringify([...missing])) as [number, string][]) messageTexts.set(id, text);
  }

  // Results travel as JSON arrays, one per column: better-sqlite3 costs about 0.4 µs per row it
  // hands over, SQLite's JSON and V8's JSON.parse much less (a day of 30 series at a 30-second
  // interval reads in half the time). Times come relative to `base` (fewer digits to write and
  // parse), the status in the low two bits of the message id, and details, rare, as
  // [started_at, details] pairs.
  function toResults(columns: string[], series: Series, base: number): StoredResult[] {
    const [times, codes, latencies, details] = columns.map((json) => JSON.parse(json) as unknown[]) as [
      number[],
      number[],
      (number | null)[],
      [number, Details][],
    ];
    const rows = new Array<StoredResult>(times.length);
    let ordered = true;
    let unknownMessage = false;
    for (let i = 0; i < times.length; i++) {
      const code = codes[i]!;
      const latency = latencies[i]!;
      const message = messageTexts.get(Math.floor(code / 4));
      if (message === undefined) unknownMessage = true;
      rows[i] = {
        checkId: series.checkId,
        location: series.location,
        status: STATUSES[code % 4]!,
        startedAt: base + times[i]!,
        latencyMs: latency === null ? null : latency / 100,
        message: message!, // filled in below when not cached yet
        details: {},
      };
      if (i > 0 && times[i]! < times[i - 1]!) ordered = false;
    }
    if (unknownMessage) {
      const messageIds = codes.map((code) => Math.floor(code / 4));
      loadMessages(messageIds);
      rows.forEach((row, i) => (row.message = messageTexts.get(messageIds[i]!)!));
    }
    // An aggregate's input order is SQLite's scan order (the primary key), which it does not promise.
    if (!ordered) rows.sort((a, b) => a.startedAt - b.startedAt);
    if (details.length > 0) {
      const at = new Map(details);
      for (const row of rows) row.details = at.get(row.startedAt) ?? row.details;
    }
    return rows;
  }

  function readSeries(series: SeriesRow, since: number, until: number, limit?: number): StoredResult[] {
    const base = Number.isFinite(since) && since > 0 ? Math.floor(since) : 0;
    const range = { id: series.id, base, since, until };
    const row = limit === undefined ? sql.readSeries.get(range) : sql.readSeriesLimited.get({ ...range, limit });
    return toResults(row as string[], series, base);
  }

  /** Several series, merged in time order, then check id and location (`matches` is in that order). */
  function readMany(matches: readonly SeriesRow[], since: number, until: number): StoredResult[] {
    if (matches.length === 1) return readSeries(matches[0]!, since, until);
    return matches.flatMap((series) => readSeries(series, since, until)).sort((a, b) => a.startedAt - b.startedAt); // stable
  }

  function matching(query: { checkId?: string | undefined; location?: string | undefined }): SeriesRow[] {
    const { checkId, location } = query;
    if (checkId !== undefined && location !== undefined) {
      const id = findSeriesId(checkId, location);
      return id === undefined ? [] : [{ id, checkId, location }];
    }
    return (sql.matchingSeries.all({ checkId: checkId ?? null, location: location ?? null }) as [number, string, string][]).map(
      ([id, checkId, location]) => ({ id, checkId, location }),
    );
  }

  /** The first result time at or after `from` in any of the series. */
  function nextTime(matches: readonly SeriesRow[], from: number): number | undefined {
    let next: number | undefined;
    for (const { id } of matches) {
      const t = sql.firstFrom.get(id, from) as number | null;
      if (t !== null && (next === undefined || t < next)) next = t;
    }
    return next;
  }

  /** Inside a write transaction only. */
  function insertResults(results: readonly CheckResult[], location: string) {
    // Commit order for followers: the write lock is held, so no other writer takes these numbers.
    let seq = (sql.maxSeq.get() as number | null) ?? 0;
    for (const result of results) {
      const status = statusCode(result);
      const latency = hundredths(result.latencyMs);
      const details = status === 0 || Object.keys(result.details).length === 0 ? null : JSON.stringify(result.details);
      sql.insertResult.run(seriesIdFor(result.checkId, location), result.startedAt, status, latency, messageIdFor(result.message), details, ++seq);
    }
  }

  /** Inside a write transaction only: events already stored are skipped with their deliveries. Returns how many were new. */
  function insertOutbox(entries: readonly OutboxEntry[]): number {
    const { events, deliveries } = outboxRows(entries);
    let fresh = 0;
    for (const event of events) {
      if (sql.insertEvent.run(event.key, event.kind, event.audience, event.createdAt, event.json).changes === 0) continue;
      fresh++;
      for (const d of deliveries.get(event.key)!) sql.insertDelivery.run(d.eventKey, d.target, d.state, d.nextAttemptAt, d.createdAt);
    }
    return fresh;
  }

  const recordAll = db.transaction(insertResults);
  const recordWithOutbox = db.transaction((results: readonly CheckResult[], location: string, outbox: readonly OutboxEntry[]) => {
    insertResults(results, location);
    insertOutbox(outbox);
  });
  const enqueueAll = db.transaction(insertOutbox);

  const updateAll = db.transaction((updates: readonly DeliveryUpdate[]) => {
    for (const u of updates) sql.updateDelivery.run(...updateValues(u));
  });

  const saveAll = db.transaction((rollups: readonly DailyRollup[]) => {
    for (const r of rollups) {
      const l = r.latency;
      sql.saveRollup.run({
        seriesId: seriesIdFor(r.checkId, r.location),
        day: r.day,
        upMs: r.upMs,
        degradedMs: r.degradedMs,
        downMs: r.downMs,
        noDataMs: r.noDataMs,
        upCount: r.upCount,
        degradedCount: r.degradedCount,
        downCount: r.downCount,
        min: hundredths(l?.min),
        p50: hundredths(l?.p50),
        p95: hundredths(l?.p95),
        p99: hundredths(l?.p99),
        max: hundredths(l?.max),
        final: r.final ? 1 : 0,
      });
    }
  });

  // Component ids are plain text (few of them): nothing is interned, so nothing to forget on a rollback.
  const saveComponentDaysAll = db.transaction((days: readonly ComponentDay[]) => {
    for (const d of days) {
      const { base, segments } = encodeSegments(d);
      sql.saveComponentDay.run({ componentId: d.componentId, location: d.location, day: d.day, base, segments, final: d.final ? 1 : 0 });
    }
  });

  const pruneAll = db.transaction((before: number) => {
    let deleted = 0;
    for (const id of sql.allSeriesIds.all() as number[]) deleted += sql.prune.run({ seriesId: id, before }).changes;
    return deleted;
  });

  /** series id → (check, location), for followers; reloaded when an id is new to it. */
  const seriesById = new Map<number, Series>();
  function seriesOf(id: number): Series {
    let series = seriesById.get(id);
    if (series === undefined) {
      for (const [sid, checkId, location] of sql.seriesById.all() as [number, string, string][]) seriesById.set(sid, { checkId, location });
      series = seriesById.get(id);
      if (series === undefined) throw new Error(`result of unknown series ${id}`);
    }
    return series;
  }

  type LeaseRow = { holder: string; token: number; expires_at: number; fence: string | null };
  /** A fenced() call of a process that still runs: a takeover waits for it. */
  const fencing = (row: LeaseRow) => row.fence !== null && alive(Number(row.fence.split(':')[0]));

  const acquireTx = db.transaction((name: string, holder: string, ttlMs: number): LeaseGrant | null => {
    const now = Date.now();
    const expiresAt = now + Math.max(0, ttlMs);
    const row = sql.lease.get(name) as LeaseRow | undefined;
    if (!row) {
      sql.putLease.run(name, holder, 1, expiresAt);
      return { token: 1, expiresAt };
    }
    const live = row.expires_at > now;
    if (row.holder === holder && live) {
      // Renewal: the same token.
      sql.putLease.run(name, holder, row.token, expiresAt);
      return { token: row.token, expiresAt };
    }
    // Another holder's running lease, or any lease whose fenced() is still at work: not now.
    if (live || fencing(row)) return null;
    // Expired: a takeover, or the holder back after expiry (it may have been away): a new token.
    sql.putLease.run(name, holder, row.token + 1, expiresAt);
    return { token: row.token + 1, expiresAt };
  });

  /** First step of fenced(): the token still current and unexpired, and no other fenced() at work; marks this one. */
  const fenceTx = db.transaction((name: string, token: number, mark: string): 'ok' | 'busy' | StatuspostError => {
    const row = sql.lease.get(name) as LeaseRow | undefined;
    if (!row || row.token !== token || row.expires_at <= Date.now()) return leaseLost(name, token, row?.token);
    if (fencing(row)) return 'busy';
    sql.setFence.run(mark, name);
    return 'ok';
  });

  const fenceWritesTx = db.transaction((name: string, mark: string, verdicts: readonly Verdict[], outbox: readonly OutboxEntry[]) => {
    for (const v of verdicts) {
      sql.saveVerdict.run(v.checkId, v.status, v.since === null ? null : Math.round(v.since), Math.round(v.at), JSON.stringify(v.locations));
    }
    insertOutbox(outbox);
    sql.clearFence.run(name, mark);
  });

  /** Runs a piece of work on the open database; the database's own failures become SP_STORE_UNAVAILABLE. */
  function use<T>(work: () => T): T {
    if (!db.open) throw new StatuspostError('SP_STORE_UNAVAILABLE', `the SQLite store ${shown} is closed`);
    try {
      return work();
    } catch (error) {
      throw unavailable(shown, error);
    }
  }

  /** As use(), for writes: a rolled-back transaction may have cached ids that no longer exist. */
  function write<T>(work: () => T): T {
    try {
      return use(work);
    } catch (error) {
      forgetIds();
      throw error;
    }
  }

  return {
    engine: 'sqlite',

    async migrate() {
      use(() => applyMigrations(db, shown));
    },

    async record(results: readonly CheckResult[], location: string, outbox?: readonly OutboxEntry[]) {
      if (outbox === undefined || outbox.length === 0) {
        if (results.length === 0) return;
        write(() => recordAll.immediate(results, location));
      } else {
        write(() => recordWithOutbox.immediate(results, location, outbox));
      }
    },

    async results(query: ResultQuery): Promise<StoredResult[]> {
      return use(() => readMany(matching(query), query.since, query.until ?? NO_END));
    },

    async *streamResults(query: ResultQuery): AsyncIterable<StoredResult> {
      const matches = use(() => matching(query));
      const until = query.until ?? NO_END;
      if (matches.length === 0) return;
      if (matches.length === 1) {
        // Keyset pagination on the primary key: a series has at most one result per millisecond.
        for (let from = query.since; ; ) {
          const batch = use(() => readSeries(matches[0]!, from, until, BATCH));
          for (const row of batch) yield row;
          if (batch.length < BATCH) return;
          from = batch.at(-1)!.startedAt + 1;
        }
      }
      // Several series: windows of time, each read series by series and merged. The window grows
      // or shrinks to hold about a batch; empty stretches are skipped.
      let from = use(() => nextTime(matches, query.since));
      let spanMs = 60_000;
      while (from !== undefined && from < until) {
        const to = Math.min(until, from + spanMs);
        const batch = use(() => readMany(matches, from!, to));
        for (const row of batch) yield row;
        if (batch.length < BATCH / 2) spanMs *= 2;
        else if (batch.length > 2 * BATCH) spanMs = Math.max(1, Math.floor(spanMs / 2));
        from = batch.length > 0 ? to : use(() => nextTime(matches, to));
      }
    },

    async lastResultBefore(series: Series, at: number) {
      return use(() => {
        const id = findSeriesId(series.checkId, series.location);
        if (id === undefined) return undefined;
        const row = sql.lastBefore.get(id, at) as [number, number, number | null, number, string | null] | undefined;
        if (!row) return undefined;
        const [startedAt, status, latency, messageId, details] = row;
        loadMessages([messageId]);
        return {
          checkId: series.checkId,
          location: series.location,
          status: STATUSES[status]!,
          startedAt,
          latencyMs: latency === null ? null : latency / 100,
          message: messageTexts.get(messageId)!,
          details: details === null ? {} : (JSON.parse(details) as Details),
        } satisfies StoredResult;
      });
    },

    async firstResultAt(series: Series) {
      return use(() => {
        const id = findSeriesId(series.checkId, series.location);
        return id === undefined ? undefined : ((sql.firstAt.get(id) as number | null) ?? undefined);
      });
    },

    async series() {
      return use(() => (sql.seriesWithData.all() as [string, string][]).map(([checkId, location]) => ({ checkId, location })));
    },

    async saveRollups(rollups: readonly DailyRollup[]) {
      if (rollups.length === 0) return;
      write(() => saveAll.immediate(rollups));
    },

    async rollups(query: { checkId?: string; location?: string; sinceDay: EpochDay; untilDay?: EpochDay }) {
      const json = use(
        () =>
          sql.rollups.get({
            checkId: query.checkId ?? null,
            location: query.location ?? null,
            sinceDay: query.sinceDay,
            untilDay: query.untilDay ?? NO_END,
          }) as string,
      );
      return (JSON.parse(json) as RollupRow[]).map(toRollup);
    },

    async lastFinalDay(series: Series) {
      return use(() => {
        const id = findSeriesId(series.checkId, series.location);
        return id === undefined ? undefined : ((sql.lastFinalDay.get(id) as number | null) ?? undefined);
      });
    },

    async saveComponentDays(days: readonly ComponentDay[]) {
      if (days.length === 0) return;
      use(() => saveComponentDaysAll.immediate(days));
    },

    async componentDays(query: { componentId?: string; location?: string; sinceDay: EpochDay; untilDay?: EpochDay }) {
      const json = use(
        () =>
          sql.componentDays.get({
            componentId: query.componentId ?? null,
            location: query.location ?? null,
            sinceDay: query.sinceDay,
            untilDay: query.untilDay ?? NO_END,
          }) as string,
      );
      return (JSON.parse(json) as ComponentDayRow[]).map(toComponentDay);
    },

    async lastFinalComponentDay(componentId: string, location: string) {
      return use(() => (sql.lastFinalComponentDay.get(componentId, location) as number | null) ?? undefined);
    },

    async prune(before: number) {
      return write(() => pruneAll.immediate(before));
    },

    async enqueue(entries: readonly OutboxEntry[]) {
      if (entries.length === 0) return 0;
      return use(() => enqueueAll.immediate(entries));
    },

    async dueDeliveries(now: number, limit: number) {
      // SQLite reads a negative LIMIT as none at all.
      if (!(limit >= 1)) return [];
      const rows = use(() => sql.dueDeliveries.all(now, Math.floor(limit)) as Array<DeliveryRow & { event: string }>);
      return rows.map((row) => ({ delivery: toDelivery(row), event: toEvent(row.event) }));
    },

    async nextDueAt() {
      return use(() => (sql.nextDueAt.get() as number | null) ?? undefined);
    },

    async updateDeliveries(updates: readonly DeliveryUpdate[]) {
      if (updates.length === 0) return;
      use(() => updateAll.immediate(updates));
    },

    async outboxCounts() {
      return countsByState(use(() => sql.outboxCounts.all() as Array<{ state: string; n: number }>));
    },

    async events(query: { since: number; kind?: NotifyEventKind; audience?: NotifyEvent['audience'] }) {
      const rows = use(() => sql.events.all({ since: query.since, kind: query.kind ?? null, audience: query.audience ?? null }) as string[]);
      return rows.map(toEvent);
    },

    async pruneOutbox(before: number) {
      // Their deliveries go with them (ON DELETE CASCADE).
      return use(() => sql.pruneOutbox.run(before).changes);
    },

    async resultsAfter(cursor: ResultCursor | null, limit: number) {
      return use(() => {
        if (cursor === null) return { results: [], cursor: `sqlite:${(sql.maxSeq.get() as number | null) ?? 0}` };
        const match = /^sqlite:(\d+)$/.exec(cursor);
        if (!match) throw new StatuspostError('SP_USAGE', `not a cursor of the SQLite store: "${cursor.slice(0, 40)}"`);
        const rows = sql.resultsAfter.all(Number(match[1]), Math.max(1, Math.floor(limit))) as Array<
          [number, number, number, number, number | null, number, string | null]
        >;
        loadMessages(rows.map((row) => row[5]));
        const results = rows.map(([, seriesId, startedAt, status, latency, messageId, details]): StoredResult => {
          const { checkId, location } = seriesOf(seriesId);
          return {
            checkId,
            location,
            status: STATUSES[status]!,
            startedAt,
            latencyMs: latency === null ? null : latency / 100,
            message: messageTexts.get(messageId)!,
            details: details === null ? {} : (JSON.parse(details) as Details),
          };
        });
        return { results, cursor: rows.length > 0 ? `sqlite:${rows.at(-1)![0]}` : cursor };
      });
    },

    async acquireLease(name: string, holder: string, ttlMs: number) {
      return use(() => acquireTx.immediate(name, holder, ttlMs));
    },

    async releaseLease(name: string, holder: string, token: number) {
      const now = Date.now();
      use(() => sql.releaseLease.run(now, name, holder, token, now));
    },

    async fenced(name: string, token: number, writes: { verdicts?: readonly Verdict[]; outbox?: readonly OutboxEntry[] }, during?: () => Promise<void>) {
      // better-sqlite3 cannot hold a transaction across an await (every other call of this handle
      // would join it), so fencing is a mark on the lease row: set after checking the token, cleared
      // by the commit that writes verdicts and outbox. While it is set, no takeover (acquireLease
      // refuses, as PostgreSQL's row lock would make it wait) and no other fenced() of this lease.
      // Checked before anything runs: an outbox entry the store refuses must not follow a swap.
      outboxRows(writes.outbox ?? []);
      const mark = `${process.pid}:${randomBytes(6).toString('hex')}`;
      for (;;) {
        const step = use(() => fenceTx.immediate(name, token, mark));
        if (step instanceof StatuspostError) throw step;
        if (step === 'ok') break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      try {
        if (during) await during();
        write(() => fenceWritesTx.immediate(name, mark, writes.verdicts ?? [], writes.outbox ?? []));
      } catch (error) {
        try {
          use(() => sql.clearFence.run(name, mark));
        } catch {
          // The store is gone: the mark dies with this process (a takeover checks it is alive).
        }
        throw error;
      }
    },

    async verdicts() {
      const rows = use(() => sql.verdicts.all() as Array<[string, ConfirmedStatus, number | null, number, string]>);
      return rows.map(([checkId, status, since, at, locations]) => ({ checkId, status, since, at, locations: JSON.parse(locations) as string[] }));
    },

    async subscribers() {
      return use(() => (sql.subscribers.all() as SubscriberRow[]).map(toSubscriber));
    },

    async saveSubscriber(subscriber: Subscriber) {
      use(() => sql.saveSubscriber.run(...subscriberValues(subscriber)));
    },

    async deleteSubscriber(id: string) {
      return use(() => sql.deleteSubscriber.run(id).changes > 0);
    },

    async close() {
      if (db.open) db.close();
    },
  } satisfies Store;
}

/**
 * PRAGMA integrity_check on a store file: 'ok', or SQLite's list of problems. For the daemon's crash
 * test and for operators; opens its own connection (and so recovers the WAL, as a restart would).
 */
export async function sqliteIntegrity(path: string): Promise<string> {
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: true });
  } catch (error) {
    throw cannotOpen(showPath(path), error);
  }
  try {
    db.pragma('busy_timeout = 5000');
    return (db.pragma('integrity_check', { simple: false }) as { integrity_check: string }[]).map((row) => row.integrity_check).join('\n');
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------

function applyMigrations(db: Database.Database, shown: string) {
  const versionOf = () =>
    db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'statuspost_schema'").get() === undefined
      ? 0
      : (db.prepare('SELECT coalesce(max(version), 0) FROM statuspost_schema').pluck().get() as number);
  const refuseNewer = (version: number) => {
    if (version <= latestSqliteVersion) return;
    throw new StatuspostError(
      'SP_STORE_TOO_NEW',
      `the SQLite store ${shown} is at version ${version}, newer than this statuspost knows (${latestSqliteVersion})`,
      { hint: 'upgrade statuspost, or point store.path at another database file' },
    );
  };
  // Read first, without the write lock: an up-to-date store (every open but the first) never waits.
  const seen = versionOf();
  refuseNewer(seen);
  if (seen === latestSqliteVersion) return;
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS statuspost_schema (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    )`);
    const current = versionOf(); // again, under the lock: another process may have migrated meanwhile
    refuseNewer(current);
    const applied = db.prepare('INSERT INTO statuspost_schema (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of sqliteMigrations) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      applied.run(migration.version, migration.name, Date.now());
    }
  }).immediate();
}

function prepareStatements(db: Database.Database) {
  // JSON arrays, one per column (see toResults); WHERE on the primary key (series_id, started_at).
  // @base is bound as a double: cast, or the differences would come out as reals ("123.0").
  const columns = `json_group_array(started_at - CAST(@base AS INTEGER)), json_group_array(message_id * 4 + status), json_group_array(latency),
    json_group_array(json_array(started_at, json(details))) FILTER (WHERE details IS NOT NULL)`;
  const inSeries = 'FROM results WHERE series_id = @id AND started_at >= @since AND started_at < @until';
  return {
    seriesId: db.prepare('SELECT id FROM series WHERE check_id = ? AND location = ?').pluck(),
    insertSeries: db.prepare('INSERT INTO series (check_id, location) VALUES (?, ?) RETURNING id').pluck(),
    matchingSeries: db
      .prepare(
        `SELECT id, check_id, location FROM series
         WHERE (@checkId IS NULL OR check_id = @checkId) AND (@location IS NULL OR location = @location)
         ORDER BY check_id, location`,
      )
      .raw(),
    seriesWithData: db
      .prepare(
        `SELECT check_id, location FROM series s
         WHERE EXISTS (SELECT 1 FROM results r WHERE r.series_id = s.id) OR EXISTS (SELECT 1 FROM rollups ru WHERE ru.series_id = s.id)
         ORDER BY check_id, location`,
      )
      .raw(),
    allSeriesIds: db.prepare('SELECT id FROM series').pluck(),
    messageId: db.prepare('SELECT id FROM messages WHERE text = ?').pluck(),
    insertMessage: db.prepare('INSERT INTO messages (text) VALUES (?) RETURNING id').pluck(),
    messagesById: db.prepare('SELECT id, text FROM messages WHERE id IN (SELECT value FROM json_each(?))').raw(),
    insertResult: db.prepare(
      'INSERT INTO results (series_id, started_at, status, latency, message_id, details, seq) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    maxSeq: db.prepare('SELECT max(seq) FROM results').pluck(),
    resultsAfter: db
      .prepare('SELECT seq, series_id, started_at, status, latency, message_id, details FROM results WHERE seq > ? ORDER BY seq LIMIT ?')
      .raw(),
    seriesById: db.prepare('SELECT id, check_id, location FROM series').raw(),
    lease: db.prepare('SELECT holder, token, expires_at, fence FROM leases WHERE name = ?'),
    putLease: db.prepare(
      `INSERT INTO leases (name, holder, token, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at`,
    ),
    releaseLease: db.prepare('UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ? AND token = ? AND expires_at > ?'),
    setFence: db.prepare('UPDATE leases SET fence = ? WHERE name = ?'),
    clearFence: db.prepare('UPDATE leases SET fence = NULL WHERE name = ? AND fence = ?'),
    saveVerdict: db.prepare(
      `INSERT INTO verdicts (check_id, status, since, at, locations) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (check_id) DO UPDATE SET status = excluded.status, since = excluded.since, at = excluded.at, locations = excluded.locations`,
    ),
    verdicts: db.prepare('SELECT check_id, status, since, at, locations FROM verdicts ORDER BY check_id').raw(),
    readSeries: db.prepare(`SELECT ${columns} ${inSeries}`).raw(),
    readSeriesLimited: db.prepare(`SELECT ${columns} FROM (SELECT * ${inSeries} ORDER BY started_at LIMIT @limit)`).raw(),
    lastBefore: db
      .prepare('SELECT started_at, status, latency, message_id, details FROM results WHERE series_id = ? AND started_at < ? ORDER BY started_at DESC LIMIT 1')
      .raw(),
    firstAt: db.prepare('SELECT min(started_at) FROM results WHERE series_id = ?').pluck(),
    firstFrom: db.prepare('SELECT min(started_at) FROM results WHERE series_id = ? AND started_at >= ?').pluck(),
    saveRollup: db.prepare(
      `INSERT INTO rollups (series_id, day, up_ms, degraded_ms, down_ms, no_data_ms, up_count, degraded_count, down_count,
         latency_min, latency_p50, latency_p95, latency_p99, latency_max, final)
       VALUES (@seriesId, @day, @upMs, @degradedMs, @downMs, @noDataMs, @upCount, @degradedCount, @downCount, @min, @p50, @p95, @p99, @max, @final)
       ON CONFLICT (series_id, day) DO UPDATE SET
         up_ms = excluded.up_ms, degraded_ms = excluded.degraded_ms, down_ms = excluded.down_ms, no_data_ms = excluded.no_data_ms,
         up_count = excluded.up_count, degraded_count = excluded.degraded_count, down_count = excluded.down_count,
         latency_min = excluded.latency_min, latency_p50 = excluded.latency_p50, latency_p95 = excluded.latency_p95,
         latency_p99 = excluded.latency_p99, latency_max = excluded.latency_max, final = excluded.final`,
    ),
    // One JSON array of rows: 90 days of 30 checks read in half the time of better-sqlite3's rows.
    rollups: db
      .prepare(
        `SELECT json_group_array(
           json_array(s.check_id, s.location, ru.day, ru.up_ms, ru.degraded_ms, ru.down_ms, ru.no_data_ms, ru.up_count, ru.degraded_count,
             ru.down_count, ru.latency_min, ru.latency_p50, ru.latency_p95, ru.latency_p99, ru.latency_max, ru.final)
           ORDER BY s.check_id, s.location, ru.day)
         FROM series s JOIN rollups ru ON ru.series_id = s.id
         WHERE (@checkId IS NULL OR s.check_id = @checkId) AND (@location IS NULL OR s.location = @location)
           AND ru.day >= @sinceDay AND ru.day <= @untilDay`,
      )
      .pluck(),
    lastFinalDay: db.prepare('SELECT max(day) FROM rollups WHERE series_id = ? AND final = 1').pluck(),
    saveComponentDay: db.prepare(
      `INSERT INTO component_days (component_id, location, day, base, segments, final)
       VALUES (@componentId, @location, @day, @base, @segments, @final)
       ON CONFLICT (component_id, location, day) DO UPDATE SET base = excluded.base, segments = excluded.segments, final = excluded.final`,
    ),
    // One JSON array of rows, as rollups; json(segments) nests each day's segments, already parsed.
    componentDays: db
      .prepare(
        `SELECT json_group_array(json_array(component_id, location, day, base, json(segments), final) ORDER BY component_id, location, day)
         FROM component_days
         WHERE (@componentId IS NULL OR component_id = @componentId) AND (@location IS NULL OR location = @location)
           AND day >= @sinceDay AND day <= @untilDay`,
      )
      .pluck(),
    lastFinalComponentDay: db.prepare('SELECT max(day) FROM component_days WHERE component_id = ? AND location = ? AND final = 1').pluck(),
    insertEvent: db.prepare('INSERT INTO events (key, kind, audience, created_at, event) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    insertDelivery: db.prepare(
      'INSERT INTO deliveries (event_key, target, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 0, ?, ?) ON CONFLICT DO NOTHING',
    ),
    dueDeliveries: db.prepare(
      `SELECT d.id, d.event_key, d.target, d.state, d.attempts, d.next_attempt_at, d.last_error, d.sent_at, d.created_at, e.event
       FROM deliveries d JOIN events e ON e.key = d.event_key
       WHERE d.state = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?`,
    ),
    nextDueAt: db.prepare("SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending'").pluck(),
    updateDelivery: db.prepare('UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ?, sent_at = ? WHERE id = ?'),
    outboxCounts: db.prepare('SELECT state, count(*) AS n FROM deliveries GROUP BY state'),
    events: db
      .prepare(
        `SELECT event FROM events
         WHERE created_at >= @since AND (@kind IS NULL OR kind = @kind) AND (@audience IS NULL OR audience = @audience)
         ORDER BY created_at, key`,
      )
      .pluck(),
    pruneOutbox: db.prepare(
      `DELETE FROM events WHERE created_at < ?
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_key = events.key AND d.state = 'pending')`,
    ),
    subscribers: db.prepare(
      'SELECT id, channel, address, components, state, source, created_at, confirmed_at FROM subscribers ORDER BY created_at, id',
    ),
    saveSubscriber: db.prepare(
      `INSERT INTO subscribers (id, channel, address, components, state, source, created_at, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, address = excluded.address, components = excluded.components,
         state = excluded.state, source = excluded.source, created_at = excluded.created_at, confirmed_at = excluded.confirmed_at`,
    ),
    deleteSubscriber: db.prepare('DELETE FROM subscribers WHERE id = ?'),
    // Only days with a final roll-up lose their raw rows. Integer division: started_at is never negative.
    prune: db.prepare(
      `DELETE FROM results WHERE series_id = @seriesId AND started_at < @before
         AND EXISTS (SELECT 1 FROM rollups ru WHERE ru.series_id = @seriesId AND ru.day = results.started_at / 86400000 AND ru.final = 1)`,
    ),
  };
}

/** check_id, location, day, up_ms, degraded_ms, down_ms, no_data_ms, up_count, degraded_count, down_count, latency min/p50/p95/p99/max, final */
type RollupRow = [string, string, number, number, number, number, number, number, number, number, number | null, number, number, number, number, number];

function toRollup([checkId, location, day, upMs, degradedMs, downMs, noDataMs, upCount, degradedCount, downCount, min, p50, p95, p99, max, final]: RollupRow): DailyRollup {
  return {
    checkId,
    location,
    day,
    upMs,
    degradedMs,
    downMs,
    noDataMs,
    upCount,
    degradedCount,
    downCount,
    latency: min === null ? null : { min: min / 100, p50: p50 / 100, p95: p95 / 100, p99: p99 / 100, max: max / 100 },
    final: final === 1,
  };
}

/** component_id, location, day, base, segments, final */
type ComponentDayRow = [string, string, number, number, SegmentRow[], number];

function toComponentDay([componentId, location, day, base, segments, final]: ComponentDayRow): ComponentDay {
  return {
    componentId,
    location,
    day,
    segments: decodeSegments(base, segments),
    final: final === 1,
  };
}


function leaseLost(name: string, token: number, current: number | undefined): StatuspostError {
  const why = current === undefined ? 'nobody holds it' : current !== token ? `another holder took it over (token ${current})` : 'it expired';
  return new StatuspostError('SP_LEASE_LOST', `the lease "${name}" with token ${token} is no longer held: ${why}; nothing was written`, {
    hint: 'another publisher is (or was) active; this one stops publishing until it holds the lease again',
  });
}

/** Whether a process of this machine still runs (EPERM: it does, as another user). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Latencies are kept in hundredths of a millisecond. */
function hundredths(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : Math.round(ms * 100);
}

function statusCode(result: CheckResult): 0 | 1 | 2 {
  switch (result.status) {
    case 'up':
      return 0;
    case 'degraded':
      return 1;
    case 'down':
      return 2;
    default:
      throw new Error(`cannot record check ${result.checkId}: unknown status "${String(result.status)}"`);
  }
}

/** Relative to the working folder when inside it, as given otherwise. */
function showPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function cannotOpen(shown: string, error: unknown): StatuspostError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    error instanceof Database.SqliteError
      ? error.message
      : (error as NodeJS.ErrnoException).syscall === 'mkdir'
        ? `cannot create its folder (${code})`
        : error instanceof Error
          ? error.message
          : String(error);
  return new StatuspostError('SP_STORE_UNAVAILABLE', `cannot open the SQLite store ${shown}: ${why}`, {
    cause: error,
    hint: 'store.path must name a SQLite file made by statuspost, or a new file in a folder statuspost can write to',
  });
}

// Failures of the database itself (locked past busy_timeout, disk full, I/O), not of the request.
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN|READONLY|NOTADB|CORRUPT|PERM|AUTH)/;

function unavailable(shown: string, error: unknown): unknown {
  if (!(error instanceof Database.SqliteError) || !UNAVAILABLE_CODES.test(error.code)) return error;
  return new StatuspostError('SP_STORE_UNAVAILABLE', `the SQLite store ${shown} is unavailable: ${error.message}`, {
    cause: error,
    hint: 'check the disk (space, permissions) and that no other program holds the database locked',
  });
}
