// publish-gather: what a daemon's publish reads and computes before Astro, at the soak's scale.
// 200 checks (100 components, two each) every 5 s, in the embedded store, today filled with raw
// results and the 89 days before it with stored component days and roll-ups (as the daemon keeps
// them). At three moments of the day (06:00, 18:00 and 23:59 UTC) it times `gatherSnapshotInput`:
//   - kept: as the daemon runs it, with its kept state (src/live): after the first publish (which
//     reads today's rows once and is timed apart), 100 publishes, each after 5 s more results taken;
//   - rows: the same gather without kept state, which reads today's raw rows for every check
//     (what every publish did before src/live): the reference, a few runs.
// Usage: npm run bench:publish-gather [-- --checks 200 --every 5 --publishes 100 --row-runs 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LiveStatus } from '../src/live/live-status.ts';
import { benchFleet } from './support/fleet.ts';
import type { CheckResult, ProbeStatus } from '../src/probes/types.ts';
import { zoneDays } from '../src/status/component-days.ts';
import { gatherSnapshotInput } from '../src/status/gather.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { DAY_MS, type ComponentDay, type DailyRollup } from '../src/store/types.ts';

const { values } = parseArgs({
  options: {
    checks: { type: 'string', default: '200' },
    every: { type: 'string', default: '5' },
    publishes: { type: 'string', default: '100' },
    'row-runs': { type: 'string', default: '3' },
  },
});
const CHECKS = Number(values.checks);
const INTERVAL_MS = Number(values.every) * 1_000;
const PUBLISHES = Number(values.publishes);
const ROW_RUNS = Number(values['row-runs']);
const LOCATION = 'local';
const HOUR = 3_600_000;

let seed = 7;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;

const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const { components, checks, config } = benchFleet({ components: CHECKS / 2, everySeconds: Number(values.every), location: LOCATION });

const dir = mkdtempSync(join(tmpdir(), 'statuspost-bench-gather-'));
const store = await openSqliteStore({ path: join(dir, 'history.db') });
await store.migrate();

// 1. Today's raw results (and the last hour of yesterday, which the confirmation state reads): mostly
// up, an outage of a few minutes now and then, a slow result now and then.
const t0 = performance.now();
const downUntil = new Map<string, number>();
let written = 0;
const batch: CheckResult[] = [];
for (let t = today - HOUR; t < today + DAY_MS - 1; t += INTERVAL_MS) {
  const round: CheckResult[] = [];
  for (const check of checks) {
    if (random() < 0.0002) downUntil.set(check.id, t + random() * 1_800_000);
    const status: ProbeStatus = (downUntil.get(check.id) ?? 0) > t ? 'down' : random() < 0.002 ? 'degraded' : 'up';
    round.push({ checkId: check.id, kind: 'tcp', status, startedAt: t + (check.id.length % 7), latencyMs: status === 'down' ? null : 5 + random() * 20, message: status === 'up' ? 'port open' : status === 'down' ? 'connection refused' : 'slow', details: {} });
  }
  batch.push(...round);
  if (batch.length >= 6_000) {
    written += batch.length;
    await store.record(batch.splice(0), LOCATION);
  }
}
written += batch.length;
await store.record(batch.splice(0), LOCATION);

// 2. The 89 days before: stored component days and roll-ups, as the daemon's refresh leaves them.
const pastDays: ComponentDay[] = [];
const pastRollups: DailyRollup[] = [];
const todayNumber = today / DAY_MS;
for (let day = todayNumber - 89; day < todayNumber; day++) {
  const start = day * DAY_MS;
  for (const component of components) {
    const outage = random() < 0.05 ? start + random() * 20 * HOUR : null;
    const segments: ComponentDay['segments'] = outage === null
      ? [{ from: start, to: start + DAY_MS, status: 'operational' }]
      : [
          { from: start, to: outage, status: 'operational' },
          { from: outage, to: outage + 600_000, status: 'partial_outage' },
          { from: outage + 600_000, to: start + DAY_MS, status: 'operational' },
        ];
    pastDays.push({ componentId: component.id, location: LOCATION, day, segments, final: true });
  }
  for (const check of checks) {
    const p50 = 8 + random() * 5;
    pastRollups.push({ checkId: check.id, location: LOCATION, day, upMs: DAY_MS - 60_000, degradedMs: 60_000, downMs: 0, noDataMs: 0, upCount: 17_270, degradedCount: 10, downCount: 0, latency: { min: 5, p50, p95: p50 + 10, p99: p50 + 12, max: 25 }, final: true });
  }
}
await store.saveComponentDays(pastDays);
await store.saveRollups(pastRollups);
const setupS = (performance.now() - t0) / 1000;

const perMoment: Array<{ label: string; median: number; p99: number; first: number; rows: number; size: ReturnType<LiveStatus['size']>; keptBytes: number | null }> = [];
for (const [label, at] of [['06:00', 6 * HOUR], ['18:00', 18 * HOUR], ['23:59', 24 * HOUR - 60_000]] as const) {
  // The publishes end at the moment named; the reference reads the day as it is there.
  const end = today + at;
  const start = end - PUBLISHES * INTERVAL_MS;
  // The reference: today's rows read for every check at every publish.
  const rowTimes: number[] = [];
  for (let run = 0; run < ROW_RUNS; run++) {
    const t = performance.now();
    await gatherSnapshotInput(store, config, [], end);
    rowTimes.push(performance.now() - t);
  }
  // The daemon: its first publish reads today's rows once; then results arrive and it publishes again.
  const collect = (globalThis as { gc?: () => void }).gc;
  const gc = collect && (() => [1, 2, 3].forEach(() => collect())); // more than one pass, so the figure is not a collection's timing
  let live: LiveStatus | undefined = new LiveStatus(zoneDays('UTC'));
  const tFirst = performance.now();
  await gatherSnapshotInput(store, config, [], start, live);
  const first = performance.now() - tFirst;
  const times: number[] = [];
  let now = start;
  const byId = new Map(checks.map((check) => [check.id, check]));
  // The results that arrive meanwhile, in the order they were taken (read back before the clock starts).
  const arriving = await store.results({ since: start + 1, until: end + 1 });
  let next = 0;
  for (let publish = 0; publish < PUBLISHES; publish++) {
    const until = now + INTERVAL_MS;
    while (next < arriving.length && arriving[next]!.startedAt <= until) {
      const result = arriving[next++]!;
      live.take(byId.get(result.checkId)!, { ...result, kind: 'tcp', details: {} });
    }
    now = until;
    const t = performance.now();
    await gatherSnapshotInput(store, config, [], now, live);
    times.push(performance.now() - t);
  }
  if (live.counts.read !== checks.length) throw new Error(`the kept state read the store for ${live.counts.read} checks, not once for each of ${checks.length}`);
  const size = live.size();
  // What only the kept state holds (and the stored days it keeps): the heap with it, then without it.
  gc?.();
  const withIt = process.memoryUsage().heapUsed;
  live = undefined;
  gc?.();
  const keptBytes = gc ? withIt - process.memoryUsage().heapUsed : null;
  perMoment.push({ label, median: quantile(times, 0.5), p99: quantile(times, 0.99), first, rows: quantile(rowTimes, 0.5), size, keptBytes });
}
await store.close();
rmSync(dir, { recursive: true, force: true });

console.log(`publish-gather: ${CHECKS} checks every ${values.every} s (${written.toLocaleString('en-US')} raw results today), 89 stored days, ${PUBLISHES} publishes per moment, node ${process.version}`);
console.log(`  set up in ${setupS.toFixed(1)} s`);
for (const m of perMoment) {
  console.log(
    `  ${m.label} UTC  kept state: median ${m.median.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms (first publish, reading today's rows once: ${m.first.toFixed(0)} ms)   rows every time: median ${m.rows.toFixed(0)} ms   ratio ${(m.rows / m.median).toFixed(1)}x`,
  );
  const heap = m.keptBytes === null ? 'run with --expose-gc for its heap size' : `${(m.keptBytes / 2 ** 20).toFixed(2)} MiB of heap with the 89 stored days it keeps, ${(m.keptBytes / CHECKS / 1024).toFixed(1)} KiB a check`;
  console.log(`          kept: ${m.size.segments} segments, ${m.size.tail} tail results, ${m.size.recent} recent results for ${m.size.checks} checks; ${heap}`);
}
const main = perMoment.find((m) => m.label === '18:00')!;
console.log(`publish-gather: median_ms=${main.median.toFixed(1)} p99_ms=${main.p99.toFixed(1)} per_check_us=${((main.median * 1000) / CHECKS).toFixed(0)}`);
