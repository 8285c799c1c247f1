// Serves a published site from disk on loopback: the folder is resolved on every request, so an
// atomic publish (a new link target) is picked up at once and a reader never sees a mix. Strong
// ETags and 304s, HEAD, content types, no directory listing, nothing outside the folder.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.ics': 'text/calendar; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

export async function startStaticServer(options: { folder: string; host?: string; port?: number }): Promise<StaticServer> {
  const server = createServer((req, res) => {
    handle(options.folder, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': TYPES['.txt']! });
      res.end('internal error\n');
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(folder: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': TYPES['.txt']! }).end('method not allowed\n');
    return;
  }
  const root = await realpath(folder); // the build published right now
  const file = await resolveFile(root, req.url ?? '/');
  if (!file) {
    const notFound = await readFile(join(root, '404.html')).catch(() => Buffer.from('not found\n'));
    res.writeHead(404, { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : notFound);
    return;
  }
  const body = await readFile(file);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const headers = {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    etag,
    // Status pages change: every response is revalidated, which the ETag makes cheap.
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match']?.split(',').some((tag) => tag.trim() === etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The file a URL path names inside `root`, or undefined: never outside it, never a listing. */
async function resolveFile(root: string, url: string): Promise<string | undefined> {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://local').pathname);
  } catch {
    return undefined; // malformed escapes
  }
  if (path.includes('\0')) return undefined;
  // Hidden files (the build's own bookkeeping, .statuspost/) are never served.
  if (path.split('/').some((segment) => segment.startsWith('.'))) return undefined;
  const candidate = join(root, path);
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  const info = await stat(candidate).catch(() => undefined);
  if (info?.isFile()) return candidate;
  if (info?.isDirectory()) {
    const index = join(candidate, 'index.html');
    return (await stat(index).catch(() => undefined))?.isFile() ? index : undefined;
  }
  return undefined;
}
