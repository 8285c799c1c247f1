// store-write: results per second written through store.record(), for SQLite and PostgreSQL, next to
// the same rows written by the bare driver in the same batch size, in alternating rounds (medians).
// The store's own work (checking statuses, interning checks and messages, converting rows, one
// transaction per batch) is what is measured; the bare side gets its ids from an in-memory Map.
// Usage: npm run bench:store-write [-- --rows 20000 --batches 100,1000 --rounds 7 --engines sqlite,postgres --url postgres://…]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { CheckResult, ProbeStatus } from '../src/probes/types.ts';
import { openPostgresStore } from '../src/store/postgres.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    batches: { type: 'string', default: '100,1000' },
    rounds: { type: 'string', default: '7' },
    engines: { type: 'string', default: 'sqlite,postgres' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const ROWS = Number(values.rows);
const BATCHES = values.batches.split(',').map(Number);
const ROUNDS = Number(values.rounds);
const ENGINES = values.engines.split(',');
const CHECKS = 30;
const LOCATION = 'bench';
const INTERVAL_MS = 30_000;
// Results start a week before the run, at a UTC midnight: recent whatever day the bench runs.
const T0 = Math.floor(Date.now() / 86_400_000 - 7) * 86_400_000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const perSecond = (rows: number, ms: number) => Math.round((rows / ms) * 1000);
const fmt = (n: number) => n.toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// The rows: 30 checks every 30 s, as a daemon flushes them; mostly up, some slow, a few down.
// Each (round, batch size) gets its own stretch of time; store and bare write the very same rows.

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRows(stretch: number): CheckResult[] {
  const random = mulberry32(stretch + 1);
  const base = T0 + stretch * Math.ceil(ROWS / CHECKS + 1) * INTERVAL_MS;
  return Array.from({ length: ROWS }, (_, i): CheckResult => {
    const check = i % CHECKS;
    const startedAt = base + Math.floor(i / CHECKS) * INTERVAL_MS + check * 7;
    const roll = random();
    const checkId = `chat-node-${check}`;
    if (roll < 0.01) return { checkId, kind: 'http', status: 'down', startedAt, latencyMs: null, message: 'connection refused', details: { code: 'ECONNREFUSED' } };
    const slow = roll < 0.03;
    const latencyMs = Math.round((slow ? 500 + random() * 400 : 5 + random() * 75) * 100) / 100;
    return {
      checkId,
      kind: 'http',
      status: slow ? 'degraded' : 'up',
      startedAt,
      latencyMs,
      message: slow ? `slow: answered in ${Math.round(latencyMs)} ms (limit 500 ms)` : `200 OK in ${Math.round(latencyMs)} ms`,
      details: { statusCode: 200, dnsMs: 0.41, connectMs: 0.22, ttfbMs: latencyMs },
    };
  });
}

const batchesOf = <T>(rows: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
};

// The bare side converts the same CheckResults to the same compact row, with ids from Maps.
type BareRow = [seriesId: number, startedAt: number, status: number, latency: number | null, messageId: number, details: string | null];
const STATUS: Record<ProbeStatus, number> = { up: 0, degraded: 1, down: 2 };
function bareConverter(): (r: CheckResult) => BareRow {
  const series = new Map<string, number>();
  const messages = new Map<string, number>();
  const idOf = (map: Map<string, number>, key: string) => {
    let id = map.get(key);
    if (id === undefined) map.set(key, (id = map.size + 1));
    return id;
  };
  return (r) => [
    idOf(series, r.checkId),
    r.startedAt,
    STATUS[r.status],
    r.latencyMs === null ? null : Math.round(r.latencyMs * 100),
    idOf(messages, r.message),
    r.status === 'up' ? null : JSON.stringify(r.details),
  ];
}

interface Side {
  write(batch: readonly CheckResult[]): unknown;
}

interface Engine {
  title: string;
  store: Side;
  bare: Side;
  /** Rows in each side's table: both must have written every row. */
  counts(): Promise<{ store: number; bare: number }>;
  close(): Promise<void>;
}

/** Alternating rounds (one warm-up first), each side writing ROWS rows in batches of `size`. */
async function measure(engine: Engine): Promise<Map<number, { store: number; bare: number }>> {
  const medians = new Map<number, { store: number; bare: number }>();
  let stretch = 0;
  for (const size of BATCHES) {
    const times = { store: [] as number[], bare: [] as number[] };
    for (let round = 0; round <= ROUNDS; round++) {
      const batches = batchesOf(makeRows(stretch++), size);
      const order = round % 2 === 0 ? (['store', 'bare'] as const) : (['bare', 'store'] as const);
      for (const side of order) {
        const t0 = performance.now();
        for (const batch of batches) await engine[side].write(batch);
        if (round > 0) times[side].push(performance.now() - t0);
      }
    }
    medians.set(size, { store: median(times.store), bare: median(times.bare) });
  }
  return medians;
}

// ---------------------------------------------------------------------------------------------
// SQLite: the store on a fresh temporary file; bare better-sqlite3 on another file in the same
// folder with the store's pragmas (WAL, synchronous=FULL: keep in step with src/store/sqlite.ts),
// a prepared INSERT run per row inside db.transaction().

async function sqliteEngine(dir: string): Promise<Engine> {
  const { openSqliteStore } = await import('../src/store/sqlite.ts');
  const store = await openSqliteStore({ path: join(dir, 'store.db') });
  await store.migrate();
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE results (
    series_id INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    status INTEGER NOT NULL CHECK (status IN (0, 1, 2)),
    latency INTEGER,
    message_id INTEGER NOT NULL,
    details TEXT,
    PRIMARY KEY (series_id, started_at)
  ) WITHOUT ROWID`);
  const insert = db.prepare('INSERT OR IGNORE INTO results (series_id, started_at, status, latency, message_id, details) VALUES (?, ?, ?, ?, ?, ?)');
  const toRow = bareConverter();
  const writeBatch = db.transaction((batch: readonly CheckResult[]) => {
    for (const r of batch) insert.run(toRow(r));
  }).immediate; // as the store: take the write lock at BEGIN
  return {
    title: `sqlite (better-sqlite3, SQLite ${(db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v}, WAL, synchronous=FULL on both sides)`,
    store: { write: (batch) => store.record(batch, LOCATION) },
    bare: { write: (batch) => writeBatch(batch) },
    async counts() {
      const storeDb = new Database(join(dir, 'store.db'), { readonly: true });
      try {
        const count = (d: Database.Database) => d.prepare('SELECT count(*) FROM results').pluck().get() as number;
        return { store: count(storeDb), bare: count(db) };
      } finally {
        storeDb.close();
      }
    },
    async close() {
      await store.close();
      db.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: the store in a fresh schema; bare pg on one client, a multi-row INSERT … VALUES with
// parameters (a named statement per batch size) in a transaction, into an equivalent plain table
// (same columns, same primary key, same started_at index) in the same schema.

async function postgresEngine(url: string, schema: string): Promise<Engine> {
  const store = await openPostgresStore({ url, schema });
  await store.migrate();
  const client = new pg.Client({ connectionString: url, application_name: 'statuspost-bench' });
  await client.connect();
  await client.query(`CREATE TABLE "${schema}".bare_results (
    started_at bigint NOT NULL,
    series_id integer NOT NULL,
    message_id integer NOT NULL,
    latency integer,
    status smallint NOT NULL CHECK (status BETWEEN 0 AND 2),
    details text,
    PRIMARY KEY (series_id, started_at)
  )`);
  await client.query(`CREATE INDEX ON "${schema}".bare_results (started_at)`);
  const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  const syncCommit = (await client.query<{ v: string }>("SELECT current_setting('synchronous_commit') AS v")).rows[0]!.v;
  const toRow = bareConverter();
  const statementFor = (n: number) => {
    const tuples = Array.from({ length: n }, (_, i) => `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6})`);
    return `INSERT INTO "${schema}".bare_results (series_id, started_at, status, latency, message_id, details) VALUES ${tuples.join(', ')}
      ON CONFLICT (series_id, started_at) DO NOTHING`;
  };
  const statements = new Map<number, string>();
  return {
    title: `postgres (pg, PostgreSQL ${version}, synchronous_commit=${syncCommit})`,
    store: { write: (batch) => store.record(batch, LOCATION) },
    bare: {
      async write(batch) {
        let text = statements.get(batch.length);
        if (text === undefined) statements.set(batch.length, (text = statementFor(batch.length)));
        await client.query('BEGIN');
        await client.query({ name: `bare-insert-${batch.length}`, text, values: batch.flatMap(toRow) });
        await client.query('COMMIT');
      },
    },
    async counts() {
      const count = async (table: string) => Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".${table}`)).rows[0]!.n);
      return { store: await count('results'), bare: await count('bare_results') };
    },
    async close() {
      await store.close();
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** Cleans up after a set-up that failed half-way. */
async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } catch (error) {
    console.error(`could not drop schema ${schema}: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined); // never connected: nothing to end
  }
}

// ---------------------------------------------------------------------------------------------

console.log(
  `store-write: ${fmt(ROWS)} results per round in batches of ${BATCHES.join(' and ')}, ${ROUNDS} rounds (+1 warm-up), alternating order, node ${process.version}`,
);
console.log(`  ${CHECKS} checks every ${INTERVAL_MS / 1000} s; about 97% up, 2% degraded, 1% down; messages such as "200 OK in 12 ms"`);
console.log('  store: store.record(batch, location): checks each status, interns (check, location) and messages (an in-memory');
console.log('         id cache; INSERT … ON CONFLICT DO NOTHING, then SELECT, for new ones, inside the transaction), converts');
console.log('         rows (status code, latency in 0.01 ms, details JSON for failures only), one transaction per batch');
console.log('  bare:  the same rows converted the same way in a loop, ids from an in-memory Map (no series or messages');
console.log('         tables, no interning), one transaction per batch into an equivalent plain results table');

const ratios: Record<string, number> = {};
for (const name of ENGINES) {
  const dir = mkdtempSync(join(tmpdir(), 'statuspost-bench-'));
  const schema = `bench_store_write_${process.pid}`;
  let engine: Engine | undefined;
  try {
    engine = name === 'sqlite' ? await sqliteEngine(dir) : await postgresEngine(values.url, schema);
    const medians = await measure(engine);
    const counts = await engine.counts();
    const expected = ROWS * BATCHES.length * (ROUNDS + 1);
    if (counts.store !== expected || counts.bare !== expected) {
      throw new Error(`${name}: expected ${expected} rows on each side, found store ${counts.store}, bare ${counts.bare}`);
    }
    console.log(`  ${engine.title}; ${fmt(expected)} rows written by each side`);
    const perBatch: number[] = [];
    for (const [size, { store, bare }] of medians) {
      const ratio = bare / store; // rows/s of the store ÷ rows/s of the bare driver
      perBatch.push(ratio);
      console.log(
        `    batch ${String(size).padEnd(5)} store median ${store.toFixed(0).padStart(5)} ms (${fmt(perSecond(ROWS, store)).padStart(9)} results/s)` +
          `   bare median ${bare.toFixed(0).padStart(5)} ms (${fmt(perSecond(ROWS, bare)).padStart(9)} results/s)   ratio ${ratio.toFixed(2)}`,
      );
    }
    ratios[name] = Math.min(...perBatch);
  } finally {
    if (engine) await engine.close();
    else if (name === 'postgres') await dropSchema(values.url, schema);
    rmSync(dir, { recursive: true, force: true });
  }
}
const show = (name: string) => (ratios[name] === undefined ? 'n/a' : ratios[name].toFixed(2));
console.log('  each ratio below is the lower of the batch sizes');
console.log(`store-write: sqlite_ratio=${show('sqlite')} postgres_ratio=${show('postgres')}`);
