// Publishing on change, whatever way a post is saved: the real `statuspost run` (the built bin) as a
// child process, a post edited in place, saved by rename as editors and `sed -i` do, deleted and
// created, switched by `git checkout`, written into a new folder, and the whole content/ folder
// swapped by a deploy. Every save style is followed by a second edit, because the defect was that
// the first save published and no later one ever did.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemonProcess, type DaemonProcess } from '../helpers/daemon.ts';
import { freePort } from '../helpers/net.ts';
import { close, listen } from '../helpers/tcp-target.ts';
import { tempProject } from '../helpers/temp.ts';


// An incident that started and ended on a fixed past day is valid on any later date; the file
// name carries that day, as the loader requires.
const SLUG = '2020-05-01-chat-outage';
const POST = `content/incidents/${SLUG}.md`;
const incident = (title: string) =>
  `---\ntitle: ${title}\nimpact: minor\ntimezone: UTC\nstart: 2020-05-01T10:00\ncomponents:\n  chat: degraded_performance\nupdates:\n  - at: 2020-05-01T10:05\n    status: investigating\n    body: Looking into it.\n  - at: 2020-05-01T10:30\n    status: resolved\n    body: Fixed.\n---\n`;
const MAINTENANCE_SLUG = '2020-05-02-chat-restart';
const maintenance = (title: string) =>
  `---\ntitle: ${title}\ntimezone: UTC\nannouncedAt: 2020-04-30T09:00\nwindow:\n  start: 2020-05-02T22:00\n  duration: 30m\ncomponents: [chat]\naffected: Chat reconnects once.\nupdates:\n  - at: 2020-05-02T22:30\n    status: completed\n    body: Done.\n---\n`;

async function project(port: number, files: Record<string, string> = { [POST]: incident('Version one') }) {
  return tempProject({
    'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\nlocation: dc1\ntimezone: UTC\nstore:\n  engine: sqlite\n  path: data/history.db\n',
    'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
    'probes/checks/ports.yaml': `checks:\n  - id: chat-port\n    component: chat\n    kind: tcp\n    host: 127.0.0.1\n    port: ${port}\n    schedule: 5s\n    timeout: 500ms\n`,
    ...files,
  });
}

const page = (root: string, section: 'incidents' | 'maintenance', slug: string) => readFile(join(root, 'public-site', section, slug, 'index.html'), 'utf8').catch(() => '');

/**
 * Waits until a publish logged after this call leaves `shows` true. A build that began before the
 * edit may still publish the old state; the edit's own publish follows it.
 */
async function publishedAfterEdit(daemon: DaemonProcess, what: string, shows: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = daemon.lines.length;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`${what}: not published within ${timeoutMs} ms; log:\n${daemon.lines.map((l) => JSON.stringify(l)).join('\n')}`);
    const from = seen;
    const line = await daemon.waitFor((l) => l.event === 'published' && daemon.lines.indexOf(l) >= from, left).catch(() => undefined);
    if (!line) continue;
    seen = daemon.lines.indexOf(line) + 1;
    if (await shows()) return;
  }
}

const showsIncident = (root: string, title: string) => async () => (await page(root, 'incidents', SLUG)).includes(title);

async function startPublishing(root: string, extra: string[] = []): Promise<DaemonProcess> {
  const daemon = startDaemonProcess(root, ['--out', 'public-site', '--flush-interval', '100', '--debounce', '200', ...extra]);
  await daemon.waitFor((line) => line.event === 'published', 120_000);
  return daemon;
}

async function stop(daemon: DaemonProcess): Promise<void> {
  daemon.child.kill('SIGTERM');
  expect((await daemon.exited).code).toBe(0);
}

describe('statuspost run publishes every way a post is saved', () => {
  it('publishes edits in place, saves by rename (and the edit after one), sed -i, and delete + create', async () => {
    const port = await freePort();
    const target = await listen(port);
    const root = await project(port);
    const daemon = await startPublishing(root);
    const path = join(root, POST);
    expect(await page(root, 'incidents', SLUG)).toContain('Version one');

    await writeFile(path, incident('Version two'));
    await publishedAfterEdit(daemon, 'an edit in place', showsIncident(root, 'Version two'));

    // As vim and most editors save: a new file written beside the post, renamed over it.
    await writeFile(join(root, 'content/incidents', `.${SLUG}.md.swp-new`), incident('Version three'));
    await rename(join(root, 'content/incidents', `.${SLUG}.md.swp-new`), path);
    await publishedAfterEdit(daemon, 'a save by rename', showsIncident(root, 'Version three'));
    // The defect: the file now at that path was never watched, so this edit was never published.
    await writeFile(path, incident('Version four'));
    await publishedAfterEdit(daemon, 'an edit after a save by rename', showsIncident(root, 'Version four'));

    // sed -i writes a temporary file in the same folder and renames it over the post.
    execFileSync('sed', ['-i', 's/Version four/Version five/', path]);
    await publishedAfterEdit(daemon, 'sed -i', showsIncident(root, 'Version five'));
    execFileSync('sed', ['-i', 's/Version five/Version six/', path]);
    await publishedAfterEdit(daemon, 'a second sed -i', showsIncident(root, 'Version six'));

    // Deleted, then created again (`mv tmp post.md`, a sync tool, a careless script).
    await rm(path);
    await writeFile(path, incident('Version seven'));
    await publishedAfterEdit(daemon, 'delete and create', showsIncident(root, 'Version seven'));
    await writeFile(path, incident('Version eight'));
    await publishedAfterEdit(daemon, 'an edit after delete and create', showsIncident(root, 'Version eight'));

    // Every publish after the first one was asked for by the watcher.
    expect(daemon.lines.filter((l) => l.event === 'published' && String(l.reason).includes('content/')).length).toBeGreaterThanOrEqual(7);
    await stop(daemon);
    await close(target);
  }, 600_000);

  it('publishes what `git checkout` of another commit leaves, back and forth, and an edit after it', async () => {
    const port = await freePort();
    const target = await listen(port);
    const root = await project(port);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.org', '-c', 'init.defaultBranch=main', ...args], { cwd: root, stdio: 'pipe' }).toString().trim();
    git('init', '-q');
    git('add', 'content');
    git('commit', '-q', '-m', 'first version');
    const first = git('rev-parse', 'HEAD');
    await writeFile(join(root, POST), incident('Second commit'));
    git('commit', '-q', '-am', 'second version');
    const second = git('rev-parse', 'HEAD');
    git('checkout', '-q', first);

    const daemon = await startPublishing(root);
    expect(await page(root, 'incidents', SLUG)).toContain('Version one');
    git('checkout', '-q', second);
    await publishedAfterEdit(daemon, 'git checkout of the second commit', showsIncident(root, 'Second commit'));
    git('checkout', '-q', first);
    await publishedAfterEdit(daemon, 'git checkout back to the first commit', showsIncident(root, 'Version one'));
    git('checkout', '-q', second);
    await publishedAfterEdit(daemon, 'git checkout of the second commit again', showsIncident(root, 'Second commit'));
    await writeFile(join(root, POST), incident('Edited after checkout'));
    await publishedAfterEdit(daemon, 'an edit after git checkout', showsIncident(root, 'Edited after checkout'));
    await stop(daemon);
    await close(target);
  }, 600_000);

  it('publishes a post in a folder created while it runs, and later edits in it and in a new subfolder', async () => {
    const port = await freePort();
    const target = await listen(port);
    const root = await project(port); // content/maintenance does not exist yet
    const daemon = await startPublishing(root);

    await mkdir(join(root, 'content/maintenance'));
    await writeFile(join(root, 'content/maintenance', `${MAINTENANCE_SLUG}.md`), maintenance('Chat restart'));
    await publishedAfterEdit(daemon, 'a post in a new folder', async () => (await page(root, 'maintenance', MAINTENANCE_SLUG)).includes('Chat restart'));
    await writeFile(join(root, 'content/maintenance', `${MAINTENANCE_SLUG}.md`), maintenance('Chat restart, edited'));
    await publishedAfterEdit(daemon, 'an edit in the new folder', async () => (await page(root, 'maintenance', MAINTENANCE_SLUG)).includes('Chat restart, edited'));

    // A subfolder of a post folder: whatever the loader makes of it, a change there asks for a publish,
    // and so does a later edit in it (the new folder is watched too).
    const nested = join(root, 'content/incidents/2020');
    await mkdir(nested);
    let from = daemon.lines.length;
    await writeFile(join(nested, '2020-05-03-nested.md'), incident('Nested'));
    await daemon.waitFor((l) => l.event === 'published' && String(l.reason).includes('content/') && daemon.lines.indexOf(l) >= from, 90_000);
    from = daemon.lines.length;
    await writeFile(join(nested, '2020-05-03-nested.md'), incident('Nested, edited'));
    await daemon.waitFor((l) => l.event === 'published' && String(l.reason).includes('content/') && daemon.lines.indexOf(l) >= from, 90_000);
    await stop(daemon);
    await close(target);
  }, 600_000);

  it('publishes a content/ folder swapped in by a deploy, and later edits in the new folder', async () => {
    const port = await freePort();
    const target = await listen(port);
    const root = await project(port);
    const daemon = await startPublishing(root);

    // A deploy unpacks the new content beside the old one and renames it into place.
    await mkdir(join(root, 'content.next/incidents'), { recursive: true });
    await writeFile(join(root, 'content.next', 'incidents', `${SLUG}.md`), incident('Deployed version'));
    await rename(join(root, 'content'), join(root, 'content.old'));
    await rename(join(root, 'content.next'), join(root, 'content'));
    await publishedAfterEdit(daemon, 'content/ replaced by a deploy', showsIncident(root, 'Deployed version'));
    expect(daemon.lines.find((l) => l.event === 'watch-rearmed')?.message).toMatch(/^content\/ was replaced: watching the new folder/);
    // The old folder, still on disk, no longer counts.
    await writeFile(join(root, 'content.old/incidents', `${SLUG}.md`), incident('Old folder edited'));
    await writeFile(join(root, POST), incident('Edited after the deploy'));
    await publishedAfterEdit(daemon, 'an edit in the deployed folder', showsIncident(root, 'Edited after the deploy'));
    expect(await page(root, 'incidents', SLUG)).not.toContain('Old folder edited');

    // content/ removed, then made again: watched again once it is back.
    await rm(join(root, 'content'), { recursive: true });
    await publishedAfterEdit(daemon, 'content/ removed', async () => (await page(root, 'incidents', SLUG)) === '');
    expect(daemon.lines.some((l) => l.event === 'content-missing' && l.level === 'warn')).toBe(true);
    await mkdir(join(root, 'content/incidents'), { recursive: true });
    await writeFile(join(root, POST), incident('Back again'));
    await publishedAfterEdit(daemon, 'content/ made again', showsIncident(root, 'Back again'));
    await writeFile(join(root, POST), incident('Back again, edited'));
    await publishedAfterEdit(daemon, 'an edit in the remade folder', showsIncident(root, 'Back again, edited'));
    await stop(daemon);
    await close(target);
  }, 600_000);
});

describe('statuspost run re-reads posts at each refresh', () => {
  it('publishes an edit that raised no watch event by the next refresh, and says so in the log', async () => {
    const port = await freePort();
    const target = await listen(port);
    const root = await project(port);
    // --no-watch stands for any event that never comes (a file system that raises none, a lost watch).
    const daemon = await startPublishing(root, ['--no-watch', '--refresh', '3000']);
    await writeFile(join(root, POST), incident('Seen by the refresh'));
    await publishedAfterEdit(daemon, 'an edit with no watcher', showsIncident(root, 'Seen by the refresh'));
    const changed = await daemon.waitFor((l) => l.event === 'content-changed', 1_000);
    expect(changed.message).toContain('content/ changed');
    expect(daemon.lines.find((l) => l.event === 'published' && l.reason === 'refresh' && daemon.lines.indexOf(l) > daemon.lines.indexOf(changed))).toBeDefined();
    await stop(daemon);
    await close(target);
  }, 300_000);
});
