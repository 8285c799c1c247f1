// The roles together (src/locations/roles.ts), in process with real timers, on the store double:
// who takes the lease, the follower feeding the verdicts, the lease holder's verdict lines, a second
// candidate taking over once the first gives the lease up. Real processes on a real PostgreSQL are
// the e2e helper's test (test/locations/three-locations.test.ts); after the merge, re-run this file
// with the real engines by switching `makeStore` (see realLocationsStores).
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { needsLease, startLocationRoles, votesOverLocations } from '../../src/locations/roles.ts';
import type { CheckResult, ProbeStatus } from '../../src/probes/types.ts';
import type { Store } from '../../src/store/types.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { InMemoryLocationsStoreDouble } from '../helpers/locations-store-double.ts';
import { tempProject } from '../helpers/temp.ts';
import { until } from '../helpers/until.ts';

const site = (extra: string) => `title: Chat status\nbaseUrl: https://status.example.org\nlocation: a\n${extra}`;

async function config(extra: string) {
  const root = await tempProject({
    'probes/site.yaml': site(extra),
    'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
    'probes/checks/a.yaml': 'checks:\n  - id: api\n    component: chat\n    kind: tcp\n    host: 127.0.0.1\n    port: 1\n    schedule: 10s\n    timeout: 2s\n    confirm: { down: 2, up: 1 }\n',
  });
  const { config: loaded, problems } = await loadConfig(root, {});
  expect(problems).toEqual([]);
  return loaded!;
}

const result = (status: ProbeStatus, startedAt: number): CheckResult => ({ checkId: 'api', kind: 'tcp', status, startedAt, latencyMs: 5, message: status, details: {} });

describe('which roles a run takes', () => {
  it.each([
    ['SQLite, one location: no lease (one daemon per file, as before)', '', true, false, false],
    ['SQLite, one location, a prober', '', false, false, false],
    ['PostgreSQL, one location: publisher candidates share the lease', 'store:\n  engine: postgres\n  url: postgres://127.0.0.1/x\n', true, true, false],
    ['PostgreSQL, a prober: never the lease', 'store:\n  engine: postgres\n  url: postgres://127.0.0.1/x\n', false, false, false],
    ['one location listed is not voting', 'locations: [a]\n', true, false, false],
    ['several locations: lease and votes on any engine', 'locations: [a, b, c]\n', true, true, true],
    ['several locations, a prober: votes (no own-view alerts), no lease', 'locations: [a, b, c]\n', false, false, true],
  ])('%s', async (_why, extra, publishes, lease, votes) => {
    const c = await config(extra);
    expect(needsLease(c, publishes)).toBe(lease);
    expect(votesOverLocations(c)).toBe(votes);
  });
});

describe('roles on the store double', () => {
  it('a candidate takes the lease, follows the others, logs the verdicts; a second takes over when it stops', async () => {
    const c = await config('locations: [a, b, c]\n');
    const store = new InMemoryLocationsStoreDouble();
    const logger = captureLogger();
    const gained: number[] = [];
    const verdicts: string[] = [];
    const roles = await startLocationRoles({ config: c, store: store as unknown as Store, logger, publishes: true, onGained: (t) => gained.push(t), onVerdict: (check, state) => verdicts.push(`${check.id} ${state.status}`) });
    await until(() => gained.length === 1, 10_000, 'lease gained');
    expect(logger.lines.find((l) => l.event === 'lease')?.message).toBe('lease gained (token 1)');
    expect(roles.publisherLease?.token()).toBe(1);
    await roles.beforeBuild(); // the follower holds its cursor

    const t = Date.now() - 20_000;
    await store.record([result('down', t), result('down', t + 10_000)], 'b');
    await store.record([result('up', t), result('up', t + 10_000)], 'c');
    roles.observe(c.checks[0]!, result('down', t));
    roles.observe(c.checks[0]!, result('down', t + 10_000));
    await until(() => logger.lines.some((l) => l.event === 'verdict'), 10_000, 'a verdict');
    expect(logger.lines.filter((l) => l.event === 'verdict').map((l) => l.message)).toEqual(['verdict: check api is down (2 of 3 locations: a, b)']);
    expect(verdicts).toEqual(['api down']);
    expect(await store.verdicts()).toMatchObject([{ checkId: 'api', status: 'down', since: t, locations: ['a', 'b'] }]);
    expect(roles.agreedStatuses()).toMatchObject({ api: { status: 'down', since: t } });

    // A second candidate waits while the first holds the lease, and takes it once the first gives it up.
    const secondLogger = captureLogger();
    const second = await startLocationRoles({ config: { ...c, site: { ...c.site, location: 'b' } }, store: store as unknown as Store, logger: secondLogger, publishes: true });
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // a lease attempt or two: refused
    expect(second.publisherLease?.token()).toBeNull();
    await roles.stop();
    expect(logger.lines.find((l) => l.event === 'lease-lost')?.message).toBe('lease lost: stopping: the lease is given up');
    await until(() => second.publisherLease?.token() != null, 10_000, 'the second candidate takes over');
    expect(secondLogger.lines.find((l) => l.event === 'lease')?.message).toBe('lease gained (token 2)');
    // It resumes from the stored verdict: the outage is not announced again.
    await until(() => store.calls.verdicts >= 1, 10_000, 'the stored verdicts read');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a follow poll or two
    expect(secondLogger.lines.filter((l) => l.event === 'verdict')).toEqual([]);
    await second.stop();
  }, 60_000);

  it('a prober over several locations takes no lease and keeps no verdicts', async () => {
    const c = await config('locations: [a, b, c]\n');
    const store = new InMemoryLocationsStoreDouble();
    const roles = await startLocationRoles({ config: c, store: store as unknown as Store, logger: captureLogger(), publishes: false });
    expect(roles).toMatchObject({ votes: true, lease: undefined, verdicts: undefined, follower: undefined, publisherLease: undefined });
    expect(roles.agreedStatuses()).toEqual({});
    await roles.stop();
    expect(store.calls).toMatchObject({ acquireLease: 0, resultsAfter: 0 });
  });
});
