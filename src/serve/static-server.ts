// Serves a published site for people who have no CDN, and sheds load instead of falling over.
// - The published link is resolved on every request, and files are cached in memory by their real
//   path: a build folder never changes after it is published, so a cached file never goes stale,
//   and an atomic publish (a new link target) is picked up at once: a reader never sees a mix.
// - Strong ETags per representation, 304s for If-None-Match and If-Modified-Since, HEAD, gzip and
//   brotli (compressed once, kept), content types, Cache-Control per kind of file (short for the
//   feeds and API, a year for Astro's hashed assets), CORS for the feeds and API so apps can poll
//   them from anywhere, no directory listing, nothing outside the folder, no hidden files.
// - Past a configured rate or concurrency it answers 503 with a Retry-After that books each client
//   into a future second with room (shed.ts), so a fleet comes back at the rate the server can take.
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, sep } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { createShedder } from './shed.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/rss+xml; charset=utf-8',
  '.ics': 'text/calendar; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.xml', '.ics', '.svg', '.txt']);
/** Files larger than this are served from disk each time instead of being cached. */
const MAX_CACHED_FILE = 4 * 1024 * 1024;

export interface StaticServerOptions {
  folder: string;
  host?: string;
  port?: number;
  /** Most requests answered at once; past it, 503. Default 512. */
  maxConcurrent?: number;
  /** Most requests per second; past it, 503. Default unlimited (0). */
  maxRate?: number;
  /** Seconds the feeds and API may be kept (and the SDK waits at least this long between polls). Default 60. */
  feedMaxAge?: number;
  /** Memory kept for cached files, in bytes. Default 64 MiB. */
  cacheBytes?: number;
}

export interface StaticServer {
  url: string;
  port: number;
  stats: { served: number; notModified: number; shed: number };
  close(): Promise<void>;
}

interface Entry {
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  etag: string;
  lastModified: string;
  type: string;
  compressible: boolean;
  cacheControl: string;
  cors: boolean;
}

/** How long browsers and clients may keep each kind of file. */
export function cacheControlFor(path: string, feedMaxAge = 60): string {
  if (path.startsWith('/_astro/')) return 'public, max-age=31536000, immutable'; // content-hashed names
  if (path === '/banner.json' || path.startsWith('/api/') || path.endsWith('.xml') || path.endsWith('.ics') || /\/badge\.(svg|json)$/.test(path)) return `public, max-age=${feedMaxAge}`;
  return 'public, max-age=0, must-revalidate';
}
const isFeed = (path: string) => path === '/banner.json' || path === '/banner.schema.json' || path.startsWith('/api/') || path.endsWith('.xml') || path.endsWith('.ics') || /\/badge\.(svg|json)$/.test(path);

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const maxConcurrent = options.maxConcurrent ?? 512;
  const maxRate = options.maxRate ?? 0;
  const cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
  const stats = { served: 0, notModified: 0, shed: 0 };
  const cache = new Map<string, Entry>();
  let cachedBytes = 0;
  const resolved = new Map<string, { file: string; urlPath: string } | null>();
  let resolvedRoot = '';
  let active = 0;

  /** The build published right now: asked on every request, so a publish shows on the next one. */
  const publishedRoot = () => realpath(options.folder);

  async function load(file: string, urlPath: string): Promise<Entry> {
    const hit = cache.get(file);
    if (hit) {
      cache.delete(file); // keep the map in least-recently-used order
      cache.set(file, hit);
      return hit;
    }
    const [body, info] = await Promise.all([readFile(file), stat(file)]);
    const ext = extname(file);
    const entry: Entry = {
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      lastModified: info.mtime.toUTCString(),
      type: TYPES[ext] ?? 'application/octet-stream',
      compressible: COMPRESSIBLE.has(ext) && body.length > 256,
      cacheControl: cacheControlFor(urlPath, options.feedMaxAge),
      cors: isFeed(urlPath),
    };
    if (body.length <= MAX_CACHED_FILE) {
      cache.set(file, entry);
      cachedBytes += body.length;
      for (const [key, old] of cache) {
        if (cachedBytes <= cacheBytes) break;
        cache.delete(key);
        cachedBytes -= old.body.length + (old.gzip?.length ?? 0) + (old.br?.length ?? 0);
      }
    }
    return entry;
  }

  const shedder = createShedder({ maxRate, maxConcurrent });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', 'content-type': TYPES['.txt']! }).end('method not allowed\n');
      return;
    }
    const wait = shedder.admit(Date.now(), active);
    if (wait !== undefined) {
      stats.shed++;
      res.writeHead(503, { 'retry-after': String(wait), 'cache-control': 'no-store', 'content-type': TYPES['.txt']!, 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Retry-After' });
      res.end('busy: come back after the Retry-After seconds\n');
      return;
    }
    active++;
    try {
      const urlPath = urlPathOf(req.url ?? '/');
      if (method === 'OPTIONS') {
        // CORS preflight (a cross-origin app sending If-None-Match): allowed for feeds, cached a day.
        res.writeHead(204, {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, HEAD',
          'access-control-allow-headers': 'If-None-Match, If-Modified-Since',
          'access-control-max-age': '86400',
        });
        res.end();
        return;
      }
      const base = await publishedRoot();
      // A published build never changes, so where a path leads in it is worth remembering.
      if (resolvedRoot !== base) {
        resolved.clear();
        resolvedRoot = base;
      }
      let found = urlPath === undefined ? undefined : resolved.get(urlPath);
      if (found === undefined && urlPath !== undefined) {
        found = (await resolveFile(base, urlPath)) ?? null;
        if (resolved.size >= 10_000) resolved.clear();
        resolved.set(urlPath, found);
      }
      if (!found) {
        const notFound = await readFile(join(base, '404.html')).catch(() => Buffer.from('not found\n'));
        res.writeHead(404, { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' });
        res.end(method === 'HEAD' ? undefined : notFound);
        return;
      }
      const entry = await load(found.file, found.urlPath);
      const accept = String(req.headers['accept-encoding'] ?? '');
      let encoding: 'br' | 'gzip' | undefined;
      if (entry.compressible) {
        if (/\bbr\b/.test(accept)) encoding = 'br';
        else if (/\bgzip\b/.test(accept)) encoding = 'gzip';
      }
      const etag = encoding ? `${entry.etag.slice(0, -1)}-${encoding}"` : entry.etag;
      const headers: Record<string, string> = {
        'content-type': entry.type,
        etag,
        'last-modified': entry.lastModified,
        'cache-control': entry.cacheControl,
        'x-content-type-options': 'nosniff',
      };
      if (entry.compressible) headers.vary = 'Accept-Encoding';
      if (entry.cors) {
        headers['access-control-allow-origin'] = '*';
        headers['access-control-expose-headers'] = 'ETag, Last-Modified, Date, Retry-After, Cache-Control';
      }
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      const fresh = inm !== undefined ? inm.split(',').some((tag) => tag.trim() === etag || tag.trim() === entry.etag || tag.trim() === '*') : ims !== undefined && Date.parse(ims) >= Date.parse(entry.lastModified);
      if (fresh) {
        stats.notModified++;
        res.writeHead(304, headers).end();
        return;
      }
      let body = entry.body;
      if (encoding === 'br') body = entry.br ??= brotliCompressSync(entry.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } });
      else if (encoding === 'gzip') body = entry.gzip ??= gzipSync(entry.body, { level: 6 });
      if (encoding) headers['content-encoding'] = encoding;
      stats.served++;
      res.writeHead(200, { ...headers, 'content-length': String(body.length) });
      res.end(method === 'HEAD' ? undefined : body);
    } finally {
      active--;
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': TYPES['.txt']! });
      res.end('internal error\n');
    });
  });
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The decoded path of a request, or undefined when it is malformed or names something hidden. */
function urlPathOf(url: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://local').pathname);
  } catch {
    return undefined; // malformed escapes
  }
  if (path.includes('\0')) return undefined;
  // Hidden files (the build's own bookkeeping, .statuspost/) are never served.
  if (path.split('/').some((segment) => segment.startsWith('.'))) return undefined;
  return path;
}

/** The file a URL path names inside `root`, or undefined: never outside it, never a listing. */
async function resolveFile(root: string, urlPath: string): Promise<{ file: string; urlPath: string } | undefined> {
  const candidate = join(root, urlPath);
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  const info = await stat(candidate).catch(() => undefined);
  if (info?.isFile()) return { file: candidate, urlPath };
  if (info?.isDirectory()) {
    const index = join(candidate, 'index.html');
    return (await stat(index).catch(() => undefined))?.isFile() ? { file: index, urlPath: `${urlPath.replace(/\/?$/, '/')}index.html` } : undefined;
  }
  return undefined;
}
