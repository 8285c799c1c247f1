// One contract, every engine: test/store/sqlite.test.ts and test/store/postgres.test.ts call this.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotifyEvent, OutboxEntry } from '../../src/notify/types.ts';
import type { CheckResult, ProbeStatus } from '../../src/probes/types.ts';
import { refreshRollups } from '../../src/store/refresh.ts';
import {
  DAY_MS,
  toEpochDay,
  type ComponentDay,
  type ComponentDayStatus,
  type DailyRollup,
  type LeaseGrant,
  type ResultCursor,
  type Store,
  type Subscriber,
  type Verdict,
} from '../../src/store/types.ts';

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

/** An outbox event created at `createdAt`, about component api going down. */
export function notifyEvent(key: string, createdAt: number, extra: Partial<NotifyEvent> = {}): NotifyEvent {
  return {
    key,
    kind: 'component',
    audience: 'operators',
    severity: 'critical',
    at: createdAt - 30_000,
    createdAt,
    title: 'API: major outage',
    text: 'API has been down since 00:00 UTC — "connection refused" <b>&</b> ✓',
    components: [{ id: 'api', name: 'API', status: 'major_outage', previous: 'operational', url: 'https://status.example.com/components/api/' }],
    checks: [{ id: 'api-https', status: 'down', message: 'connection refused' }],
    incidentKey: 'component:api',
    ...extra,
  };
}

export function outboxEntry(event: NotifyEvent, ...targets: Array<string | { name: string; silenced?: boolean }>): OutboxEntry {
  return { event, targets: targets.map((target) => (typeof target === 'string' ? { name: target } : target)) };
}

export function subscriber(id: string, extra: Partial<Subscriber> = {}): Subscriber {
  return {
    id,
    channel: 'email',
    address: `${id.replace(/\W/g, '')}@example.com`,
    components: null,
    state: 'pending',
    source: 'self-service',
    createdAt: T0,
    confirmedAt: null,
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

    describe('outbox and subscribers', () => {
      const none = { pending: 0, sent: 0, dead: 0, silenced: 0 };
      /** Every delivery, due or not, with its event key and target, for looking at the whole outbox. */
      const allPending = async (s: Store = store) => (await s.dueDeliveries(Number.MAX_SAFE_INTEGER, 1_000)).map((d) => d.delivery);
      const pairs = async (s: Store = store) => (await allPending(s)).map((d) => `${d.eventKey}>${d.target}`).sort();

      it('stores an event whole, a pending delivery per target due at its creation, and silenced targets as silenced', async () => {
        expect(await store.outboxCounts()).toEqual(none);
        expect(await store.nextDueAt()).toBeUndefined();
        const event = notifyEvent('component:api:1', T0 + 5_000);
        expect(await store.enqueue([outboxEntry(event, 'ops-slack', { name: 'pager', silenced: true }, { name: 'mail', silenced: false })])).toBe(1);

        expect(await store.dueDeliveries(T0 + 4_999, 10)).toEqual([]); // not due before the event was created
        const due = await store.dueDeliveries(T0 + 5_000, 10);
        expect(due.map((d) => d.event)).toEqual([event, event]);
        expect(due.map((d) => d.delivery)).toEqual([
          { id: expect.any(Number), eventKey: event.key, target: 'ops-slack', state: 'pending', attempts: 0, nextAttemptAt: T0 + 5_000, lastError: null, sentAt: null, createdAt: T0 + 5_000 },
          { id: expect.any(Number), eventKey: event.key, target: 'mail', state: 'pending', attempts: 0, nextAttemptAt: T0 + 5_000, lastError: null, sentAt: null, createdAt: T0 + 5_000 },
        ]);
        expect(await store.outboxCounts()).toEqual({ ...none, pending: 2, silenced: 1 });
        expect(await store.nextDueAt()).toBe(T0 + 5_000);
        expect(await store.events({ since: 0 })).toEqual([event]);
        // An event whose every target is silenced is recorded, and nothing is due.
        expect(await store.enqueue([outboxEntry(notifyEvent('component:api:2', T0, { silencedBy: 'maint-1' }), { name: 'ops-slack', silenced: true })])).toBe(1);
        expect(await store.nextDueAt()).toBe(T0 + 5_000);
        expect(await store.outboxCounts()).toEqual({ ...none, pending: 2, silenced: 2 });
        expect((await store.events({ since: 0 })).map((e) => [e.key, e.silencedBy])).toEqual([
          ['component:api:2', 'maint-1'],
          ['component:api:1', undefined],
        ]);
      });

      it('writes an event once: a key already stored is skipped with all its deliveries', async () => {
        const a = notifyEvent('a', T0);
        expect(await store.enqueue([outboxEntry(a, 'x')])).toBe(1);
        // Again, now with another target, and with a different text: the stored event stays as it was.
        expect(await store.enqueue([outboxEntry({ ...a, title: 'changed' }, 'x', 'y'), outboxEntry(notifyEvent('b', T0), 'x')])).toBe(1);
        expect(await store.enqueue([outboxEntry(a, 'x')])).toBe(0);
        expect(await pairs()).toEqual(['a>x', 'b>x']);
        expect((await store.events({ since: 0 })).find((e) => e.key === 'a')?.title).toBe(a.title);
        // A key twice in one batch: the first entry wins; a target twice in one entry: one delivery.
        expect(await store.enqueue([outboxEntry(notifyEvent('c', T0), 'x', 'x'), outboxEntry(notifyEvent('c', T0), 'z')])).toBe(1);
        expect(await pairs()).toEqual(['a>x', 'b>x', 'c>x']);
        expect(await store.enqueue([])).toBe(0);
        expect(await store.outboxCounts()).toEqual({ ...none, pending: 3 });
      });

      it('refuses an event without a key or with a creation time that is not epoch ms, writing nothing of the batch', async () => {
        await expect(store.enqueue([outboxEntry(notifyEvent('good', T0), 'x'), outboxEntry(notifyEvent('', T0), 'x')])).rejects.toThrow(/without a key/);
        await expect(store.enqueue([outboxEntry(notifyEvent('good', T0), 'x'), outboxEntry(notifyEvent('bad', T0 + 0.5), 'x')])).rejects.toThrow(
          /bad: createdAt is not an integer/,
        );
        expect(await store.events({ since: 0 })).toEqual([]);
        expect(await store.outboxCounts()).toEqual(none);
      });

      it('records results and their outbox in one transaction: all or nothing', async () => {
        const first = notifyEvent('component:api:down', T0 + 1_000);
        await store.record([result('api', T0), result('api', T0 + 1_000, 'down')], 'dc1', [outboxEntry(first, 'ops')]);
        expect((await store.results({ since: 0 })).map((r) => r.startedAt - T0)).toEqual([0, 1_000]);
        expect(await pairs()).toEqual(['component:api:down>ops']);

        // The results fail inside the transaction (a start time that is not a number breaks the
        // results' NOT NULL / bigint column): the outbox entry goes with them.
        const lost = notifyEvent('component:api:lost', T0 + 2_000);
        await expect(store.record([result('api', T0 + 2_000, 'down'), result('api', Number.NaN)], 'dc1', [outboxEntry(lost, 'ops')])).rejects.toThrow();
        // The outbox fails after the results and the event were written (a target without a name
        // breaks the deliveries' NOT NULL): the results and the event go with it.
        const broken = outboxEntry(notifyEvent('component:api:broken', T0 + 3_000), { name: null as unknown as string });
        await expect(store.record([result('api', T0 + 3_000, 'up')], 'dc1', [outboxEntry(lost, 'ops'), broken])).rejects.toThrow();
        expect((await store.results({ since: 0 })).map((r) => r.startedAt - T0)).toEqual([0, 1_000]);
        expect((await store.events({ since: 0 })).map((e) => e.key)).toEqual(['component:api:down']);
        expect(await store.outboxCounts()).toEqual({ ...none, pending: 1 });

        // A replayed batch: results are duplicates, the event is already there; nothing doubles.
        await store.record([result('api', T0 + 1_000, 'down')], 'dc1', [outboxEntry(first, 'ops', 'mail')]);
        expect(await pairs()).toEqual(['component:api:down>ops']);
        // Results and events both new, and an entry on its own (no results).
        await store.record([result('api', T0 + 2_000, 'down')], 'dc1', [outboxEntry(lost, 'ops')]);
        await store.record([], 'dc1', [outboxEntry(notifyEvent('post:1', T0 + 4_000, { kind: 'post', audience: 'subscribers' }), 'subscriber:email:1')]);
        expect((await store.results({ since: 0 })).map((r) => r.startedAt - T0)).toEqual([0, 1_000, 2_000]);
        expect(await pairs()).toEqual(['component:api:down>ops', 'component:api:lost>ops', 'post:1>subscriber:email:1']);
        // An empty outbox is the plain results path.
        await store.record([result('api', T0 + 5_000)], 'dc1', []);
        expect(await store.results({ since: T0 + 5_000 })).toHaveLength(1);

        // A closed store rejects, and keeps nothing of what it was given.
        const again = await opened.reopen();
        extra.push(again);
        await store.close();
        const closed = { code: 'SP_STORE_UNAVAILABLE' };
        await expect(store.record([result('api', T0 + 6_000)], 'dc1', [outboxEntry(notifyEvent('late', T0 + 6_000), 'ops')])).rejects.toMatchObject(closed);
        await expect(store.enqueue([outboxEntry(notifyEvent('late', T0 + 6_000), 'ops')])).rejects.toMatchObject(closed);
        await expect(store.dueDeliveries(T0, 10)).rejects.toMatchObject(closed);
        await expect(store.saveSubscriber(subscriber('email:late'))).rejects.toMatchObject(closed);
        expect((await again.events({ since: T0 + 6_000 })).map((e) => e.key)).toEqual([]);
        expect(await again.results({ since: T0 + 6_000 })).toEqual([]);
      });

      it('hands out due deliveries by due time then id, up to a limit, and knows when the next one is due', async () => {
        await store.enqueue([
          outboxEntry(notifyEvent('third', T0 + 3_000), 'b', 'a'),
          outboxEntry(notifyEvent('first', T0 + 1_000), 'b', 'a', 'c'),
          outboxEntry(notifyEvent('second', T0 + 2_000), 'a'),
        ]);
        expect(await store.nextDueAt()).toBe(T0 + 1_000);
        const due = await store.dueDeliveries(T0 + 2_000, 10);
        expect(due.map((d) => d.event.key)).toEqual(['first', 'first', 'first', 'second']);
        expect(due.slice(0, 3).map((d) => d.delivery.target).sort()).toEqual(['a', 'b', 'c']);
        const ids = due.map((d) => d.delivery.id);
        expect(ids.slice(0, 3)).toEqual([...ids.slice(0, 3)].sort((x, y) => x - y));
        expect(new Set(ids).size).toBe(4);
        expect((await store.dueDeliveries(T0 + 2_000, 2)).map((d) => d.delivery.id)).toEqual(ids.slice(0, 2));
        expect(await store.dueDeliveries(T0 + 999, 10)).toEqual([]);

        // The sender's updates: sent, retried later, dead.
        const [sent, retried, dead] = due.map((d) => d.delivery);
        await store.updateDeliveries([
          { id: sent!.id, state: 'sent', attempts: 1, nextAttemptAt: sent!.nextAttemptAt, lastError: null, sentAt: T0 + 1_500 },
          { id: retried!.id, state: 'pending', attempts: 1, nextAttemptAt: T0 + 60_000, lastError: '503 Service Unavailable', sentAt: null },
          { id: dead!.id, state: 'dead', attempts: 7, nextAttemptAt: dead!.nextAttemptAt, lastError: '410 Gone', sentAt: null },
        ]);
        expect(await store.outboxCounts()).toEqual({ ...none, pending: 4, sent: 1, dead: 1 });
        expect(await store.nextDueAt()).toBe(T0 + 2_000);
        const later = await store.dueDeliveries(T0 + 60_000, 10);
        expect(later.map((d) => d.event.key)).toEqual(['second', 'third', 'third', 'first']);
        expect(later.at(-1)!.delivery).toEqual({ ...retried!, attempts: 1, nextAttemptAt: T0 + 60_000, lastError: '503 Service Unavailable' });
        expect(await store.dueDeliveries(T0 + 59_999, 10)).toHaveLength(3);

        // Everything sent: nothing is due any more.
        await store.updateDeliveries(later.map((d) => ({ ...d.delivery, state: 'sent' as const, attempts: d.delivery.attempts + 1, sentAt: T0 + 61_000 })));
        expect(await store.nextDueAt()).toBeUndefined();
        expect(await store.dueDeliveries(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
        expect(await store.outboxCounts()).toEqual({ ...none, sent: 5, dead: 1 });
        await store.updateDeliveries([]);
      });

      it('updates deliveries in one transaction: a state the store does not know changes none of them', async () => {
        await store.enqueue([outboxEntry(notifyEvent('e', T0), 'a', 'b')]);
        const [a, b] = (await store.dueDeliveries(T0, 10)).map((d) => d.delivery);
        await expect(
          store.updateDeliveries([
            { ...a!, state: 'sent', attempts: 1, sentAt: T0 + 1 },
            { ...b!, state: 'sideways' as 'sent', attempts: 1 },
          ]),
        ).rejects.toThrow();
        expect((await store.dueDeliveries(T0, 10)).map((d) => d.delivery)).toEqual([a, b]);
        expect(await store.outboxCounts()).toEqual({ ...none, pending: 2 });
      });

      it('takes bounds with a fraction of a millisecond or no end, and a limit below one as none', async () => {
        await store.enqueue([outboxEntry(notifyEvent('at0', T0), 'a'), outboxEntry(notifyEvent('at1', T0 + 1), 'a')]);
        const keys = (due: Array<{ event: NotifyEvent }>) => due.map((d) => d.event.key);
        expect(keys(await store.dueDeliveries(T0 + 0.5, 10))).toEqual(['at0']);
        expect(keys(await store.dueDeliveries(Number.POSITIVE_INFINITY, 10))).toEqual(['at0', 'at1']);
        expect(await store.dueDeliveries(Number.NEGATIVE_INFINITY, 10)).toEqual([]);
        expect(await store.dueDeliveries(T0 + 1, 0)).toEqual([]);
        expect(await store.dueDeliveries(T0 + 1, -1)).toEqual([]);
        expect(keys(await store.dueDeliveries(T0 + 1, 1.7))).toEqual(['at0']);
        expect((await store.events({ since: T0 + 0.5 })).map((e) => e.key)).toEqual(['at1']);
        expect((await store.events({ since: Number.NEGATIVE_INFINITY })).map((e) => e.key)).toEqual(['at0', 'at1']);

        // A retry time with a fraction (backoff with jitter) is kept in whole ms, never earlier than asked.
        const [at0, at1] = (await store.dueDeliveries(T0 + 1, 10)).map((d) => d.delivery);
        await store.updateDeliveries([
          { ...at0!, attempts: 1, nextAttemptAt: T0 + 10.2, lastError: 'timed out' },
          { ...at1!, state: 'sent', attempts: 1, sentAt: T0 + 5.4 },
        ]);
        expect(await store.nextDueAt()).toBe(T0 + 11);
        expect(await store.dueDeliveries(T0 + 10.9, 10)).toEqual([]);
        expect((await store.dueDeliveries(T0 + 11, 10)).map((d) => d.delivery.nextAttemptAt)).toEqual([T0 + 11]);
        expect(await store.pruneOutbox(T0 + 1.5)).toBe(1); // at1: sent, created before T0 + 1.5
        expect(await store.pruneOutbox(Number.POSITIVE_INFINITY)).toBe(0); // at0 is still pending
      });

      it('lists events since a time, by kind and audience, oldest first', async () => {
        await store.enqueue([
          outboxEntry(notifyEvent('post:2', T0 + 3_000, { kind: 'post', audience: 'subscribers' }), 'subscriber:a'),
          outboxEntry(notifyEvent('component:1', T0 + 1_000), 'ops'),
          outboxEntry(notifyEvent('reminder:1', T0 + 2_000, { kind: 'reminder' })),
          outboxEntry(notifyEvent('component:0', T0 - 1), 'ops'),
          outboxEntry(notifyEvent('component:2', T0 + 1_000, { audience: 'subscribers' }), 'subscriber:a'),
        ]);
        const keys = (events: NotifyEvent[]) => events.map((e) => e.key);
        expect(keys(await store.events({ since: T0 }))).toEqual(['component:1', 'component:2', 'reminder:1', 'post:2']);
        expect(keys(await store.events({ since: T0 + 1_001 }))).toEqual(['reminder:1', 'post:2']);
        expect(keys(await store.events({ since: 0, kind: 'component' }))).toEqual(['component:0', 'component:1', 'component:2']);
        expect(keys(await store.events({ since: T0, kind: 'component', audience: 'operators' }))).toEqual(['component:1']);
        expect(keys(await store.events({ since: 0, audience: 'subscribers' }))).toEqual(['component:2', 'post:2']);
        expect(await store.events({ since: 0, kind: 'tls-expiry' })).toEqual([]);
        expect(await store.events({ since: T0 + 3_001 })).toEqual([]);
      });

      it('prunes old events with nothing pending, with their deliveries, and keeps those with a pending delivery', async () => {
        const before = T0 + 10_000;
        await store.enqueue([
          outboxEntry(notifyEvent('old-sent', T0), 'a', 'b'),
          outboxEntry(notifyEvent('old-pending', T0 + 1), 'a', 'b'),
          outboxEntry(notifyEvent('old-silenced', T0 + 2), { name: 'a', silenced: true }),
          outboxEntry(notifyEvent('old-no-target', T0 + 3)),
          outboxEntry(notifyEvent('old-dead', T0 + 4), 'a'),
          outboxEntry(notifyEvent('new-sent', before), 'a'),
        ]);
        const byKey = new Map<string, number[]>();
        for (const { delivery } of await store.dueDeliveries(before, 100)) byKey.set(delivery.eventKey, [...(byKey.get(delivery.eventKey) ?? []), delivery.id]);
        const set = (key: string, state: 'sent' | 'dead', count = Infinity) =>
          byKey
            .get(key)!
            .slice(0, count)
            .map((id) => ({ id, state, attempts: 1, nextAttemptAt: T0, lastError: null, sentAt: state === 'sent' ? T0 + 5 : null }));
        await store.updateDeliveries([...set('old-sent', 'sent'), ...set('old-pending', 'sent', 1), ...set('old-dead', 'dead'), ...set('new-sent', 'sent')]);
        expect(await store.outboxCounts()).toEqual({ pending: 1, sent: 4, dead: 1, silenced: 1 });

        expect(await store.pruneOutbox(before)).toBe(4);
        expect((await store.events({ since: 0 })).map((e) => e.key)).toEqual(['old-pending', 'new-sent']);
        expect(await store.outboxCounts()).toEqual({ pending: 1, sent: 2, dead: 0, silenced: 0 });
        expect(await store.pruneOutbox(before)).toBe(0);
        // Once its last delivery is done, the kept event goes too.
        await store.updateDeliveries(set('old-pending', 'sent').slice(1));
        expect(await store.pruneOutbox(before)).toBe(1);
        expect((await store.events({ since: 0 })).map((e) => e.key)).toEqual(['new-sent']);
        expect(await store.outboxCounts()).toEqual({ ...none, sent: 1 });
      });

      it('gives delivery ids that are never used twice, even after pruning', async () => {
        await store.enqueue([outboxEntry(notifyEvent('one', T0), 'a', 'b')]);
        const first = (await allPending()).map((d) => d.id);
        await store.updateDeliveries(first.map((id) => ({ id, state: 'sent' as const, attempts: 1, nextAttemptAt: T0, lastError: null, sentAt: T0 })));
        expect(await store.pruneOutbox(T0 + 1)).toBe(1);
        await store.enqueue([outboxEntry(notifyEvent('two', T0 + 1), 'a')]);
        const [second] = (await allPending()).map((d) => d.id);
        expect(second).toBeGreaterThan(Math.max(...first));
      });

      it('lets two handles enqueue the same events at the same time: each event and delivery once', async () => {
        const other = await opened.reopen();
        extra.push(other);
        await other.migrate();
        const entries = Array.from({ length: 20 }, (_, i) => outboxEntry(notifyEvent(`k${i}`, T0 + i), 'a', 'b'));
        const reversed = [...entries].reverse();
        const counts = await Promise.all([store.enqueue(entries), other.enqueue(reversed), store.enqueue(entries.slice(5)), other.enqueue(entries.slice(0, 5))]);
        expect(counts.reduce((sum, n) => sum + n, 0)).toBe(20);
        expect(await pairs(other)).toEqual(entries.flatMap((e) => [`${e.event.key}>a`, `${e.event.key}>b`]).sort());
      });

      it('keeps the outbox and subscribers for a new handle on the same database', async () => {
        const event = notifyEvent('component:api:1', T0);
        await store.enqueue([outboxEntry(event, 'ops', { name: 'quiet', silenced: true })]);
        await store.saveSubscriber(subscriber('email:1'));
        const again = await opened.reopen();
        extra.push(again);
        await again.migrate();
        expect(await again.events({ since: 0 })).toEqual([event]);
        expect(await again.outboxCounts()).toEqual({ ...none, pending: 1, silenced: 1 });
        expect((await again.dueDeliveries(T0, 10)).map((d) => [d.delivery.target, d.event])).toEqual([['ops', event]]);
        expect(await again.nextDueAt()).toBe(T0);
        expect(await again.subscribers()).toEqual([subscriber('email:1')]);
        expect(await again.enqueue([outboxEntry(event, 'ops')])).toBe(0);
      });

      it('saves, replaces, lists and deletes subscribers', async () => {
        expect(await store.subscribers()).toEqual([]);
        const later = subscriber('config:ops-hook', { channel: 'webhook', address: 'https://hooks.example.com/ß?token=x', source: 'config', state: 'confirmed', createdAt: T0 + 5, confirmedAt: T0 + 5 });
        const mail = subscriber('email:abc', { components: ['api', 'web'] });
        const slack = subscriber('config:team', { channel: 'slack', address: 'https://hooks.slack.com/services/T/B/x', components: [], source: 'config', createdAt: T0 });
        await store.saveSubscriber(later);
        await store.saveSubscriber(mail);
        await store.saveSubscriber(slack);
        // Oldest first, then by id.
        expect(await store.subscribers()).toEqual([slack, mail, later]);
        // Confirmed: replaced by id.
        const confirmed = { ...mail, state: 'confirmed' as const, confirmedAt: T0 + 60_000, components: null };
        await store.saveSubscriber(confirmed);
        expect(await store.subscribers()).toEqual([slack, confirmed, later]);
        expect(await store.deleteSubscriber('email:abc')).toBe(true);
        expect(await store.deleteSubscriber('email:abc')).toBe(false);
        expect(await store.deleteSubscriber('nobody')).toBe(false);
        expect(await store.subscribers()).toEqual([slack, later]);
        // Times that are not epoch ms are refused before anything is written.
        await expect(store.saveSubscriber(subscriber('email:odd', { createdAt: T0 + 0.5 }))).rejects.toThrow(/epoch ms/);
        await expect(store.saveSubscriber({ ...slack, confirmedAt: Number.NaN })).rejects.toThrow(/epoch ms/);
        expect(await store.subscribers()).toEqual([slack, later]);
      });
    });

    describe('following, lease and fencing', () => {
      /** Every page from `cursor` until one comes back empty. */
      const drain = async (from: ResultCursor, limit: number) => {
        const pages: string[][] = [];
        let cursor = from;
        for (;;) {
          const page = await store.resultsAfter(cursor, limit);
          cursor = page.cursor;
          if (page.results.length === 0) return { pages, cursor };
          pages.push(page.results.map((r) => `${r.checkId}@${r.location}+${r.startedAt - T0}`));
        }
      };
      const verdict = (checkId: string, status: Verdict['status'], at: number): Verdict => ({ checkId, status, since: at - 60_000, at, locations: ['a', 'b'] });

      it('follows results in commit order, each once, from the present on, in pages of at most the limit', async () => {
        await store.record([result('api', T0), result('api', T0 + 1_000)], 'a'); // before the cursor: never given
        const start = await store.resultsAfter(null, 100);
        expect(start.results).toEqual([]);
        expect((await store.resultsAfter(start.cursor, 100)).results).toEqual([]);

        // Committed in this order; the later commit holds earlier times (a location catching up).
        await store.record([result('api', T0 + 60_000), result('api', T0 + 90_000), result('api', T0 + 120_000)], 'a');
        await store.record([result('api', T0 + 30_000, 'down')], 'b');
        await store.record([result('db', T0 + 5_000), result('db', T0 + 6_000)], 'a');
        await store.record([result('api', T0 + 60_000, 'down')], 'a'); // a duplicate: not stored, not given
        const { pages, cursor } = await drain(start.cursor, 2);
        expect(pages).toEqual([
          ['api@a+60000', 'api@a+90000'],
          ['api@a+120000', 'api@b+30000'],
          ['db@a+5000', 'db@a+6000'],
        ]);
        const page = await store.resultsAfter(start.cursor, 100);
        expect(page.results).toHaveLength(6);
        expect(page.results[3]).toMatchObject({ checkId: 'api', location: 'b', status: 'down', startedAt: T0 + 30_000, message: 'connection refused' });

        // The cursor carries on, for this handle and for a new one (a restarted publisher).
        await store.record([result('db', T0 + 7_000, 'degraded')], 'b');
        const other = await opened.reopen();
        extra.push(other);
        for (const handle of [store, other]) {
          const next = await handle.resultsAfter(cursor, 100);
          expect(next.results.map((r) => `${r.checkId}@${r.location}+${r.startedAt - T0}:${r.status}`)).toEqual(['db@b+7000:degraded']);
          expect((await handle.resultsAfter(next.cursor, 100)).results).toEqual([]);
        }
      });

      it('gives a lease to one holder at a time: renewal keeps the token, a takeover after expiry or release gets a larger one', async () => {
        const first = await store.acquireLease('publisher', 'one', 60_000);
        expect(first).not.toBeNull();
        expect(first!.expiresAt).toBeGreaterThan(Date.now() + 30_000);
        expect(await store.acquireLease('publisher', 'two', 60_000)).toBeNull();
        const renewed = await store.acquireLease('publisher', 'one', 60_000);
        expect(renewed!.token).toBe(first!.token);
        expect(renewed!.expiresAt).toBeGreaterThanOrEqual(first!.expiresAt);
        // Other names are other leases.
        expect(await store.acquireLease('janitor', 'two', 60_000)).not.toBeNull();

        await store.releaseLease('publisher', 'two', first!.token); // not the holder: nothing happens
        expect(await store.acquireLease('publisher', 'two', 60_000)).toBeNull();
        await store.releaseLease('publisher', 'one', first!.token);
        const second = await store.acquireLease('publisher', 'two', 1);
        expect(second!.token).toBeGreaterThan(first!.token);

        // Expiry: a 1 ms lease is soon free for another holder.
        let third: LeaseGrant | null = null;
        for (const end = Date.now() + 10_000; third === null && Date.now() < end; ) {
          third = await store.acquireLease('publisher', 'three', 60_000);
          if (third === null) await new Promise((resolve) => setTimeout(resolve, 5));
        }
        expect(third!.token).toBeGreaterThan(second!.token);
        expect(await store.acquireLease('publisher', 'two', 60_000)).toBeNull();
      });

      it('writes verdicts and outbox and runs the swap only with the current token; a stale token writes and runs nothing', async () => {
        const old = (await store.acquireLease('publisher', 'one', 60_000))!;
        await store.releaseLease('publisher', 'one', old.token);
        const current = (await store.acquireLease('publisher', 'two', 60_000))!;

        let swaps = 0;
        const swap = async () => {
          swaps++;
        };
        const stale = store.fenced('publisher', old.token, { verdicts: [verdict('api', 'down', T0)], outbox: [outboxEntry(notifyEvent('k1', T0), 'ops')] }, swap);
        await expect(stale).rejects.toMatchObject({ code: 'SP_LEASE_LOST' });
        await expect(store.fenced('nobody', 1, {})).rejects.toMatchObject({ code: 'SP_LEASE_LOST' });
        expect(swaps).toBe(0);
        expect(await store.verdicts()).toEqual([]);
        expect(await store.events({ since: 0 })).toEqual([]);

        await store.enqueue([outboxEntry(notifyEvent('k0', T0), 'ops')]);
        await store.fenced(
          'publisher',
          current.token,
          { verdicts: [verdict('api', 'down', T0), verdict('db', 'up', T0)], outbox: [outboxEntry(notifyEvent('k0', T0, { title: 'again' }), 'mail'), outboxEntry(notifyEvent('k1', T0), 'ops')] },
          swap,
        );
        expect(swaps).toBe(1);
        expect(await store.verdicts()).toEqual([verdict('api', 'down', T0), verdict('db', 'up', T0)]);
        // k0 was there already: skipped with its delivery.
        expect((await store.events({ since: 0 })).map((e) => [e.key, e.title])).toEqual([
          ['k0', 'API: major outage'],
          ['k1', 'API: major outage'],
        ]);
        expect(await store.outboxCounts()).toEqual({ pending: 2, sent: 0, dead: 0, silenced: 0 });

        // The latest verdict of a check replaces the one before; without a swap, writes alone.
        await store.fenced('publisher', current.token, { verdicts: [{ ...verdict('api', 'up', T0 + 60_000), since: null, locations: ['a', 'b', 'c'] }] });
        expect(await store.verdicts()).toEqual([{ ...verdict('api', 'up', T0 + 60_000), since: null, locations: ['a', 'b', 'c'] }, verdict('db', 'up', T0)]);
      });

      it('writes nothing when the swap fails, and hands its error back as it is', async () => {
        const grant = (await store.acquireLease('publisher', 'one', 60_000))!;
        const failure = Object.assign(new Error('ENOENT: no such file or directory, rename'), { code: 'ENOENT' });
        const attempt = store.fenced('publisher', grant.token, { verdicts: [verdict('api', 'down', T0)], outbox: [outboxEntry(notifyEvent('k1', T0), 'ops')] }, async () => {
          throw failure;
        });
        await expect(attempt).rejects.toBe(failure);
        expect(await store.verdicts()).toEqual([]);
        expect(await store.events({ since: 0 })).toEqual([]);
        // The lease is still usable.
        await store.fenced('publisher', grant.token, { verdicts: [verdict('api', 'down', T0)] });
        expect(await store.verdicts()).toHaveLength(1);
      });
    });
  });
}
