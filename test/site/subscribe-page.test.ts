// Issue 19's History and Subscribe, on a real build served by `statuspost serve`'s own server and
// read in Chromium: every link of the subscribe page answers 200 (webcal:// and the site's public
// address mapped to the test server), every page advertises its feeds and links to /subscribe/,
// the history lists what happened (placed relative to the clock) and nothing ahead, and the new
// pages neither overflow a phone's width nor break axe's rules.
import { createRequire } from 'node:module';
import { cp, readFile, rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { CHROMIUM, openBrowser } from '../helpers/browser.ts';
import { requireProgram } from '../helpers/services.ts';
import { BUILD_MS } from '../helpers/timeouts.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const chromiumFound = (await requireProgram('chromium')) === CHROMIUM;

const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.now();
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const RECENT = `${day(NOW - 3 * H)}-recent-cache-errors`;
const DONE = `${day(NOW - 2 * DAY)}-finished-node-patching`;
const AHEAD = `${day(NOW + 5 * DAY)}-ahead-storage-move`;

async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'statuspost-subscribe-'));
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
  await writeFile(
    join(root, `content/incidents/${RECENT}.md`),
    ['---', 'title: Recent cache errors', 'impact: minor', 'timezone: UTC', `start: ${local(NOW - 3 * H)}`, 'components:', '  cache: partial_outage', 'updates:', `  - at: ${local(NOW - H)}`, '    status: resolved', '    body: Fixed.', '---', ''].join('\n'),
  );
  await writeFile(
    join(root, `content/maintenance/${DONE}.md`),
    ['---', 'title: Finished node patching', 'timezone: UTC', `announcedAt: ${local(NOW - 5 * DAY)}`, 'window:', `  start: ${local(NOW - 2 * DAY)}`, '  duration: 1h', 'components: [chat-nodes]', 'affected: Chat pauses.', '---', ''].join('\n'),
  );
  await writeFile(
    join(root, `content/maintenance/${AHEAD}.md`),
    ['---', 'title: Storage move ahead', 'timezone: UTC', `announcedAt: ${local(NOW - DAY)}`, 'window:', `  start: ${local(NOW + 5 * DAY)}`, '  duration: 1h', 'components: [file-share]', 'affected: Uploads pause.', '---', ''].join('\n'),
  );
  return root;
}

describe.skipIf(!chromiumFound)('the subscribe page and the history, built and served', () => {
  let root: string;
  let url: string;
  let publicUrl: string;
  let zone: string;
  let components: Array<{ id: string; name: string }>;
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    root = await project();
    const { config } = await loadConfig(root);
    publicUrl = config!.site.baseUrl.replace(/\/?$/, '/');
    zone = config!.site.timezone;
    components = config!.components.map((c) => ({ id: c.id, name: c.name }));
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve())),
    );
    ({ url, close } = await startStaticServer({ folder: join(root, 'public-site') }));
  }, BUILD_MS);
  afterAll(async () => {
    await close?.();
    await rm(root, { recursive: true, force: true });
  });

  /** A link as the page gives it, as the test server answers it: the public address and webcal:// mapped onto the server. */
  const onServer = (href: string, page: string) => {
    const absolute = new URL(href.replace(/^webcal:\/\//, 'http://'), page);
    absolute.hash = '';
    const mapped = absolute.href.startsWith(publicUrl) ? url + absolute.href.slice(publicUrl.length) : absolute.href;
    return mapped;
  };
  const monthOf = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' }).format(ms).slice(0, 7);

  it('lists every channel, and every link on the subscribe page answers 200', async () => {
    const browser = await openBrowser({ javaScriptEnabled: false });
    const page = await browser.newPage();
    await page.goto(`${url}subscribe/`);
    const hrefs = await page.$$eval('a[href], img[src], link[href]', (nodes) => nodes.map((n) => n.getAttribute('href') ?? n.getAttribute('src')!));
    const links = await page.$$eval('main a[href]', (nodes) => nodes.map((n) => n.getAttribute('href')!));
    // What the issue asks the page to offer, in the site's own words and addresses.
    for (const dir of ['', ...components.map((c) => `components/${c.id}/`)]) {
      for (const file of ['rss.xml', 'feed.atom', 'feed.json']) expect(links, `${dir}${file}`).toContain(`/${dir}${file}`);
      expect(links).toContain(`webcal://${new URL(publicUrl).host}/${dir}maintenance.ics`);
    }
    for (const path of ['/api/v2/summary.json', '/banner.json', '/banner.schema.json', '/about/banner/', '/badge.json']) expect(links).toContain(path);
    const text = await page.locator('main').textContent();
    for (const words of ['RSS', 'Atom', 'JSON Feed', 'Calendar of maintenance', 'Email', 'Chat and webhooks', 'Statuspage', 'banner feed', 'statuspost/client', 'Badges']) expect(text).toContain(words);
    // The badge Markdown to copy points at the public address.
    const snippets = await page.locator('pre.copy code').allTextContents();
    expect(snippets).toContain(`[![Chatter status](${publicUrl}badge.svg)](${publicUrl})`);
    expect(snippets).toContain(`[![Session cache status](${publicUrl}components/cache/badge.svg)](${publicUrl}components/cache/)`);
    expect(snippets).toContain(`${publicUrl}maintenance.ics`);
    // The email section `statuspost serve` fills in is there for it to find.
    expect(await page.locator('section#email h2').textContent()).toBe('Email');

    const targets = [...new Set(hrefs.map((href) => onServer(href, `${url}subscribe/`)))];
    expect(targets.length).toBeGreaterThan(40);
    const answers = await Promise.all(targets.map(async (target) => [target, (await fetch(target)).status] as const));
    expect(answers.filter(([, status]) => status !== 200)).toEqual([]);
    const types = async (path: string) => (await fetch(url + path)).headers.get('content-type');
    await expect(types('feed.atom')).resolves.toBe('application/atom+xml; charset=utf-8');
    await expect(types('components/cache/feed.json')).resolves.toBe('application/json; charset=utf-8');
    await expect(types('components/cache/maintenance.ics')).resolves.toBe('text/calendar; charset=utf-8');
  });

  it('advertises RSS, Atom and JSON Feed on every page kind (a component\'s page its own too) and links each to /subscribe/', async () => {
    const month = monthOf(NOW - 3 * H);
    const pages = ['', 'components/cache/', `incidents/${RECENT}/`, `maintenance/${AHEAD}/`, 'incidents/', 'maintenance/', 'history/', `history/${month}/`, 'history/component/cache/', 'about/uptime/', 'subscribe/', '404.html'];
    const browser = await openBrowser({ javaScriptEnabled: false });
    const page = await browser.newPage();
    for (const path of pages) {
      const response = await page.goto(url + path);
      expect(response!.status(), path).toBe(200);
      const alternates = await page.$$eval('link[rel="alternate"]', (nodes) => nodes.map((n) => `${n.getAttribute('type')} ${n.getAttribute('href')}`));
      const expected = ['application/rss+xml /rss.xml', 'application/atom+xml /feed.atom', 'application/feed+json /feed.json'];
      if (path.includes('/cache/')) expected.push('application/rss+xml /components/cache/rss.xml', 'application/atom+xml /components/cache/feed.atom', 'application/feed+json /components/cache/feed.json');
      expect(alternates, path).toEqual(expected);
      expect(await page.locator('a[href="/subscribe/"]').count(), path).toBeGreaterThan(0);
    }
  });

  it('lists what happened in the history, with impact, duration and components, and nothing ahead', async () => {
    const read = async (path: string) => {
      const response = await fetch(url + path);
      expect(response.status, path).toBe(200);
      return response.text();
    };
    // The window ahead is published (home page, maintenance list), just not in the history.
    expect(await read('maintenance/')).toContain(`/maintenance/${AHEAD}/`);
    const index = await read('history/');
    const month = await read(`history/${monthOf(NOW - 3 * H)}/`);
    for (const html of [index, month]) {
      expect(html).toContain(`href="/incidents/${RECENT}/"`);
      expect(html).toContain('Minor impact');
      expect(html).toContain('lasted 2 h');
      expect(html).not.toContain('Storage move ahead');
      expect(html).not.toMatch(/— \d+ (entry|entries)/);
    }
    expect(await read(`history/${monthOf(NOW - 2 * DAY)}/`)).toMatch(new RegExp(`href="/maintenance/${DONE}/"[\\s\\S]*Maintenance[\\s\\S]*lasted 1 h`));
    // Nothing ahead anywhere in the archive; its month pages are only months that have begun.
    const months = [...index.matchAll(/href="\/history\/(\d{4}-\d\d)\/"/g)].map((m) => m[1]!);
    expect(months.length).toBeGreaterThan(0);
    for (const m of new Set(months)) {
      expect(m <= monthOf(NOW)).toBe(true);
      expect(await read(`history/${m}/`)).not.toContain(AHEAD);
    }
    // The filter: plain links to each touched component's history, which holds only what touched it.
    expect(index).toContain('href="/history/component/cache/"');
    const cache = await read('history/component/cache/');
    expect(cache).toContain(`/incidents/${RECENT}/`);
    expect(cache).not.toContain(`/maintenance/${DONE}/`);
    expect(cache).toContain('href="/history/component/chat-nodes/"'); // another incident of the demo touched both
    expect(await read('history/component/file-share/')).not.toContain(AHEAD);
    // The long-past demo months are still there, with titles.
    expect(await read('history/2012-10/')).toContain('Sign-in unavailable after a mass reconnect saturated Redis');
  });

  const newPages = () => ['subscribe/', 'about/banner/', 'history/', `history/${monthOf(NOW - 3 * H)}/`, 'history/component/cache/'];

  it('fits every width from 320 to 1280 px without a sideways scroll', async () => {
    for (const width of [320, 375, 1280]) {
      const browser = await openBrowser({ viewport: { width, height: 800 } });
      const page = await browser.newPage();
      for (const path of newPages()) {
        await page.goto(url + path);
        const overflow = await page.evaluate(() => {
          const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
          return root.scrollWidth - root.clientWidth;
        });
        expect(overflow, `${path} at ${width} px`).toBeLessThanOrEqual(0);
      }
      await browser.close();
    }
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no accessibility violations on the subscribe and history pages in the ${colorScheme} scheme`, async () => {
      const browser = await openBrowser({ colorScheme, viewport: { width: 375, height: 800 } });
      const page = await browser.newPage();
      for (const path of newPages()) {
        await page.goto(url + path);
        await page.addScriptTag({ content: axeSource });
        const violations = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
          const result = await axe.run({ runOnly: ['wcag2a', 'wcag2aa'] });
          return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
        });
        expect(violations, path).toEqual([]);
      }
    });
  }
});
