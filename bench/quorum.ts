// quorum: issue 18's three-location setup, measured. Three real `statuspost run` daemons (a probes
// only; b and c are publisher candidates) on a private PostgreSQL (initdb on a free port), each
// reaching two HTTP targets through its own cuttable proxies, alerts to a signed webhook receiver
// on loopback; checks every 1 s, confirmed down after 2 failures (the confirmation floor: 2 s).
//   1. location a is cut from every target for 5 minutes (--short: 20 s), then restored;
//   2. a real target stops (one real outage), then comes back;
//   3. the lease holder is SIGKILLed.
// The published API (api/v2/summary.json) is read every 250 ms throughout.
//   false_outages  components published as down, and component alerts received, outside the real
//                  outage (from its stop to its published recovery);
//   missed_outages 1 if the real outage was not published within 2 minutes;
//   failover_s     from the SIGKILL to the other candidate's first publish;
//   over_floor_s   from the target's stop to the outage published, minus the confirmation floor.
// Goals (issue 18): F = 0, M = 0, S <= 15, X <= 10.
// Usage: npm run bench:quorum [-- --short] [-- --partition SECONDS]
import { parseArgs } from 'node:util';
import { CANDIDATES, CONFIRMATION_FLOOR_MS, firstPublisher, leaseGained, startThreeLocations, type SummaryJson } from '../test/helpers/locations.ts';
import { findPostgresBin, startPostgresCluster } from '../test/helpers/postgres-cluster.ts';
import { onStop, startBench } from './support/processes.ts';

startBench('bench:quorum');
const pgBin = findPostgresBin();
if (!pgBin) {
  process.stderr.write('bench:quorum needs initdb and pg_ctl: apt-get install postgresql\n');
  process.exit(1);
}
const { values } = parseArgs({ options: { short: { type: 'boolean', default: false }, partition: { type: 'string' } } });
const PARTITION_MS = values.partition !== undefined ? Number(values.partition) * 1000 : values.short ? 20_000 : 5 * 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const log = (text: string) => process.stdout.write(`  ${text}\n`);

const cluster = await startPostgresCluster(pgBin);
onStop(() => cluster.destroy());
const setup = await startThreeLocations(cluster.url);
onStop(() => setup.close());
const started = Date.now();
log(`PostgreSQL ${cluster.url}; locations a (probes only), b and c (candidates); checks every 1 s, confirmed after 2; partition ${seconds(PARTITION_MS)} s`);

// The published API, read throughout: each time a component turns non-operational, and back.
const downs: Array<{ component: string; at: number }> = [];
let latest: SummaryJson | undefined;
const shown = new Map<string, string>();
let watching = true;
const watcher = (async () => {
  while (watching) {
    latest = await setup.summary();
    for (const component of latest?.components ?? []) {
      const before = shown.get(component.id) ?? 'operational';
      if (before === 'operational' && component.status !== 'operational') downs.push({ component: component.id, at: Date.now() });
      shown.set(component.id, component.status);
    }
    await sleep(250);
  }
})();
const waitUntil = async (condition: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
};
const chat = () => latest?.components.find((c) => c.id === 'chat')?.status;

const first = await firstPublisher(setup, 120_000);
const publisher = setup.daemons[first.location];
const standby = setup.daemons[CANDIDATES.find((location) => location !== first.location)!];
await waitUntil(() => chat() === 'operational', 180_000, 'the first publish shows chat operational');
log(`${first.location} holds the lease (token ${first.token}); first publish ${seconds(Date.now() - started)} s after start`);

// 1. The partition.
await setup.partition('a', true);
const cutAt = Date.now();
await sleep(PARTITION_MS);
await setup.partition('a', false);
const partitionDowns = downs.filter((d) => d.at >= cutAt).length;
log(`a cut from every target for ${seconds(PARTITION_MS)} s: ${partitionDowns} components published as down meanwhile`);
await sleep(5_000); // a's next good checks: its own view recovers before the real outage

// 2. The real outage.
await setup.targets.chat.down();
const stoppedAt = Date.now();
let publishedAt: number | undefined;
try {
  await waitUntil(() => chat() !== undefined && chat() !== 'operational', 120_000, 'the outage is published');
  publishedAt = Date.now();
} catch {
  publishedAt = undefined; // a miss: counted below
}
await setup.targets.chat.up();
await waitUntil(() => chat() === 'operational', 180_000, 'the recovery is published');
const recoveredAt = Date.now();
log(publishedAt ? `chat stopped: published as down after ${seconds(publishedAt - stoppedAt)} s (floor ${seconds(CONFIRMATION_FLOOR_MS)} s); recovery published` : 'chat stopped: NOT published within 120 s');

// 3. The publisher killed.
const standbyFrom = standby.lines.length;
publisher.child.kill('SIGKILL');
const killedAt = Date.now();
const gained = await standby.waitFor((line) => leaseGained(line) !== null, 60_000, 'the standby takes the lease', standbyFrom);
const gainedAt = standby.arrivals[standby.lines.indexOf(gained)]!;
const published = await standby.waitFor((line) => line.event === 'published', 180_000, 'the standby publishes', standbyFrom);
const failoverAt = standby.arrivals[standby.lines.indexOf(published)]!;
const newToken = Number(leaseGained(gained)![1]);
// The hook runs after the swap, so its line follows the "published" one.
const hookEnd = Date.now() + 30_000;
while (!(await setup.publishes()).some((p) => p.token === newToken) && Date.now() < hookEnd) await sleep(100);
const publishes = await setup.publishes();
const firstNew = publishes.findIndex((p) => p.token === newToken);
const staleAfter = firstNew < 0 ? 0 : publishes.slice(firstNew).filter((p) => p.token < newToken).length;
log(`${first.location} SIGKILLed: ${standby.location} gained the lease (token ${newToken}) after ${seconds(gainedAt - killedAt)} s, published after ${seconds(failoverAt - killedAt)} s; stale publishes after it: ${staleAfter}`);
watching = false;
await watcher;

const falseDowns = downs.filter((d) => !(d.component === 'chat' && d.at >= stoppedAt && d.at <= recoveredAt)).length;
const falseAlerts = setup.alerts.filter((alert) => alert.kind === 'component' && !(alert.components.includes('chat') && alert.at >= stoppedAt && alert.at <= recoveredAt + 30_000)).length;
log(`false outages: ${falseDowns} published, ${falseAlerts} alerted; alerts received in all: ${setup.alerts.length}`);
const F = falseDowns + falseAlerts;
const M = publishedAt ? 0 : 1;
const S = (failoverAt - killedAt) / 1000;
const X = publishedAt ? Math.max(0, publishedAt - stoppedAt - CONFIRMATION_FLOOR_MS) / 1000 : Number.NaN;
await setup.close();
await cluster.destroy();
process.stdout.write(`quorum: false_outages=${F} missed_outages=${M} failover_s=${S.toFixed(1)} over_floor_s=${Number.isNaN(X) ? 'n/a' : X.toFixed(1)}\n`);
process.exit(0);
