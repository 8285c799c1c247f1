// PostgreSQL store: one history shared by probes in several locations. Every statement names the
// store's schema; migrations run under an advisory lock, so daemons starting together take turns.
// A dead server never crashes the caller: every method rejects with SP_STORE_UNAVAILABLE, and the
// pool's idle clients have error listeners (a killed backend would otherwise kill the process).
import pg from 'pg';
import { StatuspostError } from '../errors.ts';
import type { CheckResult, ProbeStatus } from '../probes/types.ts';
import { latestPostgresVersion, postgresMigrations } from './migrations/postgres.ts';
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
import {
  DAY_MS,
  dayKey,
  toEpochDay,
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

export interface PostgresStoreOptions {
  /** A connection string; never printed. */
  url: string;
  /** Created by migrate() if missing. */
  schema: string;
}

const STATUS_CODE: Readonly<Record<ProbeStatus, number>> = { up: 0, degraded: 1, down: 2 };
const STATUS_NAME: readonly ProbeStatus[] = ['up', 'degraded', 'down'];
/** Rows per page of streamResults (keyset pagination). */
const PAGE_ROWS = 1_000;
/** Interned message ids kept in memory; the map is cleared when it grows past this. */
const MESSAGE_CACHE_MAX = 10_000;
const POOL_MAX = 4;
/** First key of the advisory lock that serialises migrations ("SP"); the second is the schema's hash. */
const LOCK_SPACE = 0x5350;
const INT4_MAX = 2_147_483_647;
/** First key of the advisory lock that serialises creating and dropping partitions of results. */
const PARTITION_LOCK_SPACE = 0x5351;
/** Days created around today whenever partitions are made: yesterday (late results) to the day after tomorrow. */
const DAYS_BEHIND = 1;
const DAYS_AHEAD = 2;
/** SQLSTATE 23514 with this message: a row for a day that has no partition (dropped by another process's prune). */
const NO_PARTITION = /no partition of relation/;

const UNAVAILABLE_HINT = 'check that PostgreSQL is running and reachable, and that store.url and its credentials are right';

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { url, schema } = options;
  if (schema.length === 0 || schema.length > 63) {
    throw new StatuspostError('SP_CONFIG_INVALID', 'the PostgreSQL store schema must be 1 to 63 characters long');
  }
  const s = `"${schema.replaceAll('"', '""')}"`;
  const secrets = secretsOf(url);

  // Connecting is lazy: a server that is down now makes each call reject, never the open.
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_MAX,
    application_name: 'statuspost',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Notices a server that vanished without closing the socket (after the OS's probe count).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client whose backend died (server restart, pg_terminate_backend): the pool has already
  // dropped it, and the next call opens a fresh connection. Nothing to do but not crash.
  pool.on('error', () => undefined);
  // A client checked out between two statements has no pool listener; the failure reaches the
  // statement that uses it, so this listener only keeps the 'error' event from being fatal.
  pool.on('connect', (client) => client.on('error', () => undefined));

  let closed = false;
  /** Clients that have been handed out before: if one fails, it may have died while idle. */
  const used = new WeakSet<pg.PoolClient>();
  // Interned ids never change and are never deleted, so every process may cache them. They
  // enter the caches only once the transaction that created or read them has committed.
  const seriesIds = new Map<string, number>();
  const messageIds = new Map<string, number>();
  /** Days whose partition of results exists (this process made or saw it); cleared if an insert finds one missing. */
  const knownDays = new Set<EpochDay>();

  const unavailable = (error: unknown) =>
    new StatuspostError('SP_STORE_UNAVAILABLE', `the PostgreSQL store is unavailable: ${redact(describe(error), secrets)}`, {
      cause: error,
      hint: UNAVAILABLE_HINT,
    });
  /** A lost connection or a server refusing work becomes SP_STORE_UNAVAILABLE; anything else stays as it is. */
  const toStoreError = (error: unknown): unknown => (isUnavailable(error) ? unavailable(error) : error);

  /**
   * One pooled client for `work`. A failure on a client that sat idle in the pool (its backend
   * may have been killed meanwhile) is retried on another one: every write here is idempotent
   * (results and outbox events ignore duplicates, roll-ups, component days, subscribers and delivery
   * updates set values, migrations check their version).
   */
  async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (closed) throw new StatuspostError('SP_STORE_UNAVAILABLE', 'the PostgreSQL store is closed');
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        // Whatever stops a connection (refused, timed out, TLS, credentials, no such database),
        // the store cannot be used now.
        throw unavailable(error);
      }
      const reused = used.has(client);
      used.add(client);
      try {
        const value = await work(client);
        client.release();
        return value;
      } catch (error) {
        const broken = isUnavailable(error);
        client.release(broken ? (error as Error) : undefined);
        if (broken && reused && attempt < POOL_MAX) continue;
        throw toStoreError(error);
      }
    }
  }

  function transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const value = await work(client);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          // The connection is gone, and the server rolled the transaction back with it; the
          // client is not queryable any more, so the pool discards it on release.
        });
        throw error;
      }
    });
  }

  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    withClient((client) => client.query<R>(text, values));

  /** Ids for (check, location) pairs, created if missing; race-free across processes. */
  async function internSeries(client: pg.PoolClient, pairs: readonly Series[]): Promise<Map<string, number>> {
    const sorted = [...pairs].sort((a, b) => compareText(seriesKey(a), seriesKey(b))); // one lock order for all writers
    const checks = sorted.map((p) => p.checkId);
    const locations = sorted.map((p) => p.location);
    await client.query(`INSERT INTO ${s}.series (check_id, location) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [checks, locations]);
    // A new statement, a new snapshot: rows another writer committed meanwhile are seen here.
    const { rows } = await client.query<{ id: number; check_id: string; location: string }>(
      `SELECT id, check_id, location FROM ${s}.series WHERE (check_id, location) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [checks, locations],
    );
    const ids = new Map(rows.map((row) => [seriesKey({ checkId: row.check_id, location: row.location }), row.id]));
    if (ids.size !== new Set(sorted.map(seriesKey)).size) throw new Error('series interning returned fewer ids than asked for');
    return ids;
  }

  async function internMessages(client: pg.PoolClient, texts: readonly string[]): Promise<Map<string, number>> {
    const sorted = [...texts].sort(compareText);
    await client.query(`INSERT INTO ${s}.messages (text) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [sorted]);
    const { rows } = await client.query<{ id: number; text: string }>(
      `SELECT id, text FROM ${s}.messages WHERE md5(text) IN (SELECT md5(t) FROM unnest($1::text[]) AS t)`,
      [sorted],
    );
    const ids = new Map(rows.map((row) => [row.text, row.id]));
    for (const text of sorted) {
      // Only an md5 collision between two different messages can get here.
      if (!ids.has(text)) throw new Error('message interning found no id for a message (md5 collision)');
    }
    return ids;
  }

  /**
   * Inside a transaction: events first, ON CONFLICT DO NOTHING RETURNING key, so of two writers of
   * one key (two processes, or a replay) exactly one gets the key back and writes its deliveries;
   * the other waits on the key's index entry until the first commits, then skips it. Keys go in
   * sorted order, so writers that overlap lock them in one order. Returns how many events were new.
   */
  async function insertOutbox(client: pg.PoolClient, entries: readonly OutboxEntry[]): Promise<number> {
    const { events, deliveries } = outboxRows(entries);
    if (events.length === 0) return 0;
    const { rows } = await client.query<{ key: string }>({
      name: 'statuspost-enqueue-events',
      text: `INSERT INTO ${s}.events (key, kind, audience, created_at, event)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
        ON CONFLICT (key) DO NOTHING RETURNING key`,
      values: [events.map((e) => e.key), events.map((e) => e.kind), events.map((e) => e.audience), events.map((e) => e.createdAt), events.map((e) => e.json)],
    });
    const fresh = rows.map((row) => row.key).sort(compareText);
    const rowsToAdd = fresh.flatMap((key) => deliveries.get(key)!);
    if (rowsToAdd.length > 0) {
      await client.query({
        name: 'statuspost-enqueue-deliveries',
        text: `INSERT INTO ${s}.deliveries (event_key, target, state, next_attempt_at, created_at)
          SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
          ON CONFLICT (event_key, target) DO NOTHING`,
        values: [
          rowsToAdd.map((d) => d.eventKey),
          rowsToAdd.map((d) => d.target),
          rowsToAdd.map((d) => d.state),
          rowsToAdd.map((d) => d.nextAttemptAt),
          rowsToAdd.map((d) => d.createdAt),
        ],
      });
    }
    return fresh.length;
  }

  /**
   * Partitions of results for `days` (plus yesterday to the day after tomorrow), created if missing.
   * Every process does this under one advisory lock, so two daemons meeting a new day take turns
   * (CREATE TABLE IF NOT EXISTS alone is not safe against a concurrent create).
   */
  async function ensurePartitions(client: pg.PoolClient, days: Iterable<EpochDay>): Promise<void> {
    const today = toEpochDay(Date.now());
    const wanted = new Set(days);
    for (let d = today - DAYS_BEHIND; d <= today + DAYS_AHEAD; d++) wanted.add(d);
    const missing = [...wanted].filter((d) => !knownDays.has(d)).sort((a, b) => a - b);
    if (missing.length === 0) return;
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PARTITION_LOCK_SPACE, schema]);
    for (const day of missing) {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.${partitionName(day)} PARTITION OF ${s}.results FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`,
      );
    }
  }

  /** As ensurePartitions, in a transaction of its own, before the write that needs them (a short lock, never held by a write). */
  async function ensureDays(days: Iterable<EpochDay>): Promise<void> {
    const missing = [...days].filter((d) => !knownDays.has(d));
    if (missing.length === 0) return;
    const made = await transaction(async (client) => {
      await client.query('SET LOCAL client_min_messages = warning'); // no NOTICE per partition that exists
      await ensurePartitions(client, missing);
      const today = toEpochDay(Date.now());
      return [...missing, ...Array.from({ length: DAYS_BEHIND + DAYS_AHEAD + 1 }, (_, i) => today - DAYS_BEHIND + i)];
    });
    for (const day of made) knownDays.add(day);
  }

  /** The partitions ahead being made in the background, if they are. */
  let makingAhead: Promise<void> | undefined;
  /**
   * Yesterday to the day after tomorrow, made off the write path as days go by, so a write never
   * waits for its day's partition. Creating one locks results briefly (ACCESS EXCLUSIVE): behind a
   * long reader (an export) it would queue every writer behind it, so it gives up after a moment
   * and tries again with a later write.
   */
  function makeAhead(): void {
    makingAhead ??= transaction(async (client) => {
      await client.query('SET LOCAL client_min_messages = warning');
      await client.query("SET LOCAL lock_timeout = '500ms'");
      await ensurePartitions(client, []);
    })
      .then(() => {
        const today = toEpochDay(Date.now());
        for (let d = today - DAYS_BEHIND; d <= today + DAYS_AHEAD; d++) knownDays.add(d);
      })
      .catch(() => undefined) // the next write tries again; a day still missing then is made on its write
      .finally(() => {
        makingAhead = undefined;
      });
  }

  const seriesIdSql = `(SELECT id FROM ${s}.series WHERE check_id = $1 AND location = $2)`;
  const resultColumns = `s.check_id, s.location, r.status, r.started_at, r.latency, m.text AS message, r.details
    FROM ${s}.results r JOIN ${s}.series s ON s.id = r.series_id JOIN ${s}.messages m ON m.id = r.message_id`;

  /** One page of results in (started_at, check_id, location) order, after the key `after`. */
  function resultsSql(q: ResultQuery, after: StoredResult | undefined, limit: number | undefined): [string, unknown[]] {
    const values: unknown[] = [q.since];
    const where = ['r.started_at >= $1'];
    const param = (value: unknown) => `$${values.push(value)}`;
    if (q.until !== undefined) where.push(`r.started_at < ${param(q.until)}`);
    if (q.checkId !== undefined) where.push(`s.check_id = ${param(q.checkId)}`);
    if (q.location !== undefined) where.push(`s.location = ${param(q.location)}`);
    if (after) {
      const at = param(after.startedAt);
      // The plain bound lets the planner start the index scan at the right place.
      where.push(`r.started_at >= ${at}`, `(r.started_at, s.check_id, s.location) > (${at}, ${param(after.checkId)}, ${param(after.location)})`);
    }
    const tail = limit === undefined ? '' : ` LIMIT ${param(limit)}`;
    return [`SELECT ${resultColumns} WHERE ${where.join(' AND ')} ORDER BY r.started_at, s.check_id, s.location${tail}`, values];
  }

  const rollupColumns = `s.check_id, s.location, ru.day, ru.up_ms, ru.degraded_ms, ru.down_ms, ru.no_data_ms, ru.up_count,
    ru.degraded_count, ru.down_count, ru.latency_min, ru.latency_p50, ru.latency_p95, ru.latency_p99, ru.latency_max, ru.final`;

  return {
    engine: 'postgres',

    async migrate() {
      await transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_SPACE, schema]);
        // Checked first: CREATE SCHEMA IF NOT EXISTS still needs the right to create one.
        const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
        if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
        await client.query(`SET LOCAL search_path TO ${s}`);
        await client.query(`CREATE TABLE IF NOT EXISTS statuspost_schema (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
        const { rows } = await client.query<{ version: number }>('SELECT coalesce(max(version), 0)::integer AS version FROM statuspost_schema');
        const current = rows[0]!.version;
        if (current > latestPostgresVersion) {
          throw new StatuspostError(
            'SP_STORE_TOO_NEW',
            `the PostgreSQL store (schema ${schema}) is at version ${current}, newer than this statuspost knows (${latestPostgresVersion})`,
            { hint: 'upgrade statuspost, or point store.schema at another schema' },
          );
        }
        for (const migration of postgresMigrations) {
          if (migration.version <= current) continue;
          await client.query(migration.sql);
          await client.query('INSERT INTO statuspost_schema (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        }
        // Yesterday to the day after tomorrow, so the daemon's first writes find their days ready.
        await client.query('SET LOCAL client_min_messages = warning');
        await ensurePartitions(client, []);
      });
      const today = toEpochDay(Date.now());
      for (let d = today - DAYS_BEHIND; d <= today + DAYS_AHEAD; d++) knownDays.add(d);
    },

    async record(results: readonly CheckResult[], location: string, outbox?: readonly OutboxEntry[]) {
      const withOutbox = outbox !== undefined && outbox.length > 0;
      if (results.length === 0) {
        if (withOutbox) await transaction((client) => insertOutbox(client, outbox));
        return;
      }
      for (const result of results) {
        if (!Object.hasOwn(STATUS_CODE, result.status)) {
          throw new Error(`cannot record check ${result.checkId}: unknown status "${String(result.status)}"`);
        }
      }
      const messages = results.map((r) => (r.message.includes('\0') ? r.message.replaceAll('\0', '\uFFFD') : r.message));
      // Ids known now are copied out of the caches before the first await, so a concurrent call
      // clearing the message cache cannot take them away mid-write.
      const knownSeries = new Map<string, number>();
      const newSeries = new Map<string, Series>();
      for (const { checkId } of results) {
        const key = seriesKey({ checkId, location });
        const id = seriesIds.get(key);
        if (id !== undefined) knownSeries.set(key, id);
        else newSeries.set(key, { checkId, location });
      }
      const knownMessages = new Map<string, number>();
      const newMessages = new Set<string>();
      for (const message of messages) {
        const id = messageIds.get(message);
        if (id !== undefined) knownMessages.set(message, id);
        else newMessages.add(message);
      }

      // Days without a known partition: rare (a new day, a late result), so the hot path is one Set lookup per row.
      let newDays: Set<EpochDay> | undefined;
      for (const { startedAt } of results) {
        const day = Math.floor(startedAt / DAY_MS);
        if (!knownDays.has(day) && Number.isFinite(day)) (newDays ??= new Set()).add(day);
      }
      if (newDays) await ensureDays(newDays);
      else if (!knownDays.has(toEpochDay(Date.now()) + DAYS_AHEAD)) makeAhead();

      const write = () => transaction(async (client) => {
        const series = newSeries.size > 0 ? await internSeries(client, [...newSeries.values()]) : new Map<string, number>();
        const texts = newMessages.size > 0 ? await internMessages(client, [...newMessages]) : new Map<string, number>();
        const n = results.length;
        const seriesColumn = new Array<number>(n);
        const startedColumn = new Array<number>(n);
        const statusColumn = new Array<number>(n);
        const latencyColumn = new Array<number | null>(n);
        const messageColumn = new Array<number>(n);
        const detailsColumn = new Array<string | null>(n);
        for (let i = 0; i < n; i++) {
          const r = results[i]!;
          const key = seriesKey({ checkId: r.checkId, location });
          seriesColumn[i] = knownSeries.get(key) ?? series.get(key)!;
          startedColumn[i] = r.startedAt;
          statusColumn[i] = STATUS_CODE[r.status];
          latencyColumn[i] = toHundredths(r.latencyMs);
          messageColumn[i] = knownMessages.get(messages[i]!) ?? texts.get(messages[i]!)!;
          detailsColumn[i] = r.status === 'up' || isEmpty(r.details) ? null : JSON.stringify(r.details);
        }
        await client.query({
          name: 'statuspost-record',
          text: `INSERT INTO ${s}.results (series_id, started_at, status, latency, message_id, details)
            SELECT * FROM unnest($1::integer[], $2::bigint[], $3::smallint[], $4::integer[], $5::integer[], $6::text[])
            ON CONFLICT (series_id, started_at) DO NOTHING`,
          values: [seriesColumn, startedColumn, statusColumn, latencyColumn, messageColumn, detailsColumn],
        });
        if (withOutbox) await insertOutbox(client, outbox);
        return { series, texts };
      });
      let interned: Awaited<ReturnType<typeof write>>;
      try {
        interned = await write();
      } catch (error) {
        // Another process pruned a day this one thought it had: make it again and write once more.
        if (!(error instanceof pg.DatabaseError && error.code === '23514' && NO_PARTITION.test(error.message))) throw error;
        knownDays.clear();
        await ensureDays(new Set(results.map((r) => Math.floor(r.startedAt / DAY_MS)).filter(Number.isFinite)));
        interned = await write();
      }
      for (const [key, id] of interned.series) seriesIds.set(key, id);
      if (messageIds.size + interned.texts.size > MESSAGE_CACHE_MAX) messageIds.clear();
      for (const [text, id] of interned.texts) messageIds.set(text, id);
    },

    async results(q: ResultQuery) {
      const [text, values] = resultsSql(q, undefined, undefined);
      const { rows } = await query<ResultRow>(text, values);
      return rows.map(toStoredResult);
    },

    async *streamResults(q: ResultQuery) {
      let after: StoredResult | undefined;
      for (;;) {
        const [text, values] = resultsSql(q, after, PAGE_ROWS);
        const { rows } = await query<ResultRow>(text, values);
        for (const row of rows) {
          after = toStoredResult(row);
          yield after;
        }
        if (rows.length < PAGE_ROWS) return;
      }
    },

    async lastResultBefore(series: Series, at: number) {
      const { rows } = await query<ResultRow>(
        `SELECT ${resultColumns} WHERE r.series_id = ${seriesIdSql} AND r.started_at < $3 ORDER BY r.started_at DESC LIMIT 1`,
        [series.checkId, series.location, at],
      );
      return rows[0] && toStoredResult(rows[0]);
    },

    async firstResultAt(series: Series) {
      const { rows } = await query<{ first: string | null }>(`SELECT min(started_at) AS first FROM ${s}.results WHERE series_id = ${seriesIdSql}`, [
        series.checkId,
        series.location,
      ]);
      return rows[0]?.first == null ? undefined : Number(rows[0].first);
    },

    async series() {
      const { rows } = await query<{ check_id: string; location: string }>(
        `SELECT check_id, location FROM ${s}.series s
          WHERE EXISTS (SELECT 1 FROM ${s}.results r WHERE r.series_id = s.id) OR EXISTS (SELECT 1 FROM ${s}.rollups ru WHERE ru.series_id = s.id)
          ORDER BY check_id, location`,
      );
      return rows.map((row) => ({ checkId: row.check_id, location: row.location }));
    },

    async saveRollups(rollups: readonly DailyRollup[]) {
      if (rollups.length === 0) return;
      // Last one wins for a repeated (series, day): one upsert statement may touch a row only once.
      const unique = new Map(rollups.map((r) => [`${seriesKey(r)}\0${r.day}`, r]));
      const pairs = new Map([...unique.values()].map((r) => [seriesKey(r), { checkId: r.checkId, location: r.location }]));
      const known = new Map<string, number>();
      const missing: Series[] = [];
      for (const [key, pair] of pairs) {
        const id = seriesIds.get(key);
        if (id !== undefined) known.set(key, id);
        else missing.push(pair);
      }
      const interned = await transaction(async (client) => {
        const fresh = missing.length > 0 ? await internSeries(client, missing) : new Map<string, number>();
        const rows = [...unique.values()];
        const column = <T>(pick: (r: DailyRollup) => T) => rows.map(pick);
        await client.query(
          `INSERT INTO ${s}.rollups (series_id, day, up_ms, degraded_ms, down_ms, no_data_ms, up_count, degraded_count, down_count,
              latency_min, latency_p50, latency_p95, latency_p99, latency_max, final)
            SELECT * FROM unnest($1::integer[], $2::integer[], $3::integer[], $4::integer[], $5::integer[], $6::integer[], $7::integer[],
              $8::integer[], $9::integer[], $10::integer[], $11::integer[], $12::integer[], $13::integer[], $14::integer[], $15::boolean[])
            ON CONFLICT (series_id, day) DO UPDATE SET
              up_ms = excluded.up_ms, degraded_ms = excluded.degraded_ms, down_ms = excluded.down_ms, no_data_ms = excluded.no_data_ms,
              up_count = excluded.up_count, degraded_count = excluded.degraded_count, down_count = excluded.down_count,
              latency_min = excluded.latency_min, latency_p50 = excluded.latency_p50, latency_p95 = excluded.latency_p95,
              latency_p99 = excluded.latency_p99, latency_max = excluded.latency_max, final = excluded.final`,
          [
            column((r) => known.get(seriesKey(r)) ?? fresh.get(seriesKey(r))!),
            column((r) => r.day),
            column((r) => r.upMs),
            column((r) => r.degradedMs),
            column((r) => r.downMs),
            column((r) => r.noDataMs),
            column((r) => r.upCount),
            column((r) => r.degradedCount),
            column((r) => r.downCount),
            column((r) => toHundredths(r.latency?.min ?? null)),
            column((r) => toHundredths(r.latency?.p50 ?? null)),
            column((r) => toHundredths(r.latency?.p95 ?? null)),
            column((r) => toHundredths(r.latency?.p99 ?? null)),
            column((r) => toHundredths(r.latency?.max ?? null)),
            column((r) => r.final),
          ],
        );
        return fresh;
      });
      for (const [key, id] of interned) seriesIds.set(key, id);
    },

    async rollups(q: { checkId?: string; location?: string; sinceDay: EpochDay; untilDay?: EpochDay }) {
      const values: unknown[] = [q.sinceDay];
      const where = ['ru.day >= $1'];
      const param = (value: unknown) => `$${values.push(value)}`;
      if (q.untilDay !== undefined) where.push(`ru.day <= ${param(q.untilDay)}`);
      if (q.checkId !== undefined) where.push(`s.check_id = ${param(q.checkId)}`);
      if (q.location !== undefined) where.push(`s.location = ${param(q.location)}`);
      const { rows } = await query<RollupRow>(
        `SELECT ${rollupColumns} FROM ${s}.rollups ru JOIN ${s}.series s ON s.id = ru.series_id
          WHERE ${where.join(' AND ')} ORDER BY s.check_id, s.location, ru.day`,
        values,
      );
      return rows.map(toDailyRollup);
    },

    async lastFinalDay(series: Series) {
      const { rows } = await query<{ day: number | null }>(`SELECT max(day) AS day FROM ${s}.rollups WHERE series_id = ${seriesIdSql} AND final`, [
        series.checkId,
        series.location,
      ]);
      return rows[0]?.day ?? undefined;
    },

    async saveComponentDays(days: readonly ComponentDay[]) {
      if (days.length === 0) return;
      // Last one wins for a repeated (component, location, day), as in saveRollups; sorted, so
      // writers that overlap take their row locks in one order.
      const unique = new Map(days.map((d) => [`${d.componentId}\0${d.location}\0${d.day}`, d]));
      const keys = [...unique.keys()].sort(compareText);
      const rows = keys.map((key) => unique.get(key)!);
      // Encoded before anything is sent: an unknown status rejects the batch with nothing written.
      const encoded = rows.map(encodeSegments);
      // One statement: all of the batch or none of it.
      await query(
        `INSERT INTO ${s}.component_days (component_id, location, day, base, segments, final)
          SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::bigint[], $5::text[], $6::boolean[])
          ON CONFLICT (component_id, location, day) DO UPDATE SET base = excluded.base, segments = excluded.segments, final = excluded.final`,
        [
          rows.map((d) => d.componentId),
          rows.map((d) => d.location),
          rows.map((d) => d.day),
          encoded.map((e) => e.base),
          encoded.map((e) => e.segments),
          rows.map((d) => d.final),
        ],
      );
    },

    async componentDays(q: { componentId?: string; location?: string; sinceDay: EpochDay; untilDay?: EpochDay }) {
      const values: unknown[] = [q.sinceDay];
      const where = ['day >= $1'];
      const param = (value: unknown) => `$${values.push(value)}`;
      if (q.untilDay !== undefined) where.push(`day <= ${param(q.untilDay)}`);
      if (q.componentId !== undefined) where.push(`component_id = ${param(q.componentId)}`);
      if (q.location !== undefined) where.push(`location = ${param(q.location)}`);
      const { rows } = await query<ComponentDayRow>(
        `SELECT component_id, location, day, base, segments, final FROM ${s}.component_days
          WHERE ${where.join(' AND ')} ORDER BY component_id, location, day`,
        values,
      );
      return rows.map(toComponentDay);
    },

    async lastFinalComponentDay(componentId: string, location: string) {
      const { rows } = await query<{ day: number | null }>(
        `SELECT max(day) AS day FROM ${s}.component_days WHERE component_id = $1 AND location = $2 AND final`,
        [componentId, location],
      );
      return rows[0]?.day ?? undefined;
    },

    async prune(before: number) {
      // Whole days first: a partition whose day ended before `before` goes at once (DROP TABLE, no
      // dead rows left to vacuum) when every series with rows in it has a final roll-up of that day.
      let dropped = 0;
      const { rows: partitions } = await query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
        [`${s}.results`],
      );
      for (const { name } of partitions) {
        const day = partitionDay(name);
        if (day === undefined || (day + 1) * DAY_MS > before) continue;
        const gone = await transaction(async (client) => {
          await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [PARTITION_LOCK_SPACE, schema]);
          const exists = await client.query('SELECT to_regclass($1) AS t', [`${s}.${name}`]);
          if (exists.rows[0]?.t == null) return undefined;
          // DROP needs the parent's ACCESS EXCLUSIVE lock anyway: taken first (writers lock the parent
          // before the partition, so the other order could deadlock), and no writer adds a row
          // between the check and the drop. Readers wait too, for the check of one day.
          await client.query(`LOCK TABLE ${s}.results IN ACCESS EXCLUSIVE MODE`);
          const { rows: open } = await client.query(
            `SELECT 1 FROM ${s}.series se WHERE EXISTS (SELECT 1 FROM ${s}.${name} r WHERE r.series_id = se.id)
              AND NOT EXISTS (SELECT 1 FROM ${s}.rollups ru WHERE ru.series_id = se.id AND ru.day = $1 AND ru.final) LIMIT 1`,
            [day],
          );
          if (open.length > 0) return undefined;
          const { rows: counted } = await client.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${s}.${name}`);
          await client.query(`DROP TABLE ${s}.${name}`);
          return counted[0]!.n;
        });
        if (gone === undefined) continue;
        knownDays.delete(day);
        dropped += gone;
      }
      // The rest row by row, as before partitions: the final days of some series in a day that is not
      // final for all, and the part of a final day before `before`.
      // Day d covers [d * 86400000, (d + 1) * 86400000): the same days as toEpochDay().
      const { rowCount } = await query(
        `DELETE FROM ${s}.results r USING ${s}.rollups ru
          WHERE ru.final AND ru.day::bigint * 86400000 < $1
            AND r.series_id = ru.series_id
            AND r.started_at >= ru.day::bigint * 86400000
            AND r.started_at < least((ru.day::bigint + 1) * 86400000, $1)`,
        [before],
      );
      return dropped + (rowCount ?? 0);
    },

    async enqueue(entries: readonly OutboxEntry[]) {
      if (entries.length === 0) return 0;
      return transaction((client) => insertOutbox(client, entries));
    },

    async dueDeliveries(now: number, limit: number) {
      if (!(limit >= 1)) return [];
      const { rows } = await query<DeliveryRow & { event: string }>(
        `SELECT d.id, d.event_key, d.target, d.state, d.attempts, d.next_attempt_at, d.last_error, d.sent_at, d.created_at, e.event
          FROM ${s}.deliveries d JOIN ${s}.events e ON e.key = d.event_key
          WHERE d.state = 'pending' AND d.next_attempt_at <= $1 ORDER BY d.next_attempt_at, d.id LIMIT $2`,
        [wholeMs(now, 'floor'), Math.floor(limit)],
      );
      return rows.map((row) => ({ delivery: toDelivery(row), event: toEvent(row.event) }));
    },

    async nextDueAt() {
      const { rows } = await query<{ at: string | null }>(`SELECT min(next_attempt_at) AS at FROM ${s}.deliveries WHERE state = 'pending'`);
      return rows[0]?.at == null ? undefined : Number(rows[0].at);
    },

    async updateDeliveries(updates: readonly DeliveryUpdate[]) {
      if (updates.length === 0) return;
      // Last one wins for a repeated id (one statement may change a row only once); sorted, so
      // writers that overlap lock rows in one order.
      const unique = [...new Map(updates.map((u) => [u.id, updateValues(u)])).values()].sort((a, b) => a[5] - b[5]);
      const column = <I extends number>(i: I) => unique.map((values) => values[i]);
      // One statement: all of them or none.
      await query(
        `UPDATE ${s}.deliveries d SET state = u.state, attempts = u.attempts, next_attempt_at = u.next_attempt_at,
            last_error = u.last_error, sent_at = u.sent_at
          FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::bigint[], $5::text[], $6::bigint[])
            AS u (id, state, attempts, next_attempt_at, last_error, sent_at)
          WHERE d.id = u.id`,
        [column(5), column(0), column(1), column(2), column(3), column(4)],
      );
    },

    async outboxCounts() {
      const { rows } = await query<{ state: string; n: number }>(`SELECT state, count(*)::integer AS n FROM ${s}.deliveries GROUP BY state`);
      return countsByState(rows);
    },

    async events(q: { since: number; kind?: NotifyEventKind; audience?: NotifyEvent['audience'] }) {
      const values: unknown[] = [wholeMs(q.since, 'ceil')];
      const where = ['created_at >= $1'];
      const param = (value: unknown) => `$${values.push(value)}`;
      if (q.kind !== undefined) where.push(`kind = ${param(q.kind)}`);
      if (q.audience !== undefined) where.push(`audience = ${param(q.audience)}`);
      const { rows } = await query<{ event: string }>(`SELECT event FROM ${s}.events WHERE ${where.join(' AND ')} ORDER BY created_at, key`, values);
      return rows.map((row) => toEvent(row.event));
    },

    async pruneOutbox(before: number) {
      // Their deliveries go with them (ON DELETE CASCADE).
      const { rowCount } = await query(
        `DELETE FROM ${s}.events e WHERE e.created_at < $1
          AND NOT EXISTS (SELECT 1 FROM ${s}.deliveries d WHERE d.event_key = e.key AND d.state = 'pending')`,
        [wholeMs(before, 'ceil')],
      );
      return rowCount ?? 0;
    },

    async resultsAfter(cursor: ResultCursor | null, limit: number) {
      // Commit order by transaction id: every transaction below the snapshot's xmin has ended, so
      // the rows below it are all there is; rows of transactions still open (tx >= xmin) wait for a
      // later page, even if a newer transaction committed first. The horizon is read before the
      // rows, so every row below it is visible to the second statement.
      const { rows: horizon } = await query<{ x: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x');
      const xmin = horizon[0]!.x;
      if (cursor === null) return { results: [], cursor: encodeCursor({ tx: xmin }) };
      const at = decodeCursor(cursor);
      const n = Math.max(1, Math.floor(limit));
      const after =
        at.key === undefined
          ? 'r.tx >= $1::xid8'
          : // The plain bound lets the planner start the index scan at the right place.
            'r.tx >= $1::xid8 AND (r.tx, r.series_id, r.started_at) > ($1::xid8, $4::integer, $5::bigint)';
      const values: unknown[] = [at.tx, xmin, n];
      if (at.key !== undefined) values.push(at.key.seriesId, at.key.startedAt);
      const { rows } = await query<ResultRow & { tx: string; series_id: number }>(
        `SELECT r.tx::text AS tx, r.series_id, ${resultColumns}
          WHERE ${after} AND r.tx < $2::xid8 ORDER BY r.tx, r.series_id, r.started_at LIMIT $3`,
        values,
      );
      const last = rows.at(-1);
      // A full page may end inside a transaction: the next starts after its last key. A short one
      // read everything below the horizon: the next starts at the horizon.
      const next =
        rows.length === n && last ? encodeCursor({ tx: last.tx, key: { seriesId: last.series_id, startedAt: Number(last.started_at) } }) : encodeCursor({ tx: xmin });
      return { results: rows.map(toStoredResult), cursor: next };
    },

    async acquireLease(name: string, holder: string, ttlMs: number) {
      // One statement, by the server's clock: a new row (token 1); the holder renewing an unexpired
      // lease (same token); or a takeover of an expired one (token + 1, also when the old holder
      // comes back after expiry: it may have been away). While another holder's lease runs, the
      // WHERE refuses and nothing comes back. The row lock makes it wait for a fenced() in progress.
      const { rows } = await query<{ token: string; expires_at: number }>(
        `INSERT INTO ${s}.leases AS l (name, holder, token, expires_at)
          VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond')
          ON CONFLICT (name) DO UPDATE SET
            token = CASE WHEN l.holder = excluded.holder AND l.expires_at > clock_timestamp() THEN l.token ELSE l.token + 1 END,
            holder = excluded.holder, expires_at = excluded.expires_at
          WHERE l.holder = excluded.holder OR l.expires_at <= clock_timestamp()
          RETURNING token, (extract(epoch FROM expires_at) * 1000)::float8 AS expires_at`,
        [name, holder, Math.max(0, ttlMs)],
      );
      const row = rows[0];
      return row ? ({ token: Number(row.token), expiresAt: Math.floor(row.expires_at) } satisfies LeaseGrant) : null;
    },

    async releaseLease(name: string, holder: string, token: number) {
      // Expired now, token kept: the next holder gets a larger one at once.
      await query(`UPDATE ${s}.leases SET expires_at = clock_timestamp() WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > clock_timestamp()`, [
        name,
        holder,
        token,
      ]);
    },

    async fenced(name: string, token: number, writes: { verdicts?: readonly Verdict[]; outbox?: readonly OutboxEntry[] }, during?: () => Promise<void>) {
      // during() is the caller's work (the site's swap): its failure is handed back as it is, never
      // taken for the store's (an ENOENT from a file is no lost connection) nor retried.
      let failed: { error: unknown } | undefined;
      try {
        await transaction(async (client) => {
          // The row lock holds every acquireLease() of this name until the commit: a takeover
          // cannot happen while the swap runs.
          const { rows } = await client.query<{ token: string; live: boolean }>(
            `SELECT token, expires_at > clock_timestamp() AS live FROM ${s}.leases WHERE name = $1 FOR UPDATE`,
            [name],
          );
          const row = rows[0];
          if (!row || Number(row.token) !== token || !row.live) throw leaseLost(name, token, row && Number(row.token));
          const verdicts = writes.verdicts ?? [];
          if (verdicts.length > 0) {
            // Last one wins for a repeated check (one upsert may touch a row once); sorted, one lock order.
            const unique = [...new Map(verdicts.map((v) => [v.checkId, v])).values()].sort((a, b) => compareText(a.checkId, b.checkId));
            await client.query(
              `INSERT INTO ${s}.verdicts (check_id, status, since, at, locations)
                SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[])
                ON CONFLICT (check_id) DO UPDATE SET status = excluded.status, since = excluded.since, at = excluded.at, locations = excluded.locations`,
              [
                unique.map((v) => v.checkId),
                unique.map((v) => v.status),
                unique.map((v) => (v.since === null ? null : Math.round(v.since))),
                unique.map((v) => Math.round(v.at)),
                unique.map((v) => JSON.stringify(v.locations)),
              ],
            );
          }
          if (writes.outbox && writes.outbox.length > 0) await insertOutbox(client, writes.outbox);
          if (during) {
            try {
              await during();
            } catch (error) {
              failed = { error };
              throw DURING_FAILED;
            }
          }
        });
      } catch (error) {
        if (failed && error === DURING_FAILED) throw failed.error;
        throw error;
      }
    },

    async verdicts() {
      const { rows } = await query<{ check_id: string; status: ConfirmedStatus; since: string | null; at: string; locations: string }>(
        `SELECT check_id, status, since, at, locations FROM ${s}.verdicts ORDER BY check_id`,
      );
      return rows.map((row) => ({
        checkId: row.check_id,
        status: row.status,
        since: row.since === null ? null : Number(row.since),
        at: Number(row.at),
        locations: JSON.parse(row.locations) as string[],
      }));
    },

    async subscribers() {
      const { rows } = await query<SubscriberRow>(
        `SELECT id, channel, address, components, state, source, created_at, confirmed_at FROM ${s}.subscribers ORDER BY created_at, id`,
      );
      return rows.map(toSubscriber);
    },

    async saveSubscriber(subscriber: Subscriber) {
      await query(
        `INSERT INTO ${s}.subscribers (id, channel, address, components, state, source, created_at, confirmed_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
          ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, address = excluded.address, components = excluded.components,
            state = excluded.state, source = excluded.source, created_at = excluded.created_at, confirmed_at = excluded.confirmed_at`,
        subscriberValues(subscriber),
      );
    },

    async deleteSubscriber(id: string) {
      const { rowCount } = await query(`DELETE FROM ${s}.subscribers WHERE id = $1`, [id]);
      return (rowCount ?? 0) > 0;
    },

    async close() {
      if (closed) return;
      await makingAhead;
      closed = true;
      await pool.end();
    },
  } satisfies Store;
}

interface ResultRow {
  check_id: string;
  location: string;
  status: number;
  started_at: string;
  latency: number | null;
  message: string;
  details: string | null;
}

interface RollupRow {
  check_id: string;
  location: string;
  day: number;
  up_ms: number;
  degraded_ms: number;
  down_ms: number;
  no_data_ms: number;
  up_count: number;
  degraded_count: number;
  down_count: number;
  latency_min: number | null;
  latency_p50: number | null;
  latency_p95: number | null;
  latency_p99: number | null;
  latency_max: number | null;
  final: boolean;
}

interface ComponentDayRow {
  component_id: string;
  location: string;
  day: number;
  /** bigint: pg hands it over as text. */
  base: string;
  /** JSON: [[from, to, status code or null], ...], from and to in ms after base. */
  segments: string;
  final: boolean;
}

function toComponentDay(row: ComponentDayRow): ComponentDay {
  const base = Number(row.base);
  return {
    componentId: row.component_id,
    location: row.location,
    day: row.day,
    segments: decodeSegments(base, JSON.parse(row.segments) as SegmentRow[]),
    final: row.final,
  };
}


function toStoredResult(row: ResultRow): StoredResult {
  return {
    checkId: row.check_id,
    location: row.location,
    status: STATUS_NAME[row.status]!,
    startedAt: Number(row.started_at),
    latencyMs: row.latency === null ? null : row.latency / 100,
    message: row.message,
    details: row.details === null ? {} : (JSON.parse(row.details) as StoredResult['details']),
  };
}

function toDailyRollup(row: RollupRow): DailyRollup {
  return {
    checkId: row.check_id,
    location: row.location,
    day: row.day,
    upMs: row.up_ms,
    degradedMs: row.degraded_ms,
    downMs: row.down_ms,
    noDataMs: row.no_data_ms,
    upCount: row.up_count,
    degradedCount: row.degraded_count,
    downCount: row.down_count,
    latency:
      row.latency_min === null
        ? null
        : { min: row.latency_min / 100, p50: row.latency_p50! / 100, p95: row.latency_p95! / 100, p99: row.latency_p99! / 100, max: row.latency_max! / 100 },
    final: row.final,
  };
}

/** results_20261102: the partition of results holding that UTC day. */
const partitionName = (day: EpochDay) => `results_${dayKey(day).replaceAll('-', '')}`;

/** Thrown inside fenced()'s transaction to roll it back when during() failed; never seen outside. */
const DURING_FAILED = new Error('fenced: the work inside the transaction failed');

function leaseLost(name: string, token: number, current: number | undefined): StatuspostError {
  const why = current === undefined ? 'nobody holds it' : current !== token ? `another holder took it over (token ${current})` : 'it expired';
  return new StatuspostError('SP_LEASE_LOST', `the lease "${name}" with token ${token} is no longer held: ${why}; nothing was written`, {
    hint: 'another publisher is (or was) active; this one stops publishing until it holds the lease again',
  });
}

/** Where a follower has read up to: a transaction id, and the last key read inside it when a page ended there. */
interface CursorAt {
  tx: string;
  key?: { seriesId: number; startedAt: number };
}

/** "pg:<xid>" or "pg:<xid>:<series id>:<started at>". */
function encodeCursor(at: CursorAt): ResultCursor {
  return at.key === undefined ? `pg:${at.tx}` : `pg:${at.tx}:${at.key.seriesId}:${at.key.startedAt}`;
}

function decodeCursor(cursor: ResultCursor): CursorAt {
  const match = /^pg:(\d+)(?::(\d+):(-?\d+))?$/.exec(cursor);
  if (!match) throw new StatuspostError('SP_USAGE', `not a cursor of the PostgreSQL store: "${cursor.slice(0, 40)}"`);
  return match[2] === undefined ? { tx: match[1]! } : { tx: match[1]!, key: { seriesId: Number(match[2]), startedAt: Number(match[3]) } };
}

/** The day of a partition named by partitionName(), or undefined for any other table. */
function partitionDay(name: string): EpochDay | undefined {
  const match = /^results_(\d{4})(\d{2})(\d{2})$/.exec(name);
  return match ? toEpochDay(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
}

const seriesKey = (series: Series) => `${series.location}\0${series.checkId}`;

/** Code-unit order, the same in every process (localeCompare is not). */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Milliseconds → integer hundredths; null (or a value that is not a number) stays null. */
function toHundredths(ms: number | null): number | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  return Math.max(-INT4_MAX, Math.min(INT4_MAX, Math.round(ms * 100)));
}

/**
 * A time bound as a bigint the comparison means the same with: created_at >= 1.5 is created_at >= 2
 * (ceil), next_attempt_at <= 1.5 is next_attempt_at <= 1 (floor); ±Infinity becomes the safe range's end.
 */
function wholeMs(ms: number, round: 'floor' | 'ceil'): number {
  if (ms >= Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  if (ms <= Number.MIN_SAFE_INTEGER) return Number.MIN_SAFE_INTEGER;
  return Math[round](ms);
}

function isEmpty(details: Record<string, unknown>): boolean {
  for (const _ in details) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Errors: which ones mean "the store cannot be used now", and how to say so without secrets.

const UNAVAILABLE_SQLSTATE = /^(08|28|53|58|57P0[1-4]|3D000|25006)/;
const UNAVAILABLE_SYSTEM = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ENOENT', 'EACCES']);
const UNAVAILABLE_MESSAGE = /connection terminated|timeout exceeded when trying to connect|connection error|not queryable|does not support SSL|self[- ]signed|certificate/i;

function isUnavailable(error: unknown): boolean {
  if (error instanceof StatuspostError) return false;
  if (error instanceof pg.DatabaseError) return UNAVAILABLE_SQLSTATE.test(error.code ?? '');
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && (UNAVAILABLE_SYSTEM.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT'))) return true;
  return UNAVAILABLE_MESSAGE.test(error.message);
}

const SYSTEM_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** Short, and never an address: "connection refused (ECONNREFUSED)", "… (SQLSTATE 57P01)". */
function describe(error: unknown): string {
  if (error instanceof pg.DatabaseError) return `${error.message} (SQLSTATE ${error.code ?? '?'})`;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && !/^\d/.test(code)) return `${SYSTEM_WORDS[code] ?? 'cannot connect'} (${code})`;
  return (error as Error).message || 'cannot connect';
}

/** The connection string and its password, in every spelling a message could carry them. */
function secretsOf(url: string): string[] {
  const secrets = [url];
  try {
    const password = new URL(url).password;
    if (password) secrets.push(password, decodeURIComponent(password));
  } catch {
    // Not a URL (a libpq keyword string): the whole string is all there is to hide.
  }
  return secrets.filter((secret) => secret.length > 0);
}

function redact(text: string, secrets: readonly string[]): string {
  let safe = text;
  for (const secret of secrets) safe = safe.replaceAll(secret, '***');
  return safe;
}
