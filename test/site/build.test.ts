// The site as published: built from a real project into a temp folder, checked, published atomically.
import { cp, readFile, readdir, readlink, realpath, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';
import { BUILD_MS, BUILDS_MS } from '../helpers/timeouts.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repo, 'bin/statuspost.mjs');
const run = (args: string[], env: NodeJS.ProcessEnv = {}, cwd = repo) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );

/** A copy of the demo project (its probes/ and content/), without the demo's scheduled window. */
async function demoProject(): Promise<string> {
  const root = await tempDir('statuspost-site-');
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
  return root;
}

async function treeBytes(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out[path.slice(folder.length)] = (await readFile(path)).toString('base64');
    }
  };
  await walk(folder);
  return out;
}

describe('statuspost build', () => {
  it('publishes the demo site with every page kind, incidents and maintenance included', async () => {
    const root = await demoProject();
    const { code, stdout, stderr } = await run(['build', '--root', root]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^published .*public-site: \d+ files in [\d.]+ s \(8 post pages rendered, 0 unchanged reused\); .+; 8 posts, 7 components\n$/);
    const site = join(root, 'public-site');
    const index = await readFile(join(site, 'index.html'), 'utf8');
    expect(index).toContain('Chatter status');
    expect(index).toMatch(/Load balancer<\/a><\/h3>\s*<span class="status \w+">/);
    expect(await readFile(join(site, 'incidents/2012-10-02-redis-maxclients-sign-in-outage/index.html'), 'utf8')).toContain('Postmortem');
    expect(await readFile(join(site, 'maintenance/2012-03-24-main-database-upgrade/index.html'), 'utf8')).toContain('Sign-in is blocked during the window.');
    expect(await readFile(join(site, 'about/uptime/index.html'), 'utf8')).toContain('partial_outage × 0.3');
    expect((await readdir(join(site, 'history'))).filter((name) => !/\.(br|gz)$/.test(name)).sort()).toEqual(['2011-03', '2011-12', '2012-03', '2012-10', '2014-01', '2015-03', '2015-09', '2016-02', 'component', 'index.html']);
    const february = await readFile(join(site, 'history/2016-02/index.html'), 'utf8');
    expect(february).toContain('February 2016');
    expect(february).toMatch(/href="\/history\/2015-09\/" rel="next"[^>]*>Older: September 2015/);
    expect((await readdir(join(site, 'components'))).sort()).toEqual(['cache', 'chat-nodes', 'clock', 'database', 'dns', 'file-share', 'load-balancer']);
    // The notification webhook's JSON Schema, published from public/ for receivers to validate against.
    expect(JSON.parse(await readFile(join(site, 'schemas/notify-webhook-v2.json'), 'utf8'))).toMatchObject({ properties: { schemaVersion: { const: 2 } } });
    // v1 stays published unchanged for receivers that validate against it.
    expect(JSON.parse(await readFile(join(site, 'schemas/notify-webhook-v1.json'), 'utf8'))).toMatchObject({ properties: { schemaVersion: { const: 1 } } });
  }, BUILD_MS);

  it('renders again only the post pages whose post changed, and links the rest from the published build', async () => {
    const root = await demoProject();
    expect((await run(['build', '--root', root])).code).toBe(0);
    const site = join(root, 'public-site');
    const first = await realpath(site);
    const again = await run(['build', '--root', root]);
    expect(again.stdout).toMatch(/\(0 post pages rendered, 8 unchanged reused\)/);
    const second = await realpath(site);
    expect(second).not.toBe(first);
    const page = 'incidents/2014-01-21-api-certificate-expired/index.html';
    // The same file, not a copy: a status-only republish writes nothing for unchanged posts.
    expect((await stat(join(second, page))).ino).toBe((await stat(join(first, page))).ino);
    // Edit one post: that page, and only that one, is rendered again, with the edit in it.
    const file = join(root, 'content/incidents/2014-01-21-api-certificate-expired.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^title: .*$/m, 'title: "The API certificate expired (edited)"'));
    const edited = await run(['build', '--root', root]);
    expect(edited.stdout).toMatch(/\(1 post pages rendered, 7 unchanged reused\)/);
    const third = await realpath(site);
    expect(await readFile(join(third, page), 'utf8')).toContain('The API certificate expired (edited)');
    expect((await stat(join(third, page))).ino).not.toBe((await stat(join(second, page))).ino);
    // The lists are status pages, always rendered: they carry the new title too.
    expect(await readFile(join(third, 'incidents/index.html'), 'utf8')).toContain('The API certificate expired (edited)');
    // The build's bookkeeping is never served.
    const { startStaticServer } = await import('../../src/serve/static-server.ts');
    const server = await startStaticServer({ folder: site });
    try {
      expect((await fetch(`${server.url}.statuspost/pages.json`)).status).toBe(404);
    } finally {
      await server.close();
    }
  }, BUILDS_MS);

  it('builds from any working folder, and two builds at once from one folder both publish', async () => {
    // Astro puts its prerender chunks under the working folder and deletes them after: two builds from
    // the repo deleted each other's, and one run from the project's own folder could not import them.
    const [fromProject, first, second] = await Promise.all([demoProject(), demoProject(), demoProject()]);
    const results = await Promise.all([run(['build', '--root', fromProject], {}, fromProject), run(['build', '--root', first]), run(['build', '--root', second])]);
    for (const result of results) expect(result.stderr).toBe('');
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    for (const root of [fromProject, first, second]) {
      const site = await realpath(join(root, 'public-site'));
      const files = Object.keys(await treeBytes(site));
      expect(files).toContain('/index.html');
      // Nothing of Astro's own leaks into the site (its content-modules.mjs once did).
      expect(files.filter((file) => file.endsWith('.mjs') || file.endsWith('.d.ts'))).toEqual([]);
    }
  }, BUILDS_MS);

  it('leaves the published site byte-identical when a post is broken', async () => {
    const root = await demoProject();
    expect((await run(['build', '--root', root])).code).toBe(0);
    const site = join(root, 'public-site');
    const before = await treeBytes(await realpath(site));
    const linkBefore = await readlink(site);
    await writeFile(join(root, 'content/incidents/2026-11-20-broken.md'), '---\ntitle: Broken\nimpact: huge\n---\n');
    const broken = await run(['build', '--root', root]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('content/incidents/2026-11-20-broken.md:3:9  impact: must be one of "none", "minor", "major", "critical" [SP_POST_INVALID]');
    expect(await readlink(site)).toBe(linkBefore);
    expect(await treeBytes(await realpath(site))).toEqual(before);
  }, BUILDS_MS);

  it('refuses to publish a build that contains a secret or an internal address, and names where', async () => {
    const root = await demoProject();
    expect((await run(['build', '--root', root])).code).toBe(0);
    const site = join(root, 'public-site');
    const linkBefore = await readlink(site);
    // A check whose public name carries a secret from the environment, and one naming an internal host.
    const edge = await readFile(join(root, 'probes/checks/edge.yaml'), 'utf8');
    await writeFile(
      join(root, 'probes/checks/edge.yaml'),
      edge.replace('    name: Sign-in page through the balancer', '    name: "Sign-in page with key ${SIGNIN_KEY}"').replace('    name: Balancer certificate', '    name: Certificate of 10.20.30.40 balancer'),
    );
    await writeFile(join(root, 'probes/checks/extra.yaml'), 'checks:\n  - id: internal\n    component: dns\n    kind: tcp\n    host: 10.20.30.40\n    port: 53\n');
    const leaked = await run(['build', '--root', root], { SIGNIN_KEY: 's3cret-k3y-123' });
    expect(leaked.code).toBe(3);
    expect(leaked.stderr).toMatch(/the build contains private values from probes\/: .*components\/load-balancer\/index\.html \(private value #\d+, plain\).*; nothing was published \[SP_BUILD_FAILED\]/);
    expect(leaked.stderr).not.toContain('s3cret-k3y-123');
    expect(await readlink(site)).toBe(linkBefore);
  }, BUILDS_MS);
});

describe('statuspost build killed at random moments', () => {
  it('always leaves the published site complete: the old build or the new one', async () => {
    const root = await demoProject();
    expect((await run(['build', '--root', root])).code).toBe(0);
    const site = join(root, 'public-site');
    const required = ['index.html', '404.html', 'api/v2/summary.json', 'banner.json', 'rss.xml', 'maintenance.ics', 'incidents/2014-01-21-api-certificate-expired/index.html'];
    for (let trial = 0; trial < 5; trial++) {
      const child = (await import('node:child_process')).spawn(process.execPath, [bin, 'build', '--root', root], { stdio: 'ignore' });
      // Listen before the wait: a build quicker than the delay exits first, and a later once('exit') would wait forever.
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 3_500)); // anywhere from loading to publishing
      child.kill('SIGKILL');
      await exited;
      const target = await realpath(site);
      for (const file of required) expect((await stat(join(target, file))).size, `${file} after trial ${trial}`).toBeGreaterThan(0);
      JSON.parse(await readFile(join(target, 'api/v2/summary.json'), 'utf8'));
    }
  }, BUILDS_MS);
});
