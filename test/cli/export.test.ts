import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { result } from '../store/contract.ts';
import { tempProject } from '../helpers/temp.ts';

const bin = fileURLToPath(new URL('../../bin/statuspost.mjs', import.meta.url));
const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr })),
  );

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  return rows;
}

const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);

async function projectWithHistory() {
  const root = await tempProject({
    'probes/site.yaml': 'title: Chat\nbaseUrl: https://status.example.org\nstore:\n  engine: sqlite\n  path: data/h.db\n',
    'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
  });
  const store = await openSqliteStore({ path: join(root, 'data/h.db') });
  await store.migrate();
  await store.record(
    [
      result('api', T0, 'up'),
      result('api', T0 + 60_000, 'down', { message: 'odd, "quoted"\nmessage', details: { code: 'ECONNREFUSED' } }),
      result('db', T0 + 30_000, 'degraded'),
      result('api', T0 - 86_400_000, 'up'),
    ],
    'dc1',
  );
  await store.close();
  return root;
}

describe('statuspost export', () => {
  it('writes CSV in time order that a CSV parser reads back exactly', async () => {
    const root = await projectWithHistory();
    const { code, stdout } = await run(['export', '--since', '2026-11-02', '--root', root]);
    expect(code).toBe(0);
    expect(parseCsv(stdout)).toEqual([
      ['startedAt', 'checkId', 'location', 'status', 'latencyMs', 'message', 'details'],
      ['2026-11-02T08:00:00.000Z', 'api', 'dc1', 'up', '12.5', '200 OK in 12 ms', '{}'],
      ['2026-11-02T08:00:30.000Z', 'db', 'dc1', 'degraded', '12.5', 'slow: answered in 812 ms (limit 500 ms)', '{"statusCode":200,"dnsMs":0.4}'],
      ['2026-11-02T08:01:00.000Z', 'api', 'dc1', 'down', '', 'odd, "quoted"\nmessage', '{"code":"ECONNREFUSED"}'],
    ]);
  });

  it('writes JSON lines for one check within bounds', async () => {
    const root = await projectWithHistory();
    const { stdout } = await run(['export', '--since', '2026-11-01T00:00:00Z', '--until', '2026-11-02T08:00:30+00:00', '--check', 'api', '--format', 'jsonl', '--root', root]);
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ startedAt: '2026-11-01T08:00:00.000Z', checkId: 'api', status: 'up' }),
      expect.objectContaining({ startedAt: '2026-11-02T08:00:00.000Z', checkId: 'api', status: 'up' }),
    ]);
  });

  it('refuses a missing or unreadable --since with exit code 2', async () => {
    const root = await projectWithHistory();
    expect((await run(['export', '--root', root])).stderr).toContain('export: --since is required [SP_USAGE]');
    const bad = await run(['export', '--since', 'yesterday', '--root', root]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('export: --since "yesterday" is not a date, a time with an offset, or a duration [SP_USAGE]');
  });
});
