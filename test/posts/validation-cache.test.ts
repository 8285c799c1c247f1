// loadPosts keeps what it validated, by file text and site time zone, for the next load in the same
// process (the daemon reloads every post when one changes): unchanged files are not parsed again,
// and everything that could change a file's verdict makes it checked again.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { tempProject } from '../helpers/temp.ts';

const lines = (...rows: string[]) => `${rows.join('\n')}\n`;
const incident = (title: string, component = 'cache', timezone: string[] = ['timezone: America/Los_Angeles']) =>
  lines(
    '---',
    `title: ${title}`,
    'impact: major',
    ...timezone,
    'start: 2015-09-09T10:05',
    'components:',
    `  ${component}: major_outage`,
    'updates:',
    '  - at: 2015-09-09T10:12',
    '    status: resolved',
    '    body: Fixed.',
    '---',
    'Redis stopped answering.',
  );
const A = 'content/incidents/2015-09-09-a.md';
const B = 'content/incidents/2015-09-09-b.md';

describe('loadPosts: validation kept across loads', () => {
  it('reuses an unchanged file and validates a changed one again', async () => {
    const root = await tempProject({ [A]: incident('First'), [B]: incident('Second') });
    const options = { root, componentIds: ['cache', 'database'], siteTimezone: 'UTC' };
    const first = await loadPosts(options);
    expect(first.problems).toEqual([]);
    await writeFile(join(root, B), incident('Second, renamed'));
    const second = await loadPosts(options);
    const bySlug = (load: typeof first, slug: string) => load.posts.find((p) => p.slug === slug);
    expect(bySlug(second, '2015-09-09-a')).toBe(bySlug(first, '2015-09-09-a'));
    expect(bySlug(second, '2015-09-09-b')?.title).toBe('Second, renamed');

    // A change that breaks the file is found, at its line.
    await writeFile(join(root, B), incident('Second').replace('impact: major', 'impact: huge'));
    const third = await loadPosts(options);
    expect(third.posts).toEqual([]);
    expect(third.problems.map(formatError).join('\n')).toContain(`${B}:3:`);
  });

  it('checks reused files against the current component list, pointing at the line', async () => {
    const root = await tempProject({ [A]: incident('First', 'database') });
    expect((await loadPosts({ root, componentIds: ['cache', 'database'], siteTimezone: 'UTC' })).problems).toEqual([]);
    const without = await loadPosts({ root, componentIds: ['cache'], siteTimezone: 'UTC' });
    expect(without.posts).toEqual([]);
    const problems = without.problems.map(formatError).join('\n');
    expect(problems).toContain(`${A}:7:`);
    expect(problems).toContain('database');
  });

  it('validates again when the site time zone changes', async () => {
    // No timezone of its own, so times carry their offset and the page shows the site's zone.
    const root = await tempProject({ [A]: incident('First', 'cache', []).replace(/T10:(05|12)$/gm, 'T10:$1:00-07:00') });
    const utc = await loadPosts({ root, componentIds: ['cache'], siteTimezone: 'UTC' });
    const tokyo = await loadPosts({ root, componentIds: ['cache'], siteTimezone: 'Asia/Tokyo' });
    expect(utc.posts[0]?.timezone).toBe('UTC');
    expect(tokyo.posts[0]?.timezone).toBe('Asia/Tokyo');
  });
});
