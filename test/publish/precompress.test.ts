import { link, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PageCompressor, precompress } from '../../src/publish/precompress.ts';
import { filesUnder } from '../../src/publish/scan.ts';
import { tempDir } from '../helpers/temp.ts';

const text = (label: string, bytes: number) => `<p>${label} `.padEnd(bytes, 'status ok ').concat('</p>');

async function folderWith(files: Record<string, string | Buffer>): Promise<string> {
  const folder = await tempDir();
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
  return folder;
}

describe('precompress', () => {
  it('writes a .br and a .gz beside each text file over 1 KiB, and nothing beside small files, images or hidden files', async () => {
    const files = {
      'index.html': text('home', 20_000),
      'rss.xml': text('feed', 5_000),
      'api/v2/summary.json': text('api', 3_000),
      'robots.txt': 'User-agent: *\n', // small
      'logo.png': Buffer.alloc(5_000, 7), // compressible bytes, but a kind of file that never is
      '.statuspost/pages.json': text('bookkeeping', 5_000),
    };
    const folder = await folderWith(files);
    const result = await precompress(folder, filesUnder(folder));
    expect(result).toEqual({ compressed: 3, linked: 0 });
    for (const path of ['index.html', 'rss.xml', 'api/v2/summary.json']) {
      const original = await readFile(join(folder, path));
      expect(brotliDecompressSync(await readFile(join(folder, `${path}.br`)))).toEqual(original);
      expect(gunzipSync(await readFile(join(folder, `${path}.gz`)))).toEqual(original);
    }
    expect((await readdir(folder)).sort()).toEqual(['.statuspost', 'api', 'index.html', 'index.html.br', 'index.html.gz', 'logo.png', 'robots.txt', 'rss.xml', 'rss.xml.br', 'rss.xml.gz']);
    expect(await readdir(join(folder, '.statuspost'))).toEqual(['pages.json']);
  });

  it('writes no sibling that would barely be smaller than the file', async () => {
    const random = Buffer.from(Array.from({ length: 4_000 }, () => Math.floor(Math.random() * 256)));
    const folder = await folderWith({ 'noise.txt': random });
    expect(await precompress(folder, ['noise.txt'])).toEqual({ compressed: 0, linked: 0 });
    expect(await readdir(folder)).toEqual(['noise.txt']);
  });

  it('links the siblings of reused and unchanged files from the published build, and compresses the rest', async () => {
    const before = await folderWith({ 'incidents/a/index.html': text('a', 9_000), 'rss.xml': text('feed', 9_000), 'index.html': text('old home', 9_000) });
    await precompress(before, filesUnder(before));
    const after = await folderWith({ 'rss.xml': text('feed', 9_000), 'index.html': text('new home', 9_000) });
    await mkdir(join(after, 'incidents/a'), { recursive: true });
    await link(join(before, 'incidents/a/index.html'), join(after, 'incidents/a/index.html'));
    const result = await precompress(after, filesUnder(after), { folder: before, reused: new Set(['incidents/a/index.html']) });
    expect(result).toEqual({ compressed: 1, linked: 2 });
    const inode = async (folder: string, path: string) => (await stat(join(folder, path))).ino;
    for (const path of ['incidents/a/index.html.br', 'incidents/a/index.html.gz', 'rss.xml.br', 'rss.xml.gz']) {
      expect([path, await inode(after, path)]).toEqual([path, await inode(before, path)]);
    }
    expect(await inode(after, 'index.html.br')).not.toBe(await inode(before, 'index.html.br'));
    expect(brotliDecompressSync(await readFile(join(after, 'index.html.br'))).toString()).toContain('new home');
  });

  it('keeps the siblings of pages compressed while they were rendered, and compresses again a page whose bytes changed after', async () => {
    const folder = await folderWith({});
    const compressor = new PageCompressor(folder, 2, 2); // a backlog of two: add() waits for room
    const pages = Array.from({ length: 6 }, (_, i) => [`incidents/p${i}/index.html`, text(`page ${i}`, 9_000)] as const);
    for (const [path, body] of pages) await compressor.add(path, Buffer.from(body));
    await compressor.add('tiny/index.html', Buffer.from('<p>small</p>')); // under 1 KiB: never compressed
    const early = await compressor.done();
    expect([...early.keys()].sort()).toEqual(pages.map(([path]) => path).sort());
    // Astro writes the pages after handing them over; one is written with other bytes than it handed over.
    for (const [path, body] of pages) {
      await mkdir(dirname(join(folder, path)), { recursive: true });
      await writeFile(join(folder, path), path.includes('p3') ? text('page 3, written otherwise', 9_000) : body);
    }
    // A sibling kept as it is can be told from one written again: this one is packed otherwise.
    const packedOtherwise = brotliCompressSync(Buffer.from(pages[0]![1]), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } });
    await writeFile(join(folder, 'incidents/p0/index.html.br'), packedOtherwise);
    const result = await precompress(folder, filesUnder(folder).filter((f) => !f.endsWith('.br') && !f.endsWith('.gz')), undefined, early);
    expect(result).toEqual({ compressed: 6, linked: 0 });
    expect(await readFile(join(folder, 'incidents/p0/index.html.br'))).toEqual(packedOtherwise); // not written again
    for (const [path] of pages) {
      const original = await readFile(join(folder, path));
      expect(brotliDecompressSync(await readFile(join(folder, `${path}.br`)))).toEqual(original);
      expect(gunzipSync(await readFile(join(folder, `${path}.gz`)))).toEqual(original);
    }
  });
});
