// `statuspost export --out` onto a disk that fills up: a clear error and exit 3, never exit 70.
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { statuspost } from '../helpers/cli.ts';
import { tempProject } from '../helpers/temp.ts';
import { result } from '../store/contract.ts';

// Mounting a small tmpfs needs root: skipped with a reason elsewhere, a failure under CI.
const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.CI !== 'true') console.warn('skipping the export disk-full test: mounting a tmpfs needs root');

describe.skipIf(!isRoot && process.env.CI !== 'true')('statuspost export onto a full disk', () => {
  it('says how far it got and exits 3, with no trace', async () => {
    const root = await tempProject({
      'probes/site.yaml': 'title: Chat\nbaseUrl: https://status.example.org\nstore:\n  engine: sqlite\n  path: data/h.db\n',
      'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
    });
    // 5,000 results, about half a megabyte of CSV, for a 64 KiB disk.
    const t0 = Date.now() - 86_400_000;
    const store = await openSqliteStore({ path: join(root, 'data/h.db') });
    await store.migrate();
    await store.record(Array.from({ length: 5_000 }, (_, i) => result('api', t0 + i * 1_000, 'up', { message: `200 OK in ${i % 90} ms, a message long enough to fill the disk` })), 'dc1');
    await store.close();
    const disk = join(root, 'disk');
    await mkdir(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk]);
    try {
      const { code, stderr } = await statuspost(['export', '--since', '2d', '--out', join(disk, 'results.csv'), '--root', root]);
      expect(stderr).toMatch(/^export: writing .*results\.csv failed after \d+ results \(no space left on the device, ENOSPC\); the file is incomplete \[SP_WRITE_FAILED\]\n  hint: free space or choose another --out, then export again\n$/);
      expect(code).toBe(3);
    } finally {
      execFileSync('umount', ['-l', disk]);
    }
  }, 120_000);
});
