// `new` writes times as the author's wall clock. In the hour a daylight-saving change repeats, that
// clock names two instants, and the loader rightly refuses such a time: `new` must then write the
// offset, so that what it writes is valid whatever the hour it runs at.
import { describe, expect, it } from 'vitest';
import { loadPosts } from '../../src/posts/load.ts';
import type { Incident, Maintenance } from '../../src/posts/types.ts';
import { statuspost } from '../helpers/cli.ts';
import { tempProject } from '../helpers/temp.ts';

const project = () =>
  tempProject({
    'probes/site.yaml': 'title: Chat\nbaseUrl: https://status.example.org\ntimezone: America/Los_Angeles\n',
    'probes/components.yaml': 'components:\n  - id: cache\n    name: Cache\n',
  });

// 2026-11-01 01:30 happens twice in Los Angeles: at 08:30 UTC (PDT) and at 09:30 UTC (PST).
const SECOND_0130 = '2026-11-01T01:30:00-08:00';

describe('statuspost new across a daylight-saving change', () => {
  it('writes an incident that starts in the repeated hour with its offset, and check accepts it', async () => {
    const root = await project();
    const made = await statuspost(['new', 'incident', '--title', 'Slow sign-in', '--components', 'cache', '--start', SECOND_0130, '--root', root]);
    expect(made).toMatchObject({ code: 0, stdout: 'content/incidents/2026-11-01-slow-sign-in.md\n' });
    const checked = await statuspost(['check', '--root', root]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    const { posts } = await loadPosts({ root, componentIds: ['cache'], siteTimezone: 'America/Los_Angeles' });
    expect((posts[0] as Incident).startedAt).toBe(Date.parse(SECOND_0130));
  });

  it('writes a maintenance window that starts in the repeated hour with its offset, and check accepts it', async () => {
    const root = await project();
    const made = await statuspost(['new', 'maintenance', '--title', 'Cache restart', '--components', 'cache', '--start', SECOND_0130, '--duration', '20m', '--root', root]); // placeholders: a draft
    expect(made.code).toBe(0);
    const checked = await statuspost(['check', '--root', root]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    const { drafts } = await loadPosts({ root, componentIds: ['cache'], siteTimezone: 'America/Los_Angeles' });
    expect((drafts[0] as Maintenance).startsAt).toBe(Date.parse(SECOND_0130));
  });
});
