// One contract, every engine: test/store/sqlite.test.ts and test/store/postgres.test.ts call this.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult, ProbeStatus } from '../../src/probes/types.ts';
import { refreshRollups } from '../../src/store/refresh.ts';
import { DAY_MS, toEpochDay, type ComponentDay, type ComponentDayStatus, type DailyRollup, type Store } from '../../src/store/types.ts';

export interface OpenedStore {
  store: Store;
  /** Closes nothing; opens a second handle on the same database (as a restarted process would). */
  reopen(): Promise<Store>;
}

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0); // a Monday, 00:00 UTC

export function result(checkId: string, startedAt: number, status: ProbeStatus = 'up', extra: Partial<CheckResult> = {}): CheckResult {
  return {
    checkId,
    kind: 'http',
    status,
    startedAt,
    latencyMs: status === 'down' ? null : 12.5,
    message: status === 'up' ? '200 OK in 12 ms' : status === 'degraded' ? 'slow: answered in 812 ms (limit 500 ms)' : 'connection refused',
    details: { statusCode: 200, dnsMs: 0.4 },
    ...extra,
  };
}

const DAY0 = toEpochDay(T0);
const HOUR = 3_600_000;

/** A component day of `day` (days after DAY0) cut at the given hours, one status per piece. */
export function componentDay(
  componentId: string,
  location: string,
  day: number,
  statuses: readonly ComponentDayStatus[] = ['operational'],
  final = true,
): ComponentDay {
  const start = T0 + day * DAY_MS;
  const step = DAY_MS / statuses.length;
  return {
    componentId,
    location,
    day: DAY0 + day,
    segments: statuses.map((status, i) => ({ from: start + Math.round(i * step), to: start + Math.round((i + 1) * step), status })),
    final,
  };
}

export function describeStoreContract(engine: string, open: () => Promise<OpenedStore>, skip = false) {
  describe.skipIf(skip)(`store contract: ${engine}`, () => {
    let opened: OpenedStore;
    let store: Store;
    const extra: Store[] = [];

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      await store.migrate();
    });
    afterEach(async () => {
      for (const handle of extra.splice(0)) await handle.close();
      await store.close();
    });

    it('returns results for a check in time order, within the bounds asked', async () => {
      await store.record([result('api', T0 + 3_000), result('api', T0 + 1_000), result('db', T0 + 2_000)], 'dc1');
      await store.record([result('api', T0 + 2_000, 'down')], 'dc1');
      const api = await store.results({ checkId: 'api', since: T0 });
      expect(api.map((r) => [r.startedAt - T0, r.status])).toEqual([
        [1_000, 'up'],
        [2_000, 'down'],
        [3_000, 'up'],
      ]);
      expect((await store.results({ checkId: 'api', since: T0 + 1_500, until: T0 + 3_000 })).map((r) => r.startedAt - T0)).toEqual([2_000]);
      expect((await store.results({ since: T0 })).map((r) => `${r.checkId}@${r.startedAt - T0}`)).toEqual([
        'api@1000',
        'api@2000',
        'db@2000',
        'api@3000',
      ]);
    });

    it('keeps every field of a result, latency and Unicode included', async () => {
      const message = 'certificate for "chat" <b>&</b> expires — 5 days ✓ مرحبا';
      await store.record([result('api', T0, 'degraded', { latencyMs: 812.34, message, details: { a: 1, b: 'x"y', c: true, d: null } })], 'dc1');
      expect(await store.results({ since: T0 })).toEqual([
        { checkId: 'api', location: 'dc1', status: 'degraded', startedAt: T0, latencyMs: 812.34, message, details: { a: 1, b: 'x"y', c: true, d: null } },
      ]);
    });

    it('keeps the details of degraded and down results and drops those of healthy ones', async () => {
      await store.record([result('api', T0, 'up'), result('api', T0 + 1, 'down', { details: { code: 'ECONNREFUSED' } })], 'dc1');
      const [healthy, failed] = await store.results({ since: T0 });
      expect(healthy?.details).toEqual({});
      expect(failed).toMatchObject({ latencyMs: null, details: { code: 'ECONNREFUSED' } });
    });

    it('writes a batch in one transaction: all or nothing', async () => {
      const bad = { ...result('api', T0 + 2), status: 'sideways' as ProbeStatus };
      await expect(store.record([result('api', T0), result('api', T0 + 1), bad], 'dc1')).rejects.toThrow();
      expect(await store.results({ since: 0 })).toEqual([]);
    });

    it('keeps the series of each location apart', async () => {
      await store.record([result('api', T0, 'up')], 'dc1');
      await store.record([result('api', T0, 'down')], 'dc2');
      expect((await store.results({ checkId: 'api', location: 'dc2', since: 0 })).map((r) => r.status)).toEqual(['down']);
      expect(await store.series()).toEqual([
        { checkId: 'api', location: 'dc1' },
        { checkId: 'api', location: 'dc2' },
      ]);
    });

    it('finds the last result before an instant and the first result of a series', async () => {
      await store.record([result('api', T0 + 10), result('api', T0 + 20, 'down'), result('api', T0 + 30)], 'dc1');
      expect((await store.lastResultBefore({ checkId: 'api', location: 'dc1' }, T0 + 30))?.startedAt).toBe(T0 + 20);
      expect(await store.lastResultBefore({ checkId: 'api', location: 'dc1' }, T0 + 10)).toBeUndefined();
      expect(await store.firstResultAt({ checkId: 'api', location: 'dc1' })).toBe(T0 + 10);
      expect(await store.firstResultAt({ checkId: 'nope', location: 'dc1' })).toBeUndefined();
    });

    it('streams a large result set in order, across batch boundaries', async () => {
      const many = Array.from({ length: 2_503 }, (_, i) => result('api', T0 + i * 1_000, i % 7 === 0 ? 'down' : 'up'));
      await store.record(many, 'dc1');
      const seen: number[] = [];
      for await (const row of store.streamResults({ since: T0 })) seen.push(row.startedAt);
      expect(seen).toEqual(many.map((r) => r.startedAt));
    });

    it('saves, replaces and reads roll-ups, and knows the last final day', async () => {
      const day = toEpochDay(T0);
      const rollup = (d: number, final: boolean, upMs: number): DailyRollup => ({
        checkId: 'api',
        location: 'dc1',
        day: d,
        upMs,
        degradedMs: 0,
        downMs: DAY_MS - upMs,
        noDataMs: 0,
        upCount: 10,
        degradedCount: 0,
        downCount: 1,
        latency: { min: 1, p50: 2.5, p95: 9, p99: 10, max: 11.25 },
        final,
      });
      await store.saveRollups([rollup(day - 1, true, 1), rollup(day, false, 2)]);
      await store.saveRollups([rollup(day, true, 3)]);
      expect(await store.rollups({ checkId: 'api', sinceDay: day - 5 })).toEqual([rollup(day - 1, true, 1), rollup(day, true, 3)]);
      expect(await store.lastFinalDay({ checkId: 'api', location: 'dc1' })).toBe(day);
      expect(await store.rollups({ sinceDay: day, untilDay: day })).toHaveLength(1);
      const noLatency = { ...rollup(day + 1, false, 0), latency: null };
      await store.saveRollups([noLatency]);
      expect(await store.rollups({ sinceDay: day + 1 })).toEqual([noLatency]);
    });

    it('keeps daily roll-ups after raw results are pruned, and never prunes a day without a final roll-up', async () => {
      const check = { id: 'api', schedule: { intervalMs: 60_000 }, timeoutMs: 10_000 };
      // Three days of a result a minute; day 2 has a 10-minute outage.
      const rows: CheckResult[] = [];
      for (let t = T0; t < T0 + 3 * DAY_MS; t += 60_000) {
        const down = t >= T0 + DAY_MS + 3_600_000 && t < T0 + DAY_MS + 4_200_000;
        rows.push(result('api', t, down ? 'down' : 'up'));
      }
      await store.record(rows, 'dc1');
      const now = T0 + 2 * DAY_MS + 12 * 3_600_000; // midday of day 3: days 1 and 2 are final
      await refreshRollups(store, [check], 'dc1', now);

      const pruned = await store.prune(T0 + 3 * DAY_MS); // asks for everything
      expect(pruned).toBe(2 * 1_440); // only the two final days went
      expect((await store.results({ since: 0 })).length).toBe(1_440);

      const rollups = await store.rollups({ checkId: 'api', sinceDay: toEpochDay(T0) });
      expect(rollups.map((r) => [r.day - toEpochDay(T0), r.final, r.downMs, r.upCount + r.downCount])).toEqual([
        [0, true, 0, 1_440],
        [1, true, 600_000, 1_440],
        [2, false, 0, 1_440],
      ]);
      // A later refresh keeps the pruned days' numbers (they are final and never recomputed).
      await refreshRollups(store, [check], 'dc1', now + 60_000);
      expect((await store.rollups({ checkId: 'api', sinceDay: toEpochDay(T0), untilDay: toEpochDay(T0) + 1 })).map((r) => r.downMs)).toEqual([0, 600_000]);
    });

    it('saves, replaces and reads component days exactly, no-data segments included', async () => {
      const irregular: ComponentDay = {
        componentId: 'api',
        location: 'dc1',
        day: DAY0 + 1,
        // Out of order, not starting at midnight, odd lengths, a gap and a null status.
        segments: [
          { from: T0 + DAY_MS + 5 * HOUR + 1, to: T0 + DAY_MS + 7 * HOUR - 3, status: 'major_outage' },
          { from: T0 + DAY_MS + 17, to: T0 + DAY_MS + 5 * HOUR + 1, status: null },
          { from: T0 + DAY_MS + 7 * HOUR, to: T0 + 2 * DAY_MS, status: 'partial_outage' },
        ],
        final: false,
      };
      const first = componentDay('api', 'dc1', 0, ['operational', 'degraded_performance', 'partial_outage', 'major_outage', null]);
      const empty: ComponentDay = { componentId: 'api', location: 'dc1', day: DAY0 + 2, segments: [], final: false };
      await store.saveComponentDays([first, irregular, empty]);
      expect(await store.componentDays({ sinceDay: DAY0 })).toEqual([first, irregular, empty]);

      // Replaced by (component, location, day); the other days stay as they were.
      const replaced = componentDay('api', 'dc1', 1, [null, 'operational'], true);
      await store.saveComponentDays([replaced]);
      expect(await store.componentDays({ sinceDay: DAY0 })).toEqual([first, replaced, empty]);
      // A day repeated in one batch: the last one wins.
      const last = componentDay('api', 'dc1', 2, ['degraded_performance'], false);
      await store.saveComponentDays([componentDay('api', 'dc1', 2, ['major_outage']), last]);
      expect(await store.componentDays({ sinceDay: DAY0 + 2 })).toEqual([last]);
      await store.saveComponentDays([]);
      expect(await store.componentDays({ sinceDay: DAY0 })).toHaveLength(3);
    });

    it('filters component days by component, location and day range, ordered by component, location, day', async () => {
      const days = [
        componentDay('web', 'dc2', 0),
        componentDay('web', 'dc1', 2),
        componentDay('api', 'dc1', 1, ['major_outage']),
        componentDay('Zeta', 'dc1', 0),
        componentDay('web', 'dc1', 0, [null]),
        componentDay('api', 'dc1', 0),
        componentDay('api', 'dc10', 0),
        componentDay('web', 'dc1', 1, ['partial_outage', 'operational']),
      ];
      await store.saveComponentDays(days);
      const keys = (list: ComponentDay[]) => list.map((d) => `${d.componentId}@${d.location}+${d.day - DAY0}`);
      // Byte order: capitals before lower case, 'dc1' before 'dc10' before 'dc2'.
      expect(keys(await store.componentDays({ sinceDay: 0 }))).toEqual([
        'Zeta@dc1+0',
        'api@dc1+0',
        'api@dc1+1',
        'api@dc10+0',
        'web@dc1+0',
        'web@dc1+1',
        'web@dc1+2',
        'web@dc2+0',
      ]);
      expect(keys(await store.componentDays({ componentId: 'web', sinceDay: DAY0 + 1 }))).toEqual(['web@dc1+1', 'web@dc1+2']);
      expect(keys(await store.componentDays({ componentId: 'web', location: 'dc1', sinceDay: DAY0, untilDay: DAY0 + 1 }))).toEqual(['web@dc1+0', 'web@dc1+1']);
      expect(keys(await store.componentDays({ location: 'dc1', sinceDay: DAY0 + 1, untilDay: DAY0 + 1 }))).toEqual(['api@dc1+1', 'web@dc1+1']);
      expect(await store.componentDays({ componentId: 'web', location: 'dc1', sinceDay: DAY0 + 1, untilDay: DAY0 + 1 })).toEqual([days[7]]);
      expect(await store.componentDays({ componentId: 'nope', sinceDay: 0 })).toEqual([]);
      expect(await store.componentDays({ sinceDay: DAY0 + 3 })).toEqual([]);
    });

    it('knows the last final day of a component at a location', async () => {
      expect(await store.lastFinalComponentDay('api', 'dc1')).toBeUndefined();
      await store.saveComponentDays([
        componentDay('api', 'dc1', 0, ['operational'], true),
        componentDay('api', 'dc1', 1, ['operational'], true),
        componentDay('api', 'dc1', 2, ['operational'], false), // today: not final yet
        componentDay('api', 'dc2', 5, ['operational'], true),
        componentDay('web', 'dc1', 0, ['operational'], false),
      ]);
      expect(await store.lastFinalComponentDay('api', 'dc1')).toBe(DAY0 + 1);
      expect(await store.lastFinalComponentDay('api', 'dc2')).toBe(DAY0 + 5);
      expect(await store.lastFinalComponentDay('web', 'dc1')).toBeUndefined();
      expect(await store.lastFinalComponentDay('api', 'dc3')).toBeUndefined();
      await store.saveComponentDays([componentDay('api', 'dc1', 2, ['operational'], true)]);
      expect(await store.lastFinalComponentDay('api', 'dc1')).toBe(DAY0 + 2);
    });

    it('saves a batch of component days in one transaction: an unknown status writes none of it', async () => {
      const kept = componentDay('api', 'dc1', 0, ['operational', null], false);
      await store.saveComponentDays([kept]);
      const bad = componentDay('api', 'dc1', 2, ['operational', 'sideways' as ComponentDayStatus]);
      const batch = [componentDay('api', 'dc1', 0, ['major_outage']), componentDay('web', 'dc1', 1), bad, componentDay('zed', 'dc1', 3)];
      await expect(store.saveComponentDays(batch)).rejects.toThrow(/unknown status "sideways"/);
      expect(await store.componentDays({ sinceDay: 0 })).toEqual([kept]);
      expect(await store.lastFinalComponentDay('web', 'dc1')).toBeUndefined();
      // The store still writes afterwards.
      await store.saveComponentDays(batch.filter((d) => d !== bad));
      expect(await store.componentDays({ sinceDay: 0 })).toHaveLength(3);
    });

    it('keeps component days for good: pruning raw results leaves them', async () => {
      const check = { id: 'api', schedule: { intervalMs: 60_000 }, timeoutMs: 10_000 };
      const rows: CheckResult[] = [];
      for (let t = T0; t < T0 + 2 * DAY_MS; t += 600_000) rows.push(result('api', t));
      await store.record(rows, 'dc1');
      await refreshRollups(store, [check], 'dc1', T0 + 2 * DAY_MS + HOUR);
      const days = [componentDay('api', 'dc1', -400), componentDay('api', 'dc1', 0, ['operational', null]), componentDay('api', 'dc1', 1, ['partial_outage'])];
      await store.saveComponentDays(days);

      expect(await store.prune(T0 + 1_000 * DAY_MS)).toBe(rows.length);
      expect(await store.results({ since: 0 })).toEqual([]);
      expect(await store.componentDays({ sinceDay: 0 })).toEqual(days);
      expect(await store.lastFinalComponentDay('api', 'dc1')).toBe(DAY0 + 1);
    });

    it('keeps what was committed for a new handle on the same database, and migrates idempotently', async () => {
      await store.record([result('api', T0)], 'dc1');
      await store.saveComponentDays([componentDay('api', 'dc1', 0, ['degraded_performance', null])]);
      const again = await opened.reopen();
      extra.push(again);
      await again.migrate();
      expect((await again.results({ since: 0 })).map((r) => r.startedAt)).toEqual([T0]);
      expect(await again.componentDays({ sinceDay: DAY0 })).toEqual([componentDay('api', 'dc1', 0, ['degraded_performance', null])]);
    });
  });
}
