// Times that name no real instant are refused, never rolled over by Date.parse or Date.UTC
// (2024-08-32T24:61 once became 2024-09-01T23:01Z, 2024-02-30 became 2024-03-01).
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { parsePostTime } from '../../src/posts/time.ts';
import { INCIDENT, incidentText } from '../helpers/post-files.ts';
import { tempProject } from '../helpers/temp.ts';

async function problemsOf(files: Record<string, string>) {
  const root = await tempProject(files);
  return (await loadPosts({ root, componentIds: ['cache'], siteTimezone: 'UTC' })).problems.map(formatError);
}

describe('post times that do not exist', () => {
  it.each([
    { start: '2024-08-32T24:61', why: 'August 2024 has 31 days' },
    { start: '2024-02-30T11:00:00+01:00', why: 'February 2024 has 29 days' },
    { start: '2023-02-29T11:00', why: 'February 2023 has 28 days' },
    { start: '2024-04-31T11:00Z', why: 'April 2024 has 30 days' },
    { start: '2024-13-01T11:00', why: 'there is no month 13' },
    { start: '2024-00-10T11:00', why: 'there is no month 00' },
    { start: '2024-08-00T11:00', why: 'August 2024 has 31 days' },
    { start: '2024-08-01T24:00Z', why: 'hours run from 00 to 23 (write 00:00 of the next day for midnight)' },
    { start: '2024-08-01T23:60', why: 'minutes run from 00 to 59' },
    { start: '2024-08-01T23:59:60-07:00', why: 'seconds run from 00 to 59' },
    { start: '2024-08-01T23:59+23:59', why: 'offsets run from -12:00 to +14:00, not +23:59' },
    { start: '2024-08-01T23:59-13:00', why: 'offsets run from -12:00 to +14:00, not -13:00' },
    { start: '2024-08-01T23:59+05:75', why: 'offsets run from -12:00 to +14:00, not +05:75' },
    { start: '0024-08-01T10:00', why: 'statuspost reads years from 1970 on' },
  ])('refuses start: $start at its position, quoting it: $why', async ({ start, why }) => {
    const problems = await problemsOf({ [INCIDENT]: incidentText({ 5: `start: "${start}"` }) });
    expect(problems).toEqual([`${INCIDENT}:5:8  start: "${start}" is not a real time: ${why} [SP_POST_INVALID]`]);
  });

  it('accepts the edges that exist: 29 February of a leap year, 23:59:59, +14:00 and -12:00', () => {
    expect(parsePostTime('2024-02-29T23:59:59', 'UTC')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parsePostTime('2000-02-29T10:00Z', undefined)).toBe(Date.UTC(2000, 1, 29, 10));
    expect(parsePostTime('2024-08-01T14:00+14:00', undefined)).toBe(Date.UTC(2024, 7, 1, 0));
    expect(parsePostTime('2024-08-01T00:00-12:00', undefined)).toBe(Date.UTC(2024, 7, 1, 12));
    expect(parsePostTime('2100-02-29T10:00', 'UTC')).toEqual({ kind: 'impossible', why: 'February 2100 has 28 days' });
  });

  it('refuses an impossible time in an update, beside other problems of the post', async () => {
    const problems = await problemsOf({ [INCIDENT]: incidentText({ 3: 'impact: huge', 12: '  - at: 2015-09-31T11:40' }) });
    expect(problems).toEqual([
      `${INCIDENT}:3:9  impact: must be one of "none", "minor", "major", "critical" [SP_POST_INVALID]`,
      `${INCIDENT}:12:9  updates.1.at: "2015-09-31T11:40" is not a real time: September 2015 has 30 days [SP_POST_INVALID]`,
    ]);
  });
});
