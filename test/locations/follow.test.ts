// The follower (src/locations/follow.ts): the other locations' results, read from the store with a
// cursor into each location's kept state. Written against a LocationsStoreFactory: on the in-memory
// double and on both real engines, except the failure cases (the double's controls).
import { afterEach, describe, expect, it } from 'vitest';
import { startFollower } from '../../src/locations/follow.ts';
import { LiveByLocation } from '../../src/locations/live.ts';
import type { Check } from '../../src/probes/registry.ts';
import { tcpProbe } from '../../src/probes/tcp.ts';
import type { CheckResult, ProbeStatus } from '../../src/probes/types.ts';
import { zoneDays } from '../../src/status/component-days.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { InMemoryLocationsStoreDouble, locationsStores, type LocationsStoreFactory } from '../helpers/locations-store-double.ts';
import { dropTestStores } from '../helpers/postgres-store.ts';


afterEach(dropTestStores); // the PostgreSQL schemas of realLocationsStores, when they run
const check = (id: string) =>
  tcpProbe.schema.parse({ id, component: 'chat', kind: 'tcp', host: 'h.example', port: 1, schedule: '10s', timeout: '2s', confirm: { down: 2, up: 1 } }) as Check;
const checks = [check('api'), check('web')];
const zone = zoneDays('UTC');

const result = (checkId: string, startedAt: number, status: ProbeStatus = 'up'): CheckResult => ({ checkId, kind: 'tcp', status, startedAt, latencyMs: 5, message: status, details: {} });

function follower(store: Awaited<ReturnType<LocationsStoreFactory>>, extra: { pageSize?: number } = {}) {
  const live = new LiveByLocation(zone);
  const logger = captureLogger();
  const polls: number[] = [];
  const follow = startFollower({ store, live, checks, locations: ['a', 'b', 'c'], own: 'a', logger, timers: new FakeClock(), onPoll: (taken) => polls.push(taken.length), ...extra });
  return { live, logger, polls, follow };
}

/**
 * Polls until `done`. On PostgreSQL a poll sees only transactions older than every one still open in
 * the cluster (the follow horizon), other test files' included: what was just committed may come a
 * poll or two later.
 */
async function pollUntil(follow: { poll(): Promise<unknown> }, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await follow.poll();
    if (done()) return;
    if (Date.now() > deadline) throw new Error('the follower did not take what was committed within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(locationsStores())('follower on the %s', (_name, makeStore) => {
  it('starts at the store\'s present, then takes each new result of the other voted locations', async () => {
    const store = await makeStore();
    const t0 = Date.now() - 60_000;
    await store.record([result('api', t0)], 'b'); // before the start: the first publish reads it from the rows
    const { live, polls, follow } = follower(store);
    await follow.ready;
    await follow.poll();
    expect(live.names()).toEqual([]);
    await store.record([result('api', t0 + 10_000), result('web', t0 + 10_000, 'down')], 'b');
    await store.record([result('api', t0 + 10_000)], 'a'); // own: the daemon takes these
    await store.record([result('api', t0 + 10_000)], 'elsewhere'); // not voted over
    await store.record([result('gone', t0 + 10_000)], 'c'); // a check no longer configured
    await store.record([result('api', t0 + 11_000, 'down')], 'c');
    const before = polls.length;
    await pollUntil(follow, () => follow.stats().taken >= 3);
    expect(live.names().sort()).toEqual(['b', 'c']);
    expect(live.location('b').latestAt('api')).toBe(t0 + 10_000);
    expect(live.location('b').latestAt('web')).toBe(t0 + 10_000);
    expect(live.location('c').latestAt('api')).toBe(t0 + 11_000);
    expect(follow.stats()).toMatchObject({ taken: 3, duplicates: 0 });
    expect(polls.slice(before).reduce((a, b) => a + b, 0)).toBe(3);
    await follow.stop();
  });

  it('reads page after page until one comes back short', async () => {
    const store = await makeStore();
    const { live, follow } = follower(store, { pageSize: 3 });
    await follow.ready;
    const t0 = Date.now() - 600_000;
    await store.record(Array.from({ length: 10 }, (_, i) => result('api', t0 + i * 10_000)), 'b'); // one transaction
    await pollUntil(follow, () => follow.stats().taken > 0); // all ten in one poll, in pages of three
    expect(live.location('b').latestAt('api')).toBe(t0 + 90_000);
    expect(follow.stats().taken).toBe(10);
    await follow.stop();
  });

  it('skips what a publish already read from the rows, without counting it out of order', async () => {
    const store = await makeStore();
    const { live, follow } = follower(store);
    await follow.ready;
    const now = Date.now();
    const today = zone.dayOf(now);
    const rows = [result('api', now - 30_000), result('api', now - 20_000)];
    await store.record(rows, 'b'); // committed after the cursor, and read by the first publish too:
    live.location('b').adopt(checks[0]!, zone.startOf(today), zone.startOf(today + 1), rows);
    await store.record([result('api', now - 10_000, 'down')], 'b');
    await pollUntil(follow, () => follow.stats().taken + follow.stats().duplicates >= 3);
    expect(follow.stats()).toMatchObject({ taken: 1, duplicates: 2 });
    expect(live.location('b').counts.dropped).toBe(0);
    const day = live.location('b').day(checks[0]!, zone.startOf(today), zone.startOf(today + 1), now);
    expect(day?.last?.startedAt).toBe(now - 10_000);
    await follow.stop();
  });
});

describe('follower when the store fails', () => {
  it('logs a failing store once, retries, and says when it reads again', async () => {
    const store = new InMemoryLocationsStoreDouble();
    store.failNext('resultsAfter');
    const { logger, follow, live } = follower(store);
    await follow.poll(); // the first poll failed; this one too
    store.failNext('resultsAfter');
    await follow.poll();
    expect(logger.lines.filter((l) => l.event === 'follow-failed')).toHaveLength(1);
    expect(logger.lines[0]!.message).toContain('the test store is down');
    await follow.poll(); // gets the cursor now
    await follow.ready;
    await store.record([result('web', Date.now() - 5_000)], 'c');
    await follow.poll();
    expect(live.location('c').latestAt('web')).toBeDefined();
    expect(logger.lines.filter((l) => l.event === 'follow-resumed')).toHaveLength(1);
    expect(follow.stats().failing).toBe(false);
    await follow.stop();
  });

  it('is ready at stop even if the store never answered, so no publish waits for ever', async () => {
    const store = new InMemoryLocationsStoreDouble();
    store.hang('resultsAfter');
    const { follow } = follower(store);
    const stopping = follow.stop();
    await follow.ready;
    store.unhang();
    await stopping;
  });
});
