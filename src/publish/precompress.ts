// Compressed copies of the site's text files, written once per build beside each file as
// `<file>.br` and `<file>.gz`: `statuspost serve` sends them as they are, and so can nginx
// (`gzip_static on;`, and `brotli_static on;` with the ngx_brotli module) or a CDN. Nothing is
// compressed on the request path: a 6.6 MB rss.xml brotli-compressed per request took 0.16 to
// 0.59 s each, and eight at once held robots.txt up too.
//
// A file unchanged since the published build (a reused post page, a feed that did not change) gets
// that build's siblings by hard link, so a status-only republish compresses a few dozen files.
import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

/** The kinds of files worth compressing; images (png) are compressed already. */
export const COMPRESSIBLE = new Set(['.html', '.css', '.js', '.mjs', '.json', '.xml', '.atom', '.ics', '.svg', '.txt', '.webmanifest']);
/** Below this a compressed copy saves less than a packet and costs a file. */
export const MIN_BYTES = 1024;
// Quality 5 costs about 0.6 ms for a 17 kB page against 43 ms at 11 (for 12% fewer bytes): a full
// build of 10,000 post pages would spend minutes at 11. gzip 9 made the same bytes as 6 on a post
// page, for a third more time.
const BROTLI_QUALITY = 5;
// Compression runs on libuv's thread pool (four threads), which dns.lookup and file reads share: two
// at a time leaves the daemon's probes room while a build compresses.
const AT_ONCE = 2;

export const SIBLINGS = [
  { suffix: '.br', compress: promisify(brotliCompress), options: (size: number) => ({ params: { [zlib.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: size } }) },
  { suffix: '.gz', compress: promisify(gzip), options: () => ({ level: 6 }) },
] as const;

export interface PrecompressResult {
  /** Files compressed by this build. */
  compressed: number;
  /** Files whose siblings were linked from the published build. */
  linked: number;
}

/**
 * Writes the siblings of `files` (relative to `folder`) in `folder`. `previous` is the published
 * build: a file in `reused` was linked from it unchanged; any other file whose bytes equal its
 * namesake's there takes that file's siblings too.
 */
export async function precompress(
  folder: string,
  files: readonly string[],
  previous?: { folder: string; reused: ReadonlySet<string> },
  early: ReadonlyMap<string, EarlyCompressed> = new Map(),
): Promise<PrecompressResult> {
  const result: PrecompressResult = { compressed: 0, linked: 0 };
  const candidates = files.filter((file) => COMPRESSIBLE.has(extname(file)) && !file.split('/').some((part) => part.startsWith('.')));
  // Reused pages first, synchronously and in batches: ten thousand links through the thread pool
  // cost seconds, and the event loop still gets a turn between batches (as build-site's linkPages).
  const rest: string[] = [];
  for (let i = 0; i < candidates.length; i += 500) {
    for (const file of candidates.slice(i, i + 500)) {
      if (previous?.reused.has(file) && linkSiblings(previous.folder, folder, file)) result.linked++;
      else rest.push(file);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  let next = 0;
  const worker = async () => {
    while (next < rest.length) {
      const file = rest[next++]!;
      const outcome = await compressOne(folder, file, previous?.folder, early.get(file));
      if (outcome) result[outcome]++;
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  return result;
}

// File reads and writes are synchronous: each is a few tens of microseconds, and through the
// thread pool (four hand-offs apiece, behind the compressions) they cost more than compressing.
async function compressOne(folder: string, file: string, previousFolder: string | undefined, early: EarlyCompressed | undefined): Promise<'compressed' | 'linked' | undefined> {
  const body = readFileSync(join(folder, file));
  if (early !== undefined) {
    // Compressed while Astro rendered it: the siblings stand if the file holds the bytes compressed then.
    if (early.digest === digestOf(body)) return early.wrote ? 'compressed' : undefined;
    for (const { suffix } of SIBLINGS) rmSync(join(folder, file + suffix), { force: true });
  }
  if (body.length < MIN_BYTES) return undefined;
  if (previousFolder !== undefined && sameBytes(join(previousFolder, file), body) && linkSiblings(previousFolder, folder, file)) return 'linked';
  return (await writeSiblings(folder, file, body)) ? 'compressed' : undefined;
}

/** Writes the siblings of `file` worth having; false when none is. */
async function writeSiblings(folder: string, file: string, body: Buffer): Promise<boolean> {
  let wrote = false;
  for (const sibling of SIBLINGS) {
    const packed = await sibling.compress(body, sibling.options(body.length));
    // Not worth a file (and a Vary) when it barely helps: already-dense data.
    if (packed.length > body.length * 0.9) continue;
    writeFileSync(join(folder, file + sibling.suffix), packed);
    wrote = true;
  }
  return wrote;
}

/** A page compressed as it was rendered: a digest of the bytes compressed, and whether any sibling was written. */
export interface EarlyCompressed {
  digest: string;
  wrote: boolean;
}

const digestOf = (body: Buffer) => createHash('sha1').update(body).digest('base64');

/**
 * Compresses pages while Astro renders the others: Astro's rendering keeps the main thread busy and
 * leaves the thread pool idle, so a page handed over here (from src/middleware.ts, with the bytes
 * Astro is about to write) is compressed on it meanwhile. At most `atOnce` at a time, and `add` waits
 * while `backlog` pages are queued, so the pages waiting never hold more than a few megabytes.
 * `done()` waits for the last and says what was compressed; `precompress` then checks each file
 * holds the bytes compressed (anything else is compressed again) and does the rest.
 */
export class PageCompressor {
  readonly #folder: string;
  readonly #results = new Map<string, EarlyCompressed>();
  readonly #queue: Array<{ file: string; body: Buffer }> = [];
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  #failed: unknown;
  #idle: (() => void) | undefined;

  constructor(
    folder: string,
    private readonly atOnce = AT_ONCE,
    private readonly backlog = 64,
  ) {
    this.#folder = folder;
  }

  /** Queues one page (its path relative to the folder and its bytes); resolves once there is room for another. */
  async add(file: string, body: Buffer): Promise<void> {
    if (body.length < MIN_BYTES || this.#results.has(file)) return;
    this.#queue.push({ file, body });
    this.#pump();
    if (this.#queue.length >= this.backlog) await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.atOnce && this.#queue.length > 0) {
      const { file, body } = this.#queue.shift()!;
      this.#running++;
      this.#waiting.shift()?.();
      this.#compress(file, body)
        .catch((error: unknown) => (this.#failed ??= error))
        .finally(() => {
          this.#running--;
          this.#pump();
          if (this.#running === 0 && this.#queue.length === 0) this.#idle?.();
        });
    }
  }

  async #compress(file: string, body: Buffer): Promise<void> {
    mkdirSync(dirname(join(this.#folder, file)), { recursive: true });
    const wrote = await writeSiblings(this.#folder, file, body);
    this.#results.set(file, { digest: digestOf(body), wrote });
  }

  /** Waits for every queued page; the pages compressed, by path. */
  async done(): Promise<ReadonlyMap<string, EarlyCompressed>> {
    if (this.#running > 0 || this.#queue.length > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    for (const resolve of this.#waiting.splice(0)) resolve();
    if (this.#failed !== undefined) throw this.#failed;
    return this.#results;
  }
}

function sameBytes(path: string, body: Buffer): boolean {
  try {
    return statSync(path).size === body.length && body.equals(readFileSync(path));
  } catch {
    return false; // no such file in the published build
  }
}

/**
 * Links the previous build's siblings of `file`, if it has any; false when it has none (an older
 * build, or a file too small), so the caller compresses instead. A builds folder on another file
 * system gets copies.
 */
function linkSiblings(fromFolder: string, toFolder: string, file: string): boolean {
  let found = false;
  for (const { suffix } of SIBLINGS) {
    const from = join(fromFolder, file + suffix);
    const to = join(toFolder, file + suffix);
    try {
      linkSync(from, to);
      found = true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // this build has no such sibling (too small, or barely compressible)
      if (code !== 'EXDEV' && code !== 'EPERM') throw error;
      copyFileSync(from, to);
      found = true;
    }
  }
  return found;
}
