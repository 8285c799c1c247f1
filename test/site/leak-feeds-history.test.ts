// The leak scan reads the files issue 19 added: Atom and JSON Feed (site and per component) and the
// history's month and component pages. A post title naming a private host reaches all of them, and
// the real `statuspost build` refuses, naming each file, printing no value, publishing nothing.
import { cp, readlink } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';
import { BUILDS_MS } from '../helpers/timeouts.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const run = (root: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], { cwd: repo }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr }),
    ),
  );

const HOST = 'sessions-7.corp.internal';
const check = ['checks:', '  - id: sessions', '    component: cache', '    kind: tcp', `    host: ${HOST}`, '    port: 6379', ''].join('\n');
const post = (title: string) =>
  ['---', `title: ${title}`, 'impact: minor', 'timezone: UTC', 'start: 2016-03-10T12:00', 'components:', '  cache: partial_outage', 'updates:', '  - at: 2016-03-10T13:00', '    status: resolved', '    body: Fixed.', '---', ''].join('\n');

describe('the leak scan over the feeds and history pages', () => {
  it('names feed.atom, feed.json and the history pages when a title carries a private host', async () => {
    const root = await tempDir('statuspost-leak-feeds-');
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
    await writeFile(join(root, 'probes/checks/sessions.yaml'), check);
    const file = join(root, 'content/incidents/2016-03-10-session-errors.md');
    await writeFile(file, post('Session errors'));
    const clean = await run(root);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    const published = await readlink(join(root, 'public-site'));

    await writeFile(file, post(`Session errors on ${HOST}`));
    const leaked = await run(root);
    expect(leaked.code).toBe(3);
    for (const where of ['feed.atom', 'feed.json', 'components/cache/feed.atom', 'components/cache/feed.json', 'rss.xml', 'history/index.html', 'history/2016-03/index.html', 'history/component/cache/index.html']) {
      expect(leaked.stderr).toMatch(new RegExp(`(^|[ ,])${where.replace(/[./]/g, '\\$&')} \\(private value #\\d+`));
    }
    expect(leaked.stderr).not.toContain(HOST);
    expect(await readlink(join(root, 'public-site'))).toBe(published);
  }, BUILDS_MS);
});
