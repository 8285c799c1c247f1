// history: a generated 90-day history of 30 checks at a 30-second interval (about 7.8 million results)
// written into a fresh SQLite file through the store's own record(), in batches; then the roll-up
// build (refreshRollups over all of it), then the median time to answer the 90-day per-check
// summary the site needs: 89 days of roll-ups plus today computed from raw rows. "Now" is the last
// second of today (UTC), so today's raw rows are a full day: the slowest moment of the day, and the
// figure in the last line (the same summary as seen at noon is printed too).
// Usage: npm run bench:history [-- --days 90 --checks 30 --interval 30 --reps 30 --batch 6000]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import type { CheckResult, ProbeStatus } from '../src/probes/types.ts';
import { refreshRollups, type RollupCheck } from '../src/store/refresh.ts';
import { gapLimitFor, rollupDay } from '../src/store/rollup.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { DAY_MS, dayStart, toEpochDay, type DailyRollup } from '../src/store/types.ts';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '90' },
    checks: { type: 'string', default: '30' },
    interval: { type: 'string', default: '30' },
    reps: { type: 'string', default: '30' },
    batch: { type: 'string', default: '6000' },
  },
});
const DAYS = Number(values.days);
const CHECKS = Number(values.checks);
const INTERVAL_MS = Number(values.interval) * 1_000;
const REPS = Math.max(20, Number(values.reps));
const BATCH = Number(values.batch);
const LOCATION = 'local';
const SUMMARY_DAYS = 90;

const today = toEpochDay(Date.now());
const now = dayStart(today) + DAY_MS - 1_000;
const firstTick = now - DAYS * DAY_MS;

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

// A seeded generator, so every run writes the same history.
let seed = 0x5eed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

// Each check: a typical latency, mostly up, about one incident every two days: a slow spell
// (5 minutes to an hour) or an outage (1 to 30 minutes), some answering with an error, some silent.
interface Simulated {
  id: string;
  baseMs: number;
  incident: { status: ProbeStatus; ticksLeft: number; silent: boolean } | undefined;
}
const simulated: Simulated[] = Array.from({ length: CHECKS }, (_, i) => ({
  id: `check-${String(i + 1).padStart(2, '0')}`,
  baseMs: 4 + random() * 120,
  incident: undefined,
}));
const incidentChance = 0.5 / (DAY_MS / INTERVAL_MS);

function nextResult(check: Simulated, index: number, tick: number): CheckResult {
  const startedAt = tick + index * 37 + Math.floor(random() * 150);
  if (!check.incident && random() < incidentChance) {
    const degraded = random() < 0.7;
    check.incident = degraded
      ? { status: 'degraded', ticksLeft: 10 + Math.floor(random() * 110), silent: false }
      : { status: 'down', ticksLeft: 2 + Math.floor(random() * 58), silent: random() < 0.5 };
  }
  const incident = check.incident;
  if (incident && --incident.ticksLeft <= 0) check.incident = undefined;
  const base = { checkId: check.id, kind: 'http', startedAt };
  if (incident?.status === 'degraded') {
    const latencyMs = 600 + random() * 1_900;
    const message = `slow: answered in ${Math.round(latencyMs)} ms (limit 500 ms)`;
    return { ...base, status: 'degraded', latencyMs, message, details: { statusCode: 200, connectMs: Math.round(random() * 300) / 100 } };
  }
  if (incident?.status === 'down') {
    return incident.silent
      ? { ...base, status: 'down', latencyMs: null, message: 'no answer within 10000 ms', details: { phase: 'connect' } }
      : { ...base, status: 'down', latencyMs: 2 + random() * 20, message: '503 Service Unavailable', details: { statusCode: 503 } };
  }
  const jitter = random() < 0.01 ? 3 + random() * 5 : 0.7 + random() * 0.6;
  const latencyMs = Math.round(check.baseMs * jitter * 100) / 100;
  return { ...base, status: 'up', latencyMs, message: `200 OK in ${Math.round(latencyMs)} ms`, details: { statusCode: 200, connectMs: 0.4 } };
}

const dir = mkdtempSync(join(tmpdir(), 'statuspost-bench-history-'));
const path = join(dir, 'history.db');
try {
  const store = await openSqliteStore({ path });
  const ticks = Math.floor((now - firstTick) / INTERVAL_MS);
  console.log(`history: ${CHECKS} checks × ${fmt(ticks)} results each (${DAYS} days every ${INTERVAL_MS / 1_000} s), node ${process.version}`);

  // 1. Generate and record, in batches of about BATCH results.
  let written = 0;
  let recordMs = 0;
  const t0 = performance.now();
  let batch: CheckResult[] = [];
  const flush = async () => {
    const t = performance.now();
    await store.record(batch, LOCATION);
    recordMs += performance.now() - t;
    written += batch.length;
    batch = [];
  };
  for (let k = 0; k < ticks; k++) {
    const tick = firstTick + k * INTERVAL_MS; // the last one 30 s before now: every result is in the past
    simulated.forEach((check, i) => batch.push(nextResult(check, i, tick)));
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  const generateMs = performance.now() - t0;
  console.log(`  generate + record   ${fmt(generateMs / 1_000, 1)} s for ${fmt(written)} results (${fmt(written / (generateMs / 1_000))} results/s)`);
  console.log(`  of which record()   ${fmt(recordMs / 1_000, 1)} s (${fmt(written / (recordMs / 1_000))} results/s, batches of ${fmt(BATCH)})`);

  // 2. The roll-up build: every day of every check, from raw rows.
  const checks: RollupCheck[] = simulated.map((c) => ({ id: c.id, schedule: { intervalMs: INTERVAL_MS }, timeoutMs: 10_000 }));
  const t1 = performance.now();
  const built = await refreshRollups(store, checks, LOCATION, now);
  const rollupMs = performance.now() - t1;
  console.log(`  roll-up build       ${fmt(rollupMs / 1_000, 1)} s for ${fmt(built)} daily roll-ups (${fmt(written / (rollupMs / 1_000))} results/s)`);

  // 3. The site's 90-day summary: final days from roll-ups, today from raw rows, as seen at `at`.
  async function summary(at: number): Promise<Map<string, DailyRollup[]>> {
    const byCheck = new Map<string, DailyRollup[]>();
    for (const rollup of await store.rollups({ sinceDay: today - (SUMMARY_DAYS - 1), untilDay: today - 1 })) {
      const days = byCheck.get(rollup.checkId) ?? [];
      days.push(rollup);
      byCheck.set(rollup.checkId, days);
    }
    for (const check of checks) {
      const series = { checkId: check.id, location: LOCATION };
      const previous = await store.lastResultBefore(series, dayStart(today));
      const results = await store.results({ ...series, since: dayStart(today), until: at });
      const partial = rollupDay({ series, day: today, previous, results, gapLimitMs: gapLimitFor(check), now: at });
      byCheck.set(check.id, [...(byCheck.get(check.id) ?? []), partial]);
    }
    return byCheck;
  }
  async function timeSummary(at: number) {
    let answer = await summary(at); // warm-up, not counted
    const times: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t = performance.now();
      answer = await summary(at);
      times.push(performance.now() - t);
    }
    const todayRows = [...answer.values()].reduce((sum, days) => sum + days.at(-1)!.upCount + days.at(-1)!.degradedCount + days.at(-1)!.downCount, 0);
    return { answer, times, todayRows };
  }
  const midday = await timeSummary(dayStart(today) + DAY_MS / 2);
  const { answer, times, todayRows } = await timeSummary(now);
  const summaryMs = median(times);
  console.log(
    `  90-day summary      median ${fmt(summaryMs, 1)} ms, p95 ${fmt(quantile(times, 0.95), 1)} ms over ${REPS} runs at 23:59 UTC ` +
      `(${answer.size} checks × ${answer.values().next().value?.length ?? 0} days; today from ${fmt(todayRows)} raw rows)`,
  );
  console.log(`    the same at noon  median ${fmt(median(midday.times), 1)} ms, p95 ${fmt(quantile(midday.times, 0.95), 1)} ms (today from ${fmt(midday.todayRows)} raw rows)`);
  const uptimes = [...answer.values()].map((days) => {
    const up = days.reduce((sum, d) => sum + d.upMs, 0);
    const known = days.reduce((sum, d) => sum + d.upMs + d.degradedMs + d.downMs, 0);
    return known === 0 ? 100 : (100 * up) / known;
  });
  console.log(`  uptime over 90 days ${fmt(Math.min(...uptimes), 3)}% (worst check) to ${fmt(Math.max(...uptimes), 3)}% (best)`);
  await store.close();

  // 4. Size: the file after a checkpoint that empties the WAL.
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const count = db.prepare('SELECT count(*) FROM results').pluck().get() as number;
  const tables = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
  db.close();
  const fileBytes = statSync(path).size;
  const bytesPerResult = fileBytes / count;
  console.log(`  file size           ${fmt(fileBytes / 1_048_576, 1)} MiB for ${fmt(count)} results: ${fmt(bytesPerResult, 1)} bytes per result, ${fmt((bytesPerResult * 1e6) / 1_048_576, 1)} MiB per million`);
  console.log(`  by table            ${tables.map((t) => `${t.name} ${fmt(t.bytes / 1_048_576, 1)} MiB`).join(', ')}`);
  console.log(`history: summary_ms=${summaryMs.toFixed(1)} bytes_per_result=${bytesPerResult.toFixed(1)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
