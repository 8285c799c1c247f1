// new → check → load: what `statuspost new` writes is valid as written.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPosts } from '../../src/posts/load.ts';
import type { Incident, Maintenance } from '../../src/posts/types.ts';
import { tempProject } from '../helpers/temp.ts';

const bin = fileURLToPath(new URL('../../bin/statuspost.mjs', import.meta.url));
const run = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [bin, ...args], (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr })),
  );

const project = () =>
  tempProject({
    'probes/site.yaml': 'title: Chat\nbaseUrl: https://status.example.org\ntimezone: America/Los_Angeles\n',
    'probes/components.yaml': 'components:\n  - id: cache\n    name: Cache\n  - id: database\n    name: Database\n',
  });

describe('statuspost new', () => {
  it('writes an incident that check accepts and the loader reads back, title quotes and colons included', async () => {
    const root = await project();
    const title = 'Sign-in: "failing" for some & <all> users';
    const made = await run(['new', 'incident', '--title', title, '--components', 'cache', '--impact', 'major', '--start', '2026-11-20T09:30', '--root', root]);
    expect(made).toMatchObject({ code: 0, stdout: 'content/incidents/2026-11-20-sign-in-failing-for-some-all-users.md\n' });
    const checked = await run(['check', '--root', root]);
    expect(checked.stdout.trim()).toBe('ok: 3 files, 2 components, 0 checks, 1 post, no problems');
    const { posts } = await loadPosts({ root, componentIds: ['cache', 'database'], siteTimezone: 'America/Los_Angeles' });
    expect(posts[0] as Incident).toMatchObject({
      title,
      impact: 'major',
      timezone: 'America/Los_Angeles',
      startedAt: Date.parse('2026-11-20T17:30:00Z'),
      components: { cache: 'partial_outage' },
      updates: [{ status: 'investigating', at: Date.parse('2026-11-20T17:30:00Z') }],
      resolvedAt: null,
    });
  });

  it('writes a maintenance window in the author\'s zone that check accepts', async () => {
    const root = await project();
    const made = await run(['new', 'maintenance', '--title', 'Database upgrade', '--components', 'database,cache', '--start', '2030-03-09T22:00', '--duration', '10m', '--timezone', 'Europe/Paris', '--root', root]);
    expect(made).toMatchObject({ code: 0, stdout: 'content/maintenance/2030-03-09-database-upgrade.md\n' });
    expect(await readFile(join(root, 'content/maintenance/2030-03-09-database-upgrade.md'), 'utf8')).toContain('timezone: Europe/Paris\n');
    expect((await run(['check', '--root', root])).code).toBe(0);
    // No --affected, --unaffected or --message: new filled in placeholders, so the window is a draft.
    const { posts, drafts } = await loadPosts({ root, componentIds: ['cache', 'database'], siteTimezone: 'UTC' });
    expect(posts).toEqual([]);
    expect(drafts[0] as Maintenance).toMatchObject({ draft: true, startsAt: Date.parse('2030-03-09T21:00:00Z'), endsAt: Date.parse('2030-03-09T21:10:00Z'), components: ['database', 'cache'] });
  });

  it('refuses an unknown component, a missing start and an existing file, writing nothing', async () => {
    const root = await project();
    const unknown = await run(['new', 'incident', '--title', 'x', '--components', 'cahce', '--root', root]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('new: unknown component "cahce" [SP_USAGE]\n  hint: did you mean "cache"? known components: cache, database');
    const noStart = await run(['new', 'maintenance', '--title', 'x', '--components', 'cache', '--root', root]);
    expect(noStart.stderr).toContain('new maintenance: --start is required [SP_USAGE]');
    const args = ['new', 'incident', '--title', 'Twice', '--components', 'cache', '--start', '2026-11-20T09:30', '--root', root];
    expect((await run(args)).code).toBe(0);
    const again = await run(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('content/incidents/2026-11-20-twice.md exists already; nothing was written [SP_POST_EXISTS]');
  });
});
