// The pure parts of the alert engine: events and their keys, routes and maintenance silencing,
// grouping, reminders and TLS thresholds. Every time is derived from one injected `now`.
import { describe, expect, it } from 'vitest';
import { componentEvent, checkEvent, saturationEvent, saturationOf, selfEvent, tlsEvent, tlsStage, type SiteInfo } from '../../src/notify/events.ts';
import { groupDue, idempotencyKey, type DueItem } from '../../src/notify/group.ts';
import { dueReminders, nextReminderAt, type OpenProblem } from '../../src/notify/reminders.ts';
import { routeEvent, routeSelects } from '../../src/notify/route.ts';
import type { NotifyEvent, NotifyRoute } from '../../src/notify/types.ts';
import type { Maintenance } from '../../src/posts/types.ts';
import type { ConfirmState } from '../../src/runner/confirm.ts';

const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const MIN = 60_000;
const DAY = 86_400_000;
const site: SiteInfo = { name: 'Chat status', baseUrl: 'https://status.example.org', timezone: 'America/Los_Angeles' };

const state = (status: ConfirmState['status'], since: number | null): ConfirmState => ({ status, since, pending: null });
const up = (since = NOW - DAY) => state('up', since);
const down = (since: number) => state('down', since);
const nodes = { id: 'chat-nodes', name: 'Chat nodes', outage: { partialAt: 1, majorAt: 'all' as const } };
const check = (i: number) => ({ id: `node-${i}`, component: 'chat-nodes' });

const route = (over: Partial<NotifyRoute> = {}): NotifyRoute => ({
  events: ['component', 'reminder', 'tls-expiry', 'saturation', 'self'],
  components: null,
  severities: null,
  targets: ['ops'],
  remindEveryMs: null,
  resolved: true,
  duringMaintenance: 'silence',
  ...over,
});

const maintenance = (over: Partial<Maintenance> = {}): Maintenance => ({
  kind: 'maintenance',
  slug: 'db-upgrade',
  file: 'content/maintenance/db-upgrade.md',
  title: 'Database upgrade',
  timezone: 'UTC',
  body: '',
  announcedAt: NOW - DAY,
  startsAt: NOW - 30 * MIN,
  endsAt: NOW + 30 * MIN,
  components: ['chat-nodes'],
  affected: 'chat',
  unaffected: null,
  signInBlocked: false,
  updateRequired: null,
  updates: [],
  cancelled: false,
  completedAt: null,
  ...over,
});

describe('component events', () => {
  const since = NOW - 3 * MIN;
  const outage = () =>
    componentEvent({
      site,
      component: nodes,
      checks: [
        { check: check(1), before: up(), after: down(since), message: 'connection refused' },
        { check: check(2), before: up(), after: up() },
        { check: check(3), before: up(), after: up() },
      ],
      now: NOW,
    })!;

  it('says what, since when (site zone and UTC), which component, with its page', () => {
    const event = outage();
    expect(event).toMatchObject({
      kind: 'component',
      severity: 'critical',
      at: since,
      createdAt: NOW,
      title: 'Chat nodes: partial outage',
      url: 'https://status.example.org/components/chat-nodes/',
      components: [{ id: 'chat-nodes', status: 'partial_outage', previous: 'operational' }],
    });
    expect(event.key).toBe(`component:chat-nodes:${since}:partial_outage`);
    expect(event.text).toContain('1 of 3 checks failing: node-1 (connection refused)');
    expect(event.text).toMatch(/P[SD]T \(\d\d:\d\d UTC\)/);
    expect(event.text).toContain(`${new Date(since).toISOString().slice(11, 16)} UTC`);
  });

  it('gives the same fact the same key, whenever it is computed', () => {
    expect(outage().key).toBe(outage().key);
    const later = componentEvent({ site, component: nodes, checks: [1, 2, 3].map((i) => ({ check: check(i), before: up(), after: i === 1 ? down(since) : up() })), now: NOW + 5 * MIN })!;
    expect(later.key).toBe(outage().key);
  });

  it('is silent when the component status does not change, and at start-up when all is well', () => {
    const second = componentEvent({
      site,
      component: nodes,
      checks: [
        { check: check(1), before: down(since), after: down(since) },
        { check: check(2), before: up(), after: down(NOW) },
        { check: check(3), before: up(), after: up() },
      ],
      now: NOW,
    });
    expect(second).toBeNull(); // still a partial outage
    const start = componentEvent({ site, component: nodes, checks: [{ check: check(1), before: state('unknown', null), after: up(NOW) }], now: NOW });
    expect(start).toBeNull();
  });

  it('warns for degraded, and resolves with the problem\'s incident key and duration', () => {
    const degraded = componentEvent({ site, component: nodes, checks: [{ check: check(1), before: up(), after: state('degraded', since) }], now: NOW })!;
    expect(degraded.severity).toBe('warning');
    const trigger = outage();
    const resolved = componentEvent({
      site,
      component: nodes,
      checks: [
        { check: check(1), before: down(since), after: up(NOW - MIN) },
        { check: check(2), before: up(), after: up() },
        { check: check(3), before: up(), after: up() },
      ],
      now: NOW,
    })!;
    expect(resolved).toMatchObject({ severity: 'resolved', title: 'Chat nodes: operational again', at: NOW - MIN, incidentKey: trigger.incidentKey });
    expect(resolved.text).toContain('after partial outage for 2 min');
  });

  it('major outage when every node is down; check events only come when asked for', () => {
    const major = componentEvent({
      site,
      component: nodes,
      checks: [1, 2, 3].map((i) => ({ check: check(i), before: i === 3 ? up() : down(since), after: down(i === 3 ? NOW : since) })),
      now: NOW,
    })!;
    expect(major.components[0]).toMatchObject({ status: 'major_outage', previous: 'partial_outage' });
    const checkChange = checkEvent({ site, check: check(1), componentName: 'Chat nodes', before: up(), after: down(since), message: 'connection refused', now: NOW })!;
    expect(checkChange).toMatchObject({ kind: 'check', severity: 'critical', key: `check:node-1:${since}:down` });
    expect(routeSelects(route(), checkChange)).toBe(false);
    expect(routeSelects(route({ events: ['check'] }), checkChange)).toBe(true);
  });
});

describe('TLS certificate events', () => {
  const tlsCheck = { id: 'api-cert', component: 'chat-nodes', warnDays: 21 };
  const at = (daysLeft: number, now = NOW) =>
    tlsEvent({ site, check: tlsCheck, component: nodes, details: { notAfter: new Date(NOW + daysLeft * DAY).toISOString(), subject: 'api.example.org' }, thresholdsDays: [14, 7, 3, 1], now });

  it('one alert entering the window, then one per threshold, each once per certificate', () => {
    expect(tlsStage(30 * DAY, 21, [14, 7, 3, 1])).toBeNull();
    expect(at(30)).toBeNull();
    const keys = new Set<string>();
    // A probe every 6 hours across the last 26 days of the certificate: every key they produce.
    const notAfter = new Date(NOW + 26 * DAY - MIN).toISOString();
    for (let now = NOW; now < NOW + 26 * DAY - MIN; now += 6 * 3_600_000) {
      const event = tlsEvent({ site, check: tlsCheck, component: nodes, details: { notAfter }, thresholdsDays: [14, 7, 3, 1], now });
      if (event) keys.add(event.key);
    }
    const stages = [...keys].map((key) => key.split(':').at(-1));
    expect(stages).toEqual(['window', '14d', '7d', '3d', '1d']);
  });

  it('first seen close to expiry: one alert (the most urgent threshold), not four', () => {
    const event = at(2)!;
    expect(event.key.endsWith(':3d')).toBe(true);
    expect(event.severity).toBe('critical');
    expect(event.title).toBe('Certificate of api-cert expires in 2 days');
  });

  it('a renewed certificate starts its own series', () => {
    const old = at(10)!;
    const renewed = tlsEvent({ site, check: tlsCheck, component: nodes, details: { notAfter: new Date(NOW + 10 * DAY + 90 * DAY).toISOString() }, thresholdsDays: [14, 7, 3, 1], now: NOW + 90 * DAY })!;
    expect(renewed.key).not.toBe(old.key);
    expect(renewed.key.endsWith(':14d')).toBe(true);
  });

  it('expired is critical', () => {
    expect(at(-1)!.key.endsWith(':expired')).toBe(true);
  });
});

describe('saturation and own trouble', () => {
  it('reads redis and postgres details against their ratios', () => {
    expect(saturationOf('redis', { connectedClients: 95, maxClients: 100 }, 0.8)).toEqual({ used: 95, limit: 100, what: 'maxclients' });
    expect(saturationOf('redis', { connectedClients: 10, maxClients: 100 }, 0.8)).toBeUndefined();
    expect(saturationOf('postgres', { connections: 90, maxConnections: 100 }, 0.8)).toEqual({ used: 90, limit: 100, what: 'max_connections' });
    expect(saturationOf('tcp', { connections: 90, maxConnections: 100 }, 0.8)).toBeUndefined();
  });

  it('one alert per confirmed saturated spell', () => {
    const input = { site, check: { id: 'cache', component: 'chat-nodes', kind: 'redis' }, component: nodes, saturation: { used: 96, limit: 100, what: 'maxclients' as const } };
    expect(saturationEvent({ ...input, state: up(), now: NOW })).toBeNull();
    const a = saturationEvent({ ...input, state: state('degraded', NOW - MIN), now: NOW })!;
    const b = saturationEvent({ ...input, state: state('degraded', NOW - MIN), now: NOW + MIN })!;
    expect(a.key).toBe(b.key);
    expect(a).toMatchObject({ severity: 'critical', title: 'Redis cache near maxclients: 96%' });
  });

  it('self events: down and back are two facts of one spell', () => {
    const since = NOW - 10 * MIN;
    const downEvent = selfEvent({ site, trouble: 'store', since, back: false, detail: 'connection refused', now: since });
    const back = selfEvent({ site, trouble: 'store', since, back: true, detail: '', now: NOW });
    expect(downEvent.key).not.toBe(back.key);
    expect(downEvent.incidentKey).toBe(back.incidentKey);
    expect(back.text).toContain('after 10 min');
    expect(routeEvent(downEvent, [route({ components: ['chat-nodes'] })], [], NOW)).toBeNull();
    expect(routeEvent(downEvent, [route()], [], NOW)!.targets).toEqual([{ name: 'ops' }]);
  });
});

describe('routes', () => {
  const event = (over: Partial<NotifyEvent> = {}): NotifyEvent => ({
    key: 'k',
    kind: 'component',
    audience: 'operators',
    severity: 'critical',
    at: NOW,
    createdAt: NOW,
    title: 't',
    text: 't',
    components: [{ id: 'chat-nodes', name: 'Chat nodes', status: 'major_outage', previous: 'operational' }],
    ...over,
  });

  it('selects by kind, component, severity and the resolution flag; each target once', () => {
    const routes = [route({ targets: ['ops', 'pager'] }), route({ components: ['db'], targets: ['dba'] }), route({ severities: ['warning'], targets: ['chat'] }), route({ targets: ['ops'] })];
    expect(routeEvent(event(), routes, [], NOW)!.targets).toEqual([{ name: 'ops' }, { name: 'pager' }]);
    const resolved = event({ severity: 'resolved', components: [{ id: 'chat-nodes', name: 'Chat nodes', status: 'operational', previous: 'degraded_performance' }] });
    expect(routeEvent(resolved, routes, [], NOW)!.targets.map((t) => t.name)).toEqual(['ops', 'pager', 'chat']);
    expect(routeEvent(resolved, [route({ resolved: false })], [], NOW)).toBeNull();
    expect(routeEvent(event({ audience: 'subscribers' }), routes, [], NOW)).toBeNull();
  });

  it('silences components inside an announced, active maintenance window, unless the route alerts anyway', () => {
    const routes = [route({ targets: ['ops'] }), route({ targets: ['pager'], duringMaintenance: 'alert' })];
    const entry = routeEvent(event(), routes, [maintenance()], NOW)!;
    expect(entry.event.silencedBy).toBe('db-upgrade');
    expect(entry.targets).toEqual([{ name: 'ops', silenced: true }, { name: 'pager' }]);
    // Not yet announced, over, cancelled, or another component: not silenced.
    for (const post of [maintenance({ announcedAt: NOW + MIN }), maintenance({ startsAt: NOW - 2 * DAY, endsAt: NOW - DAY - MIN, completedAt: NOW - DAY }), maintenance({ cancelled: true }), maintenance({ components: ['db'] })]) {
      const open = routeEvent(event(), routes, [post], NOW)!;
      expect(open.event.silencedBy).toBeUndefined();
      expect(open.targets).toEqual([{ name: 'ops' }, { name: 'pager' }]);
    }
    // A target silenced by one route and alerted by another is alerted.
    const both = routeEvent(event(), [route({ targets: ['ops'] }), route({ targets: ['ops'], duringMaintenance: 'alert' })], [maintenance()], NOW)!;
    expect(both.targets).toEqual([{ name: 'ops' }]);
  });
});

describe('grouping', () => {
  const item = (id: number, target: string, createdAt: number, attempts = 0): DueItem => ({
    delivery: { id, eventKey: `e${id}`, target, state: 'pending', attempts, nextAttemptAt: createdAt, lastError: null, sentAt: null, createdAt },
    event: { key: `e${id}`, kind: 'component', audience: 'operators', severity: 'critical', at: createdAt, createdAt, title: `e${id}`, text: '', components: [] },
  });
  const siteRef = { name: 'Chat status', url: 'https://status.example.org' };

  it('changes within groupWait of the first are one message per target, once the wait is over', () => {
    const items = [item(1, 'ops', NOW), item(2, 'ops', NOW + 300), item(3, 'ops', NOW + 900), item(4, 'ops', NOW + 1_500), item(5, 'pager', NOW + 200)];
    const early = groupDue(items, { groupWaitMs: 1_000, now: NOW + 500, site: siteRef });
    expect(early.ready).toEqual([]);
    expect(early.wakeAt).toBe(NOW + 1_000);
    const later = groupDue(items, { groupWaitMs: 1_000, now: NOW + 1_250, site: siteRef });
    expect(later.ready.map((g) => [g.target, g.items.map((i) => i.delivery.id)])).toEqual([['ops', [1, 2, 3]], ['pager', [5]]]);
    expect(later.wakeAt).toBe(NOW + 2_500);
  });

  it('a retried group is ready at once; the idempotency key is stable and order-free', () => {
    const retried = groupDue([item(7, 'ops', NOW, 2), item(8, 'ops', NOW + 10, 2)], { groupWaitMs: 1_000, now: NOW, site: siteRef });
    expect(retried.ready).toHaveLength(1);
    expect(retried.ready[0]!.message.idempotencyKey).toBe(idempotencyKey('ops', [8, 7]));
    expect(idempotencyKey('ops', [7, 8])).not.toBe(idempotencyKey('pager', [7, 8]));
    expect(idempotencyKey('ops', [7, 8])).not.toBe(idempotencyKey('ops', [7, 9]));
  });

  it('a storm is cut into messages of at most maxEvents', () => {
    const storm = Array.from({ length: 60 }, (_, i) => item(i + 1, 'ops', NOW));
    const groups = groupDue(storm, { groupWaitMs: 1_000, now: NOW + 2_000, site: siteRef, maxEvents: 25 }).ready;
    expect(groups.map((g) => g.items.length)).toEqual([25, 25, 10]);
  });
});

describe('reminders', () => {
  const problem: OpenProblem = { component: { id: 'chat-nodes', name: 'Chat nodes' }, status: 'major_outage', since: NOW - 65 * MIN, incidentKey: `component:chat-nodes:${NOW - 65 * MIN}` };

  it('the n-th reminder at since + n × interval, once each, only to routes that remind', () => {
    const routes = [route({ remindEveryMs: 30 * MIN, targets: ['ops'] }), route({ targets: ['chat'] })];
    const due = dueReminders({ site, problems: [problem], routes, posts: [], now: NOW });
    expect(due).toHaveLength(1);
    expect(due[0]!.event.key).toBe(`reminder:${problem.incidentKey}:${30 * MIN}:2`);
    expect(due[0]!.targets).toEqual([{ name: 'ops' }]);
    expect(due[0]!.event.text).toContain('for 1 h 5 min now');
    // Asked again a minute later: the same reminder (same key), nothing new.
    expect(dueReminders({ site, problems: [problem], routes, posts: [], now: NOW + MIN })[0]!.event.key).toBe(due[0]!.event.key);
    expect(nextReminderAt([problem], routes, NOW)).toBe(problem.since + 3 * 30 * MIN);
    // Not before the first interval.
    expect(dueReminders({ site, problems: [{ ...problem, since: NOW - 10 * MIN }], routes, posts: [], now: NOW })).toEqual([]);
  });

  it('silenced inside a maintenance window', () => {
    const due = dueReminders({ site, problems: [problem], routes: [route({ remindEveryMs: 30 * MIN })], posts: [maintenance()], now: NOW });
    expect(due[0]!.targets).toEqual([{ name: 'ops', silenced: true }]);
  });
});
