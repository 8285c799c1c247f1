import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { maintenanceState } from '../../src/posts/state.ts';
import type { Incident, Maintenance } from '../../src/posts/types.ts';
import { tempProject } from '../helpers/temp.ts';

const componentIds = ['cache', 'database', 'chat-nodes'];

async function load(files: Record<string, string>) {
  const root = await tempProject(files);
  return loadPosts({ root, componentIds, siteTimezone: 'UTC' });
}
const problemsOf = async (files: Record<string, string>) => (await load(files)).problems.map(formatError);
const lines = (...rows: string[]) => `${rows.join('\n')}\n`;

const MAINTENANCE = 'content/maintenance/2012-03-24-main-database-upgrade.md';
const maintenance = (overrides: Record<number, string> = {}, extra: string[] = []) => {
  const rows = [
    '---', // 1
    'title: Main database upgrade', // 2
    'timezone: America/Los_Angeles', // 3
    'announcedAt: 2012-03-22T16:00', // 4
    'window:', // 5
    '  start: 2012-03-24T22:00', // 6
    '  end: 2012-03-24T22:10', // 7
    'components: [database]', // 8
    'affected: Nobody can sign in.', // 9
    'signInBlocked: true', // 10
    ...extra,
    '---',
    'The database moves to a larger server.',
  ];
  for (const [index, row] of Object.entries(overrides)) rows[Number(index) - 1] = row;
  return lines(...rows);
};

const INCIDENT = 'content/incidents/2015-09-09-redis-failure.md';
const incident = (overrides: Record<number, string> = {}, body = '') => {
  const rows = [
    '---', // 1
    'title: Sign-in and sending fail', // 2
    'impact: major', // 3
    'timezone: America/Los_Angeles', // 4
    'start: 2015-09-09T10:05', // 5
    'components:', // 6
    '  cache: major_outage', // 7
    'updates:', // 8
    '  - at: 2015-09-09T10:12', // 9
    '    status: investigating', // 10
    '    body: We are looking into failed sign-ins.', // 11
    '  - at: 2015-09-09T11:40', // 12
    '    status: resolved', // 13
    '    body: Sign-in and sending work again.', // 14
    'postmortemAt: 2015-09-11T09:00', // 15
    '---',
    body || '## What happened\nRedis stopped answering.',
  ];
  for (const [index, row] of Object.entries(overrides)) rows[Number(index) - 1] = row;
  return lines(...rows);
};

describe('loadPosts', () => {
  it('loads an incident with its times in UTC, resolution and postmortem', async () => {
    const { posts, problems } = await load({ [INCIDENT]: incident() });
    expect(problems).toEqual([]);
    const post = posts[0] as Incident;
    expect(post).toMatchObject({
      kind: 'incident',
      slug: '2015-09-09-redis-failure',
      timezone: 'America/Los_Angeles',
      startedAt: Date.parse('2015-09-09T17:05:00Z'),
      resolvedAt: Date.parse('2015-09-09T18:40:00Z'),
      postmortemAt: Date.parse('2015-09-11T16:00:00Z'),
      components: { cache: 'major_outage' },
      body: '## What happened\nRedis stopped answering.',
      signInBlocked: false,
    });
    expect(post.updates.map((u) => u.signInBlocked)).toEqual([null, null]);
  });

  it('reads when an incident blocks sign-in: from the start, and from an update on', async () => {
    const { posts, problems } = await load({ [INCIDENT]: incident({ 6: 'signInBlocked: true\ncomponents:', 14: '    body: Sign-in and sending work again.\n    signInBlocked: false' }) });
    expect(problems).toEqual([]);
    const post = posts[0] as Incident;
    expect(post.signInBlocked).toBe(true);
    expect(post.updates.map((u) => u.signInBlocked)).toEqual([null, false]);
  });

  it('loads a maintenance window given by a duration, with its derived state', async () => {
    const { posts, problems } = await load({ [MAINTENANCE]: maintenance({ 7: '  duration: 10m' }) });
    expect(problems).toEqual([]);
    const post = posts[0] as Maintenance;
    expect([post.startsAt, post.endsAt]).toEqual([Date.parse('2012-03-25T05:00:00Z'), Date.parse('2012-03-25T05:10:00Z')]);
    expect(maintenanceState(post, Date.parse('2012-03-25T04:00:00Z'))).toBe('upcoming');
    expect(maintenanceState(post, Date.parse('2012-03-25T05:05:00Z'))).toBe('in_progress');
    expect(maintenanceState(post, Date.parse('2012-03-25T05:30:00Z'))).toBe('overrunning');
  });

  it.each([
    {
      name: 'a window that ends before it starts',
      files: { [MAINTENANCE]: maintenance({ 7: '  end: 2012-03-24T21:50' }) },
      expected: `${MAINTENANCE}:7:8  window.end must be after window.start [SP_POST_INVALID]\n  hint: give duration: 10m instead of end if the end time is not known yet`,
    },
    {
      name: 'a window with both an end and a duration',
      files: { [MAINTENANCE]: maintenance({}, ['window2: x']).replace('window2: x\n', '').replace('  end: 2012-03-24T22:10\n', '  end: 2012-03-24T22:10\n  duration: 10m\n') },
      expected: `${MAINTENANCE}:8:13  window.duration: give either window.end or window.duration, not both [SP_POST_INVALID]`,
    },
    {
      name: 'an announcement after the window starts',
      files: { [MAINTENANCE]: maintenance({ 4: 'announcedAt: 2012-03-24T22:30' }) },
      expected: `${MAINTENANCE}:4:14  announcedAt is after the window starts [SP_POST_INVALID]\n  hint: announce maintenance before it begins, so readers and client apps can prepare`,
    },
    {
      name: 'a time without an offset or a zone',
      files: { [INCIDENT]: incident({ 4: 'title2: x' }).replace('title2: x\n', '') },
      expected: `${INCIDENT}:4:8  start: "2015-09-09T10:05" has no offset and the post has no timezone; add timezone: America/Los_Angeles (your zone) or write 2015-09-09T10:05:00-08:00 [SP_POST_INVALID]`,
    },
    {
      name: 'a misspelt required key: the key itself, with a suggestion',
      files: { [INCIDENT]: incident({ 3: 'impakt: major' }) },
      expected: `${INCIDENT}:3:1  impakt: unknown key "impakt" [SP_POST_INVALID]\n  hint: did you mean "impact"?`,
    },
    {
      name: 'a misspelt required key: what is now missing',
      files: { [INCIDENT]: incident({ 3: 'impakt: major' }) },
      expected: `${INCIDENT}:2:1  impact: is required: one of "none", "minor", "major", "critical" [SP_POST_INVALID]`,
    },
    {
      name: 'an unknown component',
      files: { [INCIDENT]: incident({ 7: '  cahce: major_outage' }) },
      expected: `${INCIDENT}:7:3  unknown component "cahce" [SP_POST_INVALID]\n  hint: did you mean "cache"? known components: cache, database, chat-nodes`,
    },
    {
      name: 'a file name whose date is not the start date in the post\'s zone',
      files: { 'content/incidents/2015-09-10-redis-failure.md': incident() },
      expected: `content/incidents/2015-09-10-redis-failure.md:5:8  the file name says 2015-09-10 but the start is on 2015-09-09 [SP_POST_INVALID]\n  hint: rename the file to 2015-09-09-redis-failure.md, or correct the start`,
    },
    {
      name: 'updates out of order',
      files: { [INCIDENT]: incident({ 12: '  - at: 2015-09-09T10:00' }) },
      expected: `${INCIDENT}:12:9  update 2 is before the start [SP_POST_INVALID]\n  hint: updates come after it; correct the time or the start`,
    },
    {
      name: 'a postmortem before the resolution',
      files: { [INCIDENT]: incident({ 15: 'postmortemAt: 2015-09-09T11:00' }) },
      expected: `${INCIDENT}:15:15  postmortemAt: the postmortem is dated before the resolution [SP_POST_INVALID]\n  hint: a postmortem is published after the incident is resolved`,
    },
    {
      name: 'a postmortem of an incident that is still open',
      files: { [INCIDENT]: incident({ 13: '    status: monitoring' }) },
      expected: `${INCIDENT}:15:15  postmortemAt: a postmortem needs a resolved incident [SP_POST_INVALID]\n  hint: add the resolving update (status: resolved) first`,
    },
    {
      name: 'a wall-clock time that daylight saving time skips',
      files: { 'content/incidents/2012-03-11-night.md': incident({ 5: 'start: 2012-03-11T02:30' }).replace(/2015-09-09T1/g, '2012-03-11T1').replace('2015-09-11T09:00', '2012-03-12T09:00') },
      expected: `content/incidents/2012-03-11-night.md:5:8  start: "2012-03-11T02:30" does not exist in America/Los_Angeles: the clocks skip it when daylight saving time starts; pick another time or write an offset [SP_POST_INVALID]`,
    },
    {
      name: 'a wall-clock time that happens twice when the clocks go back',
      files: { 'content/incidents/2012-11-04-night.md': incident({ 5: 'start: 2012-11-04T01:30' }).replace(/2015-09-09T1/g, '2012-11-04T1').replace('2015-09-11T09:00', '2012-11-05T09:00') },
      expected: `content/incidents/2012-11-04-night.md:5:8  start: "2012-11-04T01:30" happens twice in America/Los_Angeles (clocks go back); write the offset you mean: 2012-11-04T01:30:00-07:00 or 2012-11-04T01:30:00-08:00 [SP_POST_INVALID]`,
    },
    {
      name: 'a file without front matter',
      files: { [INCIDENT]: 'Just some text.\n' },
      expected: `${INCIDENT}:1:1  the file does not start with front matter between two --- lines [SP_POST_INVALID]\n  hint: run \`statuspost new incident\` to see the expected shape`,
    },
    {
      name: 'a file name that is not YYYY-MM-DD-slug.md',
      files: { 'content/incidents/Redis Failure.md': incident() },
      expected: 'content/incidents/Redis Failure.md  file name must be YYYY-MM-DD-slug.md, with a slug of lowercase letters, digits and dashes [SP_POST_INVALID]\n  hint: e.g. content/incidents/2015-09-09-redis-failure.md',
    },
  ])('names the file, line and fix for $name', async ({ files, expected }) => {
    expect(await problemsOf(files)).toContainEqual(expected);
  });

  it('reports a bad time in the same run as another invalid field', async () => {
    const problems = await problemsOf({ [INCIDENT]: incident({ 3: 'impact: huge', 4: 'timezone2: x' }).replace('timezone2: x\n', '') });
    expect(problems).toEqual([
      `${INCIDENT}:3:9  impact: must be one of "none", "minor", "major", "critical" [SP_POST_INVALID]`,
      `${INCIDENT}:4:8  start: "2015-09-09T10:05" has no offset and the post has no timezone; add timezone: America/Los_Angeles (your zone) or write 2015-09-09T10:05:00-08:00 [SP_POST_INVALID]`,
      `${INCIDENT}:8:9  updates.0.at: "2015-09-09T10:12" has no offset and the post has no timezone; add timezone: America/Los_Angeles (your zone) or write 2015-09-09T10:12:00-08:00 [SP_POST_INVALID]`,
      `${INCIDENT}:11:9  updates.1.at: "2015-09-09T11:40" has no offset and the post has no timezone; add timezone: America/Los_Angeles (your zone) or write 2015-09-09T11:40:00-08:00 [SP_POST_INVALID]`,
      `${INCIDENT}:14:15  postmortemAt: "2015-09-11T09:00" has no offset and the post has no timezone; add timezone: America/Los_Angeles (your zone) or write 2015-09-11T09:00:00-08:00 [SP_POST_INVALID]`,
    ]);
  });

  it('points at an unknown key itself and suggests the right one', async () => {
    const problems = await problemsOf({ [MAINTENANCE]: maintenance({ 10: 'signinBlocked: true' }) });
    expect(problems).toEqual([`${MAINTENANCE}:10:1  signinBlocked: unknown key "signinBlocked" [SP_POST_INVALID]\n  hint: did you mean "signInBlocked"?`]);
  });

  it('reports every problem in every file and returns no posts when any file is bad', async () => {
    const { posts, problems } = await load({
      [INCIDENT]: incident({ 7: '  cahce: major_outage' }),
      [MAINTENANCE]: maintenance({ 7: '  end: 2012-03-24T21:50' }),
      'content/maintenance/2012-03-30-fine.md': maintenance().replace(/2012-03-24/g, '2012-03-30'),
    });
    expect(posts).toEqual([]);
    expect(problems.map((p) => p.at?.file)).toEqual([INCIDENT, MAINTENANCE]);
  });

  it('refuses two posts with one slug, whatever their kind', async () => {
    const problems = await problemsOf({
      'content/incidents/2012-03-24-main-database-upgrade.md': incident().replace(/2015-09-09/g, '2012-03-24').replace('2015-09-11', '2012-03-26'),
      [MAINTENANCE]: maintenance(),
    });
    expect(problems).toEqual([
      `${MAINTENANCE}  slug "2012-03-24-main-database-upgrade" is already used by content/incidents/2012-03-24-main-database-upgrade.md [SP_POST_INVALID]\n  hint: rename one of them; slugs are URLs (first at content/incidents/2012-03-24-main-database-upgrade.md)`,
    ]);
  });

  it.each([
    { when: 'before the March change', date: '2012-03-10', utc: '2012-03-11T06:00:00.000Z' },
    { when: 'after the March change', date: '2012-03-17', utc: '2012-03-18T05:00:00.000Z' },
    { when: 'before the November change', date: '2012-11-03', utc: '2012-11-04T05:00:00.000Z' },
    { when: 'after the November change', date: '2012-11-10', utc: '2012-11-11T06:00:00.000Z' },
  ])('reads a 22:00 America/Los_Angeles window $when', async ({ date, utc }) => {
    const file = `content/maintenance/${date}-window.md`;
    const text = maintenance({ 4: `announcedAt: ${date}T08:00`, 6: `  start: ${date}T22:00`, 7: '  duration: 10m' });
    const { posts, problems } = await load({ [file]: text });
    expect(problems).toEqual([]);
    expect(new Date((posts[0] as Maintenance).startsAt).toISOString()).toBe(utc);
  });
});
