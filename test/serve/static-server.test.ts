import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { newBuildFolder, publish } from '../../src/publish/swap.ts';
import { precompress } from '../../src/publish/precompress.ts';
import { filesUnder } from '../../src/publish/scan.ts';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { servedSite } from '../helpers/served-site.ts';
import { tempDir } from '../helpers/temp.ts';

async function site(pages: Record<string, string>, limits: { maxRate?: number; maxConcurrent?: number } = {}) {
  const root = await tempDir();
  const published = join(root, 'public-site');
  const build = async (files: Record<string, string>) => {
    const folder = await newBuildFolder(published, Date.now() + Math.random());
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(folder, path, '..'), { recursive: true });
      await writeFile(join(folder, path), text);
    }
    await publish(folder, published);
  };
  await build(pages);
  await writeFile(join(root, 'secret.txt'), 'outside the site');
  const server = await startStaticServer({ folder: published, ...limits });
  onTestFinished(server.close);
  return { url: server.url, build, server };
}

/** A raw request, so paths like /../ reach the server unnormalised. */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string; raw: Buffer }>((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), raw: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startStaticServer', () => {
  it('serves pages with their type, and index.html for a folder', async () => {
    const { url } = await site({ 'index.html': '<p>home</p>', 'components/db/index.html': '<p>db</p>', 'feeds/banner.json': '{}', '404.html': '<p>gone</p>' });
    expect(await get(url, '/')).toMatchObject({ status: 200, body: '<p>home</p>', headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(await get(url, '/components/db/')).toMatchObject({ status: 200, body: '<p>db</p>' });
    expect(await get(url, '/feeds/banner.json')).toMatchObject({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
  });

  it('answers 304 to a matching If-None-Match, and HEAD without a body', async () => {
    const { url } = await site({ 'index.html': '<p>home</p>' });
    const first = await get(url, '/');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    expect(await get(url, '/', { 'if-none-match': etag })).toMatchObject({ status: 304, body: '' });
    expect(await get(url, '/', {}, 'HEAD')).toMatchObject({ status: 200, body: '', headers: { 'content-length': '11' } });
    expect((await get(url, '/', {}, 'POST')).status).toBe(405);
  });

  it('never serves anything outside the site, nor lists a folder', async () => {
    const { url } = await site({ 'index.html': 'home', 'empty/.keep': '', '404.html': 'not here' });
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2f%2e%2e%2fetc/passwd', '/empty/', '/nope', '/a%00b', '/%E0%A4%A']) {
      const answer = await get(url, path);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.body).not.toContain('outside the site');
    }
    expect((await get(url, '/nope')).body).toBe('not here');
  });

  it('serves the new build as soon as it is published', async () => {
    const { url, build } = await site({ 'index.html': 'old' });
    expect((await get(url, '/')).body).toBe('old');
    await build({ 'index.html': 'new' });
    expect((await get(url, '/')).body).toBe('new');
  });

  it('sends the gzip or brotli sibling the build wrote as asked, each with its own ETag, and 304s either', async () => {
    const page = `<p>${'status '.repeat(400)}</p>`;
    const { url } = await servedSite({ 'index.html': page }, {}, (folder) => precompress(folder, filesUnder(folder)));
    const plain = await get(url, '/');
    const gz = await get(url, '/', { 'accept-encoding': 'gzip' });
    const br = await get(url, '/', { 'accept-encoding': 'gzip, deflate, br' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.raw).toString()).toBe(page);
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.raw).toString()).toBe(page);
    expect(gz.raw.length).toBeLessThan(page.length / 5);
    expect(gz.headers.vary).toBe('Accept-Encoding');
    expect(new Set([plain.headers.etag, gz.headers.etag, br.headers.etag]).size).toBe(3);
    expect((await get(url, '/', { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers.etag) })).status).toBe(304);
    expect((await get(url, '/', { 'if-modified-since': String(plain.headers['last-modified']) })).status).toBe(304);
  });

  it('tells caches how long to keep each kind of file, and lets apps anywhere read the feeds', async () => {
    const { url } = await site({ 'index.html': 'home', 'banner.json': '{}', 'api/v2/summary.json': '{}', '_astro/app.Ab12Cd.css': 'a{}', 'rss.xml': '<rss/>' });
    expect((await get(url, '/')).headers['cache-control']).toBe('public, max-age=0, must-revalidate');
    expect((await get(url, '/_astro/app.Ab12Cd.css')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const banner = await get(url, '/banner.json');
    expect(banner.headers['cache-control']).toBe('public, max-age=60');
    expect(banner.headers['access-control-allow-origin']).toBe('*');
    expect(String(banner.headers['access-control-expose-headers'])).toContain('ETag');
    expect((await get(url, '/api/v2/summary.json')).headers['access-control-allow-origin']).toBe('*');
    expect((await get(url, '/')).headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await get(url, '/banner.json', { origin: 'https://app.example', 'access-control-request-headers': 'if-none-match' }, 'OPTIONS');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('If-None-Match');
    expect(preflight.headers['access-control-max-age']).toBe('86400');
  });

  it('sheds load past its rate with 503 and a Retry-After spread over the seconds it needs', async () => {
    const { url, server } = await site({ 'banner.json': '{}' }, { maxRate: 20 });
    const answers = await Promise.all(Array.from({ length: 200 }, () => get(url, '/banner.json')));
    const ok = answers.filter((a) => a.status === 200).length;
    const shed = answers.filter((a) => a.status === 503);
    // 200 requests against 20 per second: at most 20 (40 if the burst straddles a second) get through.
    expect(ok).toBeGreaterThan(0);
    expect(ok).toBeLessThanOrEqual(40);
    expect(shed.length + ok).toBe(200);
    expect(server.stats.shed).toBe(shed.length);
    const waits = shed.map((a) => Number(a.headers['retry-after']));
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(1);
    // 180 excess requests at 20 per second need about 9 seconds: the waits spread over them, not all at 1.
    expect(Math.max(...waits)).toBeGreaterThanOrEqual(5);
    expect(new Set(waits).size).toBeGreaterThanOrEqual(4);
    expect(shed[0]!.headers['cache-control']).toBe('no-store');
  });
});
