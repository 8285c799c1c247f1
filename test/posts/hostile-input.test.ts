// Hostile and careless input to content/ (issue 15): every case is a positioned problem, a named
// warning, or a post that is read; never a throw, never silently dropped.
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { aliasBomb, INCIDENT, incidentText, MAINTENANCE, maintenanceText } from '../helpers/post-files.ts';
import { tempDir, tempProject } from '../helpers/temp.ts';

const componentIds = ['cache', 'database'];

async function load(files: Record<string, string>) {
  const root = await tempProject(files);
  return loadPosts({ root, componentIds, siteTimezone: 'UTC' });
}
const problemsOf = async (files: Record<string, string>) => (await load(files)).problems.map(formatError);

describe('loadPosts with hostile input', () => {
  it('refuses a YAML alias bomb at the alias that passes the limit, without expanding it', async () => {
    const text = incidentText({ 1: ['---', ...aliasBomb()].join('\n') });
    expect(await problemsOf({ [INCIDENT]: text })).toEqual([
      `${INCIDENT}:5:12  YAML aliases expand too far: *c here would make more than 100 copies [SP_POST_INVALID]\n` +
        '  hint: write the values out instead of nesting aliases of aliases; statuspost refuses documents that grow like a "billion laughs"',
    ]);
  });

  it('refuses a post over 1 MiB with its size, before reading it', async () => {
    const root = await tempProject({ [INCIDENT]: '' });
    await truncate(join(root, INCIDENT), 50 * 1024 * 1024); // sparse: 50 MiB on paper, nothing on disk
    const { problems } = await loadPosts({ root, componentIds, siteTimezone: 'UTC' });
    expect(problems.map(formatError)).toEqual([
      `${INCIDENT}:1:1  the file is 50.0 MiB; a post may be at most 1.0 MiB [SP_POST_INVALID]\n` +
        '  hint: a long postmortem is under 100 KB: link to logs and data instead of pasting them in',
    ]);
  });

  it('accepts a post of exactly 1 MiB and refuses one byte more', async () => {
    const fill = (size: number) => {
      const text = incidentText();
      return text + 'x'.repeat(size - Buffer.byteLength(text));
    };
    expect(await problemsOf({ [INCIDENT]: fill(1024 * 1024) })).toEqual([]);
    expect(await problemsOf({ [INCIDENT]: fill(1024 * 1024 + 1) })).toEqual([
      `${INCIDENT}:1:1  the file is 1.0 MiB; a post may be at most 1.0 MiB [SP_POST_INVALID]\n` +
        '  hint: a long postmortem is under 100 KB: link to logs and data instead of pasting them in',
    ]);
  });

  it('refuses invalid UTF-8 at the line and column of its first bad byte, instead of publishing U+FFFD', async () => {
    const root = await tempProject({});
    await mkdir(join(root, 'content/incidents'), { recursive: true });
    const text = incidentText({ 11: '    body: We are looking into f\u00e4iled sign-ins.' }).split('\u00e4');
    await writeFile(join(root, INCIDENT), Buffer.concat([Buffer.from(text[0]!), Buffer.from([0xe4]), Buffer.from(text[1]!)])); // Latin-1 ä
    const { problems } = await loadPosts({ root, componentIds, siteTimezone: 'UTC' });
    expect(problems.map(formatError)).toEqual([
      `${INCIDENT}:11:32  the file is not valid UTF-8: byte 0xE4 here is not part of a character [SP_POST_INVALID]\n` +
        '  hint: save the file as UTF-8; statuspost publishes no text it cannot read',
    ]);
  });
});

describe('loadPosts: which files are posts', () => {
  it('reads .markdown, any-case .MD, posts in subfolders and links to posts inside the project', async () => {
    const root = await tempProject({
      'content/incidents/2015-09-09-redis-failure.MD': incidentText(),
      'content/incidents/2014/2014-09-09-redis-failure.markdown': incidentText().replace(/2015-09-/g, '2014-09-'),
      [MAINTENANCE]: maintenanceText(),
      'drafts/2013-09-09-redis-failure.md': incidentText().replace(/2015-09-/g, '2013-09-'),
    });
    await symlink(join(root, 'drafts/2013-09-09-redis-failure.md'), join(root, 'content/incidents/2013-09-09-redis-failure.md'));
    const { posts, problems, warnings, files } = await loadPosts({ root, componentIds, siteTimezone: 'UTC' });
    expect(problems.map(formatError)).toEqual([]);
    expect(warnings).toEqual([]);
    expect(files).toEqual([
      'content/incidents/2013-09-09-redis-failure.md',
      'content/incidents/2014/2014-09-09-redis-failure.markdown',
      'content/incidents/2015-09-09-redis-failure.MD',
      MAINTENANCE,
    ]);
    expect(posts.map((post) => post.slug)).toEqual(['2013-09-09-redis-failure', '2014-09-09-redis-failure', '2015-09-09-redis-failure', '2012-03-24-main-database-upgrade']);
  });

  it('keeps slugs unique across subfolders', async () => {
    const problems = await problemsOf({ [INCIDENT]: incidentText(), 'content/incidents/old/2015-09-09-redis-failure.md': incidentText() });
    expect(problems).toEqual([
      `content/incidents/old/2015-09-09-redis-failure.md  slug "2015-09-09-redis-failure" is already used by ${INCIDENT} [SP_POST_INVALID]\n` +
        `  hint: rename one of them; slugs are URLs (first at ${INCIDENT})`,
    ]);
  });

  it('names every other file as skipped, and passes over hidden ones', async () => {
    const { posts, problems, warnings } = await load({
      [INCIDENT]: incidentText(),
      'content/incidents/notes.txt': 'ideas',
      'content/incidents/2015-09-09-redis-failure.md~': incidentText(),
      'content/incidents/.#2015-09-09-redis-failure.md': 'an editor lock file',
      'content/maintenance/.gitignore': '*.tmp\n',
    });
    expect(problems).toEqual([]);
    expect(posts).toHaveLength(1);
    const hint = '  hint: posts end in .md or .markdown; move other files out of content/';
    expect(warnings.map(formatError)).toEqual([
      `${INCIDENT}~  skipped: not a post [SP_POST_WARNING]\n${hint}`,
      `content/incidents/notes.txt  skipped: not a post [SP_POST_WARNING]\n${hint}`,
    ]);
  });

  it('refuses a link to outside the project and a link to nothing, naming each', async () => {
    const root = await tempProject({ [INCIDENT]: incidentText() });
    const outside = await tempDir();
    await writeFile(join(outside, 'post.md'), incidentText());
    await symlink(join(outside, 'post.md'), join(root, 'content/incidents/2015-09-10-elsewhere.md'));
    await symlink(join(root, 'content/incidents/gone.md'), join(root, 'content/incidents/2015-09-11-dangling.md'));
    const { posts, problems } = await loadPosts({ root, componentIds, siteTimezone: 'UTC' });
    expect(posts).toEqual([]);
    expect(problems.map(formatError)).toEqual([
      'content/incidents/2015-09-10-elsewhere.md  a symbolic link to outside the project folder; posts are read only from inside it [SP_POST_INVALID]\n' +
        '  hint: copy the post into content/, or link to a file inside the project',
      'content/incidents/2015-09-11-dangling.md  a symbolic link to nothing: its target does not exist [SP_POST_INVALID]\n' +
        '  hint: remove the link, or point it at the post inside the project',
    ]);
  });

  it('reads a linked folder once, even when it links back to itself', async () => {
    const root = await tempProject({ [INCIDENT]: incidentText() });
    await symlink(join(root, 'content/incidents'), join(root, 'content/incidents/loop'));
    const { posts, problems } = await loadPosts({ root, componentIds, siteTimezone: 'UTC' });
    expect(problems).toEqual([]);
    expect(posts.map((post) => post.file)).toEqual([INCIDENT]);
  });
});


describe('loadPosts: contradictions', () => {
  it('refuses a maintenance both cancelled and completed, at cancelled', async () => {
    const text = maintenanceText({ 10: 'signInBlocked: true\nupdates:\n  - at: 2012-03-24T22:15\n    status: completed\n    body: All done.\ncancelled: true' });
    expect(await problemsOf({ [MAINTENANCE]: text })).toEqual([
      `${MAINTENANCE}:15:12  cancelled: true, but update 1 says the work was completed [SP_POST_INVALID]\n` +
        "  hint: a cancelled window did not happen: set cancelled: false, or change that update's status",
    ]);
  });

  it('accepts a maintenance cancelled after it started', async () => {
    const text = maintenanceText({ 10: 'signInBlocked: true\nupdates:\n  - at: 2012-03-24T22:05\n    status: in_progress\n    body: Started.\n  - at: 2012-03-24T22:08\n    body: Called off; nothing changed.\ncancelled: true' });
    expect(await problemsOf({ [MAINTENANCE]: text })).toEqual([]);
  });
});

describe('loadPosts: maintenance window durations', () => {
  const hint = '  hint: a window has a length, and one longer than a year is not maintenance';
  it.each([
    { duration: '0m', expected: `${MAINTENANCE}:7:13  window.duration: must be between 1s and 366d, not "0m" [SP_POST_INVALID]\n${hint}` },
    { duration: '99999999999999999999d', expected: `${MAINTENANCE}:7:13  window.duration: must be between 1s and 366d, not "99999999999999999999d" [SP_POST_INVALID]\n${hint}` },
  ])('refuses duration: $duration at its position', async ({ duration, expected }) => {
    expect(await problemsOf({ [MAINTENANCE]: maintenanceText({ 7: `  duration: ${duration}` }) })).toEqual([expected]);
  });

  it('refuses a window end more than 366 days after its start', async () => {
    expect(await problemsOf({ [MAINTENANCE]: maintenanceText({ 7: '  end: 2013-03-26T22:00' }) })).toEqual([
      `${MAINTENANCE}:7:8  window.end is more than 366d after window.start [SP_POST_INVALID]\n${hint}`,
    ]);
  });

  it('accepts a window of a second and one of 366 days, by duration or by end', async () => {
    expect(await problemsOf({ [MAINTENANCE]: maintenanceText({ 7: '  duration: 1s' }) })).toEqual([]);
    expect(await problemsOf({ [MAINTENANCE]: maintenanceText({ 7: '  duration: 366d' }) })).toEqual([]);
    expect(await problemsOf({ [MAINTENANCE]: maintenanceText({ 7: '  end: 2013-03-25T22:00' }) })).toEqual([]);
  });
});

describe('loadPosts: front matter of the wrong shape', () => {
  it.each([
    { name: 'a list', yaml: '- title: x', expected: `${MAINTENANCE}:2:1  (top level): must be a map of keys, not a list [SP_POST_INVALID]` },
    { name: 'a string', yaml: 'just words', expected: `${MAINTENANCE}:2:1  (top level): must be a map of keys, not a string ("just words") [SP_POST_INVALID]` },
    { name: 'a window that is a string', yaml: 'window: soon', expected: `${MAINTENANCE}:2:9  window: must be a map of keys, not a string ("soon") [SP_POST_INVALID]` },
  ])('reports $name without a crash', async ({ yaml, expected }) => {
    expect(await problemsOf({ [MAINTENANCE]: `---\n${yaml}\n---\n` })).toContain(expected);
  });
});
