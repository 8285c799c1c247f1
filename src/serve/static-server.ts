// Serves a published site for people who have no CDN, and sheds load instead of falling over.
// - The published link is resolved once per turn of the event loop that reads requests (not once
//   per request: with many requests in a turn, three readlink calls each were a tenth of the
//   time), and files are cached in memory by their real path: a build folder never changes after
//   it is published, so a cached file never goes stale, and an atomic publish (a new link target)
//   is picked up by the next turn: a reader never sees a mix.
// - Cached files are answered on a fast path (fast-path.ts) that writes one prebuilt buffer
//   straight from the connection's bytes; anything it does not fully understand goes to Node's own
//   HTTP server below, which then keeps that connection.
// - Strong ETags per representation, 304s for If-None-Match and If-Modified-Since, HEAD, the gzip
//   and brotli siblings the build wrote (nothing is compressed here: a file without one is sent as
//   it is), content types, Cache-Control per kind of file (short for the feeds and API, a year for
//   Astro's hashed assets), CORS for the feeds and API so apps can poll them from anywhere, no
//   directory listing, nothing outside the folder, no hidden files.
// - Past a configured rate or concurrency it answers 503 with a Retry-After that books each client
//   into a future second with room (shed.ts), so a fleet comes back at the rate the server can take.
// - Idle, slow and surplus connections are closed (connections.ts), so that silent connections can
//   never use up the file descriptors real requests need.
import { createReadStream, realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, sep } from 'node:path';
import { pipeline } from 'node:stream';
import {
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_STALL_TIMEOUT_MS,
  defaultMaxConnections,
  limitConnections,
  openFileLimit,
  serverTimeouts,
  type ConnectionLimits,
} from './connections.ts';
import { chooseEncoding } from './encoding.ts';
import { prebuiltAnswer, serveFast, type FastConnections, type PrebuiltAnswer, type RequestHead } from './fast-path.ts';
import { loadEntry, typeOf, type Entry, type Representation } from './entry.ts';
import { createShedder } from './shed.ts';

const TEXT = typeOf('.txt');
const HTML = typeOf('.html');

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
  /** Memory kept for cached files, in bytes; a file (with its siblings) over a quarter of it is streamed from disk. Default 64 MiB. */
  cacheBytes?: number;
  /** Connections open at once; past it the one idle longest is closed. Default half the open-file limit. */
  maxConnections?: number;
  /** A connection with no request in progress is closed after this long without a byte. Default 5 s. */
  idleTimeoutMs?: number;
  /** Request headers must be complete this long after they start. Default 10 s. */
  headersTimeoutMs?: number;
  /** Routes answered by code before files (email subscription: src/serve/subscribe.ts); `handle` says whether it took the request. */
  routes?: { handle(req: IncomingMessage, res: ServerResponse): boolean };
}

export interface StaticServer {
  url: string;
  port: number;
  /** `dropped`: connections closed to make room (connections.ts); `fast`: answers (of all the others) written by the fast path. */
  stats: { served: number; notModified: number; shed: number; dropped: number; fast: number };
  openConnections(): number;
  close(): Promise<void>;
}

/** Files other sites and apps fetch (answered with CORS): feeds, calendars, the API, badges. */
const isFeed = (path: string) =>
  path === '/banner.json' || path === '/banner.schema.json' || path.startsWith('/api/') || path.endsWith('.xml') || path.endsWith('.atom') || /\/feed\.json$/.test(path) || path.endsWith('.ics') || /\/badge\.(svg|json)$/.test(path);

/** How long browsers and clients may keep each kind of file. */
export function cacheControlFor(path: string, feedMaxAge = 60): string {
  if (path.startsWith('/_astro/')) return 'public, max-age=31536000, immutable'; // content-hashed names
  if (isFeed(path) && path !== '/banner.schema.json') return `public, max-age=${feedMaxAge}`;
  return 'public, max-age=0, must-revalidate';
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const maxConcurrent = options.maxConcurrent ?? 512;
  const maxRate = options.maxRate ?? 0;
  const cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
  const stats = { served: 0, notModified: 0, shed: 0, dropped: 0, fast: 0 };
  const cache = new Map<string, Entry>();
  let cachedBytes = 0;
  const resolved = new Map<string, { file: string; urlPath: string } | null>();
  let resolvedRoot = '';
  let active = 0;
  /** The published build's real path for this turn of the event loop (undefined: not looked up yet). */
  let rootThisTurn: string | undefined;
  const forgetRoot = () => {
    rootThisTurn = undefined;
  };
  /** The build published right now: one realpath a turn, so a publish shows on the next turn's requests. */
  function publishedRoot(): string {
    if (rootThisTurn === undefined) {
      rootThisTurn = realpathSync.native(options.folder);
      setImmediate(forgetRoot);
    }
    return rootThisTurn;
  }

  async function load(file: string, urlPath: string): Promise<Entry> {
    const hit = cache.get(file);
    if (hit) {
      cache.delete(file); // keep the map in least-recently-used order
      cache.set(file, hit);
      return hit;
    }
    const entry = await loadEntry(file, { cacheControl: cacheControlFor(urlPath, options.feedMaxAge), cors: isFeed(urlPath) }, cacheBytes / 4);
    // Streamed entries are kept too (their hash and headers, a few hundred bytes): hashing a big
    // file again on every request is what keeping them avoids.
    cache.set(file, entry);
    cachedBytes += entry.bytes;
    for (const [key, old] of cache) {
      if (cachedBytes <= cacheBytes) break;
      cache.delete(key);
      cachedBytes -= old.bytes;
    }
    return entry;
  }

  const shedder = createShedder({ maxRate, maxConcurrent });

  /** The answer for a known file: synchronous when the representation is in memory. */
  function respond(req: IncomingMessage, res: ServerResponse, entry: Entry, method: string): void {
    const chosen = representationFor(entry, req.headers['accept-encoding']);
    if (isFresh(entry, chosen, req.headers['if-none-match'], req.headers['if-modified-since'])) {
      stats.notModified++;
      res.writeHead(304, chosen.headers304).end();
      return;
    }
    stats.served++;
    res.writeHead(200, chosen.headers200);
    if (method === 'HEAD') res.end();
    else if (chosen.body) res.end(chosen.body);
    else stream(chosen, res);
  }

  /** A file too big for the cache, from disk as the build wrote it. */
  function stream(chosen: Representation, res: ServerResponse): void {
    active++;
    pipeline(createReadStream(chosen.file), res, (error) => {
      active--;
      if (error) res.destroy(); // the headers are out: a cut connection is all that can say so
    });
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (options.routes?.handle(req, res)) return;
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', 'content-type': TEXT }).end('method not allowed\n');
      return;
    }
    const wait = shedder.admit(Date.now(), active);
    if (wait !== undefined) {
      stats.shed++;
      res.writeHead(503, busyHeaders(wait));
      res.end(BUSY);
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
    const base = publishedRoot();
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
      if (!res.headersSent) res.writeHead(500, { 'content-type': TEXT });
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
      res.writeHead(404, { 'content-type': HTML, 'cache-control': 'no-cache' });
      res.end(method === 'HEAD' ? undefined : notFound);
      return;
    }
    respond(req, res, await load(found.file, found.urlPath), method);
  }

  const limits: ConnectionLimits = {
    maxConnections: options.maxConnections ?? defaultMaxConnections(openFileLimit()),
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    stallTimeoutMs: DEFAULT_STALL_TIMEOUT_MS,
  };
  /** The fast path's answer to a request, or undefined for Node's server to answer it (fast-path.ts). */
  function answerFast(request: RequestHead, socket: Socket): PrebuiltAnswer | undefined {
    let base: string;
    try {
      base = publishedRoot();
    } catch {
      return undefined; // nothing published: Node's path says so
    }
    if (base !== resolvedRoot) return undefined; // a new build: Node's path learns its paths
    const found = resolved.get(request.url);
    const entry = found ? cache.get(found.file) : undefined;
    if (!entry) return undefined; // (paths the routes answer are never resolved)
    const chosen = representationFor(entry, request.acceptEncoding);
    const fresh = isFresh(entry, chosen, request.ifNoneMatch, request.ifModifiedSince);
    const answer = fresh ? chosen.fast304 : chosen.fast200;
    if (!answer) return undefined;
    connections.touch(socket);
    const wait = shedder.admit(Date.now(), active);
    if (wait !== undefined) {
      stats.shed++;
      return prebuiltAnswer('503 Service Unavailable', [...busyHeaders(wait), 'Content-Length', String(BUSY.length)], BUSY);
    }
    stats.fast++;
    if (fresh) stats.notModified++;
    else stats.served++;
    return answer;
  }

  const server = createServer(serverTimeouts(limits), handle);
  // Node's own connection listener: every connection starts on the fast path and is handed to it
  // at the first request the fast path leaves to Node.
  const [nodeConnection] = server.listeners('connection') as Array<(this: typeof server, socket: Socket) => void>;
  if (!nodeConnection) throw new Error("Node's HTTP server has no connection listener to hand connections to");
  server.removeListener('connection', nodeConnection);
  const connections = limitConnections(server, limits, () => stats.dropped++);
  const fast: FastConnections = new Set();
  const fastOptions = {
    keepAliveSeconds: Math.floor(limits.idleTimeoutMs / 1000), // as Node announces server.keepAliveTimeout
    answer: answerFast,
    handOver: (socket: Socket) => nodeConnection.call(server, socket),
  };
  // After limitConnections' listener, which may have closed this very connection for room.
  server.on('connection', (socket: Socket) => {
    if (!socket.destroyed) serveFast(socket, fast, fastOptions);
  });
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
    openConnections: connections.open,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of fast) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const BUSY = Buffer.from('busy: come back after the Retry-After seconds\n');
const busyHeaders = (wait: number) => ['retry-after', String(wait), 'cache-control', 'no-store', 'content-type', TEXT, 'access-control-allow-origin', '*', 'access-control-expose-headers', 'Retry-After'];

/** The representation to send for an Accept-Encoding header. */
function representationFor(entry: Entry, acceptEncoding: string | undefined): Representation {
  const coding = entry.codings.length > 0 ? chooseEncoding(acceptEncoding, entry.codings) : undefined;
  return (coding && entry.encoded[coding]) || entry.identity;
}

/** Whether the client's copy is current (If-None-Match first, If-Modified-Since without it). */
function isFresh(entry: Entry, chosen: Representation, inm: string | undefined, ims: string | undefined): boolean {
  return inm !== undefined
    ? inm === chosen.etag || inm.split(',').some((tag) => sameContent(tag.trim(), entry.identity.etag))
    : ims !== undefined && Date.parse(ims) >= entry.mtimeMs - (entry.mtimeMs % 1000);
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
