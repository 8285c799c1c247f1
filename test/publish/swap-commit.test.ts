// The fenced swap (swap.ts publish with `commit`): the rename runs inside the commit (the publisher
// lease's store.fenced), and a refused commit replaces nothing and leaves nothing beside the site.
// The lease side is the store double here; after the merge the same holds with the real engines'
// fenced (the e2e test kills a publisher for real).
import { lstat, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StatuspostError } from '../../src/errors.ts';
import { newBuildFolder, publish } from '../../src/publish/swap.ts';
import { InMemoryLocationsStoreDouble } from '../helpers/locations-store-double.ts';
import { tempDir } from '../helpers/temp.ts';

async function build(published: string, label: string): Promise<string> {
  const folder = await newBuildFolder(published, Date.now() + Math.floor(Math.random() * 1e6));
  await writeFile(join(folder, 'index.html'), label);
  return folder;
}

const leftovers = async (published: string) => (await readdir(dirname(published))).filter((name) => name.includes('.next-'));

describe('publish with a commit around the swap', () => {
  it('swaps inside the commit', async () => {
    const published = join(await tempDir(), 'site');
    await publish(await build(published, 'one'), published);
    const seen: string[] = [];
    await publish(await build(published, 'two'), published, 2, async (swap) => {
      seen.push(await readFile(join(published, 'index.html'), 'utf8'));
      await swap();
      seen.push(await readFile(join(published, 'index.html'), 'utf8'));
    });
    expect(seen).toEqual(['one', 'two']);
    expect(await readFile(join(published, 'index.html'), 'utf8')).toBe('two');
  });

  it('replaces nothing when the commit refuses, and leaves no link beside the site', async () => {
    const published = join(await tempDir(), 'site');
    await publish(await build(published, 'one'), published);
    const before = await readlink(published);
    const refused = new StatuspostError('SP_LEASE_LOST', 'refused');
    await expect(publish(await build(published, 'two'), published, 2, async () => Promise.reject(refused))).rejects.toBe(refused);
    await expect(publish(await build(published, 'three'), published, 2, async () => {})).rejects.toMatchObject({ code: 'SP_LEASE_LOST' });
    expect(await readlink(published)).toBe(before);
    expect(await readFile(join(published, 'index.html'), 'utf8')).toBe('one');
    expect(await leftovers(published)).toEqual([]);
    expect((await lstat(published)).isSymbolicLink()).toBe(true);
  });

  it('never lets a publisher that lost the lease replace the newer holder\'s publish', async () => {
    const store = new InMemoryLocationsStoreDouble();
    const published = join(await tempDir(), 'site');
    const old = (await store.acquireLease('publisher', 'old', 10_000))!;
    // The old holder builds; meanwhile its lease expires and another takes it and publishes.
    const oldBuild = await build(published, 'old');
    store.leases.get('publisher')!.expiresAt = store.clock() - 1;
    const next = (await store.acquireLease('publisher', 'next', 10_000))!;
    expect(next.token).toBeGreaterThan(old.token);
    await publish(await build(published, 'next'), published, 2, (swap) => store.fenced('publisher', next.token, {}, swap));
    // The old one's swap comes late: refused, the newer publish stays.
    await expect(publish(oldBuild, published, 2, (swap) => store.fenced('publisher', old.token, {}, swap))).rejects.toMatchObject({ code: 'SP_LEASE_LOST' });
    expect(await readFile(join(published, 'index.html'), 'utf8')).toBe('next');
    expect(store.written.swaps).toBe(1);
  });
});
