// Text a post publishes: no character that makes rss.xml ill-formed or vanishes on the page, and a
// title length counted as a reader counts it.
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.ts';
import { loadPosts } from '../../src/posts/load.ts';
import type { Incident, Maintenance } from '../../src/posts/types.ts';
import { graphemeCount } from '../../src/posts/text.ts';
import { INCIDENT, incidentText, MAINTENANCE, maintenanceText } from '../helpers/post-files.ts';
import { tempProject } from '../helpers/temp.ts';

async function load(files: Record<string, string>) {
  const root = await tempProject(files);
  return loadPosts({ root, componentIds: ['cache', 'database'], siteTimezone: 'UTC' });
}
const problemsOf = async (files: Record<string, string>) => (await load(files)).problems.map(formatError);

const ESCAPE_HINT = '  hint: remove it; in double quotes, escapes such as "\\0", "\\e" or "\\x1b" write one';
const RAW_HINT = '  hint: remove it; save the file with plain line ends (LF or CRLF)';

describe('control characters in posts', () => {
  it.each([
    {
      name: 'an escape sequence in a title, at the escape',
      files: { [INCIDENT]: incidentText({ 2: 'title: "Sign-in \\x1b[31mfails"' }) },
      expected: `${INCIDENT}:2:17  title: contains the control character U+001B (escape), which pages and feeds cannot carry [SP_POST_INVALID]\n${ESCAPE_HINT}`,
    },
    {
      name: 'a NUL written as "\\0" in an update body',
      files: { [INCIDENT]: incidentText({ 11: '    body: "Looking\\0 into it."' }) },
      expected: `${INCIDENT}:11:19  updates.0.body: contains the control character U+0000 (NUL), which pages and feeds cannot carry [SP_POST_INVALID]\n${ESCAPE_HINT}`,
    },
    {
      name: 'a C1 control (NEL, "\\N") in what a maintenance affects',
      files: { [MAINTENANCE]: maintenanceText({ 9: 'affected: "Nobody\\Ncan sign in."' }) },
      expected: `${MAINTENANCE}:9:18  affected: contains the control character U+0085, which pages and feeds cannot carry [SP_POST_INVALID]\n${ESCAPE_HINT}`,
    },
    {
      name: 'half of a surrogate pair in unaffected',
      files: { [MAINTENANCE]: maintenanceText({ 10: 'unaffected: "Chat \\uD800 works."' }) },
      expected: `${MAINTENANCE}:10:19  unaffected: contains the control character U+D800 (half of a surrogate pair), which pages and feeds cannot carry [SP_POST_INVALID]\n${ESCAPE_HINT}`,
    },
    {
      name: 'a DEL byte written in the Markdown body',
      files: { [INCIDENT]: incidentText({}, '## What\u007f happened') },
      expected: `${INCIDENT}:17:8  control character U+007F (DEL), which pages and feeds cannot carry [SP_POST_INVALID]\n${RAW_HINT}`,
    },
    {
      name: 'a raw NUL in the front matter, counting the others',
      files: { [INCIDENT]: incidentText({ 11: '    body: Looking\u0000 into\u0000 it.' }) },
      expected: `${INCIDENT}:11:18  control character U+0000 (NUL), which pages and feeds cannot carry (and 1 more in the file) [SP_POST_INVALID]\n${RAW_HINT}`,
    },
    {
      name: 'a carriage return that ends no line',
      files: { [INCIDENT]: incidentText({}, 'Redis\rstopped.') },
      expected: `${INCIDENT}:17:6  control character U+000D (carriage return), which pages and feeds cannot carry [SP_POST_INVALID]\n${RAW_HINT}`,
    },
  ])('refuses $name', async ({ files, expected }) => {
    expect(await problemsOf(files)).toEqual([expected]);
  });

  it('accepts tabs, CRLF line ends, emoji written as a surrogate-pair escape, and non-Latin text', async () => {
    const text = incidentText({ 2: 'title: "Sign-in fails \\uD83D\\uDEA8 for some"', 11: '    body: "Looking\\tinto it: Anmeldung schlägt fehl, 登录失败."' }).replace(/\n/g, '\r\n');
    const { posts, problems } = await load({ [INCIDENT]: text });
    expect(problems).toEqual([]);
    expect((posts[0] as Incident).title).toBe('Sign-in fails 🚨 for some');
    expect((posts[0] as Incident).updates[0]!.body).toBe('Looking\tinto it: Anmeldung schlägt fehl, 登录失败.');
  });

  it('reports a control character beside the other problems of the post', async () => {
    const problems = await problemsOf({ [MAINTENANCE]: maintenanceText({ 2: 'title: "Upgrade\\e"', 8: 'components: []' }) });
    expect(problems).toEqual([
      `${MAINTENANCE}:2:16  title: contains the control character U+001B (escape), which pages and feeds cannot carry [SP_POST_INVALID]\n${ESCAPE_HINT}`,
      `${MAINTENANCE}:8:13  components: list the components the maintenance affects [SP_POST_INVALID]`,
    ]);
  });
});

describe('title length', () => {
  const titled = (title: string) => incidentText({ 2: `title: "${title}"` });

  it('counts what a reader sees: 200 emoji are 200 characters, not 400', async () => {
    const { posts, problems } = await load({ [INCIDENT]: titled('🚨'.repeat(200)) });
    expect(problems).toEqual([]);
    expect((posts[0] as Incident).title).toHaveLength(400);
  });

  it('refuses 201, saying how many there are', async () => {
    expect(await problemsOf({ [INCIDENT]: titled(`${'a'.repeat(150)}${'👩‍👩‍👧'.repeat(51)}`) })).toEqual([
      `${INCIDENT}:2:8  title: must be at most 200 characters (it has 201) [SP_POST_INVALID]`,
    ]);
  });

  it('counts a family emoji, a flag and a letter with two accents as one each', () => {
    expect(graphemeCount('👩‍👩‍👧🇫🇷ệ')).toBe(3);
  });

  it('applies to maintenance titles too', async () => {
    const { problems } = await load({ [MAINTENANCE]: maintenanceText({ 2: `title: ${'é'.repeat(200)}` }) });
    expect(problems).toEqual([]);
    const long = await load({ [MAINTENANCE]: maintenanceText({ 2: `title: ${'é'.repeat(201)}` }) });
    expect(long.problems.map(formatError)).toEqual([`${MAINTENANCE}:2:8  title: must be at most 200 characters (it has 201) [SP_POST_INVALID]`]);
    expect(((await load({ [MAINTENANCE]: maintenanceText() })).posts[0] as Maintenance).title).toBe('Main database upgrade');
  });
});
