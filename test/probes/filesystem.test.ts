import { execFile } from 'node:child_process';
import { chmod, mkdtemp, open, readdir, rmdir, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { bytesOrRatioSchema, formatBytes, parseBytes } from '../../src/config/bytes.ts';
import { filesystemProbe } from '../../src/probes/filesystem.ts';
import { neverAborted } from '../helpers/net.ts';
import { tempDir } from '../helpers/temp.ts';

const run = promisify(execFile);

const check = (path: string, options: Record<string, unknown> = {}) =>
  filesystemProbe.schema.parse({ id: 'files-share', component: 'files', kind: 'filesystem', path, timeout: '5s', ...options });

const canariesIn = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith('.statuspost-canary-'));

// Every folder a test probes is checked for leftover canaries when the test ends.
const probed: string[] = [];
afterEach(async () => {
  for (const dir of probed.splice(0)) expect(await canariesIn(dir)).toEqual([]);
});
const watched = (dir: string) => (probed.push(dir), dir);

// tmpfs mounts need root: skipped with a reason elsewhere, a failure under CI.
const isRoot = process.getuid?.() === 0;
const mountsSkipped = !isRoot && process.env.CI !== 'true';
if (mountsSkipped) console.warn('skipping tmpfs tests: mounting needs root');

async function mountTmpfs(options: string): Promise<string> {
  if (!isRoot) throw new Error('mounting a tmpfs needs root; CI must run these tests as root');
  const dir = await mkdtemp(join(tmpdir(), 'statuspost-mount-'));
  await run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  onTestFinished(async () => {
    await run('umount', [dir]);
    await rmdir(dir);
  });
  return dir;
}

describe('parseBytes', () => {
  it.each([
    { text: '40GB', expected: { bytes: 40e9 } },
    { text: '512MiB', expected: { bytes: 512 * 2 ** 20 } },
    { text: '1.5 GiB', expected: { bytes: 1.5 * 2 ** 30 } },
    { text: '500kB', expected: { bytes: 500_000 } },
    { text: '500KB', expected: { bytes: 500_000 } },
    { text: '64KiB', expected: { bytes: 65_536 } },
    { text: '2TB', expected: { bytes: 2e12 } },
    { text: '3TiB', expected: { bytes: 3 * 2 ** 40 } },
    { text: '10MB', expected: { bytes: 10_000_000 } },
    { text: '0B', expected: { bytes: 0 } },
    { text: ' 7 B ', expected: { bytes: 7 } },
    { text: '10%', expected: { ratio: 0.1 } },
    { text: '0.5%', expected: { ratio: 0.005 } },
    { text: '100%', expected: { ratio: 1 } },
    { text: '40', expected: undefined },
    { text: '40gb', expected: undefined },
    { text: '40 GBs', expected: undefined },
    { text: '5kiB', expected: undefined },
    { text: '-1GB', expected: undefined },
    { text: '101%', expected: undefined },
    { text: '1e3MB', expected: undefined },
    { text: '', expected: undefined },
  ])('parses "$text"', ({ text, expected }) => {
    expect(parseBytes(text)).toEqual(expected);
  });

  it('explains what a size looks like when the text is not one', () => {
    const result = bytesOrRatioSchema.safeParse('40gb');
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      '"40gb" is not a size; write it with a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB) or as a percentage from 0% to 100%, e.g. 40GB, 512MiB or 10%',
    ]);
  });

  it.each([
    { bytes: 0, text: '0 B' },
    { bytes: 999, text: '999 B' },
    { bytes: 1_048_576, text: '1 MB' },
    { bytes: 1_234_567, text: '1.2 MB' },
    { bytes: 999_960, text: '1 MB' },
    { bytes: 52_300_000_000, text: '52.3 GB' },
  ])('formats $bytes bytes as "$text"', ({ bytes, text }) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('filesystem probe', () => {
  it('reports up when the canary round-trips, with the free space', async () => {
    const dir = watched(await tempDir());
    const result = await filesystemProbe.run(check(dir), neverAborted());
    const space = await statfs(dir);
    expect(result).toMatchObject({ checkId: 'files-share', kind: 'filesystem', status: 'up' });
    expect(result.message).toMatch(/^canary written, synced, read back and removed in (under 1|\d+) ms, \d+(\.\d)? [kMGTP]?B free$/);
    expect(result.details).toMatchObject({
      writeMs: expect.any(Number),
      fsyncMs: expect.any(Number),
      readMs: expect.any(Number),
      deleteMs: expect.any(Number),
      totalBytes: space.blocks * space.bsize,
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports down with "path does not exist" when the folder is missing', async () => {
    const dir = await tempDir();
    const result = await filesystemProbe.run(check(join(dir, 'not-mounted')), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'path does not exist', latencyMs: null, details: { step: 'stat' } });
    expect(JSON.stringify(result)).not.toContain(dir);
  });

  it('reports down with "path is not a folder" when the path is a file', async () => {
    const dir = watched(await tempDir());
    await writeFile(join(dir, 'plain-file'), 'x');
    const result = await filesystemProbe.run(check(join(dir, 'plain-file')), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'path is not a folder', latencyMs: null });
  });

  it.skipIf(isRoot)('reports down with "permission denied" when the folder is not writable', async () => {
    const dir = await tempDir();
    await chmod(dir, 0o555);
    const result = await filesystemProbe.run(check(dir), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'permission denied', details: { step: 'write' } });
  });

  it.skipIf(mountsSkipped)('reports down with "file system is read-only" on a read-only mount', async () => {
    const dir = watched(await mountTmpfs('ro,size=1m'));
    const result = await filesystemProbe.run(check(dir), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'file system is read-only', latencyMs: null, details: { step: 'write' } });
  });

  it.skipIf(mountsSkipped)('reports degraded when free space is below a size floor', async () => {
    const dir = watched(await mountTmpfs('size=1m'));
    const result = await filesystemProbe.run(check(dir, { minFree: '10MB' }), neverAborted());
    expect(result).toMatchObject({ status: 'degraded', message: 'free space 1 MB, below the floor of 10 MB' });
    expect(result.details).toMatchObject({ freeBytes: 1_048_576, totalBytes: 1_048_576 });
  });

  it.skipIf(mountsSkipped)('reports up when free space is above a percentage floor', async () => {
    const dir = watched(await mountTmpfs('size=1m'));
    const result = await filesystemProbe.run(check(dir, { minFree: '1%' }), neverAborted());
    expect(result.status).toBe('up');
    expect(result.message).toMatch(/^canary written, synced, read back and removed in (under 1|\d+) ms, 1 MB free$/);
  });

  it.skipIf(mountsSkipped)('reports degraded when free space is below a percentage floor', async () => {
    const dir = watched(await mountTmpfs('size=1m'));
    await writeFile(join(dir, 'uploads'), Buffer.alloc(600 * 1024));
    const result = await filesystemProbe.run(check(dir, { minFree: '50%' }), neverAborted());
    // 1 MiB minus 150 pages of 4 KiB: 434,176 bytes, 41% of the whole.
    expect(result).toMatchObject({ status: 'degraded', message: 'free space 434.2 kB (41%), below the floor of 50%' });
  });

  it.skipIf(mountsSkipped)('reports down with "no space left" and removes the canary when the share is full', async () => {
    const dir = watched(await mountTmpfs('size=1m'));
    await writeFile(join(dir, 'uploads'), Buffer.alloc(1024 * 1024));
    const result = await filesystemProbe.run(check(dir), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no space left on the device', details: { step: 'write' } });
  });

  it('reports down by its deadline when the file system does not answer', async () => {
    // A hung mount, simulated: every libuv pool thread is stuck opening a FIFO nobody writes to,
    // so the probe's first file system call waits in the queue, as it would behind a hung NFS server.
    const dir = watched(await tempDir());
    const fifo = join(dir, 'jam');
    await run('mkfifo', [fifo]);
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const jams = Array.from({ length: threads }, () => open(fifo, 'r'));
    try {
      const result = await filesystemProbe.run(check(dir, { timeout: '300ms' }), neverAborted());
      expect(result).toMatchObject({
        status: 'down',
        message: 'no answer from the file system within 300 ms',
        latencyMs: null,
        details: { step: 'stat' },
      });
    } finally {
      await run('sh', ['-c', ': > "$0"', fifo]); // a writer appears: every blocked open returns
      for (const handle of await Promise.all(jams)) await handle.close();
    }
    await vi.waitFor(async () => expect(await canariesIn(dir)).toEqual([]));
  });

  it('stops when the caller aborts, and leaves no canary', async () => {
    const dir = watched(await tempDir());
    const controller = new AbortController();
    const pending = filesystemProbe.run(check(dir), controller.signal);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ status: 'down', message: 'stopped before an answer' });
    await vi.waitFor(async () => expect(await canariesIn(dir)).toEqual([]));
  });

  it('fills in defaults and explains a bad minFree', () => {
    const parsed = check('/srv/files', { minFree: '40GB' });
    expect(parsed).toMatchObject({ path: '/srv/files', minFree: { bytes: 40e9 }, canaryBytes: 4096 });
    expect(filesystemProbe.targets(parsed)).toEqual(['/srv/files']);
    const bad = filesystemProbe.schema.safeParse({ id: 'f', component: 'files', kind: 'filesystem', path: '/srv', minFree: '40' });
    expect(bad.error?.issues).toMatchObject([{ path: ['minFree'], message: expect.stringMatching(/^"40" is not a size; write it with a unit/) }]);
  });
});
