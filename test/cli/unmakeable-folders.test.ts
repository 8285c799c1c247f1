// Folders statuspost must make but cannot (under /proc, where Node 20's recursive mkdir spins
// forever rather than fail): each command ends promptly with exit 3 and the cause, never a hang.
import { describe, expect, it } from 'vitest';
import { statuspost } from '../helpers/cli.ts';
import { startDaemonProcess } from '../helpers/daemon.ts';
import { tempProject } from '../helpers/temp.ts';

const TRACE = /\n\s+at .+:\d+:\d+/;

const project = (storePath: string) =>
  tempProject({
    'probes/site.yaml': `title: Chat status\nbaseUrl: https://status.example.org\nstore:\n  engine: sqlite\n  path: ${storePath}\n`,
    'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
  });

describe('folders that cannot be made', () => {
  it('run with its store under /proc exits 3 naming the lock, within seconds', async () => {
    const root = await project('/proc/statuspost-store/history.db');
    const { code, stderr } = await statuspost(['run', '--no-publish', '--root', root], { timeoutMs: 30_000 });
    expect(stderr).toMatch(/cannot take the lock \S*statuspost-store\/history\.db\.lock: ENOENT[^\n]*\[SP_STORE_UNAVAILABLE\]/);
    expect(stderr).not.toMatch(TRACE);
    expect(code).toBe(3);
  }, 60_000);

  it('status with its store under /proc exits 3 naming the store, within seconds', async () => {
    const root = await project('/proc/statuspost-store/history.db');
    const { code, stderr } = await statuspost(['status', '--root', root], { timeoutMs: 30_000 });
    expect(stderr).toContain('cannot open the SQLite store');
    expect(stderr).toContain('[SP_STORE_UNAVAILABLE]');
    expect(code).toBe(3);
  }, 60_000);

  it('run with its heartbeat under /proc goes on and says the heartbeat cannot be written', async () => {
    const root = await project('data/history.db');
    const daemon = startDaemonProcess(root, ['--heartbeat', '/proc/statuspost-beat/heartbeat.json']);
    const failed = await daemon.waitFor((line) => line.event === 'heartbeat-failed', 30_000);
    expect(failed.message).toContain('/proc/statuspost-beat');
    // It kept running, and stops gracefully.
    expect(daemon.child.exitCode).toBeNull();
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  }, 60_000);
});
