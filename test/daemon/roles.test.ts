// `statuspost run` and its roles as operators start it (the real bin, a real loopback target, a real
// SQLite file): --location names where results come from; with several locations a prober makes
// no alerts from its own view (the lease holder alerts from the verdicts), only its own trouble.
// The PostgreSQL roles (lease, takeover, fencing) run for real in the e2e helper's three-locations test.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { statuspost } from '../helpers/cli.ts';
import { startDaemonProcess } from '../helpers/daemon.ts';
import { freePort } from '../helpers/net.ts';
import { tempProject } from '../helpers/temp.ts';

const components = 'components:\n  - id: chat\n    name: Chat\n';
const checks = (port: number) => `checks:\n  - id: chat-port\n    component: chat\n    kind: tcp\n    host: 127.0.0.1\n    port: ${port}\n    schedule: 1s\n    timeout: 500ms\n    confirm: { down: 2, up: 1 }\n`;
const notify = 'targets:\n  ops:\n    kind: webhook\n    url: ${OPS_URL}\nroutes:\n  - targets: [ops]\n';

async function project(siteExtra: string, port: number) {
  return tempProject({
    'probes/site.yaml': `title: Chat status\nbaseUrl: https://status.example.org\nlocation: dc1\nstore:\n  engine: sqlite\n  path: data/history.db\n${siteExtra}`,
    'probes/components.yaml': components,
    'probes/checks/ports.yaml': checks(port),
    'probes/notify.yaml': notify,
  });
}

async function stored(root: string) {
  const store = await openSqliteStore({ path: join(root, 'data/history.db') });
  try {
    return { results: await store.results({ since: 0 }), events: await store.events({ since: 0 }) };
  } finally {
    await store.close();
  }
}

// Nothing listens on the port: the check is down from the first result, confirmed at the second.
const env = { OPS_URL: 'http://127.0.0.1:9/hook' };

describe('statuspost run --location and the roles', () => {
  it('refuses a --location that is not an id', async () => {
    const root = await project('', await freePort());
    const { code, stderr } = await statuspost(['run', '--location', 'EU West', '--no-publish', '--root', root]);
    expect(code).toBe(2);
    expect(stderr).toContain('run: --location must be lowercase letters, digits and dashes, not "EU West" [SP_USAGE]');
  });

  it('records its results under --location instead of site.yaml\'s', async () => {
    const root = await project('', await freePort());
    const daemon = startDaemonProcess(root, ['--location', 'eu-west-1', '--flush-interval', '100'], env);
    const started = await daemon.waitFor((line) => line.event === 'started');
    expect(started.location).toBe('eu-west-1');
    await daemon.waitFor((line) => line.event === 'status' && line.status === 'down');
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const { results } = await stored(root);
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.location))).toEqual(new Set(['eu-west-1']));
  });

  it('as a prober over several locations, alerts nothing from its own view; alone it alerts as before', async () => {
    const port = await freePort();
    const roots = { voting: await project('locations: [dc1, dc2, dc3]\n', port), alone: await project('', port) };
    for (const root of Object.values(roots)) {
      const daemon = startDaemonProcess(root, ['--flush-interval', '100'], env);
      // Confirmed down here, then three more results written: an alert would be in the outbox by now.
      await daemon.waitFor((line) => line.event === 'status' && line.status === 'down');
      await daemon.waitFor((line) => line.event === 'recorded' && Number(line.total) >= 5);
      daemon.child.kill('SIGTERM');
      expect((await daemon.exited).code).toBe(0);
    }
    expect((await stored(roots.alone)).events.filter((e) => e.kind === 'component')).toHaveLength(1);
    expect((await stored(roots.voting)).events.filter((e) => e.kind === 'component' || e.kind === 'check')).toEqual([]);
  }, 120_000);

  it('says how to run the roles in its --help', async () => {
    const { code, stdout } = await statuspost(['run', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--location NAME');
    expect(stdout).toContain('lease gained (token N)');
    expect(stdout).toContain('$STATUSPOST_FENCING_TOKEN');
    expect(stdout).toContain('verdict: check api is');
  });
});
