import { spawn } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildsFolder, newBuildFolder, publish } from '../../src/publish/swap.ts';
import { tempDir } from '../helpers/temp.ts';

async function build(published: string, label: string, files = 3): Promise<string> {
  const folder = await newBuildFolder(published);
  for (let i = 0; i < files; i++) await writeFile(join(folder, `page-${i}.html`), `${label} ${i}`);
  return folder;
}

describe('publish', () => {
  it('points the published path at the new build, and keeps only the newest builds', async () => {
    const root = await tempDir();
    const published = join(root, 'site');
    for (const label of ['one', 'two', 'three', 'four']) {
      await publish(await build(published, label), published, 2);
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct build names
    }
    expect((await lstat(published)).isSymbolicLink()).toBe(true);
    expect(await readFile(join(published, 'page-0.html'), 'utf8')).toBe('four 0');
    expect(await readdir(buildsFolder(published))).toHaveLength(2);
  });

  it('leaves another publisher\'s young standby build to its owner, and prunes an old one', async () => {
    const root = await tempDir();
    const published = join(root, 'site');
    const young = await newBuildFolder(published, Date.now() - 60_000, true);
    const old = await newBuildFolder(published, Date.now() - 2 * 3_600_000, true);
    for (const label of ['one', 'two', 'three']) {
      await publish(await build(published, label), published, 2);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const names = await readdir(buildsFolder(published));
    expect(names).toContain(young.split('/').at(-1));
    expect(names).not.toContain(old.split('/').at(-1));
    expect(names).toHaveLength(3); // the two newest and the young standby
  });

  it('refuses to replace a real folder, and leaves it untouched', async () => {
    const root = await tempDir();
    const published = join(root, 'site');
    await mkdir(published);
    await writeFile(join(published, 'index.html'), 'hand-made');
    await expect(publish(await build(published, 'new'), published)).rejects.toThrow(`${published} is a folder, not a published link; nothing was replaced`);
    expect(await readFile(join(published, 'index.html'), 'utf8')).toBe('hand-made');
  });

  it('refuses a publish folder where no folder can be made, instead of hanging (Node 20 mkdir -p on /proc)', async () => {
    await expect(newBuildFolder('/proc/statuspost-site')).rejects.toThrow('the publish folder cannot be written: /proc does not let a folder be made in it (ENOENT)');
  }, 10_000);

  it('always leaves one complete build published when killed at random moments', async () => {
    const root = await tempDir();
    const published = join(root, 'site');
    const script = fileURLToPath(new URL('../helpers/publish-loop.ts', import.meta.url));
    for (let trial = 0; trial < 50; trial++) {
      // tsx as a loader in this very process (its CLI would run the script in a grandchild that SIGKILL misses).
      const child = spawn(process.execPath, ['--import', 'tsx', script, published], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise((resolve) => child.stdout.once('data', resolve)); // it has started publishing
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      // Whatever moment it died at, the published path is one whole build: every page, one label.
      const target = await realpath(published);
      const pages = (await readdir(target)).sort();
      expect(pages).toEqual(Array.from({ length: 20 }, (_, i) => `page-${String(i).padStart(2, '0')}.html`).sort());
      const labels = new Set(await Promise.all(pages.map(async (page) => (await readFile(join(target, page), 'utf8')).split(' ')[0])));
      expect(labels.size).toBe(1);
      expect(await readlink(published)).toBe(target);
    }
    // Fifty processes started and killed: a minute on an idle machine, several on two busy cores.
  }, 600_000);
});
