// The SDK in Chromium, from a page served by statuspost's own server: it shows the banner, polls
// with conditional requests, and leaves the app's page usable. Same compiled files an app imports.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { CHROMIUM, openBrowser } from '../helpers/browser.ts';
import { requireProgram } from '../helpers/services.ts';
import { tempDir } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const chromiumFound = (await requireProgram('chromium')) === CHROMIUM;

describe.skipIf(!chromiumFound)('the banner SDK in Chromium', () => {
  it('shows the maintenance banner from the feed and polls conditionally', async () => {
    const folder = await tempDir('statuspost-sdk-page-');
    await cp(join(repo, 'dist/client'), join(folder, 'sdk'), { recursive: true, filter: (src) => !src.endsWith('.map') && !src.endsWith('.d.ts') });
    const startsAt = new Date(Date.now() + 2 * 86_400_000);
    startsAt.setUTCHours(22, 0, 0, 0);
    const feed = {
      $schema: 'x', version: 1, generatedAt: new Date().toISOString(), pollSeconds: 1, hash: 'h', site: { title: 'Chatter status', url: 'http://127.0.0.1/' },
      banners: [{
        id: 'patching', kind: 'maintenance', severity: 'warning', title: 'Chat node security patching', short: 'Chat node security patching', long: 'Each node restarts in turn.',
        startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString(), components: ['chat-nodes'], signInBlocked: true,
        updateRequired: { minimumVersion: '4.2.0' }, url: 'http://127.0.0.1/maintenance/patching/',
      }],
    };
    await writeFile(join(folder, 'banner.json'), JSON.stringify(feed));
    await mkdir(join(folder, 'app'), { recursive: true });
    await writeFile(
      join(folder, 'app/index.html'),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Chat app</title></head><body>
<div id="banner" role="status"></div>
<script type="module">
import { createBannerClient } from '/sdk/index.js';
const el = document.getElementById('banner');
window.client = createBannerClient({
  url: '/banner.json', clientVersion: '4.1.0', intervalMs: 1000, firstPollSpreadMs: 10,
  onChange(state) {
    const next = state.upcoming[0] ?? state.active[0];
    el.textContent = next
      ? next.title + ' on ' + new Date(next.startsAt).toUTCString().replace(':00 GMT', ' UTC') + (next.signInBlocked ? '; sign-in is blocked then' : '') + (state.updateRequired ? '; update to ' + state.updateRequired.minimumVersion : '')
      : '';
  },
});
window.client.start();
</script></body></html>`,
    );
    const server = await startStaticServer({ folder, feedMaxAge: 1 });
    try {
      const page = await (await openBrowser()).newPage();
      await page.goto(`${server.url}app/`);
      await expect.poll(() => page.locator('#banner').textContent(), { timeout: 5_000 }).toContain('Chat node security patching on');
      const text = await page.locator('#banner').textContent();
      expect(text).toContain('22:00 UTC; sign-in is blocked then; update to 4.2.0');
      // After a few polls at the 1 s floor the server has answered 304s: the browser sent If-None-Match.
      await expect.poll(() => server.stats.notModified, { timeout: 6_000 }).toBeGreaterThan(0);
      const stats = await page.evaluate(() => (globalThis as unknown as { client: { stats: { requests: number; ok: number } } }).client.stats);
      expect(stats.ok).toBe(1);
      expect(stats.requests).toBeLessThanOrEqual(8);
    } finally {
      await server.close();
    }
  }, 30_000);
});
