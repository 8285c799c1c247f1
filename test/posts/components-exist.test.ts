// An unknown component id in a post: its position, the list of known ids, and the one meant when
// the id is a slip of the fingers ("cahce").
import { describe, expect, it } from 'vitest';
import { formatError } from '../../src/errors.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { tempProject } from '../helpers/temp.ts';

const componentIds = ['cache', 'database', 'chat-nodes'];
const INCIDENT = 'content/incidents/2015-09-09-redis-failure.md';
const MAINTENANCE = 'content/maintenance/2012-03-24-main-database-upgrade.md';

const incident = (component: string, updateComponent: string) =>
  [
    '---',
    'title: Sign-in fails',
    'impact: major',
    'start: 2015-09-09T10:05:00-07:00',
    'components:',
    `  ${component}: major_outage`,
    'updates:',
    '  - at: 2015-09-09T10:12:00-07:00',
    '    status: investigating',
    '    body: We are looking into it.',
    `    components: { ${updateComponent}: partial_outage }`,
    '---',
    '',
  ].join('\n');

const maintenance = (components: string) =>
  ['---', 'title: Upgrade', 'timezone: UTC', 'announcedAt: 2012-03-22T16:00', 'window:', '  start: 2012-03-24T22:00', '  duration: 10m', `components: [${components}]`, 'affected: Nobody can sign in.', '---', ''].join('\n');

async function problemsOf(files: Record<string, string>) {
  const root = await tempProject(files);
  return (await loadPosts({ root, componentIds, siteTimezone: 'UTC' })).problems.map(formatError);
}

describe('posts: components exist', () => {
  it('suggests the component meant, wherever the misspelt id is', async () => {
    expect(await problemsOf({ [INCIDENT]: incident('cahce', 'chat-node'), [MAINTENANCE]: maintenance('databse, cache') })).toEqual([
      `${INCIDENT}:6:3  unknown component "cahce" [SP_POST_INVALID]\n  hint: did you mean "cache"? known components: cache, database, chat-nodes`,
      `${INCIDENT}:11:19  unknown component "chat-node" [SP_POST_INVALID]\n  hint: did you mean "chat-nodes"? known components: cache, database, chat-nodes`,
      `${MAINTENANCE}:8:14  unknown component "databse" [SP_POST_INVALID]\n  hint: did you mean "database"? known components: cache, database, chat-nodes`,
    ]);
  });

  it('lists the known components alone when no id is close', async () => {
    expect(await problemsOf({ [INCIDENT]: incident('billing', 'cache') })).toEqual([
      `${INCIDENT}:6:3  unknown component "billing" [SP_POST_INVALID]\n  hint: known components: cache, database, chat-nodes`,
    ]);
  });
});
