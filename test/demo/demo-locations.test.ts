// `statuspost demo --locations 3`: three real `statuspost run` processes (a publishes, b and c
// probe; each folder's site.yaml names its location) on the test PostgreSQL, each through its own
// links to the simulated cluster. All three report (their results are in the store under their
// names); `demo location cut b` cuts b from the cluster (b's own checks fail, a's and c's do not;
// the page shows no outage and says "1 of 3 locations sees it down": that part needs the status
// and roles of issue 18 merged) and `location restore b` brings it back.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { statuspost } from '../helpers/cli.ts';
import { startDemo } from '../helpers/demo.ts';
import { postgresReachable, testDatabase, testDatabaseUrl } from '../helpers/postgres.ts';
import { tempDir } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const reachable = await postgresReachable();
const schema = `sp_demo_${process.pid}_${Date.now().toString(36)}`;

async function resultsPerLocation(): Promise<Record<string, number>> {
  const client = new pg.Client(testDatabase);
  await client.connect();
  try {
    const { rows } = await client.query<{ location: string; n: string }>(`SELECT s.location, count(*) AS n FROM "${schema}".results r JOIN "${schema}".series s ON s.id = r.series_id GROUP BY 1`);
    return Object.fromEntries(rows.map((row) => [row.location, Number(row.n)]));
  } catch {
    return {}; // not migrated yet
  } finally {
    await client.end();
  }
}

afterEach(async () => {
  if (!reachable) return;
  const client = new pg.Client(testDatabase);
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe.skipIf(!reachable)('statuspost demo --locations 3', () => {
  it('three locations report; one is cut from the cluster and restored', async () => {
    const root = await tempDir('statuspost-demo-locations-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    // The chat nodes' checks every 2 s instead of 30 s, so a cut shows within seconds.
    const nodes = join(root, 'probes/checks/nodes.yaml');
    await writeFile(nodes, (await readFile(nodes, 'utf8')).replaceAll('schedule: 30s', 'schedule: 2s'));
    const demo = startDemo(root, ['--locations', '3', '--json'], { DEMO_DATABASE_URL: testDatabaseUrl, DEMO_DATABASE_SCHEMA: schema });
    const ready = JSON.parse(await demo.waitFor((line) => line.startsWith('{"url"'), 'the demo serving its site', 300_000)) as { url: string; locations: string[]; publisher: string };
    expect(ready.locations).toEqual(['a', 'b', 'c']);
    expect(ready.publisher).toBe('a');
    const page = await fetch(ready.url);
    expect(page.status).toBe(200);

    // All three report: each location's results are in the shared store under its name.
    let counts: Record<string, number> = {};
    for (let i = 0; i < 600 && !['a', 'b', 'c'].every((l) => (counts[l] ?? 0) > 0); i++) {
      counts = await resultsPerLocation();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(Object.keys(counts).sort()).toEqual(['a', 'b', 'c']);

    // b cut from the cluster: its own chat checks fail; restored: they pass again.
    const from = demo.lines.length;
    const cut = await statuspost(['demo', 'location', 'cut', 'b', '--root', root]);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout).toContain('location b is cut from the cluster');
    const bDown = (line: string) => line.includes('"location":"b"') && line.includes('"event":"status"') && line.includes('"check":"chat-1"') && line.includes('"status":"down"');
    await demo.waitFor(bDown, "b's chat-1 check confirmed down", 60_000, from);
    // The publisher (a) votes b down: no outage; within its 30 s refresh the component page says so.
    let componentPage = '';
    for (let i = 0; i < 300 && !componentPage.includes('1 of 3 locations sees it down'); i++) {
      componentPage = await fetch(new URL('components/chat-nodes/', ready.url)).then((r) => r.text()).catch(() => '');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(componentPage).toContain('1 of 3 locations sees it down');
    const summary = (await fetch(new URL('api/v2/summary.json', ready.url)).then((r) => r.json())) as { components: Array<{ id: string; status: string }> };
    expect(summary.components.find((c) => c.id === 'chat-nodes')?.status).toBe('operational');
    const aOrCDown = demo.lines.slice(from).filter((line) => /"location":"[ac]"/.test(line) && line.includes('"event":"status"') && line.includes('"status":"down"') && line.includes('"check":"chat-'));
    expect(aOrCDown).toEqual([]);
    const restored = await statuspost(['demo', 'location', 'restore', 'b', '--root', root]);
    expect(restored.code, restored.stderr).toBe(0);
    await demo.waitFor((line) => line.includes('"location":"b"') && line.includes('"check":"chat-1"') && line.includes('"status":"up"'), "b's chat-1 up again", 60_000, demo.lines.length);

    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  }, 420_000);
});

describe.skipIf(!reachable)('statuspost demo --locations killed', () => {
  it('takes its daemons with it when it is killed with SIGKILL', async () => {
    const root = await tempDir('statuspost-demo-locations-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    const demo = startDemo(root, ['--locations', '3', '--json'], { DEMO_DATABASE_URL: testDatabaseUrl, DEMO_DATABASE_SCHEMA: schema });
    await demo.waitFor((line) => line.startsWith('{"url"'), 'the demo serving its site', 300_000);
    const daemons = async () => {
      const { readdir } = await import('node:fs/promises');
      let count = 0;
      for (const pid of await readdir('/proc')) {
        if (!/^\d+$/.test(pid)) continue;
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmdline.includes(`${root}/data/demo/locations/`) && cmdline.includes('\0run\0')) count++;
      }
      return count;
    };
    expect(await daemons()).toBeGreaterThanOrEqual(3);
    demo.child.kill('SIGKILL');
    await demo.exited;
    let left = await daemons();
    for (let i = 0; i < 100 && left > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      left = await daemons();
    }
    expect(left).toBe(0);
  }, 420_000);
});

describe('statuspost demo --locations refuses clearly', () => {
  it('without its PostgreSQL: exit 3, the address and what to do; a count out of range: exit 2', async () => {
    const root = await tempDir('statuspost-demo-locations-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    const { freePort } = await import('../helpers/net.ts');
    const nothing = await freePort();
    const absent = await statuspost(['demo', '--locations', '3', '--root', root], { env: { DEMO_DATABASE_URL: `postgres://postgres@127.0.0.1:${nothing}/postgres` } });
    expect(absent.code).toBe(3);
    expect(absent.stderr).toContain(`no PostgreSQL at postgres://postgres@127.0.0.1:${nothing}/postgres`);
    expect(absent.stderr).toContain('DEMO_DATABASE_URL');
    const many = await statuspost(['demo', '--locations', '9', '--root', root]);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('--locations must be 1 to 5');
  }, 120_000);
});
