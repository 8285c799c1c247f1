// A project with one resolved incident and results recorded for it in its SQLite store, through the
// store's own API, as the daemon records them. Times come from the clock (no date literal).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CheckResult, ProbeStatus } from '../../src/probes/types.ts';
import { formatZoned } from '../../src/posts/time.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { tempProject } from '../helpers/temp.ts';

export const M = 60_000;
export const SITE_ZONE = 'Europe/Paris';
export const POST_ZONE = 'America/New_York';
export const CONFIRM = { down: 2, up: 1 };
export const GAP_LIMIT_MS = 2 * M + 5_000; // 2 × the 1 min schedule + the 5 s timeout (gapLimitFor)

export interface Seeded {
  root: string;
  file: string;
  slug: string;
  start: number;
  end: number;
  results: Map<string, CheckResult[]>;
}

const checkYaml = (id: string, component: string) =>
  [`  - id: ${id}`, `    name: Node ${id}`, `    component: ${component}`, '    kind: tcp', '    host: 127.0.0.1', '    port: 1', '    schedule: 1m', '    timeout: 5s', '    confirm: { down: 2, up: 1 }'].join('\n');

/**
 * chat (chat-1, chat-2; partial at 1 down, major when all are): chat-1 down from 3 min before the
 * start to 40 min after it, chat-2 from 10 to 20 min after it. cache (cache-1): up, but no result
 * from 15 to 35 min after the start. database (db-1): no result at all.
 */
/** `folder`: write the project there (a beforeAll's own folder) instead of a test's temporary one. */
export async function seededProject(options: { body?: string; folder?: string; open?: boolean } = {}): Promise<Seeded> {
  const start = Math.floor((Date.now() - 4 * 60 * M) / M) * M;
  const end = start + 60 * M;
  const date = formatZoned(start, POST_ZONE).slice(0, 10);
  const slug = `${date}-chat-outage`;
  const file = `content/incidents/${slug}.md`;
  const at = (t: number) => formatZoned(t, POST_ZONE);
  const post = [
    '---',
    'title: Chat messages not delivered',
    'impact: major',
    `timezone: ${POST_ZONE}`,
    `start: ${at(start)}`,
    'components:',
    '  chat: major_outage',
    '  cache: degraded_performance',
    '  database: partial_outage',
    'updates:',
    `  - at: ${at(start + 5 * M)}`,
    '    status: investigating',
    '    body: Messages are not delivered.',
    `  - at: ${at(start + 30 * M)}`,
    '    status: identified',
    '    body: A chat node ran out of memory.',
    ...(options.open ? [] : [`  - at: ${at(end)}`, '    status: resolved', '    body: Messages are delivered again.']),
    '---',
    ...(options.body === undefined ? [] : ['', options.body]),
    '',
  ].join('\n');
  const files = {
    'probes/site.yaml': `title: Chat\nbaseUrl: https://status.example.org\ntimezone: ${SITE_ZONE}\nlocation: dc1\n`,
    'probes/components.yaml': [
      'components:',
      '  - id: chat',
      '    name: Chat',
      '  - id: cache',
      '    name: Cache',
      '  - id: database',
      '    name: Database',
      '',
    ].join('\n'),
    'probes/checks/all.yaml': ['checks:', checkYaml('chat-1', 'chat'), checkYaml('chat-2', 'chat'), checkYaml('cache-1', 'cache'), checkYaml('db-1', 'database'), ''].join('\n'),
    [file]: post,
  };
  const root = options.folder ?? (await tempProject(files));
  if (options.folder) {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    }
  }

  const results = new Map<string, CheckResult[]>();
  const add = (checkId: string, t: number, status: ProbeStatus) => {
    const list = results.get(checkId) ?? [];
    list.push({ checkId, kind: 'tcp', status, startedAt: t, latencyMs: status === 'down' ? null : 3 + ((t / M) % 7), message: status === 'down' ? 'connection refused' : 'port open', details: {} });
    results.set(checkId, list);
  };
  for (let t = start - 120 * M; t < Date.now() - M; t += M) {
    add('chat-1', t, t >= start - 3 * M && t < start + 40 * M ? 'down' : 'up');
    add('chat-2', t + 20_000, t >= start + 10 * M && t < start + 20 * M ? 'down' : 'up');
    if (!(t >= start + 15 * M && t < start + 35 * M)) add('cache-1', t + 40_000, 'up');
  }
  const store = await openSqliteStore({ path: join(root, 'data/statuspost.db') });
  await store.migrate();
  await store.record([...results.values()].flat(), 'dc1');
  await store.close();
  return { root, file, slug, start, end, results };
}
