// statuspost's own trouble when its store is unreachable: the outbox is out of reach too, so the
// "store unavailable" alert goes straight to the targets, and is written to the outbox afterwards
// without them (recorded, not sent twice). An outage confirmed meanwhile is alerted once the store
// takes its results (and their alerts) again.
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { cuttableProxy } from '../helpers/cuttable-proxy.ts';
import { startDaemonProcess } from '../helpers/daemon.ts';
import { freePort } from '../helpers/net.ts';
import { requireService } from '../helpers/services.ts';
import { close, listen } from '../helpers/tcp-target.ts';
import { tempProject } from '../helpers/temp.ts';
import { until } from '../helpers/until.ts';
import { startReceiver } from './receiver.ts';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';
const reachable = await requireService('postgres', async () => {
  const client = new pg.Client(ADMIN_URL);
  await client.connect();
  await client.end();
});

describe.skipIf(!reachable)('alerts while the store is down', () => {
  it('the store-down alert is sent directly, the store-back one through the outbox, and a change confirmed meanwhile after it', async () => {
    const proxy = await cuttableProxy(5432);
    const schema = `sp_notify_outage_${process.pid}_${Date.now()}`;
    onTestFinished(async () => {
      const client = new pg.Client(ADMIN_URL);
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });
    const receiver = await startReceiver();
    const port = await freePort();
    const target = await listen(port);
    const root = await tempProject({
      'probes/site.yaml': `title: Chat\nbaseUrl: https://status.example.org\nlocation: dc2\nstore:\n  engine: postgres\n  url: \${STORE_URL}\n  schema: ${schema}\n`,
      'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
      'probes/checks/a.yaml': `checks:\n  - id: node\n    component: chat\n    kind: tcp\n    host: 127.0.0.1\n    port: ${port}\n    schedule: 1s\n    timeout: 500ms\n`,
      'probes/notify.yaml': `targets:\n  ops:\n    kind: webhook\n    url: \${OPS_URL}\nroutes:\n  - targets: [ops]\ngroupWait: 200ms\n`,
    });
    const daemon = startDaemonProcess(root, ['--flush-interval', '100'], { STORE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test`, OPS_URL: receiver.url });
    await daemon.waitFor((line) => line.event === 'recorded' && Number(line.total) >= 2);

    await proxy.cut();
    await daemon.waitFor((line) => line.event === 'store-down');
    const titles = () => receiver.accepted().flatMap((r) => r.body.events.map((e) => e.title));
    await until(() => titles().includes('statuspost: the store is unavailable'), 30_000, 'the store-down alert arrives while the store is cut off');
    // An outage confirmed while the store is down: its alert waits with its result.
    await close(target);
    await daemon.waitFor((line) => line.event === 'status' && line.status === 'down');
    expect(titles()).not.toContain('Chat: major outage');

    await proxy.restore();
    await daemon.waitFor((line) => line.event === 'store-back', 30_000);
    await until(() => titles().includes('statuspost: the store is reachable again') && titles().includes('Chat: major outage'), 30_000, 'store-back and the outage arrive').catch((error: Error) => {
      throw new Error(`${error.message}; got ${JSON.stringify(titles())}; log:\n${daemon.lines.filter((l) => l.event !== 'recorded' && l.event !== 'raw').map((l) => JSON.stringify(l)).join('\n')}`);
    });
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);

    expect(titles().filter((t) => t === 'statuspost: the store is unavailable')).toHaveLength(1);
    expect(titles().filter((t) => t === 'Chat: major outage')).toHaveLength(1);
    const store = await openPostgresStore({ url: ADMIN_URL, schema });
    try {
      const own = await store.events({ since: 0, kind: 'self' });
      expect(own.map((e) => e.title)).toEqual(['statuspost: the store is unavailable', 'statuspost: the store is reachable again']);
      expect(await store.outboxCounts()).toMatchObject({ pending: 0, dead: 0 });
    } finally {
      await store.close();
    }
  }, 120_000);
});
