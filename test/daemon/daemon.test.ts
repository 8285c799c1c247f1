// The daemon as its operators run it: the real bin, real loopback targets, a real SQLite file.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore, sqliteIntegrity } from '../../src/store/sqlite.ts';
import { blackholePort, freePort, serveTcp } from '../helpers/net.ts';
import { committedTotal, startDaemonProcess } from '../helpers/daemon.ts';
import { tempProject } from '../helpers/temp.ts';

const site = 'title: Chat status\nbaseUrl: https://status.example.org\nlocation: dc1\nstore:\n  engine: sqlite\n  path: data/history.db\n';
const components = 'components:\n  - id: chat\n    name: Chat\n';

async function project(checks: number) {
  const { port } = await serveTcp(() => undefined);
  const closed = await freePort();
  const lines = ['checks:'];
  for (let i = 0; i < checks; i++) {
    lines.push(`  - id: port-${i}`, '    component: chat', '    kind: tcp', '    host: 127.0.0.1', `    port: ${i === 0 ? closed : port}`, '    schedule: 1s', '    timeout: 500ms');
  }
  return tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, 'probes/checks/ports.yaml': `${lines.join('\n')}\n` });
}

async function countRows(root: string): Promise<number> {
  const store = await openSqliteStore({ path: join(root, 'data/history.db') });
  try {
    return (await store.results({ since: 0 })).length;
  } finally {
    await store.close();
  }
}

describe('statuspost run', () => {
  it('records results on schedule and stops gracefully on SIGTERM, writing everything', async () => {
    const root = await project(5);
    const daemon = startDaemonProcess(root, ['--flush-interval', '100']);
    await daemon.waitFor((line) => line.event === 'recorded' && Number(line.total) >= 10);
    await daemon.waitFor((line) => line.event === 'status' && line.check === 'port-0' && line.status === 'down');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    const stopped = daemon.lines.find((line) => line.event === 'stopped');
    expect(stopped).toMatchObject({ unwritten: 0, dropped: 0 });
    expect(await countRows(root)).toBe(Number(stopped!.written));
  });

  it('refuses a second daemon on the same SQLite file and names the first', async () => {
    const root = await project(1);
    const first = startDaemonProcess(root);
    await first.waitFor((line) => line.event === 'started');
    const second = startDaemonProcess(root);
    expect((await second.exited).code).toBe(3);
    expect(second.lines.map((line) => line.message).join('\n')).toContain(
      `data/history.db.lock  another statuspost daemon (pid ${first.child.pid}) is already recording into this store [SP_STORE_LOCKED]`,
    );
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  });

  it('loses nothing committed when killed at random moments, and restarts cleanly each time', async () => {
    const root = await project(30);
    let committed = 0;
    for (let trial = 0; trial < 45; trial++) {
      const daemon = startDaemonProcess(root, ['--flush-interval', '20']);
      await daemon.waitFor((line) => line.event === 'started');
      // Somewhere in the next 0.8 s, while results are being written every 20 ms.
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 700));
      daemon.child.kill('SIGKILL');
      expect((await daemon.exited).signal).toBe('SIGKILL');
      committed += committedTotal(daemon.lines);
      expect(await sqliteIntegrity(join(root, 'data/history.db'))).toBe('ok');
      expect(await countRows(root)).toBeGreaterThanOrEqual(committed);
    }
    expect(committed).toBeGreaterThan(0);
  }, 180_000);

  it('keeps its schedule when every target is dead at once: refused or never answering', async () => {
    const refused = await freePort();
    const silent = await blackholePort();
    const lines = ['checks:'];
    for (let i = 0; i < 40; i++) {
      lines.push(`  - id: dead-${i}`, '    component: chat', '    kind: tcp', '    host: 127.0.0.1', `    port: ${i % 2 === 0 ? refused : silent}`, '    schedule: 1s', '    timeout: 700ms');
    }
    const root = await tempProject({ 'probes/site.yaml': site, 'probes/components.yaml': components, 'probes/checks/dead.yaml': `${lines.join('\n')}\n` });
    const daemon = startDaemonProcess(root, ['--flush-interval', '100']);
    await daemon.waitFor((line) => line.event === 'started');
    // About six runs each on average (240 results): waited for, not timed, so a busy machine that
    // runs the schedule late is not a false alarm; bench:schedule measures how late.
    await daemon.waitFor(() => committedTotal(daemon.lines) >= 240, 45_000);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
    const store = await openSqliteStore({ path: join(root, 'data/history.db') });
    const results = await store.results({ since: 0 });
    await store.close();
    // Every check ran on its 1 s schedule although each run failed or hung to its 0.7 s deadline:
    // none fell behind the others for long (at least 4 runs where the average is 6), all down.
    const perCheck = new Map<string, number>();
    for (const r of results) perCheck.set(r.checkId, (perCheck.get(r.checkId) ?? 0) + 1);
    expect(perCheck.size).toBe(40);
    for (const [id, runs] of perCheck) expect(runs, id).toBeGreaterThanOrEqual(4);
    expect(results.every((r) => r.status === 'down')).toBe(true);
    expect(daemon.lines.some((line) => line.level === 'error' && line.event !== 'post-invalid')).toBe(false);
  }, 60_000);
});
