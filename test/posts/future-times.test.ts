// A time ahead of the clock is valid but hidden until then: usually UTC written without a Z and read
// in the post's zone. It is a warning, with the position and the likely fix; `now` is injected.
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { formatAhead } from '../../src/posts/rules.ts';
import { INCIDENT, incidentText, MAINTENANCE, maintenanceText } from '../helpers/post-files.ts';
import { tempProject } from '../helpers/temp.ts';

/** 10:20 on the author's clock in Los Angeles, while the incident is still open. */
const NOW = Date.parse('2015-09-09T17:20:00Z');
const HINT = '  hint: times without an offset are read in America/Los_Angeles; if you wrote UTC, end the time with Z';

/** An open incident whose second update is at `at`, written without an offset. */
const openIncident = (at: string) =>
  incidentText({ 12: `  - at: ${at}`, 13: '    status: identified', 14: '    body: Redis is out of memory.', 15: '# no postmortem yet' }, '');

async function load(files: Record<string, string>, now = NOW) {
  const root = await tempProject(files);
  return loadPosts({ root, componentIds: ['cache', 'database'], siteTimezone: 'UTC', now });
}

describe('times ahead of now', () => {
  it('warns about an update written in UTC without Z, and still loads the post', async () => {
    const { posts, problems, warnings } = await load({ [INCIDENT]: openIncident('2015-09-09T17:18') });
    expect(problems).toEqual([]);
    expect(posts).toHaveLength(1);
    expect(warnings.map(formatError)).toEqual([
      `${INCIDENT}:12:9  updates.1.at: 6 h 58 min ahead of now; the update stays hidden until then [SP_POST_WARNING]\n${HINT}`,
    ]);
  });

  it('lets an update up to 5 minutes ahead pass, for clocks that differ a little', async () => {
    expect((await load({ [INCIDENT]: openIncident('2015-09-09T10:25') })).warnings).toEqual([]);
    expect((await load({ [INCIDENT]: openIncident('2015-09-09T10:26') })).warnings.map(formatError)).toEqual([
      `${INCIDENT}:12:9  updates.1.at: 6 min ahead of now; the update stays hidden until then [SP_POST_WARNING]\n${HINT}`,
    ]);
  });

  it('warns about an incident that starts ahead of now, and each of its updates', async () => {
    const { warnings } = await load({ [INCIDENT]: openIncident('2015-09-09T10:30') }, Date.parse('2015-09-09T16:00:00Z'));
    expect(warnings.map(formatError)).toEqual([
      `${INCIDENT}:5:8  start: 1 h 5 min ahead of now; the incident stays hidden until then [SP_POST_WARNING]\n${HINT}`,
      `${INCIDENT}:9:9  updates.0.at: 1 h 12 min ahead of now; the update stays hidden until then [SP_POST_WARNING]\n${HINT}`,
      `${INCIDENT}:12:9  updates.1.at: 1 h 30 min ahead of now; the update stays hidden until then [SP_POST_WARNING]\n${HINT}`,
    ]);
  });

  it('does not warn about a maintenance window or its announcement ahead of now, only its updates', async () => {
    const now = Date.parse('2012-03-20T12:00:00Z');
    expect((await load({ [MAINTENANCE]: maintenanceText() }, now)).warnings).toEqual([]);
    const withUpdate = maintenanceText({ 10: 'signInBlocked: true\nupdates:\n  - at: 2012-03-24T22:15\n    status: completed\n    body: All done.' });
    expect((await load({ [MAINTENANCE]: withUpdate }, now)).warnings.map(formatError)).toEqual([
      `${MAINTENANCE}:12:9  updates.0.at: 4 days ahead of now; the update stays hidden until then [SP_POST_WARNING]\n${HINT}`,
    ]);
  });

  it.each([
    { ms: 6 * 60_000, text: '6 min' },
    { ms: 60 * 60_000, text: '1 h' },
    { ms: 479 * 60_000 + 59_000, text: '7 h 59 min' },
    { ms: 47 * 3_600_000, text: '47 h' },
    { ms: 50 * 3_600_000, text: '2 days' },
  ])('says $ms ms ahead as "$text"', ({ ms, text }) => {
    expect(formatAhead(ms)).toBe(text);
  });
});
