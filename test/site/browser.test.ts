// The built site as readers use it: in headless Chromium, by keyboard, in light and dark, with axe.
import { createRequire } from 'node:module';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { CHROMIUM, openBrowser } from '../helpers/browser.ts';
import { requireProgram } from '../helpers/services.ts';

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
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'statuspost-browser-'));
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], (error) => (error ? reject(error) : resolve())),
    );
    ({ url, close } = await startStaticServer({ folder: join(root, 'public-site') }));
  }, 60_000);

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
