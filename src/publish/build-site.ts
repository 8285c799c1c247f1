// statuspost build: Snapshot → site data → Astro build into a fresh folder → checks (required
// pages, the leak scan) → compressed siblings → atomic publish. Any failure leaves the published
// site as it was.
import { createHash } from 'node:crypto';
import { copyFileSync, linkSync, mkdirSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { PUBLIC_DIR, type Config } from '../config/load.ts';
import type { Language } from '../i18n/languages.ts';
import { words } from '../i18n/messages.ts';
import { StatuspostError } from '../errors.ts';
import { renderMarkdownCached } from '../posts/markdown.ts';
import { incidentBlocksSignIn, maintenanceState } from '../posts/state.ts';
import type { Post } from '../posts/types.ts';
import type { SiteData } from '../site/data.ts';
import type { IncidentChart } from '../postmortem/chart.ts';
import { pastDays, pastIncidentSlugs } from '../site/past-days.ts';
import type { Snapshot } from '../status/snapshot.ts';
import { feedFiles } from '../feeds/index.ts';
import { nextWindowHistory, type WindowHistory } from '../feeds/ics.ts';
import type { Maintenance } from '../posts/types.ts';
import { PageCompressor, precompress } from './precompress.ts';
import { filesUnder, scanForLeaks, SCAN_VERSION, type Leak } from './scan.ts';
import { newBuildFolder, publish, type SwapCommit } from './swap.ts';

/** The statuspost package itself: Astro's root, where src/pages and astro.config.mjs live. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));


/** Where the build puts the project's logo: a fixed name, so it can never replace a page or a feed. */
export const publishedLogo = (logo: string) => `logo.${extname(logo).slice(1).toLowerCase()}`;

export function toSiteData(
  snapshot: Snapshot,
  posts: readonly Post[],
  uptimeDoc: string,
  now: number,
  notice: string | null = null,
  charts: ReadonlyMap<string, IncidentChart> = new Map(),
  site: { logo?: string | undefined; homepage?: string | undefined } = {},
): SiteData {
  // Headings' self-links speak the site's language; the posts' own words stay as written.
  const anchorLabel = words(snapshot.site.language).t('markdown.anchorLabel', { heading: '{heading}' });
  const html = (source: string, headingIdPrefix = '') => renderMarkdownCached(source, { headingIdPrefix, anchorLabel }).html;
  const name = (id: string) => snapshot.components.find((c) => c.id === id)?.name ?? id;
  return {
    snapshot,
    brand: { logo: site.logo === undefined ? null : publishedLogo(site.logo), homepage: site.homepage ?? null },
    uptimeDocHtml: html(uptimeDoc),
    notice,
    render: null,
    incidents: posts.flatMap((post) =>
      post.kind !== 'incident'
        ? []
        : [
            {
              slug: post.slug,
              title: post.title,
              impact: post.impact,
              timezone: post.timezone,
              startedAt: post.startedAt,
              resolvedAt: post.resolvedAt,
              status: post.updates.filter((u) => u.at <= now).at(-1)?.status ?? 'investigating',
              components: Object.entries(post.components).map(([id, status]) => ({ id, name: name(id), status })),
              updates: post.updates.filter((u) => u.at <= now).map((u) => ({ at: u.at, status: u.status, html: html(u.body) })),
              postmortemAt: post.postmortemAt,
              postmortemHtml: post.body && post.postmortemAt !== null && post.postmortemAt <= now ? html(post.body, 'pm-') : null,
              actionItems: post.postmortemAt !== null && post.postmortemAt <= now ? (post.actionItems ?? []) : [],
              chart: charts.get(post.slug) ?? null,
              signInBlocked: incidentBlocksSignIn(post, now),
            },
          ],
    ),
    maintenance: posts.flatMap((post) =>
      post.kind !== 'maintenance' || post.announcedAt > now
        ? []
        : [
            {
              slug: post.slug,
              title: post.title,
              timezone: post.timezone,
              state: maintenanceState(post, now),
              announcedAt: post.announcedAt,
              startsAt: post.startsAt,
              endsAt: post.endsAt,
              completedAt: post.completedAt !== null && post.completedAt <= now ? post.completedAt : null,
              components: post.components.map((id) => ({ id, name: name(id) })),
              affected: post.affected,
              unaffected: post.unaffected,
              signInBlocked: post.signInBlocked,
              updateRequired: post.updateRequired,
              updates: post.updates.filter((u) => u.at <= now).map((u) => ({ at: u.at, status: u.status, html: html(u.body) })),
              html: html(post.body),
            },
          ],
    ),
  };
}

/** The uptime page's text: docs/uptime.md in English, docs/uptime.<language>.md in the others. */
// `undefined`: a Config made by hand (benches, tests) without the schema's default, which is English.
export const uptimeDocPath = (language: Language | undefined) => (language === undefined || language === 'en' ? 'docs/uptime.md' : `docs/uptime.${language}.md`);

export interface BuildResult {
  folder: string;
  /** Post pages rendered by this build, and reused unchanged from the previous one. */
  rendered: number;
  reused: number;
  files: number;
  /** Wall time of each step in ms, in order (what `bench:build` prints). */
  phases: Record<string, number>;
}

export interface BuildOptions {
  config: Config;
  snapshot: Snapshot;
  posts: readonly Post[];
  out: string;
  now: number;
  /** A line shown on every page (the demo says its data is a simulation). */
  notice?: string;
  /** Called with a line at each step, for a terminal. */
  progress?: (message: string) => void;
  /** Each incident's measured-impact chart by slug (src/postmortem/gather.ts: incidentCharts); none: no charts. */
  incidentCharts?: ReadonlyMap<string, IncidentChart>;
  /** Runs the final swap inside it (the publisher lease's fenced transaction); a refusal publishes nothing. */
  commit?: SwapCommit;
  /**
   * Build the complete, checked folder but do not publish it (a standby publisher without the lease
   * keeps it ready; `publish()` from swap.ts publishes it later). The caller owns the folder then.
   */
  standby?: boolean;
}

/** Where a build keeps its own bookkeeping; hidden files are never served. */
const MANIFEST = '.statuspost/pages.json';
/** Each maintenance window as last published, so a calendar's SEQUENCE rises when a window moves. */
const WINDOWS = '.statuspost/windows.json';

async function readJson<T extends object>(out: string, file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(join(await realpath(out), file), 'utf8')) as T;
  } catch {
    return {} as T; // nothing published yet
  }
}

interface PageManifest {
  fingerprint: string;
  /** Page path ("incidents/<slug>/index.html") → hash of everything that page was rendered from. */
  pages: Record<string, string>;
}

export async function buildAndPublish(options: BuildOptions): Promise<BuildResult> {
  const { config, snapshot, out, now, progress = () => {} } = options;
  const phases: Record<string, number> = {};
  let lapStart = performance.now();
  const lap = (phase: string) => {
    const at = performance.now();
    phases[phase] = (phases[phase] ?? 0) + (at - lapStart);
    lapStart = at;
  };
  // An incident dated in the future is not news yet, and a maintenance is public from its announcement.
  const posts = options.posts.filter((post) => (post.kind === 'incident' ? post.startedAt <= now : post.announcedAt <= now));
  const uptimeDoc = await readFile(join(PACKAGE_ROOT, uptimeDocPath(config.site.language)), 'utf8');
  const data = toSiteData(snapshot, posts, uptimeDoc, now, options.notice ?? null, options.incidentCharts, config.site);
  lap('site data');

  // A post page depends only on its post, the site's settings and the templates: when all three are
  // unchanged since the published build, the page is linked from it instead of rendered again.
  const fingerprint = await templateFingerprint(config, data.notice);
  const manifest: PageManifest = { fingerprint, pages: {} };
  const previous = await previousBuild(out, fingerprint);
  const reuse: string[] = [];
  const render = { incidents: [] as string[], maintenance: [] as string[] };
  for (const [section, entries] of [['incidents', data.incidents], ['maintenance', data.maintenance]] as const) {
    for (const entry of entries) {
      const page = `${section}/${entry.slug}/index.html`;
      const key = createHash('sha256').update(fingerprint).update(JSON.stringify(entry)).digest('base64url');
      manifest.pages[page] = key;
      if (previous?.manifest.pages[page] === key) reuse.push(page);
      else render[section].push(entry.slug);
    }
  }
  data.render = render;
  const reusedSet = new Set(reuse);
  lap('page hashes');

  progress(`rendering ${render.incidents.length + render.maintenance.length} post pages, reusing ${reuse.length} unchanged`);

  const scratch = await mkdtemp(join(tmpdir(), 'statuspost-build-'));
  const folder = await newBuildFolder(out, now, options.standby === true);
  // Pages are compressed on the thread pool as Astro renders them (see PageCompressor); those at a
  // path that is not a folder's index.html (404.html) are compressed with the feeds, after the checks.
  const compressor = new PageCompressor(folder);
  const renderedPosts = new Set(Object.keys(manifest.pages).filter((page) => !reusedSet.has(page)));
  const rendered: RenderedPageSink = (pathname, body) => {
    if (!pathname.endsWith('/')) return undefined;
    let file: string;
    try {
      file = `${decodeURIComponent(pathname).slice(1)}index.html`;
    } catch {
      return undefined;
    }
    return compressor.add(file, body);
  };
  try {
    // Each page to render reads its post from its place in one file (src/site/data.ts: postEntry); the lists
    // need no Markdown (they show titles and dates), except the latest update of an open incident and
    // of those the home page's past fourteen days show. So neither this data file nor Astro holds every
    // post's text at 10,000 posts.
    data.posts = await writePostEntries(join(scratch, 'posts.json'), data, render);
    const days = pastDays(data, snapshot.site.timezone, now);
    const open = new Set([...snapshot.openIncidents, ...pastIncidentSlugs(days)]);
    const recentWindows = new Set(days.flatMap((d) => d.entries.filter((e) => e.kind === 'maintenance').map((e) => e.slug)));
    data.incidents = data.incidents.map((i) => (open.has(i.slug) ? i : { ...i, updates: i.updates.map((u) => ({ ...u, html: '' })), postmortemHtml: null, chart: null }));
    data.maintenance = data.maintenance.map((m) => ({ ...m, updates: recentWindows.has(m.slug) ? m.updates : m.updates.map((u) => ({ ...u, html: '' })), html: '' }));
    lap('post files');
    const dataFile = join(scratch, 'site-data.json');
    await writeFile(dataFile, JSON.stringify(data));
    lap('data file');
    await runAstro(folder, config.site.baseUrl, dataFile, rendered);
    lap('astro');
    const early = await compressor.done();
    lap('early compress wait');
    // The project's logo (checked when the config was loaded), under a name no page or feed uses.
    if (config.site.logo !== undefined) await copyFile(join(config.root, PUBLIC_DIR, config.site.logo), join(folder, publishedLogo(config.site.logo)));
    await linkPages(reuse, previous?.folder ?? '', folder);
    lap('link');

    // Feeds and the API: from the same Snapshot and posts, serialised by code, checked like the pages.
    progress('writing feeds, the API, the banner feed, calendars and badges');
    const windows = nextWindowHistory(await readJson<WindowHistory>(out, WINDOWS), posts.filter((p): p is Maintenance => p.kind === 'maintenance'), now);
    const baseUrl = config.site.baseUrl.endsWith('/') ? config.site.baseUrl : `${config.site.baseUrl}/`;
    const feeds = feedFiles({ snapshot, posts, now, baseUrl }, windows);
    for (const feed of feeds) {
      await mkdir(dirname(join(folder, feed.path)), { recursive: true });
      await writeFile(join(folder, feed.path), feed.body);
    }
    lap('feeds');

    // Reused pages were linked above (a missing one would have thrown); the rest must have been rendered.
    // The siblings written during the render are not files of their own to check (as those written below).
    const files = filesUnder(folder).filter((file) => !((file.endsWith('.br') || file.endsWith('.gz')) && early.has(file.slice(0, -3))));
    const present = new Set(files);
    // A page compressed under a path Astro did not write it to leaves no sibling behind.
    for (const file of early.keys()) if (!present.has(file)) for (const suffix of ['.br', '.gz']) await rm(join(folder, file + suffix), { force: true });
    const required = ['index.html', '404.html', 'about/uptime/index.html', 'history/index.html', ...snapshot.components.map((c) => `components/${c.id}/index.html`), ...renderedPosts, ...feeds.map((f) => f.path)];
    const missing = required.filter((page) => !present.has(page));
    if (missing.length > 0) throw new StatuspostError('SP_BUILD_FAILED', `the build lacks ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}; nothing was published`);
    lap('required');

    // Reused pages passed this same scan when they were built: the fingerprint covers the private values and the scan's version.
    const toScan = files.filter((file) => !reusedSet.has(file));
    progress(`checking ${toScan.length} files for probe targets, secrets and internal addresses`);
    const leaks = await scanForLeaks(folder, config.privateValues, toScan, [new URL(config.site.baseUrl).origin, new URL(config.site.baseUrl).host]);
    lap('scan');
    if (leaks.length > 0) {
      const which = (leak: Leak) => (leak.part === 'value' ? `private value #${leak.valueIndex + 1}` : `the ${leak.part} in private value #${leak.valueIndex + 1}`);
      const where = leaks.map((leak) => `${leak.file} (${which(leak)}, ${leak.form})`).join(', ');
      throw new StatuspostError('SP_BUILD_FAILED', `the build contains private values from probes/: ${where}; nothing was published`, {
        hint: 'a probe target, secret or internal address reached the output, as written or respelled (other letter case, typographic dashes or quotes, entities, percent-encoding, base64); take it out of the post or setting that carries it, or mark the check public: true only if it is meant to be published',
      });
    }
    // After the scan, which reads text, and before the swap: the published build is complete with them.
    progress('compressing text files (.br and .gz beside each)');
    // Reused pages take their siblings from the build they were linked from; without one, files
    // whose bytes did not change take theirs from whatever is published.
    const published = previous?.folder ?? (await realpath(out).catch(() => undefined));
    await precompress(folder, files, published === undefined ? undefined : { folder: published, reused: previous ? reusedSet : new Set() }, early);
    lap('compress rest');
    await mkdir(join(folder, dirname(MANIFEST)), { recursive: true });
    await writeFile(join(folder, MANIFEST), JSON.stringify(manifest));
    await writeFile(join(folder, WINDOWS), JSON.stringify(windows));
    if (!options.standby) await publish(folder, out, 2, options.commit);
    lap('publish');
    return { folder, rendered: render.incidents.length + render.maintenance.length, reused: reuse.length, files: files.length, phases };
  } catch (error) {
    await compressor.done().catch(() => {}); // nothing may still be writing into the folder
    await rm(folder, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Writes each entry to render into one file, one after another; where each is, by `<section>/<slug>`. */
async function writePostEntries(file: string, data: SiteData, render: { incidents: readonly string[]; maintenance: readonly string[] }): Promise<NonNullable<SiteData['posts']>> {
  const at: Record<string, [number, number]> = {};
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const section of ['incidents', 'maintenance'] as const) {
    const wanted = new Set(render[section]);
    for (const entry of data[section] as Array<{ slug: string }>) {
      if (!wanted.has(entry.slug)) continue;
      const bytes = Buffer.from(JSON.stringify(entry));
      at[`${section}/${entry.slug}`] = [offset, bytes.length];
      chunks.push(bytes);
      offset += bytes.length;
    }
  }
  await writeFile(file, chunks);
  return { file, at };
}

/** The published build, if its pages were made from the same templates and settings. */
async function previousBuild(out: string, fingerprint: string): Promise<{ folder: string; manifest: PageManifest } | undefined> {
  try {
    const folder = await realpath(out);
    const manifest = JSON.parse(await readFile(join(folder, MANIFEST), 'utf8')) as PageManifest;
    return manifest.fingerprint === fingerprint ? { folder, manifest } : undefined;
  } catch {
    return undefined; // nothing published yet, or an older build without a manifest: render everything
  }
}

let templateHash: string | undefined;
/** What every post page is rendered from besides its post: the templates, the settings, the private values (and the scan that passed it). */
async function templateFingerprint(config: Config, notice: string | null): Promise<string> {
  if (templateHash === undefined) {
    const hash = createHash('sha256');
    for (const dir of ['src/pages', 'src/layouts', 'src/components', 'src/styles', 'src/site', 'src/i18n']) {
      for (const file of filesUnder(join(PACKAGE_ROOT, dir))) hash.update(file).update(await readFile(join(PACKAGE_ROOT, dir, file)));
    }
    hash.update(await readFile(join(PACKAGE_ROOT, 'package.json')));
    templateHash = hash.digest('base64url');
  }
  const site = config.site as Partial<Config['site']>;
  return createHash('sha256')
    .update(JSON.stringify([templateHash, site.title, site.description, site.baseUrl, site.timezone, site.language, site.logo, site.homepage, notice, config.privateValues, SCAN_VERSION]))
    .digest('base64url');
}

/**
 * Links each reused page from the previous build (a hard link costs no bytes; a builds folder on
 * another file system gets a copy). Synchronous calls, a few hundred at a time: ten thousand small
 * operations through the thread pool cost seconds, this way a fraction of one, and the event loop
 * (the daemon's probe timers) gets a turn between batches.
 */
async function linkPages(pages: readonly string[], from: string, to: string): Promise<void> {
  for (let i = 0; i < pages.length; i += 500) {
    for (const page of pages.slice(i, i + 500)) {
      const target = join(to, page);
      mkdirSync(dirname(target), { recursive: true });
      try {
        linkSync(join(from, page), target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
        copyFileSync(join(from, page), target);
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Astro builds in this process run one at a time: each changes the working directory (below). */
let astroQueue: Promise<unknown> = Promise.resolve();

/**
 * What src/middleware.ts hands each page Astro renders, by URL path, with the bytes Astro is about to
 * write; a promise slows the rendering down until it resolves. Found under a global symbol, because
 * the middleware is bundled by Astro and cannot import this module.
 */
export type RenderedPageSink = (pathname: string, body: Buffer) => Promise<void> | undefined;
const RENDERED_PAGE_SINK = Symbol.for('statuspost.renderedPage');

function runAstro(outDir: string, site: string, dataFile: string, rendered?: RenderedPageSink): Promise<void> {
  const run = astroQueue.then(async () => {
    (globalThis as Record<symbol, unknown>)[RENDERED_PAGE_SINK] = rendered;
    try {
      await runAstroAlone(outDir, site, dataFile);
    } finally {
      delete (globalThis as Record<symbol, unknown>)[RENDERED_PAGE_SINK];
    }
  });
  astroQueue = run.catch(() => {});
  return run;
}

/** Where each build's working folder is made: inside the package, so its node_modules resolve. */
const WORK_FOLDERS = join(PACKAGE_ROOT, 'node_modules', '.cache', 'statuspost-build');

async function runAstroAlone(outDir: string, site: string, dataFile: string): Promise<void> {
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  process.env.STATUSPOST_SITE_DATA = dataFile;
  const { build } = await import('astro');
  // When the output folder is outside the working directory, Astro writes its prerender chunks to
  // <cwd>/.astro/ and deletes that whole folder afterwards: two builds started from one folder (the
  // daemon and a `statuspost build`, two tests) deleted each other's chunks, and a build started from
  // a folder above the output wrote them next to the output, where they cannot import Astro's own
  // dependencies. So each build runs from a folder of its own inside the package.
  // (A worker thread cannot chdir, and a read-only package cannot hold the folder: those build from
  // where they are, as before.)
  const work = isMainThread ? await ownWorkFolder().catch(() => undefined) : undefined;
  const started = process.cwd();
  if (work) process.chdir(work);
  try {
    await build({ root: PACKAGE_ROOT, outDir, site, logLevel: 'error' });
  } catch (error) {
    throw new StatuspostError('SP_BUILD_FAILED', `the site build failed: ${(error as Error).message}; nothing was published`, { cause: error });
  } finally {
    if (work) {
      try {
        process.chdir(started);
      } catch {
        process.chdir(PACKAGE_ROOT); // the folder we started in was removed meanwhile
      }
      await rm(work, { recursive: true, force: true });
    }
  }
}

/** A fresh working folder named after this process; those of processes that died (SIGKILL) are removed. */
async function ownWorkFolder(): Promise<string> {
  await mkdir(WORK_FOLDERS, { recursive: true });
  for (const name of await readdir(WORK_FOLDERS)) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) await rm(join(WORK_FOLDERS, name), { recursive: true, force: true });
  }
  return mkdtemp(join(WORK_FOLDERS, `${process.pid}-`));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}
