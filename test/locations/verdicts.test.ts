// The publisher's verdicts (src/locations/verdicts.ts): the pure parts as tables, then the state
// holder on the store double (written against LocationsStoreFactory; after the merge, re-run the
// "on the store" block on realLocationsStores too), with a real loaded configuration and real alerts.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { createAlerts } from '../../src/notify/alerts.ts';
import {
  agreedResult,
  createVerdicts,
  initialLocationState,
  locationNext,
  locationReport,
  quorumOf,
  verdictLine,
  type LocationState,
} from '../../src/locations/verdicts.ts';
import { vote } from '../../src/locations/quorum.ts';
import { gapLimitFor } from '../../src/store/rollup.ts';
import type { Check } from '../../src/probes/registry.ts';
import { tcpProbe } from '../../src/probes/tcp.ts';
import type { CheckResult, ProbeStatus } from '../../src/probes/types.ts';
import { captureLogger } from '../helpers/capture-logger.ts';
import { doubleLocationsStore, InMemoryLocationsStoreDouble, locationsStores, type LocationsStoreFactory } from '../helpers/locations-store-double.ts';
import { dropTestStores } from '../helpers/postgres-store.ts';
import { tempProject } from '../helpers/temp.ts';


afterEach(dropTestStores); // the PostgreSQL schemas of realLocationsStores, when they run
const NOW = Math.floor(Date.now() / 1000) * 1000;
const S = 1_000;
const tcp = (extra: Record<string, unknown> = {}) =>
  tcpProbe.schema.parse({ id: 'api', component: 'chat', kind: 'tcp', host: 'h.example', port: 1, schedule: '10s', timeout: '2s', confirm: { down: 2, up: 1 }, ...extra }) as Check;
const at = (status: ProbeStatus, startedAt: number, message = status) => ({ status, startedAt, message, details: {} });

describe('verdicts, the pure parts', () => {
  const gap = 22 * S; // 2 × 10 s + 2 s
  const up: LocationState = { confirm: { status: 'up', since: NOW - 60 * S, pending: null }, last: at('up', NOW - 5 * S) };
  it.each([
    ['a fresh location reports its confirmed status', up, NOW, { status: 'up', since: NOW - 60 * S }],
    ['exactly at the gap limit it is still fresh', up, NOW - 5 * S + gap, { status: 'up' }],
    ['past the gap limit it is no data', up, NOW - 5 * S + gap + 1, { status: 'unknown', since: null }],
    ['a location never heard from is no data', undefined, NOW, { status: 'unknown', since: null }],
    ['a location with only a result from the future is no data', { ...up, last: at('up', NOW + 60 * S) }, NOW, { status: 'unknown' }],
    ['a pending change does not count before its threshold', { confirm: { status: 'up', since: NOW - 60 * S, pending: { status: 'down', count: 1, since: NOW - 5 * S } }, last: at('down', NOW - 5 * S) } as LocationState, NOW, { status: 'up' }],
  ])('%s', (_why, state, now, expected) => {
    expect(locationReport('a', state, now, gap)).toMatchObject({ location: 'a', ...expected });
  });

  it('applies the thresholds per location, and a result not newer than the latest changes nothing', () => {
    const check = tcp();
    let state = locationNext(initialLocationState, at('up', NOW - 30 * S), check);
    expect(state.confirm.status).toBe('up');
    state = locationNext(state, at('down', NOW - 20 * S), check);
    expect(state.confirm.status).toBe('up'); // one failure: pending
    expect(locationNext(state, at('down', NOW - 20 * S), check)).toBe(state); // the same result again
    expect(locationNext(state, at('down', NOW - 25 * S), check)).toBe(state); // an older one
    state = locationNext(state, at('down', NOW - 10 * S), check);
    expect(state.confirm).toMatchObject({ status: 'down', since: NOW - 20 * S });
  });

  it.each([
    ['the check\'s own rule', { quorum: { min: 2 } }, { quorum: 'majority' }, { min: 2 }],
    ['else the component\'s', {}, { quorum: { min: 3 } }, { min: 3 }],
    ['else majority', {}, {}, 'majority'],
    ['a component not found: majority', {}, undefined, 'majority'],
  ])('quorum: %s', (_why, onCheck, component, expected) => {
    expect(quorumOf({ ...tcp(), ...onCheck } as Check, component as Parameters<typeof quorumOf>[1])).toEqual(expected);
  });

  it('says the verdict in one line, with the locations that formed it', () => {
    const reports = [
      { location: 'a', status: 'down' as const, since: NOW - 20 * S },
      { location: 'b', status: 'down' as const, since: NOW - 15 * S },
      { location: 'c', status: 'up' as const, since: NOW - 900 * S },
    ];
    const v = vote(reports, 'majority');
    expect(verdictLine('api', { status: 'down', since: v.since }, v)).toBe('verdict: check api is down (2 of 3 locations: a, b)');
    const none = vote(reports.map((r) => ({ ...r, status: 'unknown' as const, since: null })), 'majority');
    expect(verdictLine('api', { status: 'unknown', since: null }, none)).toBe('verdict: check api is unknown (no location reports it)');
  });

  it('hands the alerts a result with the agreed status and start, a quorum location\'s message and details', () => {
    const reports = [
      { location: 'a', status: 'up' as const, since: NOW - 900 * S },
      { location: 'b', status: 'down' as const, since: NOW - 15 * S },
      { location: 'c', status: 'down' as const, since: NOW - 20 * S },
    ];
    const v = vote(reports, 'majority');
    const states = new Map<string, LocationState>([
      ['b', { confirm: initialLocationState.confirm, last: { status: 'down', startedAt: NOW - 5 * S, message: 'connection refused', details: { code: 'ECONNREFUSED' } } }],
    ]);
    expect(agreedResult(tcp(), { status: 'down', since: v.since }, v, states, NOW)).toEqual({
      checkId: 'api',
      kind: 'tcp',
      status: 'down',
      startedAt: NOW - 20 * S,
      latencyMs: null,
      message: 'connection refused (2 of 3 locations: b, c)',
      details: { code: 'ECONNREFUSED' },
    });
  });
});

async function setup(makeStore: LocationsStoreFactory) {
  const root = await tempProject({
    'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\nlocation: a\nlocations: [a, b, c]\n',
    'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
    'probes/checks/a.yaml': 'checks:\n  - id: api\n    component: chat\n    kind: tcp\n    host: 127.0.0.1\n    port: 1\n    schedule: 10s\n    timeout: 2s\n    confirm: { down: 2, up: 1 }\n',
    'probes/notify.yaml': 'targets:\n  ops:\n    kind: webhook\n    url: ${OPS_URL}\nroutes:\n  - targets: [ops]\n',
  });
  const { config, problems } = await loadConfig(root, { OPS_URL: 'https://hooks.example.org/x' });
  expect(problems).toEqual([]);
  const store = await makeStore();
  let clock = NOW;
  const holder = 'me';
  let token: number | null = null;
  const take = async () => {
    token = (await store.acquireLease('publisher', holder, 60_000))?.token ?? null;
    return token;
  };
  const logger = captureLogger();
  const changes: string[] = [];
  const locationChanges: string[] = [];
  let outboxWakes = 0;
  const alerts = createAlerts({ config: config!, notify: config!.notify!, posts: () => [] });
  const verdicts = createVerdicts({
    config: config!,
    locations: config!.site.locations!,
    store,
    logger,
    token: () => token,
    alerts,
    onChange: (check, state) => changes.push(`${check.id} ${state.status}`),
    onLocationChange: (check, location, status) => locationChanges.push(`${location} ${check.id} ${status}`),
    onOutbox: () => outboxWakes++,
    now: () => clock,
  });
  const result = (status: ProbeStatus, startedAt: number, message: string = status): CheckResult => ({ checkId: 'api', kind: 'tcp', status, startedAt, latencyMs: 5, message, details: {} });
  /** Every location sends `statuses[i]` at `t`, then the clock is at `t` and the vote runs. */
  const round = async (t: number, statuses: Record<string, ProbeStatus | null>) => {
    for (const [location, status] of Object.entries(statuses)) if (status) verdicts.observe(location, result(status, t, `${status} at ${location}`));
    clock = t;
    await verdicts.evaluate();
  };
  const verdictLines = () => logger.lines.filter((l) => l.event === 'verdict').map((l) => l.message);
  return { config: config!, store, take, setToken: (t: number | null) => (token = t), verdicts, logger, changes, locationChanges, round, verdictLines, outboxWakes: () => outboxWakes, result };
}

describe.each(locationsStores())('verdicts on the %s', (_name, makeStore) => {
  it('believes what enough locations agree on, writes each agreed change with its alerts, and logs it', async () => {
    const { store, take, verdicts, round, verdictLines, changes, locationChanges, outboxWakes } = await setup(makeStore);
    await verdicts.restore(NOW - 100 * S);
    await take();
    const t = NOW - 100 * S;
    await round(t, { a: 'up', b: 'up', c: 'up' });
    expect(verdictLines()).toEqual(['verdict: check api is up (3 of 3 locations: a, b, c)']);
    // a alone sees it down (its own network): confirmed there, not believed.
    await round(t + 10 * S, { a: 'down', b: 'up', c: 'up' });
    await round(t + 20 * S, { a: 'down', b: 'up', c: 'up' });
    expect(verdicts.vote('api')).toMatchObject({ status: 'up', counts: { up: 2, down: 1, degraded: 0 } });
    expect(verdictLines()).toHaveLength(1);
    expect(locationChanges.at(-1)).toBe('a api down'); // no verdict, but the page's view of a changed: republished
    // b joins: 2 of 3 agree, dated from the first failing result of a and b.
    await round(t + 30 * S, { a: 'down', b: 'down', c: 'up' });
    await round(t + 40 * S, { a: 'down', b: 'down', c: 'up' });
    expect(verdictLines()).toEqual(['verdict: check api is up (3 of 3 locations: a, b, c)', 'verdict: check api is down (2 of 3 locations: a, b)']);
    expect(changes).toEqual(['api up', 'api down']);
    const stored = await store.verdicts();
    expect(stored).toEqual([{ checkId: 'api', status: 'down', since: t + 10 * S, at: t + 40 * S, locations: ['a', 'b'] }]);
    const component = await store.events({ since: 0, kind: 'component' });
    expect(component).toHaveLength(1);
    expect(component[0]).toMatchObject({ key: `component:chat:${t + 10 * S}:major_outage`, at: t + 10 * S });
    expect(component[0]!.text).toContain('down at a (2 of 3 locations: a, b)');
    expect(outboxWakes()).toBeGreaterThan(0);
    // Back up at two locations: operational again, one resolution alert.
    await round(t + 50 * S, { a: 'up', b: 'up', c: 'up' });
    expect(verdictLines().at(-1)).toBe('verdict: check api is up (3 of 3 locations: a, b, c)');
    expect((await store.events({ since: 0, kind: 'component' })).map((e) => e.severity)).toEqual(['critical', 'resolved']);
  });

  it('votes a check again when a location goes stale with no new result, and only then', async () => {
    const { take, verdicts, round, verdictLines } = await setup(makeStore);
    await verdicts.restore(NOW - 100 * S);
    await take();
    const t = NOW - 100 * S;
    await round(t, { a: 'up', b: 'up', c: 'up' });
    await round(t + 10 * S, { a: 'up', b: 'up', c: null }); // c says nothing more
    expect(verdicts.vote('api')).toMatchObject({ reporting: 3, of: 3 });
    // No result anywhere; only the clock moves past c's gap limit, then past everyone's.
    const gap = gapLimitFor({ schedule: { intervalMs: 10 * S }, timeoutMs: 2 * S } as Check);
    await round(t + gap + 1, {});
    expect(verdicts.vote('api')).toMatchObject({ status: 'up', reporting: 2, of: 3 });
    await round(t + 10 * S + gap + 1, {});
    expect(verdicts.vote('api')).toMatchObject({ status: null, reporting: 0 });
    expect(verdictLines().at(-1)).toBe('verdict: check api is unknown (no location reports it)');
  });

  it('holds the status while too few locations are fresh, and says unknown when none is', async () => {
    const { take, verdicts, round, verdictLines } = await setup(makeStore);
    await verdicts.restore(NOW - 200 * S);
    await take();
    const t = NOW - 200 * S;
    await round(t, { a: 'up', b: 'up', c: 'up' });
    // b and c fall silent (their network): a alone is 1 of 3 reporting, no quorum, up holds.
    await round(t + 10 * S, { a: 'down' });
    await round(t + 20 * S, { a: 'down' });
    await round(t + 30 * S, { a: 'down' });
    expect(verdicts.vote('api')).toMatchObject({ status: null, reporting: 1, of: 3 });
    expect(verdictLines()).toEqual(['verdict: check api is up (3 of 3 locations: a, b, c)']);
    // Nobody for longer than the gap limit: no data.
    await round(t + 60 * S, {});
    expect(verdictLines().at(-1)).toBe('verdict: check api is unknown (no location reports it)');
  });

  it('writes and alerts nothing without the lease, and a new holder resumes from the stored verdicts', async () => {
    const { store, take, setToken, verdicts, round, verdictLines, changes } = await setup(makeStore);
    await verdicts.restore(NOW - 100 * S);
    const t = NOW - 100 * S;
    await round(t, { a: 'up', b: 'up', c: 'up' });
    expect(verdictLines()).toEqual([]);
    expect(await store.verdicts()).toEqual([]);
    await take();
    await round(t + 10 * S, { a: 'up', b: 'up', c: 'up' });
    expect(verdictLines()).toEqual(['verdict: check api is up (3 of 3 locations: a, b, c)']); // the store had none: written now
    setToken(null);
    await round(t + 20 * S, { a: 'down', b: 'down', c: 'down' });
    await round(t + 30 * S, { a: 'down', b: 'down', c: 'down' });
    expect(verdictLines()).toHaveLength(1); // seen, but not the holder's to write
    await take();
    await round(t + 40 * S, { a: 'down', b: 'down', c: 'down' });
    expect(verdictLines().at(-1)).toBe('verdict: check api is down (3 of 3 locations: a, b, c)');
    // Each change is heard twice: once seen as a standby (its standby build follows it), once written as the holder.
    expect(changes).toEqual(['api up', 'api up', 'api down', 'api down']);
  });

  it('starts from the stored rows of the last lookback, then the results that came meanwhile', async () => {
    const { store, take, verdicts, round, verdictLines, result } = await setup(makeStore);
    const t = NOW - 100 * S;
    for (const location of ['a', 'b']) await store.record([result('down', t - 20 * S), result('down', t - 10 * S)], location);
    await store.record([result('up', t - 10 * S)], 'c');
    verdicts.observe('b', result('down', t - 10 * S)); // also in the rows: taken once
    verdicts.observe('c', result('up', t));
    await verdicts.restore(t);
    await take();
    await round(t, {});
    expect(verdictLines()).toEqual(['verdict: check api is down (2 of 3 locations: a, b)']);
    expect((await store.verdicts())[0]).toMatchObject({ since: t - 20 * S });
  });
});

describe('verdicts when the write is refused', () => {
  it('writes nothing and forgets its alerts when the lease was lost, and makes them again once it holds the lease anew', async () => {
    const { store, take, verdicts, round, verdictLines, logger } = await setup(doubleLocationsStore);
    const double = store as InMemoryLocationsStoreDouble;
    await verdicts.restore(NOW - 100 * S);
    await take();
    const t = NOW - 100 * S;
    await round(t, { a: 'up', b: 'up', c: 'up' });
    double.leases.set('publisher', { holder: 'other', token: 99, expiresAt: Date.now() + 60_000 });
    await round(t + 10 * S, { a: 'down', b: 'down', c: 'down' });
    await round(t + 20 * S, { a: 'down', b: 'down', c: 'down' });
    expect(logger.lines.filter((l) => l.event === 'verdicts-failed').map((l) => l.message)).toEqual([
      'the verdicts were refused: the lease "publisher" is no longer held with token 1',
    ]);
    expect(verdictLines()).toHaveLength(1);
    expect(double.written.outbox.filter((e) => e.event.kind === 'component')).toHaveLength(0);
    double.leases.delete('publisher');
    await take();
    await round(t + 30 * S, { a: 'down', b: 'down', c: 'down' });
    expect(verdictLines().at(-1)).toBe('verdict: check api is down (3 of 3 locations: a, b, c)');
    expect(double.written.outbox.filter((e) => e.event.kind === 'component')).toHaveLength(1);
  });
});
