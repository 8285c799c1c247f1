// A dead store never crashes the daemon: PostgreSQL is cut off behind a proxy mid-run, results wait
// in memory, and everything is written once the link is back.
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cuttableProxy } from '../helpers/cuttable-proxy.ts';
import { startDaemonProcess } from '../helpers/daemon.ts';
import { serveTcp } from '../helpers/net.ts';
import { requireService } from '../helpers/services.ts';
import { tempProject } from '../helpers/temp.ts';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';
const reachable = await requireService('postgres', async () => {
  const client = new pg.Client(ADMIN_URL);
  await client.connect();
  await client.end();
});

describe.skipIf(!reachable)('statuspost run with the PostgreSQL store', () => {
  it('keeps probing through a store outage, then writes every buffered result', async () => {
    const proxy = await cuttableProxy(5432);
    const schema = `sp_outage_${process.pid}_${Date.now()}`;
    onTestFinished(async () => {
      const client = new pg.Client(ADMIN_URL);
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });
    const { port } = await serveTcp(() => undefined);
    const checks = ['checks:'];
    for (let i = 0; i < 4; i++) {
      checks.push(`  - id: port-${i}`, '    component: chat', '    kind: tcp', '    host: 127.0.0.1', `    port: ${port}`, '    schedule: 1s', '    timeout: 500ms');
    }
    const root = await tempProject({
      'probes/site.yaml': `title: Chat\nbaseUrl: https://status.example.org\nlocation: dc2\nstore:\n  engine: postgres\n  url: \${STORE_URL}\n  schema: ${schema}\n`,
      'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
      'probes/checks/a.yaml': `${checks.join('\n')}\n`,
    });
    const daemon = startDaemonProcess(root, ['--flush-interval', '100'], { STORE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/test` });
    await daemon.waitFor((line) => line.event === 'recorded' && Number(line.total) >= 8);

    await proxy.cut();
    const down = await daemon.waitFor((line) => line.event === 'store-down');
    expect(down.level).toBe('warn');
    expect(down.message).not.toContain(String(proxy.port)); // the store's address stays out of the log line's text
    // Probing goes on: two more seconds of results pile up in memory.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(daemon.child.exitCode).toBeNull();

    await proxy.restore();
    await daemon.waitFor((line) => line.event === 'store-back', 30_000);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const stopped = daemon.lines.find((line) => line.event === 'stopped')!;
    expect(stopped).toMatchObject({ unwritten: 0, dropped: 0 });

    const client = new pg.Client(ADMIN_URL);
    await client.connect();
    const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema]);
    expect(tables.rowCount).toBeGreaterThan(0);
    await client.end();
    const { openPostgresStore } = await import('../../src/store/postgres.ts');
    const store = await openPostgresStore({ url: ADMIN_URL, schema });
    try {
      const rows = await store.results({ since: 0 });
      expect(rows.length).toBe(Number(stopped.written));
      expect(new Set(rows.map((r) => r.location))).toEqual(new Set(['dc2']));
    } finally {
      await store.close();
    }
  }, 60_000);
});
