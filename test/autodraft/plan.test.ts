// The decision behind incidents drafted from probe outages, as a table: components' statuses, the
// open incidents and the ledger in, what to write out. Time is passed in; no clock, no files.
import { describe, expect, it } from 'vitest';
import { componentsNow, autoIncidentEvent } from '../../src/autodraft/event.ts';
import { planAutoIncidents, RECOVERY_WINDOW_MS, titleFor, type ComponentNow, type IncidentView, type LedgerEntry, type PlanInput } from '../../src/autodraft/plan.ts';
import type { ConfirmState } from '../../src/runner/confirm.ts';

const NOW = Date.UTC(2031, 4, 6, 12, 0, 0); // any instant: nothing here reads a clock
const MIN = 60_000;
const words = (at: number) => new Date(at).toISOString().slice(11, 16);

const component = (id: string, status: ComponentNow['status'], outageSince: number | null = null, statusSince: number | null = outageSince, essential = false): ComponentNow => ({
  id,
  name: id === 'chat' ? 'Chat nodes' : id === 'cache' ? 'Cache' : id,
  essential,
  status,
  outageSince,
  statusSince,
});

const incident = (over: Partial<IncidentView> = {}): IncidentView => ({
  file: 'content/incidents/2031-05-06-chat-nodes-partial-outage.md',
  slug: '2031-05-06-chat-nodes-partial-outage',
  draft: true,
  source: 'probes',
  resolved: false,
  startedAt: NOW - 10 * MIN,
  components: { chat: 'partial_outage' },
  lastUpdate: { at: NOW - 10 * MIN, status: 'investigating' },
  ...over,
});

const plan = (over: Partial<PlanInput>) => planAutoIncidents({ mode: 'draft', components: [], incidents: [], ledger: new Map(), now: NOW, timeWords: words, ...over });

describe('planAutoIncidents', () => {
  const cases: Array<{ name: string; input: Partial<PlanInput>; expect: Array<Record<string, unknown>> }> = [
    {
      name: 'a partial outage nothing covers: one draft from the measured start',
      input: { components: [component('chat', 'partial_outage', NOW - 3 * MIN), component('cache', 'operational', null, NOW - 60 * MIN)] },
      expect: [{ type: 'create', title: 'Chat nodes: partial outage', impact: 'minor', start: NOW - 3 * MIN, components: { chat: 'partial_outage' }, publish: false }],
    },
    {
      name: 'two components at once: one incident for both, dated from the earlier start, its impact from the worse',
      input: { components: [component('chat', 'partial_outage', NOW - 3 * MIN), component('cache', 'major_outage', NOW - 2 * MIN)] },
      expect: [{ type: 'create', title: 'Chat nodes, Cache: major outage', impact: 'major', start: NOW - 3 * MIN, components: { chat: 'partial_outage', cache: 'major_outage' } }],
    },
    {
      name: 'an essential component down: critical impact',
      input: { components: [component('lb', 'major_outage', NOW - MIN, NOW - MIN, true)] },
      expect: [{ type: 'create', impact: 'critical' }],
    },
    {
      name: 'publish mode: no draft flag',
      input: { mode: 'publish', components: [component('chat', 'major_outage', NOW - MIN)] },
      expect: [{ type: 'create', publish: true }],
    },
    {
      name: 'inside an announced maintenance window: the outage is the work, nothing drafted',
      input: { components: [component('chat', 'major_outage', NOW - MIN)], inMaintenance: new Set(['chat']) },
      expect: [],
    },
    { name: 'off: nothing', input: { mode: 'off', components: [component('chat', 'major_outage', NOW - MIN)] }, expect: [] },
    { name: 'degraded performance is no outage: nothing', input: { components: [component('chat', 'degraded_performance', NOW - MIN)] }, expect: [] },
    { name: 'unknown (no results yet): nothing', input: { components: [component('chat', null)] }, expect: [] },
    {
      name: 'a person\'s open incident names the component: covered, nothing written to it',
      input: { components: [component('chat', 'major_outage', NOW - MIN)], incidents: [incident({ source: null, draft: false })] },
      expect: [],
    },
    {
      name: 'a resolved incident covers nothing',
      input: { components: [component('chat', 'partial_outage', NOW - MIN)], incidents: [incident({ resolved: true, source: null, draft: false })] },
      expect: [{ type: 'create' }],
    },
    {
      name: 'the flap: own draft open, the same status again: nothing',
      input: { components: [component('chat', 'partial_outage', NOW - MIN)], incidents: [incident()] },
      expect: [],
    },
    {
      name: 'getting worse: one update on the same draft, status kept',
      input: { components: [component('chat', 'major_outage', NOW - 10 * MIN, NOW - MIN)], incidents: [incident({ lastUpdate: { at: NOW - 5 * MIN, status: 'identified' } })] },
      expect: [{ type: 'update', why: 'worse', status: 'identified', at: NOW - MIN, components: { chat: 'major_outage' } }],
    },
    {
      name: 'getting better but still out: nothing until it has recovered',
      input: { components: [component('chat', 'partial_outage', NOW - 10 * MIN)], incidents: [incident({ components: { chat: 'major_outage' } })] },
      expect: [],
    },
    {
      name: 'another component while the draft\'s outage lasts: it joins the draft',
      input: { components: [component('chat', 'partial_outage', NOW - 10 * MIN), component('cache', 'major_outage', NOW - 2 * MIN)], incidents: [incident()] },
      expect: [{ type: 'update', why: 'joined', status: 'investigating', at: NOW - 2 * MIN, components: { cache: 'major_outage' } }],
    },
    {
      name: 'recovered for less than the window (a flap): nothing yet',
      input: { components: [component('chat', 'operational', null, NOW - 2 * MIN)], incidents: [incident()] },
      expect: [],
    },
    {
      name: 'recovered for the whole window: monitoring, the components operational, never resolved',
      input: { components: [component('chat', 'operational', null, NOW - RECOVERY_WINDOW_MS)], incidents: [incident()] },
      expect: [{ type: 'update', why: 'recovered', status: 'monitoring', at: NOW - RECOVERY_WINDOW_MS, components: { chat: 'operational' } }],
    },
    {
      name: 'monitoring already written, all well: nothing more',
      input: { components: [component('chat', 'operational', null, NOW - 30 * MIN)], incidents: [incident({ components: { chat: 'operational' }, lastUpdate: { at: NOW - 20 * MIN, status: 'monitoring' } })] },
      expect: [],
    },
    {
      name: 'down again after monitoring, the draft still open: investigating on it, no second draft',
      input: { components: [component('chat', 'partial_outage', NOW - MIN)], incidents: [incident({ components: { chat: 'operational' }, lastUpdate: { at: NOW - 20 * MIN, status: 'monitoring' } })] },
      expect: [{ type: 'update', why: 'again', status: 'investigating', components: { chat: 'partial_outage' } }],
    },
    {
      name: 'draft mode: a draft a person published is theirs; it covers, the daemon does not write to it',
      input: { components: [component('chat', 'major_outage', NOW - 10 * MIN, NOW - MIN)], incidents: [incident({ draft: false })] },
      expect: [],
    },
    {
      name: 'publish mode: its own published incident is kept current',
      input: { mode: 'publish', components: [component('chat', 'operational', null, NOW - 6 * MIN)], incidents: [incident({ draft: false })] },
      expect: [{ type: 'update', why: 'recovered', status: 'monitoring' }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = plan(c.input);
      expect(result.actions).toHaveLength(c.expect.length);
      c.expect.forEach((expected, i) => expect(result.actions[i]).toMatchObject(expected));
    });
  }

  it('a title within a post\'s limit, however many components', () => {
    expect(titleFor(['Chat nodes', 'Cache'], 'major outage')).toBe('Chat nodes, Cache: major outage');
    const many = Array.from({ length: 30 }, (_, i) => `Component number ${i + 1}`);
    expect(titleFor(many, 'partial outage')).toBe('Component number 1 and 29 more: partial outage');
    expect([...titleFor(['x'.repeat(500)], 'major outage')].length).toBeLessThanOrEqual(200);
  });

  it('a flap inside the window asks to be looked at again when the window ends', () => {
    const result = plan({ components: [component('chat', 'operational', null, NOW - 2 * MIN)], incidents: [incident()] });
    expect(result.nextAt).toBe(NOW - 2 * MIN + RECOVERY_WINDOW_MS);
    expect(plan({ components: [component('chat', 'partial_outage', NOW - MIN)] }).nextAt).toBeNull();
  });

  it('a draft deleted during its outage is not drafted again for that outage, flaps included; a later outage is drafted', () => {
    const file = 'content/incidents/2031-05-06-chat-nodes-partial-outage.md';
    const ledger = new Map<string, LedgerEntry>([['chat', { file, lastOutageAt: NOW - MIN }]]);
    const same = plan({ components: [component('chat', 'partial_outage', NOW - 30_000)], ledger });
    expect(same.actions).toEqual([]);
    expect(same.declined).toEqual([{ component: 'chat', file }]);
    expect(same.ledger.get('chat')!.lastOutageAt).toBe(NOW);
    const later = plan({ components: [component('chat', 'partial_outage', NOW - 30_000)], ledger: new Map([['chat', { file, lastOutageAt: NOW - RECOVERY_WINDOW_MS - MIN }]]) });
    expect(later.actions).toMatchObject([{ type: 'create' }]);
  });

  it('a deleted draft after a long outage: a flap minutes later is still that outage; the ledger forgets it a window after recovery', () => {
    const file = 'content/incidents/2031-05-06-chat-nodes-partial-outage.md';
    // Drafted 40 minutes ago, deleted since; the component came back a minute ago (no look in between).
    let ledger: Map<string, LedgerEntry> = new Map([['chat', { file, lastOutageAt: NOW - 40 * MIN }]]);
    ledger = plan({ components: [component('chat', 'operational', null, NOW - MIN)], ledger }).ledger;
    expect(ledger.get('chat')).toEqual({ file, lastOutageAt: NOW - MIN });
    const flap = plan({ components: [component('chat', 'partial_outage', NOW - 10_000)], ledger, now: NOW });
    expect(flap.actions).toEqual([]);
    expect(flap.declined).toHaveLength(1);
    const quiet = plan({ components: [component('chat', 'operational', null, NOW - MIN)], ledger, now: NOW + RECOVERY_WINDOW_MS });
    expect(quiet.ledger.has('chat')).toBe(false);
  });

  it('the ledger follows the outages the daemon\'s own incidents cover', () => {
    const result = plan({ components: [component('chat', 'partial_outage', NOW - MIN)], incidents: [incident()] });
    expect(result.ledger.get('chat')).toEqual({ file: incident().file, lastOutageAt: NOW });
  });

  it('the input is left as it was', () => {
    const incidents = [incident()];
    const before = structuredClone(incidents);
    plan({ components: [component('chat', 'major_outage', NOW - 10 * MIN, NOW - MIN)], incidents });
    expect(incidents).toEqual(before);
  });
});

describe('componentsNow and the alert', () => {
  const state = (status: ConfirmState['status'], since: number | null): ConfirmState => ({ status, since, pending: null });
  const components = [{ id: 'chat', name: 'Chat nodes', essential: false, outage: { partialAt: 1, majorAt: 'all' as const } }];
  const checks = [1, 2, 3].map((n) => ({ id: `chat-${n}`, component: 'chat' }));

  it('one node of three down: partial outage since that node\'s measured start', () => {
    const states = new Map([['chat-1', state('up', NOW - 60 * MIN)], ['chat-2', state('down', NOW - 2 * MIN)], ['chat-3', state('up', NOW - 60 * MIN)]]);
    expect(componentsNow(components, checks, states)).toEqual([{ id: 'chat', name: 'Chat nodes', essential: false, status: 'partial_outage', outageSince: NOW - 2 * MIN, statusSince: NOW - 2 * MIN }]);
  });

  it('all up again: operational since the last one came back', () => {
    const states = new Map([['chat-1', state('up', NOW - 60 * MIN)], ['chat-2', state('up', NOW - MIN)], ['chat-3', state('up', NOW - 60 * MIN)]]);
    expect(componentsNow(components, checks, states)[0]).toMatchObject({ status: 'operational', outageSince: null, statusSince: NOW - MIN });
  });

  it('the alert: once per incident (slug and start in the key), with the outage\'s incident key and the command to publish', () => {
    const site = { name: 'Chatter status', baseUrl: 'https://status.example.org', timezone: 'UTC' };
    const drafted = { file: 'content/incidents/2031-05-06-chat-nodes-partial-outage.md', slug: '2031-05-06-chat-nodes-partial-outage', title: 'Chat nodes: partial outage', start: NOW - 2 * MIN, published: false, components: [{ id: 'chat', name: 'Chat nodes', status: 'partial_outage' as const }] };
    const event = autoIncidentEvent(site, drafted, NOW);
    expect(event).toMatchObject({ key: `auto-incident:${drafted.slug}:${NOW - 2 * MIN}`, kind: 'auto-incident', severity: 'info', title: 'Incident drafted: Chat nodes: partial outage', incidentKey: `component:chat:${NOW - 2 * MIN}`, url: 'https://status.example.org/components/chat/' });
    expect(event.text).toContain('`statuspost publish 2031-05-06-chat-nodes-partial-outage`');
    const published = autoIncidentEvent(site, { ...drafted, published: true }, NOW);
    expect(published).toMatchObject({ title: 'Incident published: Chat nodes: partial outage', url: `https://status.example.org/incidents/${drafted.slug}/` });
  });
});
