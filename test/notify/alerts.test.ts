// The daemon's side of alerts with a real loaded configuration: results and confirmed changes in,
// outbox entries out (TLS thresholds, saturation, component changes), each fact handed over once;
// own trouble alerts on each change only. Times derive from one `now`.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { createAlerts } from '../../src/notify/alerts.ts';
import type { CheckResult } from '../../src/probes/types.ts';
import { confirmNext, initialConfirmState, type ConfirmState } from '../../src/runner/confirm.ts';
import { tempProject } from '../helpers/temp.ts';

const NOW = Math.floor(Date.now() / 1000) * 1000;
const DAY = 86_400_000;

async function setup() {
  const root = await tempProject({
    'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\n',
    'probes/components.yaml': 'components:\n  - id: api\n    name: API\n  - id: cache\n    name: Cache\n',
    'probes/checks/a.yaml': [
      'checks:',
      '  - id: api-cert',
      '    component: api',
      '    kind: tls',
      '    host: api.example.org',
      '    warnDays: 21',
      '  - id: redis',
      '    component: cache',
      '    kind: redis',
      '    host: 127.0.0.1',
      '    port: 6379',
      '',
    ].join('\n'),
    'probes/notify.yaml': 'targets:\n  ops:\n    kind: webhook\n    url: ${OPS_URL}\nroutes:\n  - targets: [ops]\n  - targets: [ops]\n    events: [check]\n    components: [cache]\ntlsReminderDays: [14, 7]\n',
  });
  const { config, problems } = await loadConfig(root, { OPS_URL: 'https://hooks.example.org/x' });
  expect(problems).toEqual([]);
  const states = new Map<string, ConfirmState>();
  const alerts = createAlerts({ config: config!, notify: config!.notify!, posts: () => [] });
  const feed = (checkId: string, result: Omit<CheckResult, 'checkId' | 'kind' | 'latencyMs'>, now: number) => {
    const check = config!.checks.find((c) => c.id === checkId)!;
    const full: CheckResult = { checkId, kind: check.kind, latencyMs: 5, ...result };
    const before = states.get(checkId) ?? initialConfirmState;
    const after = confirmNext(before, full, check.confirm);
    states.set(checkId, after);
    return alerts.onResult(check, full, before, after, states, now);
  };
  return { alerts, feed, states };
}

describe('alerts from results', () => {
  it('a certificate inside its warning days: one alert per stage, however often it is probed', async () => {
    const { feed } = await setup();
    const notAfter = new Date(NOW + 20 * DAY).toISOString();
    const tls = (now: number) => feed('api-cert', { status: 'degraded', startedAt: now, message: 'certificate expires soon', details: { notAfter, subject: 'api.example.org' } }, now);
    const keys: string[] = [];
    for (let now = NOW; now < NOW + 20 * DAY; now += 3_600_000) for (const entry of tls(now)) keys.push(entry.event.key);
    const tlsKeys = keys.filter((k) => k.startsWith('tls:'));
    expect(tlsKeys.map((k) => k.split(':').at(-1))).toEqual(['window', '14d', '7d']);
    // The component's own change (degraded) came once too, with the first confirmed result.
    expect(keys.filter((k) => k.startsWith('component:api:'))).toHaveLength(1);
  });

  it('Redis near maxclients: one saturation alert per confirmed spell; a check route gets the check change', async () => {
    const { feed } = await setup();
    const saturated = (now: number) => feed('redis', { status: 'degraded', startedAt: now, message: 'connected clients at 96% of maxclients (96 of 100)', details: { connectedClients: 96, maxClients: 100 } }, now);
    feed('redis', { status: 'up', startedAt: NOW - 10_000, message: 'PONG', details: { connectedClients: 3, maxClients: 100 } }, NOW - 10_000);
    const first = saturated(NOW); // not confirmed yet (confirm.down 2)
    expect(first).toEqual([]);
    const second = saturated(NOW + 1_000);
    const kinds = second.map((e) => e.event.kind).sort();
    expect(kinds).toEqual(['check', 'component', 'saturation']);
    expect(second.find((e) => e.event.kind === 'saturation')!.event.key).toBe(`saturation:redis:${NOW}`);
    expect(saturated(NOW + 2_000)).toEqual([]);
  });

  it('own trouble: an entry when it begins and when it ends, none in between', async () => {
    const { alerts } = await setup();
    const down = alerts.self('publish', true, 'disk full', NOW)!;
    expect(down.event).toMatchObject({ kind: 'self', severity: 'critical', title: 'statuspost: publishing the site fails' });
    expect(down.targets).toEqual([{ name: 'ops' }]);
    expect(alerts.self('publish', true, 'disk full', NOW + 1_000)).toBeNull();
    const back = alerts.self('publish', false, '', NOW + 60_000)!;
    expect(back.event.severity).toBe('resolved');
    expect(alerts.self('publish', false, '', NOW + 61_000)).toBeNull();
  });
});
