// maintenance start|complete|cancel, publish, list and new's drafts and templates, through the real bin.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPosts } from '../../src/posts/load.ts';
import type { Incident, Maintenance } from '../../src/posts/types.ts';
import { PLACEHOLDERS } from '../../src/posts/wording.ts';
import { statuspost } from '../helpers/cli.ts';
import { utcTime } from '../helpers/dates.ts';
import { tempProject } from '../helpers/temp.ts';

const ZONE = 'America/Los_Angeles';
const project = (extra: Record<string, string> = {}) =>
  tempProject({
    'probes/site.yaml': `title: Chat\nbaseUrl: https://status.example.org\ntimezone: ${ZONE}\n`,
    'probes/components.yaml': 'components:\n  - id: cache\n    name: Cache\n  - id: chat-nodes\n    name: Chat nodes\n',
    ...extra,
  });
const load = async (root: string) => {
  const loaded = await loadPosts({ root, componentIds: ['cache', 'chat-nodes'], siteTimezone: ZONE });
  expect(loaded.problems).toEqual([]);
  return loaded;
};
const texts = ['--affected', 'Chat reconnects once.', '--unaffected', 'Sign-in keeps working.', '--message', 'We restart the cache.'];

describe('statuspost maintenance', () => {
  it('starts and completes a window that has begun, and refuses what makes no sense, the file unchanged', async () => {
    const root = await project();
    const made = await statuspost(['new', 'maintenance', '--title', 'Cache restart', '--components', 'cache', '--start', utcTime(Date.now() - 600_000), '--duration', '2h', ...texts, '--root', root]);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    const file = made.stdout.trim();
    const started = await statuspost(['maintenance', 'start', 'cache-restart', '--root', root]);
    expect(started.stderr).toBe('');
    expect(started.stdout).toMatch(new RegExp(`^${file}: started\\n  - at: \\S+\\n    status: in_progress\\n    body: The scheduled maintenance has started.\\n$`));
    const before = await readFile(join(root, file));
    for (const [args, message] of [
      [['start'], /maintenance start: the window was started at .* already; nothing was written \[SP_POST_REFUSED\]/],
      [['cancel'], /maintenance cancel: the work started at .*, so the window cannot be cancelled; nothing was written/],
    ] as const) {
      const ran = await statuspost(['maintenance', ...args, 'cache-restart', '--root', root]);
      expect(ran.code).toBe(1);
      expect(ran.stderr).toMatch(new RegExp(`^${file}:\\d+:\\d+  ${message.source}`));
      expect((await readFile(join(root, file))).equals(before)).toBe(true);
    }
    const done = await statuspost(['maintenance', 'complete', 'cache-restart', '--message', 'All three nodes are back.', '--json', '--root', root]);
    expect(JSON.parse(done.stdout)).toMatchObject({ written: true, file, action: 'complete', update: { status: 'completed', body: 'All three nodes are back.' } });
    const window = (await load(root)).posts[0] as Maintenance;
    expect(window.updates.map((u) => u.status)).toEqual(['in_progress', 'completed']);
    expect(window.completedAt).toBe(window.updates[1]!.at);
    expect((await statuspost(['maintenance', 'complete', 'cache-restart', '--root', root])).stderr).toMatch(/was completed at/);
  }, 120_000);

  it('cancels a window that has not begun, and refuses to start or complete it before its start', async () => {
    const root = await project();
    const start = utcTime(Date.now() + 3 * 86_400_000);
    const made = await statuspost(['new', 'maintenance', '--title', 'Database move', '--components', 'cache', '--start', start, ...texts, '--root', root]);
    const file = made.stdout.trim();
    const before = await readFile(join(root, file));
    for (const action of ['start', 'complete']) {
      const ran = await statuspost(['maintenance', action, 'database-move', '--root', root]);
      expect(ran.code).toBe(1);
      expect(ran.stderr).toMatch(new RegExp(`^${file}:6:10  maintenance ${action}: `));
      expect((await readFile(join(root, file))).equals(before)).toBe(true);
    }
    const cancelled = await statuspost(['maintenance', 'cancel', 'database-move', '--message', 'Moved to next month.', '--root', root]);
    expect(cancelled.stdout).toContain('cancelled: true');
    const window = (await load(root)).posts[0] as Maintenance;
    expect(window).toMatchObject({ cancelled: true, updates: [{ status: null, body: 'Moved to next month.' }] });
    expect((await statuspost(['maintenance', 'start', 'database-move', '--root', root])).stderr).toMatch(/the window is cancelled; nothing was written/);
    expect((await statuspost(['maintenance', 'restart', 'database-move', '--root', root])).code).toBe(2);
  }, 120_000);
});

describe('statuspost new, drafts and publish', () => {
  it('writes a window it fills with placeholders as a draft; publish names each placeholder line, then publishes', async () => {
    const root = await project();
    const made = await statuspost(['new', 'maintenance', '--title', 'Cache restart', '--components', 'cache', '--start', utcTime(Date.now() + 86_400_000), '--root', root]);
    expect(made.code).toBe(0);
    expect(made.stderr).toMatch(/written as a draft \(draft: true\)/);
    const file = made.stdout.trim();
    const { posts, drafts } = await load(root);
    expect(posts).toEqual([]);
    expect(drafts.map((d) => d.file)).toEqual([file]);
    expect((await statuspost(['check', '--root', root])).stdout).toContain(`draft, not published: ${file}  Cache restart`);

    const before = await readFile(join(root, file));
    const refused = await statuspost(['publish', 'cache-restart', '--root', root]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split('\n').filter((line) => !line.startsWith('  hint'))).toEqual([
      `${file}:11:11  placeholder text left: "${PLACEHOLDERS.affected}" [SP_POST_REFUSED]`,
      `${file}:12:13  placeholder text left: "${PLACEHOLDERS.unaffected}" [SP_POST_REFUSED]`,
      `${file}:17:1  placeholder text left: "${PLACEHOLDERS.maintenanceBody}" [SP_POST_REFUSED]`,
      `${file}  nothing was written: ${file} is as it was [SP_POST_INVALID]`,
      '',
    ]);
    expect((await readFile(join(root, file))).equals(before)).toBe(true);

    // The author writes the texts; publish then removes the flag and nothing else.
    const written = before.toString().replace(PLACEHOLDERS.affected, 'Chat reconnects once.').replace(PLACEHOLDERS.unaffected, 'Sign-in works.').replace(PLACEHOLDERS.maintenanceBody, 'We restart the cache.');
    await writeFile(join(root, file), written);
    const published = await statuspost(['publish', 'cache-restart', '--root', root]);
    expect(published).toMatchObject({ code: 0, stderr: '' });
    expect(await readFile(join(root, file), 'utf8')).toBe(written.replace('draft: true\n', ''));
    expect((await load(root)).posts.map((p) => p.file)).toEqual([file]);
    expect((await statuspost(['publish', 'cache-restart', '--root', root])).stderr).toMatch(/is not a draft; nothing was written/);
  }, 120_000);

  it('fills a post from a template, flags first, and writes what it is given', async () => {
    const root = await project({
      'content/templates/node-down.md': '---\ntitle: A chat node is down\nimpact: major\ncomponents: { chat-nodes: partial_outage }\nsignInBlocked: true\n---\nOne chat node stopped answering; its users are reconnected to the others.\n',
      'content/templates/bad.md': '---\nimpact: huge\n---\n',
    });
    const made = await statuspost(['new', 'incident', '--template', 'node-down', '--json', '--root', root]);
    expect(made.stderr).toBe('');
    expect(JSON.parse(made.stdout)).toMatchObject({ kind: 'incident', draft: false });
    const incident = (await load(root)).posts[0] as Incident;
    expect(incident).toMatchObject({ title: 'A chat node is down', impact: 'major', components: { 'chat-nodes': 'partial_outage' }, signInBlocked: true });
    expect(incident.updates[0]!.body).toBe('One chat node stopped answering; its users are reconnected to the others.');

    const window = await statuspost(['new', 'maintenance', '--title', 'Client upgrade', '--components', 'chat-nodes', '--start', utcTime(Date.now() + 86_400_000), ...texts, '--sign-in-blocked', '--update-required', '2.1.0', '--root', root]);
    expect(window.stderr).toBe('');
    const maintenance = (await load(root)).posts.find((p) => p.kind === 'maintenance') as Maintenance;
    expect(maintenance).toMatchObject({ signInBlocked: true, updateRequired: { minimumVersion: '2.1.0' }, affected: 'Chat reconnects once.', body: 'We restart the cache.', draft: false });

    const bad = await statuspost(['new', 'incident', '--template', 'bad', '--title', 'x', '--components', 'cache', '--root', root]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^content\/templates\/bad\.md:2:9  impact: /);
    // check reads the templates too: a broken one is found when it is written, not when first used.
    const checked = await statuspost(['check', '--root', root]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/^content\/templates\/bad\.md:2:9  impact: must be one of/);
    expect(checked.stderr).not.toContain('node-down.md');
    const missing = await statuspost(['new', 'incident', '--template', 'node-dwn', '--root', root]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('hint: did you mean "node-down"?') });
    const forced = await statuspost(['new', 'incident', '--title', 'Quiet', '--components', 'cache', '--draft', '--root', root]);
    expect((await load(root)).drafts.map((d) => d.file)).toEqual([forced.stdout.trim()]);
  }, 120_000);
});

describe('statuspost list', () => {
  it('shows open incidents and windows with their state and slug, as a table and as JSON', async () => {
    const root = await project();
    const hourAgo = utcTime(Date.now() - 3_600_000);
    const open = (await statuspost(['new', 'incident', '--title', 'Chat slow', '--components', 'chat-nodes', '--start', hourAgo, '--root', root])).stdout.trim();
    await statuspost(['new', 'incident', '--title', 'Cache down', '--components', 'cache', '--start', hourAgo, '--root', root]);
    await statuspost(['resolve', 'cache-down', '--root', root]);
    await statuspost(['new', 'maintenance', '--title', 'Cache restart', '--components', 'cache', '--start', utcTime(Date.now() + 86_400_000), '--root', root]);
    await statuspost(['update', 'chat-slow', '--status', 'identified', '--message', 'Found it.', '--root', root]);

    const all = await statuspost(['list', '--root', root]);
    expect(all.code).toBe(0);
    const rows = all.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^KIND +SLUG +STATE +START +LAST UPDATE +FILE$/);
    expect(rows.slice(1).map((row) => row.split(/ {2,}/).slice(0, 3))).toEqual([
      ['maintenance', expect.stringMatching(/-cache-restart$/), 'scheduled, draft'],
      ['incident', expect.stringMatching(/-cache-down$/), 'resolved'],
      ['incident', expect.stringMatching(/-chat-slow$/), 'identified'],
    ]);
    const onlyOpen = JSON.parse((await statuspost(['list', '--open', '--json', '--root', root])).stdout);
    expect(onlyOpen.posts.map((p: { slug: string; state: string; open: boolean }) => [p.slug.slice(11), p.state, p.open])).toEqual([
      ['cache-restart', 'scheduled', true],
      ['chat-slow', 'identified', true],
    ]);
    expect(onlyOpen.posts[1]).toMatchObject({ kind: 'incident', file: open, draft: false, timezone: ZONE, start: new Date(Math.floor(Date.parse(hourAgo) / 60_000) * 60_000).toISOString() }); // new writes the start to the minute
    const drafts = JSON.parse((await statuspost(['list', '--drafts', '--json', '--root', root])).stdout);
    expect(drafts.posts.map((p: { slug: string }) => p.slug.slice(11))).toEqual(['cache-restart']);

    // One broken file is named, and hides no other.
    await writeFile(join(root, 'content/incidents/2020-01-01-broken.md'), '---\ntitle: Broken\n---\n');
    const broken = await statuspost(['list', '--open', '--root', root]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('chat-slow');
    expect(broken.stderr).toMatch(/^content\/incidents\/2020-01-01-broken\.md/);
  }, 180_000);
});
