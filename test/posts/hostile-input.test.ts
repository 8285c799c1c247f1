// Hostile and careless input to content/ (issue 15): every case is a positioned problem, a named
// warning, or a post that is read; never a throw, never silently dropped.
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { aliasBomb, INCIDENT, incidentText } from '../helpers/post-files.ts';
import { tempProject } from '../helpers/temp.ts';

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
});
