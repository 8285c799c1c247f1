// `statuspost build` goes on past a warning, and says it: nothing is silently ignored.
import { describe, expect, it } from 'vitest';
import { statuspost } from '../helpers/cli.ts';
import { utcDate, utcTime } from '../helpers/dates.ts';
import { tempProject } from '../helpers/temp.ts';
import { BUILDS_MS } from '../helpers/timeouts.ts';

describe('statuspost build with warnings', () => {
  it('prints a warning for an update dated ahead of now, publishes anyway, and lists it with --json', async () => {
    // Started an hour ago; its second update typed two hours ahead (UTC read as local time, say).
    const now = Date.now();
    const start = now - 3_600_000;
    const slug = `${utcDate(start)}-chat-slow`;
    const root = await tempProject({
      'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\ntimezone: UTC\n',
      'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
      [`content/incidents/${slug}.md`]: `---\ntitle: Messages are slow\nimpact: minor\nstart: ${utcTime(start)}\ncomponents:\n  chat: degraded_performance\nupdates:\n  - at: ${utcTime(start + 60_000)}\n    status: investigating\n    body: Looking into it.\n  - at: ${utcTime(now + 2 * 3_600_000)}\n    status: monitoring\n    body: A fix is out.\n---\n`,
    });
    const text = await statuspost(['build', '--root', root]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^published /);
    expect(text.stderr).toMatch(new RegExp(`^content/incidents/${slug}\\.md:\\d+:\\d+  updates\\.1\\.at: 1 h 5\\d min ahead of now; the update stays hidden until then \\[SP_POST_WARNING\\]`, 'm'));
    const json = await statuspost(['build', '--root', root, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).warnings).toEqual([expect.objectContaining({ code: 'SP_POST_WARNING', file: `content/incidents/${slug}.md` })]);
  }, BUILDS_MS);
});
