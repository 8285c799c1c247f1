// ingest: the several-locations scale of issue 18 on this machine's PostgreSQL. 10,000 checks × 3
// locations, each check every 30 s (1,000 results/s), written for 3 minutes by three prober
// processes as the daemon writes (src/daemon/writer.ts: a buffer flushed every second, batches of up
// to 1,000), while a publisher process follows them (store.resultsAfter, polled every second) into
// one LiveStatus per location and votes every check (src/locations/quorum.ts), as the lease holder
// does. Separate processes, as in production: the publisher's vote loop never delays a write. Then, side by side, the write capacity of the
// store against the bare driver writing the same rows into a plain table (the lower bound of what a
// write can cost). Everything goes in a schema of its own, dropped at the end.
// Usage: npm run bench:ingest [-- --minutes 3 --checks 10000 --locations 3 --short --url postgres://…]
// Ends with: ingest: results_per_s=R p99_record_ms=P gather_ms=G
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createLogger } from '../src/daemon/log.ts';
import { onStop, startBench } from './support/processes.ts';
import { createResultWriter } from '../src/daemon/writer.ts';
import { LiveByLocation } from '../src/locations/live.ts';
import { createVerdicts } from '../src/locations/verdicts.ts';
import type { Config } from '../src/config/load.ts';
import type { Check } from '../src/probes/registry.ts';
import { tcpProbe } from '../src/probes/tcp.ts';
import type { CheckResult } from '../src/probes/types.ts';
import type { KeptCheck } from '../src/live/live-status.ts';
import { zoneDays } from '../src/status/component-days.ts';
import { openPostgresStore } from '../src/store/postgres.ts';
import { toEpochDay, type ResultCursor, type Store, type StoredResult } from '../src/store/types.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    checks: { type: 'string' },
    locations: { type: 'string', default: '3' },
    short: { type: 'boolean', default: false },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    // Internal: a child's part (writer LOCATION | publisher) and the shared schema and start.
    role: { type: 'string' },
    location: { type: 'string' },
    schema: { type: 'string' },
    start: { type: 'string' },
  },
});
// --short: a smoke run (20 s, 1,000 checks), for checking the bench itself, not for figures.
const MINUTES = Number(values.minutes ?? (values.short ? 1 / 3 : 3));
const CHECKS = Number(values.checks ?? (values.short ? 1_000 : 10_000));
const LOCATIONS = Array.from({ length: Number(values.locations) }, (_, i) => String.fromCharCode(97 + i)); // a, b, c
const INTERVAL_MS = 30_000;
const PAGE = 10_000;
const CAPACITY_ROWS = values.short ? 5_000 : 30_000;
const CAPACITY_ROUNDS = 3;
const SCHEMA = values.schema ?? `sp_bench_ingest_${randomBytes(4).toString('hex')}`;
const SECONDS = Math.round(MINUTES * 60);

const median = (xs: readonly number[]) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const quantile = (xs: readonly number[], q: number) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One result as a prober makes it: mostly up, some slow, a few down; check 7 is down at location a only. */
function makeResult(random: () => number, check: number, location: string, startedAt: number): CheckResult {
  const checkId = `check-${check}`;
  const roll = random();
  if ((check === 7 && location === 'a') || roll < 0.005) {
    return { checkId, kind: 'http', status: 'down', startedAt, latencyMs: null, message: 'connection refused', details: { code: 'ECONNREFUSED' } };
  }
  const slow = roll < 0.02;
  const latencyMs = Math.round((slow ? 500 + random() * 400 : 5 + random() * 75) * 100) / 100;
  return {
    checkId,
    kind: 'http',
    status: slow ? 'degraded' : 'up',
    startedAt,
    latencyMs,
    message: slow ? `slow: answered in ${Math.round(latencyMs)} ms (limit 500 ms)` : `200 OK in ${Math.round(latencyMs)} ms`,
    details: { statusCode: 200 },
  };
}

/** The store with every record() call timed (the writer's batches). */
function timed(store: Store, recordMs: number[]): Store {
  return {
    ...store,
    async record(results, location, outbox) {
      const t0 = performance.now();
      await store.record(results, location, outbox);
      recordMs.push(performance.now() - t0);
    },
  };
}

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

interface WriterReport {
  kind: 'writer';
  location: string;
  generated: number;
  written: number;
  dropped: number;
  recordMs: number[];
  /** Epoch ms of the last commit. */
  writtenAt: number;
}

interface PublisherReport {
  kind: 'publisher';
  polls: number;
  skipped: number;
  followed: number;
  changes: number;
  gatherMs: number[];
  readMs: number[];
  takeMs: number[];
  voteMs: number[];
  touched: number[];
}

const send = (message: unknown) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

/** A prober: this location's results, made every second from `start` (epoch ms), through the daemon's writer. */
async function writer(location: string, start: number) {
  const store = await openPostgresStore({ url: values.url, schema: SCHEMA });
  const recordMs: number[] = [];
  const logger = createLogger({ format: 'json', write: () => undefined });
  const writer = createResultWriter({ store: timed(store, recordMs), location, logger, batchSize: 1_000, flushIntervalMs: 1_000 });
  const random = mulberry32(location.charCodeAt(0));
  let generated = 0;
  for (let second = 0; second < SECONDS; second++) {
    await sleepUntil(start + second * 1_000);
    // The checks due this second (check i runs at second i mod 30 of each interval).
    const at = start + second * 1_000;
    for (let check = second % 30; check < CHECKS; check += INTERVAL_MS / 1_000) {
      writer.add(makeResult(random, check, location, at + (check % 1_000)));
      generated++;
    }
  }
  await writer.flush();
  const writtenAt = Date.now();
  const stats = await writer.close(5_000);
  await store.close();
  await send({ kind: 'writer', location, generated, written: stats.written, dropped: stats.dropped, recordMs, writtenAt } satisfies WriterReport);
}

/** The lease holder: follows every location's results into LiveByLocation and votes every check, each second. */
async function publisher() {
  const store = await openPostgresStore({ url: values.url, schema: SCHEMA });
  let start: number | undefined;
  let expected: number | undefined;
  process.on('message', (message: { start?: number; expected?: number }) => {
    start ??= message.start;
    expected ??= message.expected;
  });
  // The present first, then the state: what is written meanwhile comes through the cursor (under
  // load the adoption below can outlast the writers' head start).
  let cursor: ResultCursor = (await store.resultsAfter(null, PAGE)).cursor;
  await send({ kind: 'ready' });
  // Its state as the lease holder starts it: every check of every location kept from today's start
  // (stored rows: none yet), then fed by the follower.
  const zone = zoneDays('UTC');
  const checks: KeptCheck[] = Array.from({ length: CHECKS }, (_, i) => ({ id: `check-${i}`, confirm: { down: 2, up: 2 }, schedule: { intervalMs: INTERVAL_MS }, timeoutMs: 10_000 }));
  const live = new LiveByLocation(zone);
  const today = zone.dayOf(Date.now());
  const [dayStart, dayEnd] = [zone.startOf(today), zone.startOf(today + 1)];
  const states = LOCATIONS.map((location) => live.location(location));
  for (const [i, location] of LOCATIONS.entries()) {
    for (const check of checks) {
      states[i]!.adopt(check, dayStart, dayEnd, []);
      states[i]!.adoptRollup(check, { checkId: check.id, location }, toEpochDay(Date.now()), undefined, []);
    }
  }
  // The lease holder's verdicts (src/locations/verdicts.ts), as `statuspost run` makes them: every
  // result observed, then one evaluation per poll, which votes the checks with a new result or a
  // location going stale. Without a token it votes as a standby does and writes nothing: the
  // holder's writes are its agreed changes only, none in a steady run.
  const config = {
    checks: checks.map((check) => tcpProbe.schema.parse({ id: check.id, component: 'chat', kind: 'tcp', host: 'h.example', port: 1, schedule: `${INTERVAL_MS / 1000}s`, timeout: '10s', confirm: { down: 2, up: 2 } }) as Check),
    components: [{ id: 'chat', name: 'Chat', group: null, description: '', outage: { partialAt: 1, majorAt: 'all' as const }, critical: false }],
  } as unknown as Pick<Config, 'checks' | 'components'>;
  const verdicts = createVerdicts({ config, locations: LOCATIONS, store, logger: createLogger({ format: 'json', write: () => {} }), token: () => null });
  await verdicts.restore(Date.now());
  const report: PublisherReport = { kind: 'publisher', polls: 0, skipped: 0, followed: 0, changes: 0, gatherMs: [], readMs: [], takeMs: [], voteMs: [], touched: [] };

  async function poll() {
    const t0 = performance.now();
    const taken: StoredResult[] = [];
    for (;;) {
      const page = await store.resultsAfter(cursor, PAGE);
      cursor = page.cursor;
      taken.push(...page.results);
      if (page.results.length < PAGE) break;
    }
    const t1 = performance.now();
    for (const r of taken) live.location(r.location).take({ id: r.checkId }, { ...r, kind: 'tcp' });
    report.followed += taken.length;
    const t2 = performance.now();
    for (const r of taken) verdicts.observe(r.location, { ...r, kind: 'tcp' });
    await verdicts.evaluate();
    const t3 = performance.now();
    report.touched.push(new Set(taken.map((r) => r.checkId)).size);
    report.polls++;
    report.gatherMs.push(t3 - t0);
    report.readMs.push(t1 - t0);
    report.takeMs.push(t2 - t1);
    report.voteMs.push(t3 - t2);
  }

  // Every second of the run, one poll at a time: a poll still running when the next is due skips it.
  while (start === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
  let polling: Promise<void> | undefined;
  for (let second = 1; second <= SECONDS; second++) {
    await sleepUntil(start! + second * 1_000);
    if (polling) report.skipped++;
    else
      polling = poll().finally(() => {
        polling = undefined;
      });
  }
  await polling;
  // Then the rest, once the writers said how many they wrote (not timed: the run is over).
  const timed = report.polls;
  const end = Date.now() + 60_000;
  while ((expected === undefined || report.followed < expected) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await poll();
  }
  for (const key of ['gatherMs', 'readMs', 'takeMs', 'voteMs', 'touched'] as const) report[key].length = timed;
  report.polls = timed;
  await store.close();
  await send(report);
}

async function main() {
  // The writers and the publisher are forked children: none outlives the run, however it ends.
  startBench('bench:ingest');
  const admin = new pg.Client({ connectionString: values.url });
  onStop(() => admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined));
  await admin.connect();
  const server = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  const children: ChildProcess[] = [];
  try {
    const setup = await openPostgresStore({ url: values.url, schema: SCHEMA });
    await setup.migrate();
    await setup.close();
    const loadStart = loadavg().map((l) => l.toFixed(2)).join(' ');
    console.log(
      `ingest: ${fmt(CHECKS)} checks × ${LOCATIONS.length} locations every ${INTERVAL_MS / 1000} s for ${fmt(MINUTES, 2)} min ` +
        `(${fmt((CHECKS * LOCATIONS.length * 1000) / INTERVAL_MS)} results/s) into PostgreSQL ${server}, node ${process.version}; ` +
        `${LOCATIONS.length} prober processes and a publisher process; load ${loadStart}`,
    );

    // --- the run: one process per prober, one publisher --------------------------------------------
    const common = ['--schema', SCHEMA, '--url', values.url, '--minutes', String(MINUTES), '--checks', String(CHECKS), '--locations', String(LOCATIONS.length)];
    const spawnChild = (args: string[]) => {
      const child = fork(fileURLToPath(import.meta.url), [...common, ...args], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      return child;
    };
    const reportOf = <T,>(child: ChildProcess) =>
      new Promise<T>((resolve, reject) => {
        child.once('message', (message) => resolve(message as T));
        child.once('exit', (code) => reject(new Error(`a child exited with ${code} before reporting`)));
      });
    // The publisher takes its cursor first (the present), then the probers start writing.
    const publisherChild = spawnChild(['--role', 'publisher']);
    await reportOf<{ kind: 'ready' }>(publisherChild);
    const published = reportOf<PublisherReport>(publisherChild);
    const start = Date.now() + 3_000; // time for the probers to start
    publisherChild.send({ start });
    const writerReports = LOCATIONS.map((location) => reportOf<WriterReport>(spawnChild(['--role', 'writer', '--location', location, '--start', String(start)])));
    const progress = setInterval(() => console.log(`  ${Math.round((Date.now() - start) / 1000)} s, load ${loadavg()[0]!.toFixed(2)}`), 30_000);
    const writers = await Promise.all(writerReports);
    clearInterval(progress);
    const written = writers.reduce((n, w) => n + w.written, 0);
    const generated = writers.reduce((n, w) => n + w.generated, 0);
    const dropped = writers.reduce((n, w) => n + w.dropped, 0);
    publisherChild.send({ expected: written });
    const pub = await published;
    const recordMs = writers.flatMap((w) => w.recordMs);
    const writtenAt = Math.max(...writers.map((w) => w.writtenAt));
    // Sustained: every result made in [0, SECONDS) s committed by writtenAt.
    const resultsPerS = written / ((writtenAt - start) / 1_000);
    const p99 = quantile(recordMs, 0.99);
    const gather = median(pub.gatherMs);
    console.log(
      `  written ${fmt(written)} of ${fmt(generated)} (dropped ${dropped}) in ${fmt((writtenAt - start) / 1000, 1)} s: ${fmt(resultsPerS)} results/s; ` +
        `${fmt(recordMs.length)} record() calls, p50 ${fmt(median(recordMs), 1)} ms, p99 ${fmt(p99, 1)} ms, max ${fmt(Math.max(...recordMs), 1)} ms`,
    );
    console.log(
      `  publisher: ${fmt(pub.polls)} polls during the run (${pub.skipped} turns skipped: the poll before still ran), followed ${fmt(pub.followed)} results ` +
        `(each once: ${pub.followed === written ? 'yes' : 'NO'}), gather median ${fmt(gather, 1)} ms, p99 ${fmt(quantile(pub.gatherMs, 0.99), 1)} ms; ${pub.changes} agreed changes`,
    );
    console.log(
      `  per poll (medians): reading pages ${fmt(median(pub.readMs), 1)} ms, ${LOCATIONS.length} LiveStatus.take ${fmt(median(pub.takeMs), 1)} ms, ` +
        `verdicts (observe + evaluate: ${fmt(median(pub.touched))} checks with a new result, and those going stale) ${fmt(median(pub.voteMs), 1)} ms`,
    );
    const partitions = (
      await admin.query<{ n: number }>(`SELECT count(*)::integer AS n FROM pg_inherits WHERE inhparent = $1::regclass`, [`"${SCHEMA}".results`])
    ).rows[0]!.n;
    console.log(`  results table: ${partitions} daily partitions, ${fmt(Number((await admin.query(`SELECT count(*) AS n FROM "${SCHEMA}".results`)).rows[0].n))} rows`);

    // --- capacity, side by side: the store's record() against the bare driver ------------------
    // The same rows (one location's batches of 1,000, as the writer sends them) at full speed, in
    // alternating rounds: the store (interning, checks, the partitioned table with its follow index)
    // against a plain INSERT … unnest of already converted columns into the table results was before
    // issue 18 (unpartitioned, its key and time index, no follow index): what a batch cannot cost less than.
    await admin.query(`CREATE TABLE "${SCHEMA}".bare (started_at bigint NOT NULL, series_id integer NOT NULL, message_id integer NOT NULL,
      latency integer, status smallint NOT NULL, details text, PRIMARY KEY (series_id, started_at))`);
    await admin.query(`CREATE INDEX ON "${SCHEMA}".bare (started_at)`);
    const capacityStore = await openPostgresStore({ url: values.url, schema: SCHEMA });
    const storeRates: number[] = [];
    const bareRates: number[] = [];
    const ids = new Map<string, number>();
    const idOf = (text: string) => ids.get(text) ?? (ids.set(text, ids.size + 1), ids.size);
    const random = mulberry32(99);
    try {
      for (let round = 0; round < CAPACITY_ROUNDS; round++) {
        const base = Date.now() + (round + 1) * 3_600_000; // later today or tomorrow: partitions made ahead
        const rows = Array.from({ length: CAPACITY_ROWS }, (_, i) => makeResult(random, i % CHECKS, 'capacity', base + Math.floor(i / CHECKS) * INTERVAL_MS));
        const batches = Array.from({ length: Math.ceil(rows.length / 1_000) }, (_, i) => rows.slice(i * 1_000, (i + 1) * 1_000));
        const sides = [
          async () => {
            const t0 = performance.now();
            for (const batch of batches) await capacityStore.record(batch, 'capacity');
            storeRates.push(rows.length / ((performance.now() - t0) / 1000));
          },
          async () => {
            const t0 = performance.now();
            for (const batch of batches) {
              await admin.query('BEGIN');
              await admin.query(
                `INSERT INTO "${SCHEMA}".bare (series_id, started_at, status, latency, message_id, details)
                  SELECT * FROM unnest($1::integer[], $2::bigint[], $3::smallint[], $4::integer[], $5::integer[], $6::text[]) ON CONFLICT DO NOTHING`,
                [
                  batch.map((r) => idOf(r.checkId)),
                  batch.map((r) => r.startedAt),
                  batch.map((r) => (r.status === 'up' ? 0 : r.status === 'degraded' ? 1 : 2)),
                  batch.map((r) => (r.latencyMs === null ? null : Math.round(r.latencyMs * 100))),
                  batch.map((r) => idOf(r.message)),
                  batch.map((r) => (r.status === 'up' ? null : JSON.stringify(r.details))),
                ],
              );
              await admin.query('COMMIT');
            }
            bareRates.push(rows.length / ((performance.now() - t0) / 1000));
          },
        ];
        if (round % 2 === 1) sides.reverse();
        for (const side of sides) await side();
      }
    } finally {
      await capacityStore.close();
    }
    const [storeRate, bareRate] = [median(storeRates), median(bareRates)];
    console.log(
      `  capacity (${fmt(CAPACITY_ROWS)} rows × ${CAPACITY_ROUNDS} rounds, batches of 1,000): store ${fmt(storeRate)} results/s, ` +
        `bare driver ${fmt(bareRate)} results/s, ratio ${(storeRate / bareRate).toFixed(2)}; headroom ${fmt(storeRate / ((CHECKS * LOCATIONS.length * 1000) / INTERVAL_MS), 1)}× the target rate`,
    );
    console.log(`  load average (1, 5, 15 min) at the start: ${loadStart}, at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (pub.followed !== written || dropped > 0) process.exitCode = 1;
    console.log(`ingest: results_per_s=${Math.round(resultsPerS)} p99_record_ms=${p99.toFixed(1)} gather_ms=${gather.toFixed(1)}`);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
    await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

const role = values.role === 'writer' ? writer(values.location!, Number(values.start)) : values.role === 'publisher' ? publisher() : main();
role.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
