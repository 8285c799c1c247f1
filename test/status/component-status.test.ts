import { describe, expect, it } from 'vitest';
import { decideComponent, overallStatus, statusFromChecks } from '../../src/status/component-status.ts';
import type { ComponentStatus, Incident, Maintenance } from '../../src/posts/types.ts';
import type { ConfirmedStatus } from '../../src/runner/confirm.ts';

const H = 3_600_000;
const NOW = Date.UTC(2026, 10, 23, 12);
const nodes = { partialAt: 1, majorAt: 'all' as const };

describe('statusFromChecks', () => {
  it.each([
    { checks: ['up', 'up', 'up'], rule: nodes, expected: 'operational' },
    { checks: ['up', 'down', 'up'], rule: nodes, expected: 'partial_outage' }, // 1 of 3 chat nodes
    { checks: ['down', 'down', 'up'], rule: nodes, expected: 'partial_outage' },
    { checks: ['down', 'down', 'down'], rule: nodes, expected: 'major_outage' }, // all 3
    { checks: ['up', 'degraded', 'up'], rule: nodes, expected: 'degraded_performance' },
    { checks: ['down'], rule: nodes, expected: 'major_outage' }, // a single check down: the component is down
    { checks: ['down', 'down', 'up'], rule: { partialAt: 1, majorAt: 2 }, expected: 'major_outage' },
    { checks: ['down', 'up', 'up'], rule: { partialAt: 2, majorAt: 'all' as const }, expected: 'degraded_performance' },
    { checks: ['unknown', 'unknown'], rule: nodes, expected: null },
    { checks: ['unknown', 'up'], rule: nodes, expected: 'operational' },
  ] as Array<{ checks: ConfirmedStatus[]; rule: typeof nodes; expected: ComponentStatus | null }>)(
    '$checks with $rule.partialAt/$rule.majorAt → $expected',
    ({ checks, rule, expected }) => {
      expect(statusFromChecks(checks, rule)).toBe(expected);
    },
  );
});

const incident = (extra: Partial<Incident> = {}): Incident => ({
  kind: 'incident',
  slug: '2026-11-23-redis',
  file: 'content/incidents/2026-11-23-redis.md',
  title: 'Sign-in failing',
  timezone: 'UTC',
  body: '',
  impact: 'major',
  startedAt: NOW - 2 * H,
  components: { cache: 'major_outage' },
  updates: [
    { at: NOW - 2 * H, status: 'investigating', body: 'x', components: {}, signInBlocked: null },
    { at: NOW - H, status: 'monitoring', body: 'x', components: { cache: 'degraded_performance' }, signInBlocked: null },
  ],
  resolvedAt: null,
  postmortemAt: null,
  signInBlocked: false,
  ...extra,
});

const maintenance = (extra: Partial<Maintenance> = {}): Maintenance => ({
  kind: 'maintenance',
  slug: '2026-11-23-db',
  file: 'content/maintenance/2026-11-23-db.md',
  title: 'Database upgrade',
  timezone: 'UTC',
  body: '',
  announcedAt: NOW - 48 * H,
  startsAt: NOW - H,
  endsAt: NOW + H,
  components: ['cache'],
  affected: 'x',
  unaffected: null,
  signInBlocked: true,
  updateRequired: null,
  updates: [],
  cancelled: false,
  completedAt: null,
  ...extra,
});

describe('decideComponent', () => {
  it('lets the checks decide when no post speaks', () => {
    expect(decideComponent('cache', 'partial_outage', [], NOW)).toEqual({ status: 'partial_outage', decidedBy: { kind: 'checks' }, probes: 'partial_outage' });
  });

  it('takes an open incident\'s latest word over the checks, and keeps what the probes saw', () => {
    expect(decideComponent('cache', 'operational', [incident()], NOW)).toEqual({
      status: 'degraded_performance',
      decidedBy: { kind: 'incident', slug: '2026-11-23-redis' },
      probes: 'operational',
    });
    expect(decideComponent('cache', 'operational', [incident()], NOW - 1.5 * H).status).toBe('major_outage');
  });

  it('forgets a resolved incident', () => {
    expect(decideComponent('cache', 'operational', [incident({ resolvedAt: NOW - 10 })], NOW).decidedBy).toEqual({ kind: 'checks' });
  });

  it('puts a component in its maintenance window under maintenance, unless an incident speaks', () => {
    expect(decideComponent('cache', 'major_outage', [maintenance()], NOW)).toMatchObject({ status: 'under_maintenance', decidedBy: { kind: 'maintenance' } });
    expect(decideComponent('cache', 'operational', [maintenance(), incident()], NOW).decidedBy.kind).toBe('incident');
    expect(decideComponent('cache', 'operational', [maintenance({ cancelled: true })], NOW).decidedBy.kind).toBe('checks');
    expect(decideComponent('database', 'operational', [maintenance()], NOW).decidedBy.kind).toBe('checks');
  });

  it('takes the worst of two open incidents', () => {
    const second = incident({ slug: 'other', components: { cache: 'partial_outage' }, updates: [{ at: NOW - 2 * H, status: 'investigating', body: 'x', components: {}, signInBlocked: null }] });
    const first = incident({ slug: 'first', updates: [{ at: NOW - 2 * H, status: 'investigating', body: 'x', components: {}, signInBlocked: null }] });
    expect(decideComponent('cache', null, [second, first], NOW)).toMatchObject({ status: 'major_outage', decidedBy: { slug: 'first' } });
  });
});

describe('overallStatus', () => {
  const c = (status: ComponentStatus, essential = false) => ({ status, essential });
  it.each([
    { components: [c('operational'), c('operational')], impacts: [], indicator: 'none', description: 'All Systems Operational' },
    { components: [c('operational'), c('degraded_performance')], impacts: [], indicator: 'minor', description: 'Partially Degraded Service' },
    { components: [c('degraded_performance'), c('degraded_performance')], impacts: [], indicator: 'minor', description: 'Degraded System Service' },
    { components: [c('operational'), c('partial_outage')], impacts: [], indicator: 'minor', description: 'Minor Service Outage' },
    { components: [c('operational'), c('major_outage')], impacts: [], indicator: 'major', description: 'Partial System Outage' },
    { components: [c('major_outage'), c('major_outage')], impacts: [], indicator: 'critical', description: 'Major System Outage' },
    { components: [c('major_outage', true), c('operational')], impacts: [], indicator: 'critical', description: 'Major System Outage' }, // the balancer
    { components: [c('under_maintenance'), c('operational')], impacts: [], indicator: 'maintenance', description: 'Service Under Maintenance' },
    { components: [c('operational'), c('operational')], impacts: ['major'], indicator: 'major', description: 'Major Service Outage' },
    { components: [c('partial_outage')], impacts: [], indicator: 'major', description: 'Partial System Outage' },
    { components: [c('under_maintenance')], impacts: [], indicator: 'maintenance', description: 'Service Under Maintenance' },
  ] as const)('$components.length components → $indicator, "$description"', ({ components, impacts, indicator, description }) => {
    expect(overallStatus(components, impacts)).toEqual({ indicator, description });
  });
});
