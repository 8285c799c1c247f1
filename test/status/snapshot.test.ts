import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/posts/types.ts';
import { zoneDays } from '../../src/status/component-days.ts';
import { buildSnapshot, type SnapshotInput } from '../../src/status/snapshot.ts';
import type { ComponentDay } from '../../src/store/types.ts';

const H = 3_600_000;
const days = zoneDays('UTC');
const NOW = Date.UTC(2026, 10, 23, 12); // midday
const TODAY = days.dayOf(NOW);

const wholeDay = (componentId: string, day: number, status: ComponentDay['segments'][number]['status']): ComponentDay => ({
  componentId,
  location: 'dc1',
  day,
  segments: [{ from: days.startOf(day), to: Math.min(days.startOf(day + 1), NOW), status }],
  final: day < TODAY,
});

function input(extra: Partial<SnapshotInput> = {}): SnapshotInput {
  const componentDays: ComponentDay[] = [];
  for (let day = TODAY - 89; day <= TODAY; day++) {
    componentDays.push(wholeDay('chat-nodes', day, day === TODAY - 1 ? 'partial_outage' : 'operational'));
    componentDays.push(wholeDay('balancer', day, 'operational'));
  }
  return {
    now: NOW,
    site: { title: 'Chatter status', description: '', baseUrl: 'https://status.example.org', timezone: 'UTC' },
    groups: [{ id: 'chat', name: 'Chat', description: '' }],
    components: [
      { id: 'chat-nodes', name: 'Chat nodes', group: 'chat', description: '', outage: { partialAt: 1, majorAt: 'all' }, essential: false },
      { id: 'balancer', name: 'Load balancer', group: 'chat', description: '', outage: { partialAt: 1, majorAt: 'all' }, essential: true },
    ],
    checks: [
      { id: 'chat-1', name: undefined, kind: 'http', component: 'chat-nodes' },
      { id: 'chat-2', name: undefined, kind: 'http', component: 'chat-nodes' },
      { id: 'lb', name: 'Sign-in page', kind: 'http', component: 'balancer' },
    ],
    current: new Map([
      ['chat-1', { status: 'up' as const, message: '200 OK in 9 ms', latencyMs: 9, at: NOW - 10_000 }],
      ['chat-2', { status: 'down' as const, message: 'connection refused', latencyMs: null, at: NOW - 10_000 }],
      ['lb', { status: 'up' as const, message: '200 OK in 12 ms', latencyMs: 12, at: NOW - 10_000 }],
    ]),
    componentDays,
    rollups: [],
    posts: [],
    days,
    window: 90,
    ...extra,
  };
}

describe('buildSnapshot', () => {
  it('gives each component its status, who decided it, and what its checks said', () => {
    const snapshot = buildSnapshot(input());
    const nodes = snapshot.components.find((c) => c.id === 'chat-nodes')!;
    expect(nodes).toMatchObject({ status: 'partial_outage', decidedBy: { kind: 'checks' }, probes: 'partial_outage' });
    expect(nodes.checks.map((c) => [c.id, c.status, c.message])).toEqual([
      ['chat-1', 'up', '200 OK in 9 ms'],
      ['chat-2', 'down', 'connection refused'],
    ]);
    expect(snapshot.overall).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
  });

  it('shows 90 days, each with its minutes, and the uptime over 24 h, 7, 30 and 90 days', () => {
    const nodes = buildSnapshot(input()).components.find((c) => c.id === 'chat-nodes')!;
    expect(nodes.days).toHaveLength(90);
    expect(nodes.days.at(-2)).toMatchObject({ date: '2026-11-22', percent: 70, coverage: 1, minutes: { partial: 1_440 }, downtimeMinutes: 432 });
    expect(nodes.days.at(-1)).toMatchObject({ date: '2026-11-23', percent: 100, minutes: { partial: 0 } });
    // 24 h back from midday: 12 h of yesterday's partial outage at 0.3.
    expect(nodes.uptime.h24.percent).toBe(85);
    expect(nodes.uptime.d90.percent).toBeCloseTo(100 * (1 - (0.3 * 24) / (89 * 24 + 12)), 2);
  });

  it('lets an open incident decide, keeps the probes\' view, and raises the indicator to its impact', () => {
    const incident: Incident = {
      kind: 'incident', slug: '2026-11-23-lb', file: '', title: 'Balancer down', timezone: 'UTC', body: '', impact: 'critical',
      startedAt: NOW - H, components: { balancer: 'major_outage' }, updates: [], resolvedAt: null, postmortemAt: null, signInBlocked: false,
    };
    const snapshot = buildSnapshot(input({ posts: [incident] }));
    const balancer = snapshot.components.find((c) => c.id === 'balancer')!;
    expect(balancer).toMatchObject({ status: 'major_outage', decidedBy: { kind: 'incident', slug: '2026-11-23-lb' }, probes: 'operational' });
    expect(balancer.days.at(-1)?.minutes.major).toBe(60);
    expect(snapshot.overall).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(snapshot.openIncidents).toEqual(['2026-11-23-lb']);
  });

  it('treats days without a component day as no data, shown as coverage', () => {
    const snapshot = buildSnapshot(input({ componentDays: [wholeDay('chat-nodes', TODAY, 'operational')] }));
    const nodes = snapshot.components.find((c) => c.id === 'chat-nodes')!;
    expect(nodes.days[0]).toMatchObject({ percent: null, coverage: 0 });
    expect(nodes.uptime.d90.percent).toBe(100);
    expect(nodes.uptime.d90.coverage).toBeCloseTo(12 / (89 * 24 + 12), 3);
  });

  it('gives a group the mean of its components\' figures, per period and per day', () => {
    const group = buildSnapshot(input()).groups[0]!;
    expect(group.components).toEqual(['chat-nodes', 'balancer']);
    expect(group.days.at(-2)).toEqual({ date: '2026-11-22', percent: 85, coverage: 1 }); // (70 + 100) / 2
    expect(group.uptime.h24.percent).toBe(92.5); // (85 + 100) / 2
  });

  it('uses the weights it is given', () => {
    const nodes = buildSnapshot(input({ weights: { major_outage: 1, partial_outage: 1, degraded_performance: 0 } })).components[0]!;
    expect(nodes.days.at(-2)).toMatchObject({ percent: 0, downtimeMinutes: 1_440 });
  });

  it('gives latency by UTC day, the roll-ups\' days, whatever the site\'s zone: today included', () => {
    // 07:00 UTC on the 23rd is still the 22nd in Los Angeles; the latency series still ends on the 23rd.
    const now = Date.UTC(2026, 10, 23, 7);
    const utcDay = Math.floor(now / 86_400_000);
    const rollup = (day: number, p50: number) => ({
      checkId: 'lb', location: 'dc1', day, upMs: 0, degradedMs: 0, downMs: 0, noDataMs: 0, upCount: 1, degradedCount: 0, downCount: 0,
      latency: { min: p50, p50, p95: p50 * 2, p99: p50 * 3, max: p50 * 4 }, final: day < utcDay,
    });
    const la = zoneDays('America/Los_Angeles');
    const snapshot = buildSnapshot(input({ now, days: la, rollups: [rollup(utcDay, 12), rollup(utcDay - 1, 30), rollup(utcDay - 95, 99)] }));
    const latency = snapshot.components.find((c) => c.id === 'balancer')!.latency[0]!;
    expect(latency.checkId).toBe('lb');
    expect(latency.days).toHaveLength(90);
    expect(latency.days.at(-1)).toEqual({ date: '2026-11-23', p50: 12, p95: 24 });
    expect(latency.days.at(-2)).toEqual({ date: '2026-11-22', p50: 30, p95: 60 });
    expect(latency.days[0]).toEqual({ date: '2026-08-26', p50: null, p95: null }); // 95 days back is outside the window
  });

  it('is plain JSON: it survives a round trip unchanged', () => {
    const snapshot = buildSnapshot(input());
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});
