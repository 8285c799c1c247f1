// The content/ watch and fingerprint on their own, on a real folder: what the daemon tests
// (test/daemon/watch.test.ts) check through whole site builds, here in milliseconds.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { contentFingerprint, isEditorScratch, watchContent } from '../../src/daemon/content-watch.ts';
import { createLogger } from '../../src/daemon/log.ts';
import { tempDir } from '../helpers/temp.ts';

describe('isEditorScratch', () => {
  it.each([
    ['.2020-05-01-outage.md.swp', true],
    ['.2020-05-01-outage.md.swx', true],
    ['2020-05-01-outage.md~', true],
    ['.#2020-05-01-outage.md', true],
    ['#2020-05-01-outage.md#', true],
    ['4913', true],
    ['2020-05-01-outage.md', false],
    ['2020-05-01-outage.markdown', false],
    ['2020-05-01-OUTAGE.MD', false],
    ['.2020-05-01-outage.md', false], // a hidden post is still a file the loader may read
    ['notes.txt', false],
  ])('%s is scratch: %s', (name, scratch) => {
    expect(isEditorScratch(name)).toBe(scratch);
  });
});

describe('contentFingerprint', () => {
  it('changes with every kind of save, and not for editor scratch files', async () => {
    const root = await tempDir();
    expect(await contentFingerprint(root)).toBe('no content/ folder');
    const post = join(root, 'content/incidents/2020-05-01-outage.md');
    await mkdir(join(root, 'content/incidents'), { recursive: true });
    await writeFile(post, 'one');
    const seen = new Set([await contentFingerprint(root)]);
    const expectNew = async (what: string) => {
      const now = await contentFingerprint(root);
      expect(seen.has(now), what).toBe(false);
      seen.add(now);
    };
    expect(await contentFingerprint(root)).toBe([...seen][0]); // nothing changed, nothing differs
    await writeFile(post, 'two, longer');
    await expectNew('an edit in place');
    await writeFile(`${post}.new`, 'six, longer'); // same size as before: the inode tells them apart
    await rename(`${post}.new`, post);
    await expectNew('a save by rename');
    await rm(post);
    await expectNew('a deletion');
    await mkdir(join(root, 'content/incidents/2020'));
    await writeFile(join(root, 'content/incidents/2020/2020-05-03-nested.md'), 'three');
    await expectNew('a post in a new subfolder');
    const before = await contentFingerprint(root);
    await writeFile(join(root, 'content/incidents/.2020-05-03-nested.md.swp'), 'vim');
    await writeFile(join(root, 'content/incidents/2020-05-03-nested.md~'), 'backup');
    expect(await contentFingerprint(root)).toBe(before);
  });
});

describe('watchContent', () => {
  it('reports every save style, the edits after them, new subfolders and a replaced content/ folder', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'content/incidents'), { recursive: true });
    const post = join(root, 'content/incidents/2020-05-01-outage.md');
    await writeFile(post, 'one');

    const logged: Array<{ event: string; message: string }> = [];
    const changes: string[] = [];
    const waiters: Array<() => void> = [];
    const wake = () => waiters.splice(0).forEach((resolve) => resolve());
    const logger = createLogger({ format: 'json', debug: true, write: (line) => (logged.push(JSON.parse(line) as { event: string; message: string }), wake()) });
    /** Resolves once `holds` is true, re-checked after each change or log line. */
    const until = async (what: string, holds: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!holds()) {
        if (Date.now() > deadline) throw new Error(`${what}: not within 10 s; changes: ${changes.join(', ')}; log: ${JSON.stringify(logged)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200).unref();
        });
      }
    };
    const watcher = watchContent({ root, logger, onChange: (reason) => (changes.push(reason), wake()) });
    onTestFinished(() => watcher.close());
    await until('the first listing', () => logged.some((l) => l.event === 'watching'));
    // Each step waits for a change reported after it; the listing after a rename must also be done
    // before the next step, or that step's edit would land before the new watch exists.
    const step = async (what: string, act: () => Promise<void>) => {
      const from = changes.length;
      await act();
      await until(what, () => changes.length > from);
      await watcher.rescan();
      changes.splice(0);
    };

    await step('an edit in place', () => writeFile(post, 'two'));
    await step('a save by rename', async () => {
      await writeFile(`${post}.new`, 'three');
      await rename(`${post}.new`, post);
    });
    await step('an edit after a save by rename', () => writeFile(post, 'four'));
    await step('a deletion', () => rm(post));
    await step('a creation', () => writeFile(post, 'five'));
    await step('a post in a new subfolder', async () => {
      await mkdir(join(root, 'content/maintenance'));
      await writeFile(join(root, 'content/maintenance/2020-05-02-restart.md'), 'six');
    });
    await step('an edit in the new subfolder', () => writeFile(join(root, 'content/maintenance/2020-05-02-restart.md'), 'seven'));
    await step('a subfolder removed and made again', async () => {
      await rm(join(root, 'content/maintenance'), { recursive: true });
      await mkdir(join(root, 'content/maintenance'));
    });
    await step('an edit in the remade subfolder', () => writeFile(join(root, 'content/maintenance/2020-05-02-restart.md'), 'eight'));

    await step('content/ swapped by a deploy', async () => {
      await mkdir(join(root, 'content.next/incidents'), { recursive: true });
      await writeFile(join(root, 'content.next/incidents/2020-05-01-outage.md'), 'deployed');
      await rename(join(root, 'content'), join(root, 'content.old'));
      await rename(join(root, 'content.next'), join(root, 'content'));
    });
    expect(logged.some((l) => l.event === 'watch-rearmed' && l.message.includes('content/ was replaced'))).toBe(true);
    await step('an edit in the deployed folder', () => writeFile(post, 'after the deploy'));
    await step('a second edit in the deployed folder', () => writeFile(post, 'still watched'));
    expect(logged.filter((l) => l.event === 'watch-failed')).toEqual([]);
  });
});
