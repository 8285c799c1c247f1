// The whole model against a real SQLite store: results recorded, component days built as the
// daemon builds them, the snapshot gathered and computed.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/load.ts';
import type { Check } from '../../src/probes/registry.ts';
import { tcpProbe } from '../../src/probes/tcp.ts';
import type { CheckResult, ProbeStatus } from '../../src/probes/types.ts';
import { refreshComponentDays } from '../../src/status/component-days.ts';
import { refreshRollups } from '../../src/store/refresh.ts';
import { gatherSnapshotInput } from '../../src/status/gather.ts';
import { buildSnapshot } from '../../src/status/snapshot.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { tempDir } from '../helpers/temp.ts';
import { LiveStatus } from '../../src/live/live-status.ts';
import { zoneDays } from '../../src/status/component-days.ts';

const M = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23, 12, 0);
const check = (id: string) =>
  tcpProbe.schema.parse({ id, component: 'chat-nodes', kind: 'tcp', host: 'h.example', port: 1, schedule: '1m', timeout: '5s', confirm: { down: 2, up: 1 } }) as Check;
const checks = [check('chat-1'), check('chat-2'), check('chat-3')];
const config = {
  root: '',
  site: { title: 'Chatter', description: '', baseUrl: 'https://status.example.org', timezone: 'America/Los_Angeles', location: 'dc1', uptimeWeights: { majorOutage: 1, partialOutage: 0.3, degradedPerformance: 0 } },
  groups: [],
  components: [{ id: 'chat-nodes', name: 'Chat nodes', description: '', outage: { partialAt: 1, majorAt: 'all' }, essential: false }],
  checks,
} as unknown as Config;

describe('gatherSnapshotInput with the SQLite store', () => {
  it('turns two days of recorded results into the right daily uptime, in the site\'s zone', async () => {
    const store = await openSqliteStore({ path: join(await tempDir(), 'h.db') });
    await store.migrate();
    // Since local midnight two days ago, a result a minute for each node; chat-2 is down for an hour yesterday.
    const start = Date.UTC(2026, 10, 21, 8); // 00:00 on 21 November in Los Angeles (PST)
    const outageFrom = start + DAY + 10 * 60 * M; // 10:00 local yesterday
    const rows: CheckResult[] = [];
    for (let t = start; t < NOW; t += M) {
      for (const c of checks) {
        const down = c.id === 'chat-2' && t >= outageFrom && t < outageFrom + 60 * M;
        const status: ProbeStatus = down ? 'down' : 'up';
        rows.push({ checkId: c.id, kind: 'tcp', status, startedAt: t, latencyMs: down ? null : 3, message: down ? 'connection refused' : 'port open', details: {} });
      }
    }
    await store.record(rows, 'dc1');
    await refreshComponentDays(store, config.components as never, checks, 'dc1', 'America/Los_Angeles', NOW);
    const snapshot = buildSnapshot(await gatherSnapshotInput(store, config, [], NOW));
    await store.close();

    const nodes = snapshot.components[0]!;
    const recent = nodes.days.slice(-3);
    expect(recent.map((d) => d.date)).toEqual(['2026-11-21', '2026-11-22', '2026-11-23']);
    // One node of three down for 60 minutes: a partial outage weighed at 0.3.
    expect(recent[1]).toMatchObject({ percent: 100 * (1 - (0.3 * 60) / 1_440), coverage: 1, minutes: { partial: 60, major: 0 } });
    expect(recent[0]).toMatchObject({ percent: 100, coverage: 1 });
    expect(recent[2]).toMatchObject({ percent: 100, coverage: 1 }); // today so far: 04:00 local
    expect(nodes).toMatchObject({ status: 'operational', decidedBy: { kind: 'checks' } });
    expect(nodes.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ['chat-1', 'up', 'port open'],
      ['chat-2', 'up', 'port open'],
      ['chat-3', 'up', 'port open'],
    ]);
    // The days before the history began have no data, and say so.
    expect(nodes.days[0]).toMatchObject({ percent: null, coverage: 0 });
  });

  it('gives the event loop a turn between checks\' reads, though the SQLite store answers synchronously', async () => {
    // A daemon's probes run on timers: a publish or roll-up refresh that read every check's day in
    // one go held them for seconds at 200 checks (bench:snapshot). Count the turns the loop gets.
    const store = await openSqliteStore({ path: join(await tempDir(), 'h.db') });
    await store.migrate();
    await store.record(checks.map((c) => ({ checkId: c.id, kind: 'tcp', status: 'up', startedAt: NOW - M, latencyMs: 3, message: 'port open', details: {} })), 'dc1');
    const turnsDuring = async (work: () => Promise<unknown>) => {
      let turns = 0;
      let running = true;
      const tick = () => {
        if (!running) return;
        turns++;
        setImmediate(tick);
      };
      setImmediate(tick);
      await work();
      running = false;
      return turns;
    };
    expect(await turnsDuring(() => gatherSnapshotInput(store, config, [], NOW))).toBeGreaterThanOrEqual(checks.length);
    expect(await turnsDuring(() => refreshRollups(store, checks, 'dc1', NOW))).toBeGreaterThanOrEqual(checks.length);
    expect(await turnsDuring(() => refreshComponentDays(store, config.components as never, checks, 'dc1', 'America/Los_Angeles', NOW))).toBeGreaterThanOrEqual(checks.length);
    await store.close();
  });

  it('with the daemon\'s kept state gives the snapshot the store gives, reading today\'s rows once', async () => {
    const store = await openSqliteStore({ path: join(await tempDir(), 'h.db') });
    await store.migrate();
    const start = Date.UTC(2026, 10, 23, 8); // local midnight in Los Angeles
    const row = (c: Check, t: number, status: ProbeStatus): CheckResult => ({ checkId: c.id, kind: 'tcp', status, startedAt: t, latencyMs: status === 'down' ? null : 3, message: status === 'down' ? 'connection refused' : 'port open', details: {} });
    const before: CheckResult[] = [];
    for (let t = start - 60 * M; t < NOW - 60 * M; t += M) for (const c of checks) before.push(row(c, t, c.id === 'chat-3' && t > start + 2 * 60 * M ? 'down' : 'up'));
    await store.record(before, 'dc1');
    const live = new LiveStatus(zoneDays('America/Los_Angeles'));
    const at = NOW - 60 * M;
    expect(buildSnapshot(await gatherSnapshotInput(store, config, [], at, live))).toEqual(buildSnapshot(await gatherSnapshotInput(store, config, [], at)));
    expect(live.counts).toMatchObject({ read: 3, kept: 3 });
    // The next hour arrives as the daemon takes it: chat-3 recovers, chat-1 fails; the store gets it too.
    const after: CheckResult[] = [];
    for (let t = NOW - 60 * M; t < NOW; t += M) for (const c of checks) after.push(row(c, t, c.id === 'chat-1' && t > NOW - 20 * M ? 'down' : 'up'));
    for (const result of after) live.take(checks.find((c) => c.id === result.checkId)!, result);
    await store.record(after, 'dc1');
    const kept = buildSnapshot(await gatherSnapshotInput(store, config, [], NOW, live));
    expect(live.counts).toMatchObject({ read: 3, kept: 6 }); // nothing read again
    expect(kept).toEqual(buildSnapshot(await gatherSnapshotInput(store, config, [], NOW)));
    expect(kept.components[0]!.checks.map((c) => c.status)).toEqual(['down', 'up', 'up']);
    await store.close();
  });

  it('the daemon\'s refresh writes the same roll-ups and component day of today from its kept state as from the rows', async () => {
    const store = await openSqliteStore({ path: join(await tempDir(), 'h.db') });
    await store.migrate();
    const zone = 'America/Los_Angeles';
    const row = (c: Check, t: number, status: ProbeStatus): CheckResult => ({ checkId: c.id, kind: 'tcp', status, startedAt: t, latencyMs: status === 'down' ? null : 1 + ((t / M) % 7) / 4, message: status, details: {} });
    const first: CheckResult[] = [];
    for (let t = NOW - 30 * 60 * M; t < NOW - 60 * M; t += M) for (const c of checks) first.push(row(c, t, c.id === 'chat-2' && t % (7 * M) === 0 ? 'down' : 'up'));
    await store.record(first, 'dc1');
    const live = new LiveStatus(zoneDays(zone));
    await refreshRollups(store, checks, 'dc1', NOW - 60 * M, live); // reads today's rows once, and keeps them
    await refreshComponentDays(store, config.components as never, checks, 'dc1', zone, NOW - 60 * M, live);
    const later: CheckResult[] = [];
    for (let t = NOW - 60 * M; t < NOW; t += M) for (const c of checks) later.push(row(c, t, c.id === 'chat-1' && t > NOW - 15 * M ? 'down' : 'up'));
    for (const result of later) live.take(checks.find((c) => c.id === result.checkId)!, result);
    await store.record(later, 'dc1');
    const read = () => Promise.all([store.rollups({ location: 'dc1', sinceDay: 0 }), store.componentDays({ location: 'dc1', sinceDay: 0 })]);
    const reads = live.counts.read;
    await refreshRollups(store, checks, 'dc1', NOW, live);
    await refreshComponentDays(store, config.components as never, checks, 'dc1', zone, NOW, live);
    expect(live.counts.read).toBe(reads); // nothing of today read again
    const fromKept = await read();
    await refreshRollups(store, checks, 'dc1', NOW);
    await refreshComponentDays(store, config.components as never, checks, 'dc1', zone, NOW);
    expect(fromKept).toEqual(await read());
    expect(fromKept[1].at(-1)!.segments.map((s) => s.status)).toContain('partial_outage');
    await store.close();
  });
});
