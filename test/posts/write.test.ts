// Writing posts: validated with every other post before the write, atomic, locked per file.
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProblemsError, StatuspostError, formatError } from '../../src/errors.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { createPost, editPost, withPostLock } from '../../src/posts/write.ts';
import { INCIDENT, incidentText, MAINTENANCE, maintenanceText } from '../helpers/post-files.ts';
import { tempProject } from '../helpers/temp.ts';

const context = (root: string) => ({ root, componentIds: ['cache', 'database', 'chat-nodes'], siteTimezone: 'UTC' });

describe('drafts', () => {
  it('are validated like any post but loaded apart from the posts to publish', async () => {
    const root = await tempProject({ [INCIDENT]: incidentText({ 3: 'impact: major\ndraft: true' }), [MAINTENANCE]: maintenanceText() });
    const loaded = await loadPosts(context(root));
    expect(loaded.problems.map(formatError)).toEqual([]);
    expect(loaded.posts.map((post) => post.file)).toEqual([MAINTENANCE]);
    expect(loaded.drafts.map((post) => [post.file, post.draft])).toEqual([[INCIDENT, true]]);
  });

  it('with a problem hold back every post, as any invalid post does', async () => {
    const root = await tempProject({ [INCIDENT]: incidentText({ 3: 'impact: major\ndraft: true', 7: '  cashe: major_outage' }), [MAINTENANCE]: maintenanceText() });
    const loaded = await loadPosts(context(root));
    expect(loaded.problems.map(formatError).join('\n')).toMatch(/cashe/);
    expect(loaded.posts).toEqual([]);
    expect(loaded.drafts).toEqual([]);
  });
});

describe('editPost', () => {
  it('writes a valid change and returns the post as the build reads it', async () => {
    const root = await tempProject({ [INCIDENT]: incidentText() });
    const written = await editPost(context(root), INCIDENT, (text) => text.replace('title: Sign-in and sending fail', 'title: Sign-in fails'));
    expect(written.post.title).toBe('Sign-in fails');
    expect(await readFile(join(root, INCIDENT), 'utf8')).toContain('title: Sign-in fails');
  });

  it('refuses an invalid result with positioned problems and leaves the file byte-identical', async () => {
    const root = await tempProject({ [INCIDENT]: incidentText() });
    const before = await readFile(join(root, INCIDENT));
    const attempt = editPost(context(root), INCIDENT, (text) => text.replace('status: resolved', 'status: solved'));
    await expect(attempt).rejects.toBeInstanceOf(ProblemsError);
    const problems = ((await attempt.catch((error: unknown) => error)) as ProblemsError).problems.map(formatError);
    expect(problems[0]).toMatch(new RegExp(`^${INCIDENT}:13:\\d+ `));
    expect(problems.at(-1)).toMatch(/nothing was written/);
    expect(await readFile(join(root, INCIDENT))).toEqual(before);
    expect((await readdir(join(root, 'content/incidents'))).sort()).toEqual(['2015-09-09-redis-failure.md']); // no lock, no temporary file left
  });

  it('refuses a change that breaks a rule across files (a slug another post has)', async () => {
    const other = 'content/maintenance/2015-09-09-redis-failure.md';
    const root = await tempProject({ [INCIDENT]: incidentText(), [other]: maintenanceText({ 6: '  start: 2015-09-09T22:00', 7: '  end: 2015-09-09T22:10', 4: 'announcedAt: 2015-09-08T16:00' }) });
    const before = await readFile(join(root, INCIDENT));
    // The slug rule holds for the pair already; any edit of either is checked with both.
    const loaded = await loadPosts(context(root));
    expect(loaded.problems.length).toBeGreaterThan(0);
    await expect(editPost(context(root), INCIDENT, (text) => text.replace('impact: major', 'impact: minor'))).rejects.toBeInstanceOf(ProblemsError);
    expect(await readFile(join(root, INCIDENT))).toEqual(before);
  });

  it('says which file does not exist', async () => {
    const root = await tempProject({});
    await expect(editPost(context(root), INCIDENT, (text) => text)).rejects.toThrow(/does not exist/);
  });

  it('never loses an update when many writers append at once', async () => {
    const root = await tempProject({ [INCIDENT]: incidentText({ 12: '  - at: 2015-09-09T11:40', 13: '    status: identified', 14: '    body: Found it.', 15: '' }, '') });
    const writers = Array.from({ length: 8 }, (_, i) =>
      editPost(context(root), INCIDENT, async (text) => {
        await new Promise((resolve) => setImmediate(resolve)); // let the others try the lock meanwhile
        const minute = 41 + (text.match(/status: monitoring/g) ?? []).length; // after the last update written, as a command stamps it
        return text.replace('\n---\n', `\n  - at: 2015-09-09T11:${minute}\n    status: monitoring\n    body: Writer ${i}.\n---\n`);
      }),
    );
    await Promise.all(writers);
    const text = await readFile(join(root, INCIDENT), 'utf8');
    for (let i = 0; i < 8; i++) expect(text).toContain(`body: Writer ${i}.`);
  });

  it('takes over a lock left by a process that died, and waits for a live one', async () => {
    const root = await tempProject({ [INCIDENT]: incidentText() });
    // A lock whose pid no longer runs: a child that has exited.
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(join(root, 'content/incidents/.2015-09-09-redis-failure.md.lock'), `${pid}\n`);
    await editPost(context(root), INCIDENT, (text) => text.replace('impact: major', 'impact: critical'));
    expect(await readFile(join(root, INCIDENT), 'utf8')).toContain('impact: critical');

    // A live holder (this process, in another task) makes a second writer wait, then give up with a code.
    // The second writer starts only once the first holds the lock: both racing for it could let either win.
    let release!: () => void;
    let holding!: () => void;
    const holds = new Promise<void>((resolve) => (holding = resolve));
    const held = withPostLock(context(root), INCIDENT, () =>
      new Promise<void>((resolve) => {
        release = resolve;
        holding();
      }),
    );
    await holds;
    const waited = editPost({ ...context(root), lockTimeoutMs: 200 }, INCIDENT, (text) => text);
    await expect(waited).rejects.toSatisfy((error: unknown) => error instanceof StatuspostError && error.code === 'SP_POST_LOCKED');
    release();
    await held;
  });
});

describe('createPost', () => {
  it('writes a new valid post, and never replaces one that exists', async () => {
    const root = await tempProject({});
    const created = await createPost(context(root), INCIDENT, incidentText());
    expect(created.post.kind).toBe('incident');
    const again = createPost(context(root), INCIDENT, incidentText({ 2: 'title: Another' }));
    await expect(again).rejects.toSatisfy((error: unknown) => error instanceof StatuspostError && error.code === 'SP_POST_EXISTS');
    expect(await readFile(join(root, INCIDENT), 'utf8')).toContain('title: Sign-in and sending fail');
  });

  it('writes nothing for an invalid post', async () => {
    const root = await tempProject({});
    await expect(createPost(context(root), INCIDENT, incidentText({ 3: 'impact: huge' }))).rejects.toBeInstanceOf(ProblemsError);
    expect(await readdir(join(root, 'content/incidents'))).toEqual([]);
  });
});
