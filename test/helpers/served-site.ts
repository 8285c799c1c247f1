// A published site folder (a link to a build, as `statuspost build` leaves it) served by
// `startStaticServer` on loopback, and a raw request that returns the exact bytes sent.
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';
import { newBuildFolder, publish } from '../../src/publish/swap.ts';
import { startStaticServer, type StaticServerOptions } from '../../src/serve/static-server.ts';
import { tempDir } from './temp.ts';

/** Writes `files` into a new build folder; `prepare` runs on it before it is published. */
export async function servedSite(files: Record<string, string | Buffer>, options: Partial<StaticServerOptions> = {}, prepare?: (folder: string) => Promise<unknown>) {
  const root = await tempDir();
  const published = join(root, 'public-site');
  const folder = await newBuildFolder(published, Date.now());
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
  await prepare?.(folder);
  await publish(folder, published);
  const server = await startStaticServer({ folder: published, ...options });
  onTestFinished(() => server.close());
  return { url: server.url, server, folder, published };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes on the wire, still encoded. */
  raw: Buffer;
}

/** One request on a connection of its own, nothing decoded or normalised. */
export function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, raw: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
