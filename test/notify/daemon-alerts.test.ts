// Alerts through the real daemon (the built `statuspost run`), a real TCP target, a real SQLite store
// and a webhook receiver on loopback: one alert when the target stops, a reminder while it stays down,
// the resolution when it is back; a maintenance window silences it (recorded, not sent); and SIGKILLs
// at random moments while it sends lose nothing.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { startDaemonProcess } from '../helpers/daemon.ts';
import { freePort } from '../helpers/net.ts';
import { close, listen } from '../helpers/tcp-target.ts';
import { tempProject } from '../helpers/temp.ts';
import { until } from '../helpers/until.ts';
import { startReceiver, type Receiver } from './receiver.ts';

const site = 'title: Chat status\nbaseUrl: https://status.example.org\ntimezone: America/Los_Angeles\nlocation: dc1\nstore:\n  engine: sqlite\n  path: data/history.db\n';
const components = 'components:\n  - id: chat\n    name: Chat\n  - id: web\n    name: Web\n';

function checks(chatPort: number, webPort: number): string {
  return [
    'checks:',
    '  - id: chat-node-1',
    '    component: chat',
    '    kind: tcp',
    '    host: 127.0.0.1',
    `    port: ${chatPort}`,
    '    schedule: 1s',
    '    timeout: 500ms',
    '  - id: web-1',
    '    component: web',
    '    kind: tcp',
    '    host: 127.0.0.1',
    `    port: ${webPort}`,
    '    schedule: 1s',
    '    timeout: 500ms',
    '',
  ].join('\n');
}

// The receiver's URL comes from the environment, as a webhook's credential must.
const notify = (extra = '') => `targets:\n  ops:\n    kind: webhook\n    url: \${OPS_URL}\nroutes:\n  - targets: [ops]\n${extra}groupWait: 200ms\n`;

/** "2026-12-02T04:30": a UTC wall time, minutes precision, as posts are written. */
const wall = (ms: number) => new Date(ms).toISOString().slice(0, 16);

const keysOf = (receiver: Receiver) => receiver.accepted().flatMap((r) => r.body.events.map((e) => e.key));

describe('alerts from the daemon', () => {
  it('a TCP target stopped: one alert, a reminder while it stays down, the resolution when it is back', async () => {
    const receiver = await startReceiver();
    const chatPort = await freePort();
    const webPort = await freePort();
    let chat = await listen(chatPort);
    const web = await listen(webPort);
    const root = await tempProject({
      'probes/site.yaml': site,
      'probes/components.yaml': components,
      'probes/checks/ports.yaml': checks(chatPort, webPort),
      'probes/notify.yaml': notify('    remindEvery: 1m\n'),
    });
    const daemon = startDaemonProcess(root, ['--flush-interval', '100'], { OPS_URL: receiver.url });
    await daemon.waitFor((line) => line.event === 'status' && line.check === 'chat-node-1' && line.status === 'up');
    await close(chat);
    const down = await daemon.waitFor((line) => line.event === 'status' && line.check === 'chat-node-1' && line.status === 'down');
    // The component's alert; the incident drafted for it (site.yaml autoIncidents: draft) may come in the same message.
    const componentEvents = () => receiver.accepted().flatMap((r) => r.body.events).filter((e) => e.kind === 'component');
    await until(() => componentEvents().length >= 1, 30_000, 'the alert arrives');
    expect(componentEvents()).toHaveLength(1);
    const alert = componentEvents()[0]!;
    expect(alert).toMatchObject({ kind: 'component', severity: 'critical', title: 'Chat: major outage' });
    expect(alert.text).toContain('https://status.example.org/components/chat/');
    expect(alert.text).toMatch(/P[SD]T \(\d\d:\d\d UTC\)/);
    const since = Date.parse(String(down.since));
    expect(alert.key).toBe(`component:chat:${since}:major_outage`);

    // The first reminder is due a minute after the outage began.
    await until(() => keysOf(receiver).some((key) => key.startsWith('reminder:')), 100_000, 'a reminder arrives');
    const reminder = receiver.accepted().flatMap((r) => r.body.events).find((e) => e.kind === 'reminder')!;
    expect(reminder.key).toBe(`reminder:component:chat:${since}:60000:1`);
    expect(Date.now() - since).toBeGreaterThanOrEqual(60_000);

    chat = await listen(chatPort);
    await until(() => receiver.accepted().some((r) => r.body.events.some((e) => e.severity === 'resolved')), 30_000, 'the resolution arrives');
    const resolution = receiver.accepted().flatMap((r) => r.body.events).find((e) => e.severity === 'resolved')!;
    expect(resolution).toMatchObject({ kind: 'component', title: 'Chat: operational again' });
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    // One of each: no alert per result, none for the web component that never changed.
    const keys = keysOf(receiver);
    expect(keys.filter((k) => k.startsWith('component:'))).toHaveLength(2);
    expect(keys.filter((k) => k.startsWith('reminder:'))).toHaveLength(1);
    expect(keys.filter((k) => k.startsWith('auto-incident:'))).toHaveLength(1); // the draft, said once
    expect(new Set(keys).size).toBe(keys.length);
    await close(chat);
    await close(web);
  }, 180_000);

  it('inside an announced maintenance window the alert is recorded and silenced, unless the route alerts anyway', async () => {
    const quiet = await startReceiver();
    const loud = await startReceiver();
    const chatPort = await freePort();
    const webPort = await freePort();
    const web = await listen(webPort);
    const now = Date.now();
    const maintenance = [
      '---',
      'title: Chat node replacement',
      'timezone: UTC',
      `announcedAt: ${wall(now - 2 * 3_600_000)}`,
      'window:',
      `  start: ${wall(now - 3_600_000)}`,
      `  end: ${wall(now + 3 * 3_600_000)}`,
      'components: [chat]',
      'affected: Chat may drop for a few seconds.',
      'signInBlocked: false',
      '---',
      'The chat nodes move to new machines.',
      '',
    ].join('\n');
    const root = await tempProject({
      'probes/site.yaml': site,
      'probes/components.yaml': components,
      'probes/checks/ports.yaml': checks(chatPort, webPort), // chat's port: nothing listens
      'probes/notify.yaml': `targets:\n  quiet:\n    kind: webhook\n    url: \${QUIET_URL}\n  loud:\n    kind: webhook\n    url: \${LOUD_URL}\nroutes:\n  - targets: [quiet]\n  - targets: [loud]\n    duringMaintenance: alert\ngroupWait: 200ms\n`,
      [`content/maintenance/${wall(now).slice(0, 10)}-chat-nodes.md`]: maintenance,
    });
    const daemon = startDaemonProcess(root, ['--flush-interval', '100', '--metrics', '127.0.0.1:0'], { QUIET_URL: quiet.url, LOUD_URL: loud.url });
    const metricsLine = await daemon.waitFor((line) => line.event === 'metrics');
    await daemon.waitFor((line) => line.event === 'status' && line.check === 'chat-node-1' && line.status === 'down');
    await until(() => loud.accepted().length >= 1, 30_000, 'the route that alerts anyway gets it');
    await daemon.waitFor((line) => line.event === 'notify-sent' && line.target === 'loud');
    const metrics = await (await fetch(String(metricsLine.url))).text();
    expect(metrics).toContain('\nstatuspost_notify_sent_total 1\n');
    expect(metrics).toContain('\nstatuspost_notify_dead_total 0\n');
    expect(metrics).toMatch(/\nstatuspost_notify_pending \d+\n/);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const store = await openSqliteStore({ path: join(root, 'data/history.db') });
    try {
      const events = await store.events({ since: 0, kind: 'component' });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ silencedBy: `${wall(now).slice(0, 10)}-chat-nodes`, title: 'Chat: major outage' });
      expect(await store.outboxCounts()).toMatchObject({ silenced: 1, sent: 1, pending: 0 });
    } finally {
      await store.close();
    }
    expect(quiet.requests).toHaveLength(0);
    await close(web);
  }, 120_000);
});
