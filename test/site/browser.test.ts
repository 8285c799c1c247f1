// The built site as readers use it: in headless Chromium, by keyboard, in light and dark, with axe.
import { createRequire } from 'node:module';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { loadConfig, type Config } from '../../src/config/load.ts';
import { simulateHistory } from '../../src/demo/simulate.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { percent } from '../../src/site/format.ts';
import { describeLatencyDay, latencySummary } from '../../src/site/latency.ts';
import { gatherSnapshotInput } from '../../src/status/gather.ts';
import { buildSnapshot, type Snapshot } from '../../src/status/snapshot.ts';
import { openStore } from '../../src/store/open.ts';
import { CHROMIUM, openBrowser } from '../helpers/browser.ts';
import { requireProgram } from '../helpers/services.ts';
import { BUILD_MS } from '../helpers/timeouts.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const chromiumFound = (await requireProgram('chromium')) === CHROMIUM;

describe.skipIf(!chromiumFound)('the status site in Chromium', () => {
  let url: string;
  let close: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await close?.();
    await rm(root, { recursive: true, force: true });
  });
  let root: string;
  let config: Config;
  let snapshot: Snapshot;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'statuspost-browser-'));
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
    // 90 days of history from the demo's documented simulation, so the strips and figures are not empty.
    config = (await loadConfig(root)).config!;
    const { posts } = await loadPosts({ root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone });
    const store = await openStore(config.site.store, root);
    await store.migrate();
    await simulateHistory({ store, config, posts, now: Date.now() });
    snapshot = buildSnapshot(await gatherSnapshotInput(store, config, posts, Date.now()));
    await store.close();
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], (error) => (error ? reject(error) : resolve())),
    );
    ({ url, close } = await startStaticServer({ folder: join(root, 'public-site') }));
  }, BUILD_MS);

  it('shows the overall status and each component\'s status in words, with JavaScript off', async () => {
    const browser = await openBrowser({ javaScriptEnabled: false });
    const page = await browser.newPage();
    await page.goto(url);
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/^(All Systems Operational|.+Outage|.+Service)$/);
    const statuses = await page.locator('.component .status').allTextContents();
    expect(statuses).toHaveLength(7);
    for (const status of statuses) expect(status).toMatch(/^(Operational|Degraded performance|Partial outage|Major outage|Under maintenance)$/);
  });

  it('reaches each day of the uptime strip by keyboard, with its figures in words', async () => {
    const browser = await openBrowser();
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('.bars li').first().focus();
    const first = await page.locator(':focus').getAttribute('aria-label');
    expect(first).toMatch(/^\d{4}-\d{2}-\d{2}: (no data|[\d.]+% uptime)/);
    await page.keyboard.press('Tab');
    const second = await page.locator(':focus').getAttribute('aria-label');
    expect(second).toMatch(/^\d{4}-\d{2}-\d{2}: /);
    expect(second).not.toBe(first);
  });

  it('shows each component\'s 90-day uptime as the Snapshot computed it', async () => {
    const browser = await openBrowser({ javaScriptEnabled: false });
    const page = await browser.newPage();
    await page.goto(url);
    const shown = await page.locator('.component').evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
    expect(shown).toHaveLength(snapshot.components.length);
    snapshot.components.forEach((component, i) => {
      expect(shown[i]).toContain(component.name);
      expect(shown[i]).toContain(`${percent(component.uptime.d90.percent)} uptime over 90 days`);
    });
    // The simulation replays outages, so some strip day is not fully up, and its words say how long.
    const labels = await page.locator('.bars li').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? ''));
    expect(labels.some((label) => /\d+ min (major|partial) outage/.test(label)), labels.slice(0, 3).join(' | ')).toBe(true);
  });

  it('charts each check\'s response time by day, with the Snapshot\'s figures in words', async () => {
    const page = await (await openBrowser({ javaScriptEnabled: false })).newPage();
    await page.goto(`${url}components/chat-nodes/`);
    const component = snapshot.components.find((c) => c.id === 'chat-nodes')!;
    const charts = page.locator('figure.latency');
    expect(await charts.count()).toBe(component.checks.length);
    for (const [i, check] of component.checks.entries()) {
      const days = component.latency.find((l) => l.checkId === check.id)!.days;
      expect(days).toHaveLength(90);
      const svg = charts.nth(i).locator('svg');
      // The label says it in words, from the same figures.
      expect(await svg.getAttribute('aria-label')).toBe(`${check.name}, response time by UTC day: ${latencySummary(days)}`);
      // One median bar per measured day, each no taller than its 95th percentile bar.
      const measured = days.filter((d) => d.p50 !== null);
      expect(measured.length).toBeGreaterThan(80); // the simulation measures every day a node is up
      const heights = await svg.locator('g').evaluateAll((groups) => groups.map((g) => [...g.querySelectorAll('rect')].map((r) => Number(r.getAttribute('height')))));
      expect(heights).toHaveLength(measured.length);
      for (const [p95, p50] of heights) expect(p50!).toBeLessThanOrEqual(p95!);
      expect(await svg.locator('g title').first().textContent()).toBe(describeLatencyDay(measured[0]!));
    }
  });

  it('shows maintenance windows in the author\'s zone and UTC, and the reader\'s own zone when scripts run', async () => {
    const path = 'maintenance/2012-03-24-main-database-upgrade/';
    const noScript = await (await openBrowser({ javaScriptEnabled: false, timezoneId: 'Asia/Tokyo' })).newPage();
    await noScript.goto(url + path);
    const window = await noScript.locator('main p', { hasText: 'Window:' }).textContent();
    // Written for 22:00 in California (PDT since March 11 that year), that is 05:00 the next day in UTC.
    expect(window?.replace(/\s+/g, ' ').trim()).toBe('Window: Sat, Mar 24, 2012, 10:00 PM PDT to Sat, Mar 24, 2012, 10:10 PM PDT (UTC: Sun, Mar 25, 2012, 05:00 AM UTC to Sun, Mar 25, 2012, 05:10 AM UTC)');
    expect(window).not.toContain('your time');
    const scripted = await (await openBrowser({ timezoneId: 'Asia/Tokyo' })).newPage();
    await scripted.goto(url + path);
    const local = await scripted.locator('.local-time').allTextContents();
    expect(local).toHaveLength(2);
    expect(local[0]).toMatch(/^ \(your time: .*(GMT\+9|JST)\)$/);
  });

  it('takes screenshots at 1280 and 375 px wide, kept as test artefacts', async () => {
    const folder = join(repo, 'test-artifacts/screenshots');
    await mkdir(folder, { recursive: true });
    for (const width of [1280, 375]) {
      const page = await (await openBrowser({ viewport: { width, height: 900 } })).newPage();
      for (const [name, path] of [['home', ''], ['component', 'components/chat-nodes/'], ['incident', 'incidents/2015-09-09-redis-failure-blocks-sign-in/']] as const) {
        await page.goto(url + path);
        const file = join(folder, `${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        // Nothing sticks out sideways: the page is readable at this width without scrolling across.
        const overflow = await page.evaluate(() => {
          const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
          return root.scrollWidth - root.clientWidth;
        });
        expect(overflow, `${name} at ${width} px`).toBeLessThanOrEqual(0);
        expect((await readFile(file)).subarray(1, 4).toString()).toBe('PNG');
      }
    }
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const path of ['', 'components/chat-nodes/', 'incidents/2012-10-02-redis-maxclients-sign-in-outage/', 'maintenance/2012-03-24-main-database-upgrade/', 'about/uptime/', 'history/2016-02/']) {
      it(`has no accessibility violations on /${path} in the ${colorScheme} scheme`, async () => {
        const browser = await openBrowser({ colorScheme, viewport: { width: 375, height: 800 } });
        const page = await browser.newPage();
        await page.goto(url + path);
        await page.addScriptTag({ content: axeSource });
        const violations = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
          const result = await axe.run({ runOnly: ['wcag2a', 'wcag2aa'] });
          return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
        });
        expect(violations).toEqual([]);
      });
    }
  }
});
