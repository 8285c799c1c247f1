// The home page at a glance, in Chromium: past incidents by day in the site's zone, folding groups,
// the legend and the strips in the same colours, 24 px day targets and readable day words on a
// phone, no page wider than the screen, the header's logo, homepage and Subscribe button.
import { createRequire } from 'node:module';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { loadConfig } from '../../src/config/load.ts';
import { simulateHistory } from '../../src/demo/simulate.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { formatWallClock, zonedDate } from '../../src/posts/time.ts';
import { openStore } from '../../src/store/open.ts';
import { CHROMIUM, openBrowser } from '../helpers/browser.ts';
import { requireProgram } from '../helpers/services.ts';
import { BUILD_MS } from '../helpers/timeouts.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const chromiumFound = (await requireProgram('chromium')) === CHROMIUM;
const MIN = 60_000;
const ZONE = 'America/Los_Angeles'; // the demo's probes/site.yaml

/** An incident post written as its author would, at times relative to the build's clock. */
function incidentPost(title: string, impact: string, start: number, end: number | null, component: string, status: string): string {
  const rows = ['---', `title: ${title}`, `impact: ${impact}`, `timezone: ${ZONE}`, `start: ${formatWallClock(start, ZONE)}`, 'components:', `  ${component}: ${status}`, 'updates:',
    `  - at: ${formatWallClock(start + MIN, ZONE)}`, '    status: investigating', `    body: Looking into ${title.toLowerCase()}.`];
  if (end !== null) rows.push(`  - at: ${formatWallClock(end, ZONE)}`, '    status: resolved', '    body: It works again.');
  return [...rows, '---', ''].join('\n');
}

/** The calendar date `days` before today in the zone, counted on the calendar (DST days included). */
function zoneDateDaysBefore(now: number, days: number): string {
  const [y, m, d] = zonedDate(now, ZONE).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - days)).toISOString().slice(0, 10);
}

// The callbacks given to page.evaluate run in the browser; the project compiles without the DOM
// library, so its few globals are declared here, for this file only.
interface Box { left: number; right: number; top: number; bottom: number; width: number; height: number }
declare const document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelector(selector: string): unknown };
declare function getComputedStyle(element: unknown, pseudo?: string): { display: string; content: string; height: string; width: string; bottom: string; backgroundColor: string; borderLeftColor: string };

const noOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe.skipIf(!chromiumFound)('the home page at a glance', () => {
  let url: string;
  let close: (() => Promise<void>) | undefined;
  let root: string;
  const posts: Record<string, { start: number; title: string }> = {};
  afterAll(async () => {
    await close?.();
    await rm(root, { recursive: true, force: true });
  });
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'statuspost-home-'));
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
    const now = Date.now();
    const write = async (slug: string, title: string, impact: string, start: number, end: number | null, component: string, status: string) => {
      posts[slug] = { start, title };
      await writeFile(join(root, 'content/incidents', `${zonedDate(start, ZONE)}-${slug}.md`), incidentPost(title, impact, start, end, component, status));
    };
    await write('sign-in-slow', 'Sign-in slow', 'minor', now - 70 * MIN, now - 10 * MIN, 'cache', 'degraded_performance');
    await write('messages-delayed', 'Messages delayed', 'major', now - 3 * 86_400_000, now - 3 * 86_400_000 + 120 * MIN, 'chat-nodes', 'partial_outage');
    await write('database-slow', 'Database slow', 'minor', now - 30 * MIN, null, 'database', 'degraded_performance');
    await mkdir(join(root, 'public'));
    await writeFile(join(root, 'public/team-logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#6f42c1"/></svg>');
    await writeFile(join(root, 'probes/site.yaml'), `${await readFile(join(root, 'probes/site.yaml'), 'utf8')}\nlogo: team-logo.svg\nhomepage: https://chat.example.org/\n`);
    const config = (await loadConfig(root)).config!;
    const loaded = await loadPosts({ root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone });
    expect(loaded.problems).toEqual([]);
    const store = await openStore(config.site.store, root);
    await store.migrate();
    await simulateHistory({ store, config, posts: loaded.posts, now });
    await store.close();
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], (error, _out, stderr) => (error ? reject(new Error(stderr)) : resolve())),
    );
    ({ url, close } = await startStaticServer({ folder: join(root, 'public-site') }));
  }, BUILD_MS);

  it('lists the last 14 days in the site\'s zone, each incident on its day, and says so on quiet days', async () => {
    const page = await (await openBrowser({ javaScriptEnabled: false })).newPage();
    await page.goto(url);
    const days = await page.locator('section.past .day').evaluateAll((nodes) =>
      nodes.map((n) => ({ date: n.querySelector('h3 time')!.getAttribute('datetime'), links: [...n.querySelectorAll('h4 a')].map((a) => a.textContent), text: n.textContent ?? '' })),
    );
    // The build's own clock, as its footer says it: the days are counted back from there.
    const built = Date.parse((await page.locator('footer time').getAttribute('datetime'))!);
    expect(days.map((d) => d.date)).toEqual(Array.from({ length: 14 }, (_, i) => zoneDateDaysBefore(built, i)));
    for (const [slug, { start, title }] of Object.entries(posts)) {
      const day = days.find((d) => d.links.includes(title));
      expect(day?.date, slug).toBe(zonedDate(start, ZONE));
      expect(await page.locator(`section.past h4 a`, { hasText: title }).getAttribute('href')).toMatch(new RegExp(`^/incidents/\\d{4}-\\d{2}-\\d{2}-${slug}/$`));
    }
    for (const day of days) if (day.links.length === 0) expect(day.text).toContain('No incidents reported.');
    // The one resolved ten minutes ago shows its latest update, in the impact's colour.
    const resolved = page.locator('section.past article', { hasText: 'Sign-in slow' });
    // Its time alone when it was resolved on the day it started (in the zone), with the date otherwise (just after midnight).
    const sameDay = zonedDate(posts['sign-in-slow']!.start, ZONE) === zonedDate(posts['sign-in-slow']!.start + 60 * MIN, ZONE);
    const when = sameDay ? '\\d\\d:\\d\\d [AP]M P[SD]T' : '[A-Z][a-z]{2} \\d{1,2}, \\d\\d:\\d\\d [AP]M P[SD]T';
    expect((await resolved.textContent())?.replace(/\s+/g, ' ')).toMatch(new RegExp(`Resolved · Minor impact · ${when} It works again\\.`));
    expect(await resolved.evaluate((a) => getComputedStyle(a).borderLeftColor)).toBe(await page.evaluate(() => getComputedStyle(document.querySelector('.d-degraded')).backgroundColor));
  });

  it('folds a group to one line that keeps its worst status, without JavaScript', async () => {
    const page = await (await openBrowser({ javaScriptEnabled: false })).newPage();
    await page.goto(url);
    const data = page.locator('details.group', { has: page.locator('.gname', { hasText: 'Data' }) });
    // A group with trouble is open; its summary names the worst status in it (the open incident's).
    await expect(data.getAttribute('open')).resolves.toBe('');
    await expect(data.locator('summary .status').textContent()).resolves.toBe('Degraded performance');
    await data.locator('summary').click();
    await expect(data.getAttribute('open')).resolves.toBeNull();
    expect(await data.locator('.component').first().isVisible()).toBe(false);
    expect(await data.locator('summary .status').isVisible()).toBe(true);
    const summary = await data.locator('summary').boundingBox();
    expect(summary!.height).toBeLessThan(60);
    // The axis is written once per group, not once per component.
    expect(await page.locator('.axis').count()).toBe(await page.locator('.group').count());
  });

  it('colours the legend as the strips, and each day as its words say', async () => {
    const page = await (await openBrowser({ javaScriptEnabled: false })).newPage();
    await page.goto(url);
    const legend = await page.locator('.swatches .swatch').evaluateAll((nodes) => nodes.map((n) => [n.className.replace('swatch ', ''), getComputedStyle(n).backgroundColor]));
    expect(legend.map(([c]) => c)).toEqual(['d-ok', 'd-degraded', 'd-partial', 'd-major', 'd-maintenance', 'd-nodata']);
    expect(new Set(legend.map(([, colour]) => colour)).size).toBe(6);
    const bars = await page.locator('.bars li').evaluateAll((nodes) => nodes.map((n) => ({ colour: n.className, background: getComputedStyle(n).backgroundColor, words: n.getAttribute('aria-label') ?? '' })));
    const expected = (words: string) =>
      / no data$/.test(words) ? 'd-nodata' : /major outage/.test(words) ? 'd-major' : /partial outage/.test(words) ? 'd-partial' : /min degraded/.test(words) ? 'd-degraded' : /maintenance/.test(words) ? 'd-maintenance' : 'd-ok';
    for (const bar of bars) {
      expect(bar.colour, bar.words).toBe(expected(bar.words));
      expect(bar.background).toBe(Object.fromEntries(legend)[bar.colour]);
    }
    // The simulation's replayed outages give more than one colour.
    expect(new Set(bars.map((b) => b.colour)).size).toBeGreaterThan(2);
  });

  it('makes each day a 24 px target on a phone, opening at today, 30 days on the home page and 90 on a component\'s', async () => {
    const page = await (await openBrowser({ viewport: { width: 375, height: 800 }, hasTouch: true, isMobile: true })).newPage();
    for (const [path, count] of [['', 30], ['components/chat-nodes/', 90]] as const) {
      await page.goto(url + path);
      const strip = page.locator('.bars').first();
      const boxes = await strip.locator('li').evaluateAll((nodes) => nodes.filter((n) => getComputedStyle(n).display !== 'none').map((n) => n.getBoundingClientRect().toJSON() as Box));
      expect(boxes, path).toHaveLength(count);
      for (const box of boxes) {
        expect(box.width).toBeGreaterThanOrEqual(24);
        expect(box.height).toBeGreaterThanOrEqual(24);
      }
      // Today (first in the markup) is on screen without scrolling; the oldest shown is off to the left.
      expect(boxes[0]!.right).toBeLessThanOrEqual(375);
      expect(boxes[0]!.left).toBeGreaterThanOrEqual(0);
      expect(boxes.at(-1)!.right).toBeLessThan(0);
      expect(await noOverflow(page)).toBe(0);
    }
  });

  for (const [width, touch] of [[320, true], [375, true], [1280, false]] as const) {
    it(`shows a day's words inside the screen when it is ${touch ? 'tapped' : 'hovered'}, at ${width} px`, async () => {
      const page = await (await openBrowser({ javaScriptEnabled: false, viewport: { width, height: 800 }, hasTouch: touch, isMobile: touch })).newPage();
      await page.goto(url);
      const bars = page.locator('.component').first().locator('.bars li:visible');
      const count = await bars.count();
      for (const index of [0, Math.floor(count / 2), count - 1]) {
        const bar = bars.nth(index);
        await bar.scrollIntoViewIfNeeded();
        if (touch) await bar.tap();
        else await bar.hover();
        const tip = await bar.evaluate((li) => {
          const style = getComputedStyle(li, '::after');
          const strip = li.closest('.strip')!.getBoundingClientRect();
          // The box is placed by the strip (centred over it, never wider): its edges follow from its size.
          const height = Number.parseFloat(style.height);
          const width = Number.parseFloat(style.width);
          const bottom = strip.top - Number.parseFloat(style.bottom) + strip.height; // `bottom` is measured from the strip's bottom edge
          const left = strip.left + (strip.width - width) / 2;
          return { display: style.display, content: style.content, left, right: left + width, top: bottom - height, bottom, words: li.getAttribute('aria-label') };
        });
        expect(tip.display, `day ${index}`).toBe('block');
        expect(tip.content).toBe(JSON.stringify(tip.words));
        expect(tip.left).toBeGreaterThanOrEqual(0);
        expect(tip.right).toBeLessThanOrEqual(width);
        expect(tip.top).toBeGreaterThanOrEqual(0);
        expect(tip.bottom).toBeLessThanOrEqual(800);
      }
    });
  }

  it('is never wider than the screen, on any kind of page, at 320, 375 and 1280 px', async () => {
    const pages = ['', 'components/chat-nodes/', 'incidents/2015-09-09-redis-failure-blocks-sign-in/', 'maintenance/2012-03-24-main-database-upgrade/', 'history/', 'history/2016-02/',
      'incidents/', 'maintenance/', 'about/uptime/', 'subscribe/', 'no-such-page/'];
    for (const width of [320, 375, 1280]) {
      const page = await (await openBrowser({ javaScriptEnabled: false, viewport: { width, height: 800 } })).newPage();
      for (const path of pages) {
        const answer = await page.goto(url + path);
        expect(answer?.status(), path).toBe(path === 'no-such-page/' ? 404 : 200);
        expect(await noOverflow(page), `/${path} at ${width} px`).toBe(0);
      }
    }
  });

  it('shows the team\'s logo, a link to its own site and a Subscribe button in the header', async () => {
    const page = await (await openBrowser({ javaScriptEnabled: false })).newPage();
    await page.goto(`${url}incidents/`);
    const header = page.locator('header.site');
    expect(await header.locator('img').evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
    expect(await header.locator('img').getAttribute('src')).toBe('/logo.svg');
    expect(await header.getByRole('link', { name: 'Our website, chat.example.org' }).getAttribute('href')).toBe('https://chat.example.org/');
    const subscribe = header.getByRole('link', { name: 'Subscribe' });
    await subscribe.click();
    expect(new URL(page.url()).pathname).toBe('/subscribe/');
  });

  for (const [colorScheme, width] of [['light', 1280], ['dark', 1280], ['light', 375], ['dark', 375]] as const) {
    it(`has no accessibility violations (WCAG 2.2 AA) on the home page at ${width} px, with a group folded, in the ${colorScheme} scheme`, async () => {
      const page = await (await openBrowser({ colorScheme, viewport: { width, height: 900 } })).newPage();
      await page.goto(url);
      await page.locator('details.group summary').first().click();
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
        const result = await axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag22aa'] });
        return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      expect(violations).toEqual([]);
    });
  }
});
