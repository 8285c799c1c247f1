// Several locations against a real SQLite store: three probers' results recorded under their
// locations, the agreed component days refreshed as the publisher does, the snapshot gathered (from
// the rows, and from kept state per location) and computed.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/load.ts';
import type { Check } from '../../src/probes/registry.ts';
import { tcpProbe } from '../../src/probes/tcp.ts';
import type { CheckResult, ProbeStatus } from '../../src/probes/types.ts';
import { refreshComponentDays, zoneDays } from '../../src/status/component-days.ts';
import { refreshAgreedComponentDays, AGREED_LOCATION } from '../../src/status/agreed.ts';
import { refreshRollups } from '../../src/store/refresh.ts';
import { gatherSnapshotInput } from '../../src/status/gather.ts';
import { buildSnapshot } from '../../src/status/snapshot.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { LiveByLocation } from '../../src/locations/live.ts';
import { tempDir } from '../helpers/temp.ts';

const M = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23, 12, 0);
const ZONE = 'Europe/Berlin';
const LOCATIONS = ['a', 'b', 'c'];
const check = (id: string, component: string) =>
  tcpProbe.schema.parse({ id, component, kind: 'tcp', host: 'h.example', port: 1, schedule: '1m', timeout: '5s', confirm: { down: 2, up: 1 } }) as Check;
const checks = [check('chat-1', 'chat'), check('web-1', 'web'), check('db-1', 'db')];
const component = (id: string) => ({ id, name: id.toUpperCase(), description: '', outage: { partialAt: 1, majorAt: 'all' }, essential: false });
const config = {
  root: '',
  site: {
    title: 'Chatter',
    description: '',
    baseUrl: 'https://status.example.org',
    timezone: ZONE,
    location: 'a',
    locations: LOCATIONS,
    uptimeWeights: { majorOutage: 1, partialOutage: 0.3, degradedPerformance: 0 },
  },
  groups: [],
  components: [component('chat'), component('web'), component('db')],
  checks,
} as unknown as Config;

// Today (UTC, NOW = 13:00 in Berlin): at a, chat-1 is cut for the last hour; web-1 fails at a from
// NOW-50m and at b from NOW-40m (still down), c sees it up; c has no db-1 result for the last 20 min.
// Yesterday: a was cut from everything for two hours; web-1 was down everywhere 10:00-10:30 UTC.
const CUT_FROM = NOW - 60 * M;
const WEB_A = NOW - 50 * M;
// Within the check's dating span of a's (lookbackFor: about 6.5 minutes here), so the outage is dated from a's.
const WEB_B = NOW - 46 * M;
const STALE_FROM = NOW - 20 * M;
const Y_CUT = NOW - DAY - 6 * 60 * M; // over two hours before the real outage (see the report on dating back)
const Y_OUT = NOW - DAY - 2 * 60 * M;

function statusAt(checkId: string, location: string, t: number): ProbeStatus | undefined {
  if (t >= Y_CUT && t < Y_CUT + 120 * M && location === 'a') return 'down';
  if (checkId === 'web-1' && t >= Y_OUT && t < Y_OUT + 30 * M) return 'down';
  if (checkId === 'chat-1' && location === 'a' && t >= CUT_FROM) return 'down';
  if (checkId === 'web-1' && ((location === 'a' && t >= WEB_A) || (location === 'b' && t >= WEB_B))) return 'down';
  if (checkId === 'db-1' && location === 'c' && t >= STALE_FROM) return undefined;
  return 'up';
}

function rows(location: string, from: number, until: number): CheckResult[] {
  const out: CheckResult[] = [];
  // Each location probes a few seconds apart, as real ones do.
  const offset = LOCATIONS.indexOf(location) * 7_000;
  for (let t = from + offset; t < until; t += M) {
    for (const c of checks) {
      const status = statusAt(c.id, location, t);
      if (!status) continue;
      const latencyMs = status === 'down' ? null : 10 * (1 + LOCATIONS.indexOf(location));
      out.push({ checkId: c.id, kind: 'tcp', status, startedAt: t, latencyMs, message: status === 'down' ? 'connection refused' : 'port open', details: {} });
    }
  }
  return out;
}

async function recordedStore() {
  const store = await openSqliteStore({ path: join(await tempDir(), 'l.db') });
  await store.migrate();
  const start = zoneDays(ZONE).startOf(zoneDays(ZONE).dayOf(NOW) - 1);
  for (const location of LOCATIONS) await store.record(rows(location, start, NOW), location);
  return store;
}

describe('gatherSnapshotInput over three locations', () => {
  it('votes per check: a cut location is no outage, two down is one dated from the earliest, a stale one is no data', async () => {
    const store = await recordedStore();
    for (const location of LOCATIONS) await refreshRollups(store, checks, location, NOW);
    expect(await refreshAgreedComponentDays(store, config.components as never, checks, LOCATIONS, ZONE, NOW)).toBe(6);
    const snapshot = buildSnapshot(await gatherSnapshotInput(store, config, [], NOW));

    const [chat, web, db] = snapshot.components;
    // a sees chat down; b and c see it up: no outage, and the page can say 1 of 3 sees it down.
    expect(chat).toMatchObject({ status: 'operational', probes: 'operational' });
    expect(chat!.checks[0]).toMatchObject({ status: 'up', message: 'port open' });
    expect(chat!.locations).toMatchObject({ reporting: 3, of: 3, seeingOutage: 1, counts: { operational: 2, major_outage: 1 } });
    expect(chat!.locations!.byLocation.map((l) => [l.location, l.status])).toEqual([
      ['a', 'major_outage'],
      ['b', 'operational'],
      ['c', 'operational'],
    ]);
    expect(chat!.days.at(-1)).toMatchObject({ minutes: { major: 0, partial: 0 } });

    // a and b see web down: the agreed outage, dated from a's first failing result.
    expect(web).toMatchObject({ status: 'major_outage', probes: 'major_outage' });
    expect(web!.checks[0]).toMatchObject({ status: 'down', message: 'connection refused' });
    expect(web!.locations).toMatchObject({ reporting: 3, seeingOutage: 0, counts: { major_outage: 2, operational: 1 } });
    const input = await gatherSnapshotInput(store, config, [], NOW);
    const today = input.componentDays.find((d) => d.componentId === 'web' && d.location === AGREED_LOCATION && d.day === zoneDays(ZONE).dayOf(NOW))!;
    expect(today.segments.filter((s) => s.status === 'major_outage')).toEqual([{ from: WEB_A, to: NOW, status: 'major_outage' }]);

    // c has nothing fresh for db: 2 of 3 locations reporting, still operational.
    expect(db).toMatchObject({ status: 'operational' });
    expect(db!.locations).toMatchObject({ reporting: 2, of: 3, seeingOutage: 0 });
    expect(db!.locations!.byLocation.find((l) => l.location === 'c')!.status).toBeNull();

    // Yesterday, from the stored agreed days: a's two-hour cut is not an outage; the 30-minute one everywhere is.
    const yesterday = (c: typeof chat) => c!.days.at(-2)!;
    expect(yesterday(chat)).toMatchObject({ percent: 100, minutes: { major: 0 } });
    // No data only for the 7 s after midnight when a alone had reported: one location is no quorum of three.
    expect(yesterday(chat).coverage).toBeCloseTo(1 - 7 / 86_400, 5);
    // From a's first failure at 10:00:00 until the second location (b, 7 s later than a) recovered.
    expect(yesterday(web)).toMatchObject({ minutes: { major: 30.1 } });
    const stored = await store.componentDays({ location: AGREED_LOCATION, sinceDay: 0 });
    expect(stored.map((d) => d.componentId).sort()).toEqual(['chat', 'chat', 'db', 'db', 'web', 'web']);

    // Per-location latency from each location's roll-ups; the per-check chart from the own location (a).
    const todayLatency = (series: { days: Array<{ p50: number | null }> }) => series.days.at(-1)!.p50;
    expect(db!.locations!.byLocation.map((l) => todayLatency(l.latency[0]!))).toEqual([10, 20, 30]);
    expect(todayLatency(db!.latency[0]!)).toBe(10);
    await store.close();
  });

  it('gives the same snapshot from each location\'s kept state as from the rows', async () => {
    const store = await recordedStore();
    await refreshAgreedComponentDays(store, config.components as never, checks, LOCATIONS, ZONE, NOW - 30 * M);
    const live = new LiveByLocation(zoneDays(ZONE));
    const at = NOW - 30 * M;
    // First gather reads each location's rows once and keeps them.
    const first = buildSnapshot(await gatherSnapshotInput(store, config, [], at, live));
    expect(first).toEqual(buildSnapshot(await gatherSnapshotInput(store, config, [], at)));
    const reads = LOCATIONS.map((l) => live.location(l).counts.read);
    expect(reads).toEqual([3, 3, 3]);
    // The last half hour arrives as the follower takes it, per location; the store has it too.
    const later: CheckResult[] = [];
    for (const location of LOCATIONS) {
      const all = rows(location, zoneDays(ZONE).startOf(zoneDays(ZONE).dayOf(NOW)), NOW).filter((r) => r.startedAt > at); // the first gather read up to `at` itself
      for (const result of all) live.location(location).take(checks.find((c) => c.id === result.checkId)!, result);
      later.push(...all);
    }
    const kept = buildSnapshot(await gatherSnapshotInput(store, config, [], NOW, live));
    expect(LOCATIONS.map((l) => live.location(l).counts.read)).toEqual([3, 3, 3]); // nothing read again
    expect(kept).toEqual(buildSnapshot(await gatherSnapshotInput(store, config, [], NOW)));
    expect(kept.components.map((c) => c.status)).toEqual(['operational', 'major_outage', 'operational']);
    expect(later.length).toBeGreaterThan(0);
    await store.close();
  });

  it('the publisher\'s refresh writes the same agreed days from kept state as from the rows', async () => {
    const store = await recordedStore();
    const live = new LiveByLocation(zoneDays(ZONE));
    await gatherSnapshotInput(store, config, [], NOW, live); // keeps today per location
    const read = () => store.componentDays({ location: AGREED_LOCATION, sinceDay: 0 });
    expect(await refreshAgreedComponentDays(store, config.components as never, checks, LOCATIONS, ZONE, NOW, live)).toBe(6);
    const fromKept = await read();
    await refreshAgreedComponentDays(store, config.components as never, checks, LOCATIONS, ZONE, NOW);
    expect(fromKept).toEqual(await read());
    // Nothing below the agreed location: the probers' own days are theirs to write.
    expect(await store.componentDays({ location: 'a', sinceDay: 0 })).toEqual([]);
    await store.close();
  });

  it('a single location stays as today: site.locations of one is the own location', async () => {
    const store = await recordedStore();
    const one = { ...config, site: { ...config.site, locations: ['a'] } } as Config;
    const none = { ...config, site: { ...config.site, locations: undefined } } as Config;
    await refreshComponentDays(store, config.components as never, checks, 'a', ZONE, NOW);
    const a = buildSnapshot(await gatherSnapshotInput(store, one, [], NOW));
    expect(a).toEqual(buildSnapshot(await gatherSnapshotInput(store, none, [], NOW)));
    expect(a.components[0]).toMatchObject({ status: 'major_outage' }); // a alone sees chat down
    expect(a.components[0]!.locations).toBeUndefined();
    await store.close();
  });
});
