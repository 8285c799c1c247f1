// The daemon names the post behind every problem and warning in its log: an alias bomb is a
// post-invalid line with its file and line (it once logged publish-failed with no file), and a
// time ahead of the clock is a post-warning line.
import { describe, expect, it } from 'vitest';
import { startDaemonProcess } from '../helpers/daemon.ts';
import { aliasBomb, incidentText } from '../helpers/post-files.ts';
import { tempProject } from '../helpers/temp.ts';

describe('statuspost run with hostile posts', () => {
  it('logs an alias bomb as post-invalid with its file and line, and an update ahead of now as post-warning', async () => {
    const bomb = 'content/incidents/2015-09-09-bomb.md';
    const ahead = 'content/incidents/2015-09-10-ahead.md';
    const root = await tempProject({
      'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\nstore:\n  engine: sqlite\n  path: data/history.db\n',
      'probes/components.yaml': 'components:\n  - id: cache\n    name: Cache\n',
      [bomb]: incidentText({ 1: ['---', ...aliasBomb()].join('\n') }),
      // An open incident whose second update lies centuries ahead, whatever today is.
      [ahead]: incidentText({ 5: 'start: 2015-09-10T10:05', 9: '  - at: 2015-09-10T10:12', 12: '  - at: 2999-09-10T11:40', 13: '    status: identified', 15: '# no postmortem yet' }, ''),
    });
    const daemon = startDaemonProcess(root, ['--out', 'public-site']);
    const invalid = await daemon.waitFor((line) => line.event === 'post-invalid', 60_000);
    expect(invalid).toMatchObject({
      level: 'error',
      message: 'YAML aliases expand too far: *c here would make more than 100 copies',
      file: bomb,
      line: 5,
      column: 12,
    });
    const warning = await daemon.waitFor((line) => line.event === 'post-warning', 60_000);
    expect(warning).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/^updates\.1\.at: \d+ days ahead of now; the update stays hidden until then$/),
      file: ahead,
      line: 12,
      column: 9,
      hint: 'times without an offset are read in America/Los_Angeles; if you wrote UTC, end the time with Z',
    });
    expect(daemon.lines.some((line) => line.event === 'publish-failed')).toBe(false);
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  });
});
