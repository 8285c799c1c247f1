// The publisher hands each successful publish to onPublished (new feed items → subscriber
// notifications); a failure there is logged and the publish stands.
import { cp, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { createLogger } from '../../../src/daemon/log.ts';
import { startPublisher } from '../../../src/daemon/publisher.ts';
import { openStore } from '../../../src/store/open.ts';
import { tempDir } from '../../helpers/temp.ts';
import { BUILDS_MS } from '../../helpers/timeouts.ts';
import { until } from '../../helpers/until.ts';

const repo = fileURLToPath(new URL('../../..', import.meta.url));

describe('publisher → onPublished', () => {
  it('is called after each good publish with what was published; its failure is logged, not a failed publish', async () => {
    const root = await tempDir();
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await cp(join(repo, 'content'), join(root, 'content'), { recursive: true });
    const { config } = await loadConfig(root);
    const store = await openStore(config!.site.store, root);
    await store.migrate();
    onTestFinished(() => store.close());
    const lines: Array<{ event: string; level: string }> = [];
    const logger = createLogger({ format: 'json', write: (line) => void lines.push(JSON.parse(line) as { event: string; level: string }) });
    const calls: Array<{ folder: string; posts: number; now: number }> = [];
    let fail = false;
    const publisher = startPublisher({
      config: config!,
      store,
      logger,
      out: join(root, 'public-site'),
      debounceMs: 10,
      watchContent: false,
      onPublished: async (site) => {
        calls.push({ folder: site.folder, posts: site.posts.length, now: site.now });
        if (fail) throw new Error('the outbox is out of reach');
      },
    });
    onTestFinished(() => publisher.stop());
    await until(() => publisher.stats().published === 1, BUILDS_MS / 2, 'the first publish');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.folder).toBe(await realpath(join(root, 'public-site')));
    expect(calls[0]!.posts).toBeGreaterThan(0);

    fail = true;
    publisher.request('again');
    await until(() => publisher.stats().published === 2, BUILDS_MS / 2, 'the second publish');
    await publisher.idle();
    expect(calls).toHaveLength(2);
    expect(publisher.stats()).toMatchObject({ failed: 0, lastError: null });
    expect(lines.filter((l) => l.event === 'notify-feed-failed').map((l) => l.level)).toEqual(['error']);
  }, BUILDS_MS);
});
