// The component page over three locations, built once from a real project and SQLite store: what
// each location sees, "1 of 3 locations sees it down", "2 of 3 locations reporting", the uptime
// page's quorum section, no probe target anywhere, and no accessibility violation (axe, Chromium).
import { createRequire } from 'node:module';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import type { CheckResult, ProbeStatus } from '../../src/probes/types.ts';
import { buildAndPublish } from '../../src/publish/build-site.ts';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { gatherSnapshotInput } from '../../src/status/gather.ts';
import { buildSnapshot } from '../../src/status/snapshot.ts';
import { openStore } from '../../src/store/open.ts';
import { refreshRollups } from '../../src/store/refresh.ts';
import { refreshAgreedComponentDays } from '../../src/status/agreed.ts';
import { CHROMIUM, openBrowser } from '../helpers/browser.ts';
import { requireProgram } from '../helpers/services.ts';
import { BUILD_MS } from '../helpers/timeouts.ts';

const M = 60_000;
const LOCATIONS = ['fra', 'iad', 'sin'];
const chromiumFound = (await requireProgram('chromium')) === CHROMIUM;
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const files = {
  'probes/site.yaml': ['title: Chatter status', 'baseUrl: https://status.example.org', 'location: fra', `locations: [${LOCATIONS.join(', ')}]`, ''].join('\n'),
  'probes/components.yaml': ['components:', '  - id: chat', '    name: Chat', '  - id: database', '    name: Database', '    quorum: { min: 2 }', ''].join('\n'),
  'probes/checks/c.yaml': [
    'checks:',
    '  - { id: chat-port, component: chat, kind: tcp, host: chat.internal.example, port: 5222, schedule: 1m }',
    '  - { id: db-port, component: database, kind: tcp, host: db.internal.example, port: 5432, schedule: 1m }',
    '',
  ].join('\n'),
};

/** The page's text as read: tags out, spaces folded. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the component page over three locations', () => {
  let root: string;
  let out: string;
  let close: (() => Promise<void>) | undefined;
  let url: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'statuspost-locations-'));
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, file)), { recursive: true });
      await writeFile(join(root, file), content);
    }
    const { config, problems } = await loadConfig(root, {});
    expect(problems).toEqual([]);
    const now = Date.now();
    const store = await openStore(config!.site.store, root);
    await store.migrate();
    // Two hours of a result a minute from each location: fra is cut from chat for the last 40
    // minutes; sin has sent nothing for the database for the last 20.
    for (const [i, location] of LOCATIONS.entries()) {
      const rows: CheckResult[] = [];
      for (let t = now - 120 * M + i * 5_000; t < now; t += M) {
        const chat: ProbeStatus = location === 'fra' && t >= now - 40 * M ? 'down' : 'up';
        rows.push({ checkId: 'chat-port', kind: 'tcp', status: chat, startedAt: t, latencyMs: chat === 'up' ? 12 + i : null, message: chat === 'up' ? 'port open' : 'connection refused', details: {} });
        if (!(location === 'sin' && t >= now - 20 * M)) rows.push({ checkId: 'db-port', kind: 'tcp', status: 'up', startedAt: t, latencyMs: 3, message: 'port open', details: {} });
      }
      await store.record(rows, location);
      await refreshRollups(store, config!.checks, location, now); // each prober's own maintenance
    }
    // The publisher's: the agreed days, stored under '*'.
    await refreshAgreedComponentDays(store, config!.components, config!.checks, LOCATIONS, config!.site.timezone, now);
    const snapshot = buildSnapshot(await gatherSnapshotInput(store, config!, [], now));
    await store.close();
    out = join(root, 'public-site');
    await buildAndPublish({ config: config!, snapshot, posts: [], out, now });
    ({ url, close } = await startStaticServer({ folder: out }));
  }, BUILD_MS);
  afterAll(async () => {
    await close?.();
    await rm(root, { recursive: true, force: true });
  });

  it('shows each location, the minority that sees it down, and the agreed status', async () => {
    const chat = text(await readFile(join(out, 'components/chat/index.html'), 'utf8'));
    expect(chat).toContain('Chat: Operational');
    expect(chat).toContain('1 of 3 locations sees it down');
    expect(chat).not.toContain('locations reporting');
    expect(chat).toContain('Location Status Response time p50 / p95');
    // fra's figures are from before its cut (with the date, when that was an earlier UTC day: a test run just after midnight).
    expect(chat).toMatch(/fra Major outage 12 ms \/ 12 ms( \([^)]+\))? iad Operational 13 ms \/ 13 ms sin Operational 14 ms \/ 14 ms/);
    const database = text(await readFile(join(out, 'components/database/index.html'), 'utf8'));
    expect(database).toContain('Database: Operational');
    expect(database).toContain('2 of 3 locations reporting');
    expect(database).toMatch(/sin no recent result/);
    expect(database).not.toContain('sees it down');
    // The API carries the agreed status: chat is operational though fra sees it down.
    const summary = JSON.parse(await readFile(join(out, 'api/v2/summary.json'), 'utf8')) as { components: Array<{ id: string; status: string }> };
    expect(summary.components.map((c) => c.status)).toEqual(['operational', 'operational']);
  });

  it('says how the quorum works on the uptime page', async () => {
    const uptime = text(await readFile(join(out, 'about/uptime/index.html'), 'utf8'));
    expect(uptime).toContain('Several locations: the quorum');
    expect(uptime).toContain('2 of 3 locations reporting');
  });

  it('publishes no probe target', async () => {
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (/internal\.example/.test(await readFile(path, 'latin1'))) found.push(path);
      }
    };
    await walk(out);
    expect(found).toEqual([]);
  });

  it.skipIf(!chromiumFound)('has no accessibility violations on the component and uptime pages', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await (await openBrowser({ colorScheme, viewport: { width: 375, height: 800 } })).newPage();
      for (const path of ['components/chat/', 'components/database/', 'about/uptime/']) {
        await page.goto(url + path);
        await page.addScriptTag({ content: axeSource });
        const violations = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
          const result = await axe.run({ runOnly: ['wcag2a', 'wcag2aa'] });
          return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
        });
        expect(violations, `${path} ${colorScheme}`).toEqual([]);
      }
    }
  });
});
