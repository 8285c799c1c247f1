// store-memory: does the SQLite store's memory level off as its file grows? Writes simulated hours
// of 200 checks every 5 s (144,000 results an hour, in batches of 200 as the daemon flushes them)
// through store.record() as fast as it can, and prints resident memory and the JavaScript heap after
// each hour, after a full garbage collection. What the soak takes hours to show, this shows in a
// minute: a store that kept what it writes would grow by the hour. Goal: growth after the first
// hour ≤ 5 MB over six hours (the V8 heap may step once as it sizes itself).
// Usage: npm run bench:store-memory [-- --hours 6]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CheckResult } from '../src/probes/types.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';

const { values } = parseArgs({ options: { hours: { type: 'string', default: '6' } } });
const HOURS = Number(values.hours);
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

const dir = mkdtempSync(join(tmpdir(), 'statuspost-store-memory-'));
const path = join(dir, 'store.db');
const store = await openSqliteStore({ path });
await store.migrate();
// The simulated hours start at the last UTC midnight: whatever day the bench runs, they are recent.
let t = Math.floor(Date.now() / 86_400_000) * 86_400_000;
gc();
const start = process.memoryUsage();
console.log(`store-memory: 200 checks every 5 s, ${HOURS} simulated hours into SQLite, node ${process.version}`);
console.log(`  start    rss ${mb(start.rss)} MB  heap ${mb(start.heapUsed)}/${mb(start.heapTotal)} MB`);
const rssAfter: number[] = [];
try {
  for (let hour = 1; hour <= HOURS; hour++) {
    const t0 = performance.now();
    for (let round = 0; round < 720; round++) {
      const batch: CheckResult[] = [];
      for (let i = 0; i < 200; i++) {
        const down = i % 5 === 0;
        batch.push({ checkId: `port-${i}`, kind: 'tcp', status: down ? 'down' : 'up', startedAt: t + i, latencyMs: down ? null : 0.3 + ((round + i) % 7) / 10, message: down ? 'connection refused' : 'port open', details: {} });
      }
      await store.record(batch, 'soak');
      t += 5_000;
    }
    gc();
    const m = process.memoryUsage();
    rssAfter.push(m.rss);
    console.log(`  hour ${String(hour).padStart(2)}  rss ${mb(m.rss)} MB  heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB  file ${mb(statSync(path).size)} MB  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
const growth = (rssAfter.at(-1)! - rssAfter[0]!) / 2 ** 20;
console.log(`store-memory: rss_growth_after_hour1_mb=${growth.toFixed(1)} over_hours=${HOURS - 1}`);
