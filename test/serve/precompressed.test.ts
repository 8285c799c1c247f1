// serve sends the .br and .gz siblings the build wrote, byte for byte, and compresses nothing itself.
// The siblings here are made by hand at the fastest settings (brotli 1, gzip 1): bytes that serve,
// had it compressed anything itself, would not have produced.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { get, servedSite } from '../helpers/served-site.ts';

const fastest = async (folder: string, path: string) => {
  const body = await readFile(join(folder, path));
  await writeFile(join(folder, `${path}.br`), brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 1 } }));
  await writeFile(join(folder, `${path}.gz`), gzipSync(body, { level: 1 }));
};

/** A feed the size of issue 15's: 6.6 MB of items, each different. */
const bigFeed = () => {
  const items = Array.from({ length: 22_000 }, (_, i) => `<item><title>Update ${i}: chat node ${i % 7} ${(i * 2654435761) % 1e9}</title><guid>${i.toString(36)}</guid></item>`);
  return `<?xml version="1.0"?><rss><channel>${items.join('\n')}</channel></rss>`.padEnd(6_600_000, ' ');
};

describe('startStaticServer with precompressed siblings', () => {
  it('sends the sibling as the build wrote it, and a file without one as it is', async () => {
    const page = `<p>${'status '.repeat(400)}</p>`;
    const { url, folder } = await servedSite({ 'index.html': page, 'history/index.html': page }, {}, (build) => fastest(build, 'index.html'));
    for (const [coding, suffix] of [['br', '.br'], ['gzip', '.gz']] as const) {
      const answer = await get(url, '/', { 'accept-encoding': coding });
      expect(answer.headers['content-encoding']).toBe(coding);
      expect(answer.raw.equals(await readFile(join(folder, `index.html${suffix}`)))).toBe(true);
      expect(answer.headers.vary).toBe('Accept-Encoding');
    }
    const bare = await get(url, '/history/', { 'accept-encoding': 'gzip, br' });
    expect(bare.headers['content-encoding']).toBeUndefined();
    expect(bare.headers.vary).toBeUndefined(); // one representation only
    expect(bare.raw.toString()).toBe(page);
  });

  it('never compresses a 6.6 MB feed on a request, whether it is cached or streamed from disk', async () => {
    const feed = bigFeed();
    const { url, folder, published } = await servedSite({ 'rss.xml': feed }, {}, (build) => fastest(build, 'rss.xml'));
    const sibling = await readFile(join(folder, 'rss.xml.br'));
    // The default cache holds it; a 4 MiB cache (1 MiB a file) streams it from disk.
    const streamed = await startStaticServer({ folder: published, cacheBytes: 4 * 1024 * 1024 });
    onTestFinished(streamed.close);
    for (const server of [url, streamed.url]) {
      for (let i = 0; i < 3; i++) {
        const answer = await get(server, '/rss.xml', { 'accept-encoding': 'gzip, deflate, br' });
        expect(answer.headers['content-encoding']).toBe('br');
        expect(answer.headers['content-length']).toBe(String(sibling.length));
        expect(answer.raw.equals(sibling)).toBe(true);
      }
      const plain = await get(server, '/rss.xml');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.raw.toString()).toBe(feed);
      const head = await get(server, '/rss.xml', { 'accept-encoding': 'gzip' }, 'HEAD');
      expect(head).toMatchObject({ status: 200, headers: { 'content-encoding': 'gzip', 'content-length': String((await readFile(join(folder, 'rss.xml.gz'))).length) } });
      expect(head.raw.length).toBe(0);
    }
    // One ETag scheme, whichever way the bytes are kept.
    const tags = await Promise.all([url, streamed.url].map(async (server) => (await get(server, '/rss.xml', { 'accept-encoding': 'br' })).headers.etag));
    expect(tags[0]).toMatch(/^"[\w-]{27}-br"$/);
    expect(tags[1]).toBe(tags[0]);
    expect((await get(streamed.url, '/rss.xml', { 'accept-encoding': 'br', 'if-none-match': String(tags[0]) })).status).toBe(304);
  });
});
