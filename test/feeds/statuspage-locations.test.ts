// The Statuspage API over several locations carries the agreed status, never one location's view:
// a location alone seeing a component down changes nothing there; two of three do.
import { describe, expect, it } from 'vitest';
import { statuspageFiles } from '../../src/feeds/statuspage.ts';
import { zoneDays } from '../../src/status/component-days.ts';
import { buildSnapshot, type SnapshotInput } from '../../src/status/snapshot.ts';
import type { ConfirmedStatus } from '../../src/runner/confirm.ts';

const NOW = Date.UTC(2026, 11, 1, 9);
const outage = { partialAt: 1, majorAt: 'all' as const };

function input(): SnapshotInput {
  // The agreed status per check (what gather's vote gives) and each location's own view.
  const agreed: Record<string, ConfirmedStatus> = { 'chat-port': 'up', 'web-port': 'down' };
  const views: Record<string, ConfirmedStatus[]> = { 'chat-port': ['down', 'up', 'up'], 'web-port': ['down', 'down', 'up'] };
  return {
    now: NOW,
    site: { title: 'Chatter status', description: '', baseUrl: 'https://status.example.org/', timezone: 'UTC' },
    groups: [],
    components: [
      { id: 'chat', name: 'Chat', description: '', outage, essential: false },
      { id: 'web', name: 'Web', description: '', outage, essential: false },
    ],
    checks: [
      { id: 'chat-port', name: undefined, kind: 'tcp', component: 'chat' },
      { id: 'web-port', name: undefined, kind: 'tcp', component: 'web' },
    ],
    current: new Map(Object.entries(agreed).map(([id, status]) => [id, { status, message: status === 'up' ? 'port open' : 'connection refused', latencyMs: null, at: NOW - 30_000 }])),
    componentDays: [],
    rollups: [],
    posts: [],
    days: zoneDays('UTC'),
    window: 90,
    locations: {
      names: ['a', 'b', 'c'],
      latencyFrom: 'a',
      checks: new Map(Object.entries(views).map(([id, statuses]) => [id, statuses.map((status, i) => ({ location: 'abc'[i]!, status }))])),
    },
  };
}

describe('the Statuspage API over several locations', () => {
  it('gives each component the agreed status, in summary.json and components.json alike', () => {
    const snapshot = buildSnapshot(input());
    const files = new Map(statuspageFiles({ snapshot, posts: [], now: NOW, baseUrl: 'https://status.example.org/' }).map((f) => [f.path, JSON.parse(String(f.body))]));
    const statuses = (file: string) => (files.get(file).components as Array<{ id: string; status: string }>).map((c) => [c.id, c.status]);
    expect(statuses('api/v2/components.json')).toEqual([
      ['chat', 'operational'], // a alone sees it down
      ['web', 'major_outage'], // a and b do
    ]);
    expect(statuses('api/v2/summary.json')).toEqual(statuses('api/v2/components.json'));
    expect(files.get('api/v2/status.json').status).toEqual(snapshot.overall);
    // The snapshot keeps what each location saw, for the component page; the API keeps Statuspage's shape.
    expect(snapshot.components[0]!.locations).toMatchObject({ reporting: 3, of: 3, seeingOutage: 1 });
    expect(JSON.stringify(files.get('api/v2/summary.json'))).not.toContain('"locations"');
  });
});
