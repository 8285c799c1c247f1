import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { newBuildFolder, publish } from '../../src/publish/swap.ts';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { tempDir } from '../helpers/temp.ts';

async function site(pages: Record<string, string>) {
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
  const server = await startStaticServer({ folder: published });
  onTestFinished(server.close);
  return { url: server.url, build };
}

/** A raw request, so paths like /../ reach the server unnormalised. */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const { hostname, port } = new URL(url);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
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
});
