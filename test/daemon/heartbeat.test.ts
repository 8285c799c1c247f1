// The heartbeat never says "nothing wrong" while nothing can be published: the real `statuspost run`
// with only a broken post under content/, then the post fixed.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDaemonProcess } from '../helpers/daemon.ts';
import { freePort } from '../helpers/net.ts';
import { heartbeatWhen } from '../helpers/heartbeat.ts';
import { tempProject } from '../helpers/temp.ts';

// A fixed past day: valid on any later date, and the file name carries it as the loader requires.
const POST = 'content/incidents/2020-05-01-outage.md';

describe('statuspost run heartbeat', () => {
  it('says why nothing is published while content/ has problems and no good posts, and clears once fixed', async () => {
    const port = await freePort(); // nothing listens: the check is down, which does not matter here
    const root = await tempProject({
      'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\ntimezone: UTC\nstore:\n  engine: sqlite\n  path: data/history.db\n',
      'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
      'probes/checks/ports.yaml': `checks:\n  - id: chat-port\n    component: chat\n    kind: tcp\n    host: 127.0.0.1\n    port: ${port}\n    schedule: 5s\n    timeout: 500ms\n`,
      [POST]: '---\ntitle: Broken\nimpact: huge\n---\n',
    });
    const daemon = startDaemonProcess(root, ['--out', 'public-site', '--flush-interval', '100', '--debounce', '200']);
    await daemon.waitFor((line) => line.event === 'posts-kept', 60_000);
    const stuck = await heartbeatWhen(root, (beat) => beat.lastPublishError !== null);
    expect(stuck).toMatchObject({ status: null, statusPublished: false });
    expect(stuck.lastPublishError).toMatch(/^nothing was published: content\/ has \d+ problems? \(see the post-invalid log lines\)$/);

    await writeFile(
      join(root, POST),
      '---\ntitle: Chat outage\nimpact: minor\ntimezone: UTC\nstart: 2020-05-01T10:00\ncomponents:\n  chat: degraded_performance\nupdates:\n  - at: 2020-05-01T10:30\n    status: resolved\n    body: Fixed.\n---\n',
    );
    await daemon.waitFor((line) => line.event === 'published', 120_000);
    const fixed = await heartbeatWhen(root, (beat) => beat.statusPublished);
    expect(fixed.lastPublishError).toBeNull();
    expect(fixed.status).not.toBeNull();
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);
  }, 240_000);
});
