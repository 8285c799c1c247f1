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
import { realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, sep } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { chooseEncoding, type Coding } from './encoding.ts';
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
const BOTH: readonly Coding[] = ['br', 'gzip'];
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

interface Variant {
  body: Buffer;
  etag: string;
  /** Raw header lists, made once: writing them is most of what a cached response costs. */
  headers200: string[];
  headers304: string[];
}

interface Entry {
  body: Buffer;
  variants: Partial<Record<'identity' | 'gzip' | 'br', Variant>>;
  etag: string;
  lastModified: string;
  mtimeMs: number;
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
      variants: {},
      mtimeMs: info.mtimeMs,
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
        cachedBytes -= old.body.length + (old.variants.gzip?.body.length ?? 0) + (old.variants.br?.body.length ?? 0);
      }
    }
    return entry;
  }

  const shedder = createShedder({ maxRate, maxConcurrent });

  /** The response for a cached file: precomputed headers, no awaiting. */
  function respond(req: IncomingMessage, res: ServerResponse, entry: Entry, method: string): void {
    const encoding = entry.compressible ? chooseEncoding(req.headers['accept-encoding'], BOTH) : undefined;
    const variant = entry.variants[encoding ?? 'identity'] ??= makeVariant(entry, encoding);
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    const fresh =
      inm !== undefined
        ? inm === variant.etag || inm.split(',').some((tag) => sameContent(tag.trim(), entry.etag))
        : ims !== undefined && Date.parse(ims) >= entry.mtimeMs - (entry.mtimeMs % 1000);
    if (fresh) {
      stats.notModified++;
      res.writeHead(304, variant.headers304).end();
      return;
    }
    stats.served++;
    res.writeHead(200, variant.headers200);
    res.end(method === 'HEAD' ? undefined : variant.body);
  }

  function makeVariant(entry: Entry, encoding: 'br' | 'gzip' | undefined): Variant {
    const body =
      encoding === 'br' ? brotliCompressSync(entry.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } }) : encoding === 'gzip' ? gzipSync(entry.body, { level: 6 }) : entry.body;
    if (body !== entry.body) {
      cachedBytes += body.length;
    }
    const etag = encoding ? `${entry.etag.slice(0, -1)}-${encoding}"` : entry.etag;
    const common = ['content-type', entry.type, 'etag', etag, 'last-modified', entry.lastModified, 'cache-control', entry.cacheControl, 'x-content-type-options', 'nosniff'];
    if (entry.compressible) common.push('vary', 'Accept-Encoding');
    if (entry.cors) common.push('access-control-allow-origin', '*', 'access-control-expose-headers', 'ETag, Last-Modified, Date, Retry-After, Cache-Control');
    const headers200 = [...common, 'content-length', String(body.length)];
    if (encoding) headers200.push('content-encoding', encoding);
    return { body, etag, headers200, headers304: common };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
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
    // The build published right now: one readlink-sized system call, so a publish shows on the next request.
    const base = realpathSync.native(options.folder);
    if (resolvedRoot !== base) {
      resolved.clear(); // a new build: where paths lead is learnt again (its files are new paths too)
      resolvedRoot = base;
    }
    const rawUrl = req.url ?? '/';
    const found = resolved.get(rawUrl);
    const entry = found ? cache.get(found.file) : found === null ? null : undefined;
    if (entry) {
      respond(req, res, entry, method); // the fast path: all in memory, nothing awaited
      return;
    }
    active++;
    slowPath(req, res, base, rawUrl, found, method).finally(() => active--).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': TYPES['.txt']! });
      res.end('internal error\n');
    });
  }

  async function slowPath(req: IncomingMessage, res: ServerResponse, base: string, rawUrl: string, known: { file: string; urlPath: string } | null | undefined, method: string): Promise<void> {
    let found = known;
    if (found === undefined) {
      const urlPath = urlPathOf(rawUrl);
      found = (urlPath === undefined ? undefined : await resolveFile(base, urlPath)) ?? null;
      if (resolved.size >= 10_000) resolved.clear();
      resolved.set(rawUrl, found);
    }
    if (!found) {
      const notFound = await readFile(join(base, '404.html')).catch(() => Buffer.from('not found\n'));
      res.writeHead(404, { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' });
      res.end(method === 'HEAD' ? undefined : notFound);
      return;
    }
    respond(req, res, await load(found.file, found.urlPath), method);
  }

  const server = createServer(handle);
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

/**
 * If-None-Match compares weakly (RFC 9110 §13.1.2): a tag of any encoding of the same bytes (the
 * plain one, or it with -gzip or -br) means the client holds this content.
 */
function sameContent(tag: string, plainEtag: string): boolean {
  if (tag === '*') return true;
  const opaque = tag.startsWith('W/') ? tag.slice(2) : tag;
  return opaque.replace(/-(gzip|br)"$/, '"') === plainEtag;
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
