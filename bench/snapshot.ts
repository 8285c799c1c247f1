// snapshot: the status model's Snapshot for 30 components (60 checks, two each) with 90 days of history
// at a 30-second interval in the embedded store, and 1,000 posts. The history is written through
// store.record, then roll-ups and component days are built (as the daemon does); the timed part is
// what every publish does: gatherSnapshotInput plus buildSnapshot, with the daemon's kept state of
// today and of the stored days (src/live), and beside it the same from today's raw rows, as every
// publish did before (the same snapshot, checked). "Now" is 18:00 UTC, so today holds three
// quarters of a day of raw rows.
// Usage: npm run bench:snapshot [-- --days 90 --components 30 --posts 1000 --reps 15 --every 30]
// (--every: the checks' interval in seconds; `--components 100 --every 5` is the soak's 200 checks)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { benchFleet } from './support/fleet.ts';
import type { CheckResult, ProbeStatus } from '../src/probes/types.ts';
import type { Incident, Maintenance, Post } from '../src/posts/types.ts';
import { refreshComponentDays, zoneDays } from '../src/status/component-days.ts';
import { gatherSnapshotInput } from '../src/status/gather.ts';
import { buildSnapshot } from '../src/status/snapshot.ts';
import { LiveStatus } from '../src/live/live-status.ts';
import { refreshRollups } from '../src/store/refresh.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { DAY_MS } from '../src/store/types.ts';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '90' },
    components: { type: 'string', default: '30' },
    posts: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '15' },
    every: { type: 'string', default: '30' },
  },
});
const DAYS = Number(values.days);
const COMPONENTS = Number(values.components);
const POSTS = Number(values.posts);
const REPS = Number(values.reps);
const INTERVAL_MS = Number(values.every) * 1_000;
const LOCATION = 'local';

let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;

const now = Math.floor(Date.now() / DAY_MS) * DAY_MS + 18 * 3_600_000;
const { components, checks, config } = benchFleet({ components: COMPONENTS, everySeconds: Number(values.every), location: LOCATION });

const dir = mkdtempSync(join(tmpdir(), 'statuspost-bench-snapshot-'));
const store = await openSqliteStore({ path: join(dir, 'history.db') });
await store.migrate();

// 1. History: mostly up, an outage of a few minutes now and then.
const t0 = performance.now();
const start = now - DAYS * DAY_MS;
const batch: CheckResult[] = [];
let written = 0;
const downUntil = new Map<string, number>();
for (let t = start; t < now; t += INTERVAL_MS) {
  for (const check of checks) {
    if (random() < 0.00005) downUntil.set(check.id, t + random() * 1_800_000);
    const status: ProbeStatus = (downUntil.get(check.id) ?? 0) > t ? 'down' : random() < 0.002 ? 'degraded' : 'up';
    batch.push({ checkId: check.id, kind: 'tcp', status, startedAt: t + (check.id.length % 7), latencyMs: status === 'down' ? null : 5 + random() * 20, message: status === 'up' ? 'port open' : status === 'down' ? 'connection refused' : 'slow', details: {} });
  }
  if (batch.length >= 6_000) {
    await store.record(batch.splice(0), LOCATION);
    written += 6_000;
  }
}
written += batch.length;
await store.record(batch.splice(0), LOCATION);
const generateS = (performance.now() - t0) / 1000;

// 2. What the daemon keeps current: roll-ups and component days.
const t1 = performance.now();
await refreshRollups(store, checks, LOCATION, now);
await refreshComponentDays(store, components, checks, LOCATION, 'UTC', now);
const buildS = (performance.now() - t1) / 1000;

// 3. 1,000 posts over the 90 days: incidents on random components, maintenance windows.
const posts: Post[] = Array.from({ length: POSTS }, (_, i) => {
  const at = start + random() * (now - start - 3_600_000);
  const component = components[Math.floor(random() * COMPONENTS)]!.id;
  if (i % 5 === 4) {
    return { kind: 'maintenance', slug: `m-${i}`, file: '', title: `Maintenance ${i}`, timezone: 'UTC', body: '', announcedAt: at - DAY_MS, startsAt: at, endsAt: at + 1_800_000, components: [component], affected: 'x', unaffected: null, signInBlocked: false, updateRequired: null, updates: [], cancelled: false, completedAt: at + 1_500_000 } satisfies Maintenance;
  }
  return { kind: 'incident', slug: `i-${i}`, file: '', title: `Incident ${i}`, timezone: 'UTC', body: '', impact: 'minor', startedAt: at, components: { [component]: 'partial_outage' }, updates: [{ at: at + 600_000, status: 'resolved', body: 'x', components: {}, signInBlocked: null }], resolvedAt: at + 600_000, postmortemAt: null, signInBlocked: false } satisfies Incident;
});

// 4. The timed part.
const times: number[] = [];
let snapshot;
const heapBefore = process.memoryUsage().heapUsed;
let peakRss = 0;
// The longest the event loop went without a turn: probes' timers and a metrics scrape wait that long.
// A 1 ms ticker's longest gap, the stretch up to the stop included.
function loopWatch() {
  let last = performance.now();
  let longest = 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      last = performance.now();
      timer = setInterval(() => {
        longest = Math.max(longest, performance.now() - last);
        last = performance.now();
      }, 1);
    },
    stop() {
      longest = Math.max(longest, performance.now() - last);
      clearInterval(timer);
    },
    get longest() {
      return longest;
    },
  };
}
// As the daemon publishes: with its kept state of today and of the stored history (src/live), which
// its first publish (rep 0, not timed) fills from the store. Then, as every build did before, from
// today's raw rows: the reference.
const live = new LiveStatus(zoneDays('UTC'));
const gatherBlock = loopWatch();
for (let rep = 0; rep <= REPS; rep++) {
  const t = performance.now();
  if (rep > 0) gatherBlock.start();
  snapshot = buildSnapshot(await gatherSnapshotInput(store, config, posts, now, live));
  if (rep > 0) gatherBlock.stop();
  if (rep > 0) times.push(performance.now() - t);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}
const rowTimes: number[] = [];
const rowsBlock = loopWatch();
for (let rep = 0; rep < Math.min(REPS, 5); rep++) {
  const t = performance.now();
  rowsBlock.start();
  const fromRows = buildSnapshot(await gatherSnapshotInput(store, config, posts, now));
  rowsBlock.stop();
  rowTimes.push(performance.now() - t);
  if (JSON.stringify(fromRows) !== JSON.stringify(snapshot)) throw new Error('the snapshot from the kept state differs from the one from the rows');
}
// 5. The daemon's roll-up refresh every 10 minutes.
// First as the daemon does it, with its kept state (the first run reads today's rows once, not
// timed); then from today's rows, as it did before src/live.
const refreshTimes: number[] = [];
const refreshBlock = loopWatch();
for (let rep = 0; rep <= 3; rep++) {
  const t = performance.now();
  if (rep > 0) refreshBlock.start();
  await refreshRollups(store, checks, LOCATION, now, live);
  await refreshComponentDays(store, components, checks, LOCATION, 'UTC', now, live);
  if (rep > 0) refreshBlock.stop();
  if (rep > 0) refreshTimes.push(performance.now() - t);
}
const refreshRowTimes: number[] = [];
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  await refreshRollups(store, checks, LOCATION, now);
  await refreshComponentDays(store, components, checks, LOCATION, 'UTC', now);
  refreshRowTimes.push(performance.now() - t);
}
const blockMs = (watch: ReturnType<typeof loopWatch>) => watch.longest;
await store.close();
rmSync(dir, { recursive: true, force: true });

const bytes = JSON.stringify(snapshot).length;
console.log(`snapshot: ${COMPONENTS} components, ${checks.length} checks, ${DAYS} days every ${values.every} s (${written.toLocaleString('en-US')} results), ${POSTS} posts, node ${process.version}`);
console.log(`  history written in ${generateS.toFixed(1)} s; roll-ups and component days built in ${buildS.toFixed(1)} s`);
console.log(`  gather + build, the daemon's kept state  median ${quantile(times, 0.5).toFixed(1)} ms  p95 ${quantile(times, 0.95).toFixed(1)} ms over ${REPS} runs; longest event-loop block ${blockMs(gatherBlock).toFixed(0)} ms`);
console.log(`  gather + build, today's rows read again (before src/live; same snapshot)  median ${quantile(rowTimes, 0.5).toFixed(1)} ms over ${rowTimes.length} runs; longest event-loop block ${blockMs(rowsBlock).toFixed(0)} ms`);
console.log(`  roll-up refresh of today (every 10 minutes in the daemon), kept state  median ${quantile(refreshTimes, 0.5).toFixed(1)} ms over 3 runs; longest event-loop block ${blockMs(refreshBlock).toFixed(0)} ms`);
console.log(`  roll-up refresh of today from today's rows (before src/live)  median ${quantile(refreshRowTimes, 0.5).toFixed(1)} ms over 3 runs`);
console.log(`  snapshot JSON ${(bytes / 1024).toFixed(0)} KiB; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; heap before the runs ${(heapBefore / 2 ** 20).toFixed(0)} MiB`);
console.log(`snapshot: median_ms=${quantile(times, 0.5).toFixed(1)} rows_median_ms=${quantile(rowTimes, 0.5).toFixed(1)} loop_block_ms=${Math.max(blockMs(gatherBlock), blockMs(refreshBlock)).toFixed(0)}`);
