// The publisher with a lease (src/daemon/publisher.ts `lease`): without it, it builds a standby it does
// not publish; gaining it publishes that standby at once, then a fresh build. Its
// swap runs in the lease's commit with the token it started with, --after-publish gets the token,
// and a refused commit (the lease went to another publisher meanwhile) replaces nothing and is not
// a publishing failure. The lease itself is a plain object here; with the real store it is
// store.fenced (src/locations/roles.ts), tested in the e2e helper's three-location test.
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/daemon/log.ts';
import { startPublisher } from '../../src/daemon/publisher.ts';
import { StatuspostError } from '../../src/errors.ts';
import { openStore } from '../../src/store/open.ts';
import { tempProject } from '../helpers/temp.ts';
import { BUILDS_MS } from '../helpers/timeouts.ts';
import { until } from '../helpers/until.ts';

describe('publisher with a lease', () => {
  it('publishes only while holding it, fenced by its token, and takes a refused swap as no failure', async () => {
    const root = await tempProject({
      'probes/site.yaml': 'title: Chat status\nbaseUrl: https://status.example.org\nlocation: a\ntimezone: UTC\n',
      'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n',
      'probes/checks/a.yaml': 'checks:\n  - id: api\n    component: chat\n    kind: tcp\n    host: 127.0.0.1\n    port: 1\n    schedule: 10s\n',
      'content/incidents/.keep': '',
    });
    const { config } = await loadConfig(root);
    const store = await openStore(config!.site.store, root);
    await store.migrate();
    onTestFinished(() => store.close());
    const lines: Array<{ event: string; level: string; message: string; token?: number }> = [];
    const logger = createLogger({ format: 'json', debug: true, write: (line) => void lines.push(JSON.parse(line)) });
    let token: number | null = null;
    const commits: number[] = [];
    let refuse = false;
    const outcomes: boolean[] = [];
    const out = join(root, 'public-site');
    const publisher = startPublisher({
      config: config!,
      store,
      logger,
      out,
      debounceMs: 10,
      watchContent: false,
      afterPublish: `printf %s "$STATUSPOST_FENCING_TOKEN" > '${root}/token.txt'`,
      onOutcome: ({ published }) => outcomes.push(published),
      lease: {
        token: () => token,
        commit: async (t, swap) => {
          commits.push(t);
          if (refuse) throw new StatuspostError('SP_LEASE_LOST', `the lease "publisher" is no longer held with token ${t}`);
          await swap();
        },
      },
    });
    onTestFinished(() => publisher.stop());

    // Not holding it: the start's request builds a standby and publishes nothing.
    await until(() => lines.some((l) => l.event === 'standby-built'), BUILDS_MS / 2, 'the standby build');
    await publisher.idle();
    expect(publisher.stats()).toMatchObject({ published: 0, failed: 0 });
    expect(commits).toEqual([]);
    expect(outcomes).toEqual([]);
    await expect(readlink(out)).rejects.toThrow(/ENOENT/);

    // Gaining it publishes the standby build at once, its hook with the token, then a fresh build.
    token = 7;
    publisher.request('lease gained');
    await until(() => lines.filter((l) => l.event === 'published').length === 2, BUILDS_MS / 2, 'the standby, then a fresh publish');
    const published = lines.filter((l) => l.event === 'published') as Array<{ token?: number; standby?: boolean; message: string }>;
    expect(published[0]).toMatchObject({ token: 7, standby: true });
    expect(published[1]!.token).toBe(7);
    expect(published[1]!.standby).toBeUndefined();
    expect(commits).toEqual([7, 7]);
    await publisher.idle();
    expect(await readFile(join(root, 'token.txt'), 'utf8')).toBe('7');
    const link = await readlink(out);

    // The lease went to another publisher during this build: its swap is refused.
    refuse = true;
    publisher.request('again');
    await until(() => lines.some((l) => l.event === 'publish-fenced'), BUILDS_MS / 2, 'the refused publish');
    await publisher.idle();
    expect(await readlink(out)).toBe(link);
    expect(publisher.stats()).toMatchObject({ published: 2, failed: 0, lastError: null });
    expect(outcomes).toEqual([true]); // the refusal is not publishing trouble
    expect(lines.find((l) => l.event === 'publish-fenced')?.message).toContain('the lease "publisher" is no longer held with token 7');
  }, BUILDS_MS);
});
