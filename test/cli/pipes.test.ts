// statuspost as the first command of a pipe whose reader stops early (`| head`): the output ends,
// the command ends quietly with its conventional status, and no trace reaches standard error.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { piped, statuspost } from '../helpers/cli.ts';
import { tempProject } from '../helpers/temp.ts';
import { result } from '../store/contract.ts';

const TRACE = /\n\s+at |internal error|EPIPE|Unhandled/;

// Thirty components make a Snapshot of several hundred kilobytes: far more than a pipe holds
// (64 KiB on Linux), so the writer is still writing when `head` goes away.
const manyComponents = `components:\n${Array.from({ length: 30 }, (_, i) => `  - id: part-${i + 1}\n    name: Part ${i + 1}\n`).join('')}`;

async function projectWithHistory(rows: number) {
  const root = await tempProject({
    'probes/site.yaml': 'title: Chat\nbaseUrl: https://status.example.org\nstore:\n  engine: sqlite\n  path: data/h.db\n',
    'probes/components.yaml': manyComponents,
  });
  const store = await openSqliteStore({ path: join(root, 'data/h.db') });
  await store.migrate();
  // Within the last hour, whatever the date the test runs on.
  const t0 = Date.now() - 50 * 60_000;
  await store.record(Array.from({ length: rows }, (_, i) => result(`check-${i % 7}`, t0 + i * 100)), 'here');
  await store.close();
  return root;
}

describe('statuspost in a pipe', () => {
  it('status --json | head -c 10 ends quietly, with the exit status it has without the pipe', async () => {
    const root = await projectWithHistory(10);
    const whole = await statuspost(['status', '--json', '--root', root]);
    expect(whole.stdout.length).toBeGreaterThan(256 * 1024);
    const cut = await piped(['status', '--json', '--root', root], 'head -c 10');
    expect(cut.readerOutput).toBe(whole.stdout.slice(0, 10));
    expect(cut.stderr).not.toMatch(TRACE);
    expect(cut.code).toBe(whole.code);
  });

  it('export --since 1h | head stops reading, exits 0 and prints no trace', async () => {
    const root = await projectWithHistory(5_000);
    for (const format of ['csv', 'jsonl']) {
      const cut = await piped(['export', '--since', '1h', '--format', format, '--root', root], 'head -n 2');
      expect(cut.stderr).not.toMatch(TRACE);
      expect(cut.code).toBe(0);
      expect(cut.readerOutput.trimEnd().split(/\r?\n/)).toHaveLength(2);
    }
  });

  it('check 2>&1 | head -n 1: a closed pipe on standard error ends quietly too', async () => {
    // 600 checks of an unknown component: a problem each, far more than a pipe holds.
    const checks = `checks:\n${Array.from({ length: 600 }, (_, i) => `  - id: c-${i}\n    component: nowhere\n    kind: tcp\n    host: 127.0.0.1\n    port: 1\n`).join('')}`;
    const root = await tempProject({ 'probes/site.yaml': 'title: T\nbaseUrl: https://status.example.org\n', 'probes/components.yaml': manyComponents, 'probes/checks/a.yaml': checks });
    const whole = await statuspost(['check', '--root', root]);
    expect(whole.code).toBe(1);
    expect(whole.stderr.length).toBeGreaterThan(128 * 1024);
    const cut = await piped(['check', '--root', root], 'head -n 1', { stderrToo: true });
    expect(cut.readerOutput).toMatch(/^probes\/checks\/a\.yaml:3:16 {2}check "c-0" belongs to unknown component "nowhere"/);
    expect(cut.stderr).toBe('');
    expect(cut.code).toBe(1);
  });
});
