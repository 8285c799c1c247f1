// A published file as `statuspost serve` answers it: its representations (the file, and the `.br`
// and `.gz` siblings the build wrote beside it), each with its ETag and its header lists made once.
// Nothing here compresses: a file without a sibling is sent as it is. A build folder never changes
// once published, so what is read here stays true for as long as the path is served.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Coding } from './encoding.ts';
import { prebuiltAnswer, type PrebuiltAnswer } from './fast-path.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.ics': 'text/calendar; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
export const typeOf = (ext: string): string => TYPES[ext] ?? 'application/octet-stream';

/** Sibling suffix per coding, in the order the server prefers them on equal weights. */
const SIBLINGS: ReadonlyArray<readonly [Coding, string]> = [
  ['br', '.br'],
  ['gzip', '.gz'],
];

export interface Representation {
  file: string;
  size: number;
  /** In memory, or undefined when the file is streamed from disk on each request. */
  body: Buffer | undefined;
  etag: string;
  /** Raw header lists, made once: writing them is most of what a cached response costs. */
  headers200: string[];
  headers304: string[];
  /** The same answers for the fast path (fast-path.ts); no 200 there when the body is streamed or over FAST_BODY_BYTES. */
  fast200: PrebuiltAnswer | undefined;
  fast304: PrebuiltAnswer;
}

/**
 * Bodies up to this size are answered on the fast path. Larger ones go through Node's response,
 * whose stall timeout (30 s) suits a slow reader better than the idle one the fast path keeps.
 */
export const FAST_BODY_BYTES = 128 * 1024;

export interface Entry {
  identity: Representation;
  encoded: Partial<Record<Coding, Representation>>;
  /** The codings this file has siblings for, preferred first. */
  codings: Coding[];
  mtimeMs: number;
  /** Bytes held in memory. */
  bytes: number;
}

export interface EntryHeaders {
  cacheControl: string;
  cors: boolean;
}

/**
 * Reads a file and its siblings. When together they are larger than `inMemoryLimit`, only their
 * sizes and the file's hash are kept, and each answer streams from disk.
 */
export async function loadEntry(file: string, headers: EntryHeaders, inMemoryLimit: number): Promise<Entry> {
  const info = await stat(file);
  const siblings = (
    await Promise.all(SIBLINGS.map(async ([coding, suffix]) => ({ coding, file: file + suffix, size: (await stat(file + suffix).catch(() => undefined))?.size })))
  ).filter((s): s is { coding: Coding; file: string; size: number } => s.size !== undefined);
  const inMemory = info.size + siblings.reduce((sum, s) => sum + s.size, 0) <= inMemoryLimit;
  const body = inMemory ? await readFile(file) : undefined;
  const hash = createHash('sha256');
  if (body) hash.update(body);
  else for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const etag = `"${hash.digest('base64url').slice(0, 27)}"`;

  const type = typeOf(extname(file));
  const lastModified = info.mtime.toUTCString();
  const make = (path: string, size: number, data: Buffer | undefined, coding: Coding | undefined): Representation => {
    const tag = coding ? `${etag.slice(0, -1)}-${coding}"` : etag;
    const common = ['content-type', type, 'etag', tag, 'last-modified', lastModified, 'cache-control', headers.cacheControl, 'x-content-type-options', 'nosniff'];
    if (siblings.length > 0) common.push('vary', 'Accept-Encoding');
    if (headers.cors) common.push('access-control-allow-origin', '*', 'access-control-expose-headers', 'ETag, Last-Modified, Date, Retry-After, Cache-Control');
    const headers200 = [...common, 'content-length', String(size)];
    if (coding) headers200.push('content-encoding', coding);
    return {
      file: path,
      size,
      body: data,
      etag: tag,
      headers200,
      headers304: common,
      fast200: data && size <= FAST_BODY_BYTES ? prebuiltAnswer('200 OK', headers200, data) : undefined,
      fast304: prebuiltAnswer('304 Not Modified', common, undefined),
    };
  };
  const entry: Entry = {
    identity: make(file, info.size, body, undefined),
    encoded: {},
    codings: siblings.map((s) => s.coding),
    mtimeMs: info.mtimeMs,
    bytes: 0,
  };
  for (const sibling of siblings) {
    const data = inMemory ? await readFile(sibling.file) : undefined;
    entry.encoded[sibling.coding] = make(sibling.file, sibling.size, data, sibling.coding);
  }
  // The bodies, and the fast path's copy of each small one (headers and body in one buffer).
  for (const representation of [entry.identity, ...Object.values(entry.encoded)]) {
    entry.bytes += (representation.body?.length ?? 0) * (representation.fast200 ? 2 : 1);
  }
  return entry;
}
