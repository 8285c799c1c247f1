// The incident page with a published postmortem: its measured impact as static SVG (no script,
// valid XML), its action items, the API's postmortem body carrying them, and axe clean in Chromium.
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTMORTEM_PLACEHOLDERS } from '../../src/postmortem/placeholders.ts';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { CHROMIUM, openBrowser } from '../helpers/browser.ts';
import { statuspost } from '../helpers/cli.ts';
import { requireProgram } from '../helpers/services.ts';
import { BUILD_MS } from '../helpers/timeouts.ts';
import { seededProject, type Seeded } from './project.ts';

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const chromiumFound = (await requireProgram('chromium')) === CHROMIUM;

describe('the incident page of a postmortem', () => {
  let seeded: Seeded;
  let site: string;
  let folder: string;
  afterAll(() => rm(folder, { recursive: true, force: true }));
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'statuspost-postmortem-page-'));
    seeded = await seededProject({ folder });
    const { root, file, slug } = seeded;
    const written = await statuspost(['postmortem', slug, '--root', root]);
    if (written.code !== 0) throw new Error(written.stderr);
    let text = await readFile(join(root, file), 'utf8');
    for (const sentence of POSTMORTEM_PLACEHOLDERS) text = text.replace(sentence, 'Written by the on-call engineer.');
    text = text.replace('actionItems: []', 'actionItems:\n  - title: Alert when a node\'s memory passes 80% <b>now</b>\n    owner: ops\n    due: 2030-01-15\n  - title: Restart nodes one at a time\n    owner: chat team\n    due: 2030-02-01\n    done: true');
    await writeFile(join(root, file), text);
    const published = await statuspost(['postmortem', slug, '--publish', '--root', root]);
    if (published.code !== 0) throw new Error(published.stderr);
    const built = await statuspost(['build', '--root', root], { timeoutMs: BUILD_MS });
    if (built.code !== 0) throw new Error(built.stderr);
    site = join(root, 'public-site');
  }, BUILD_MS);

  it('draws each affected check\'s measured window as valid SVG, without script, with the action items', async () => {
    const html = await readFile(join(site, 'incidents', seeded.slug, 'index.html'), 'utf8');
    const chart = html.slice(html.indexOf('<section class="impact-chart"'), html.indexOf('</section>', html.indexOf('<section class="impact-chart"')));
    expect(chart).not.toBe('');
    expect(chart).not.toMatch(/<script|\son[a-z]+=/i); // drawn at build time: no script, no handler
    const svgs = [...chart.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs).toHaveLength(4); // chat-1, chat-2, cache-1, db-1
    for (const svg of svgs) expect(XMLValidator.validate(svg)).toBe(true);
    expect(chart).toMatch(/aria-label="Node chat-1: down \d+(\.\d)? min, up [\d.]+ min during the incident; slowest answer [\d.]+ ms"/);
    expect(chart).toContain('aria-label="Node db-1: no data 60 min during the incident"');
    expect(chart).toMatch(/<rect class="strip down"/);
    expect(html).toContain('Alert when a node&#39;s memory passes 80% &lt;b&gt;now&lt;/b&gt;');
    expect(html).toMatch(/<span class="done">Restart nodes one at a time<\/span> — chat team, due <time datetime="2030-02-01">2030-02-01<\/time> \(done\)/);
  });

  it('carries the action items in the Statuspage API\'s postmortem body', async () => {
    const api = JSON.parse(await readFile(join(site, 'api/v2/incidents.json'), 'utf8'));
    const incident = api.incidents.find((i: { id: string }) => i.id === seeded.slug);
    expect(incident.status).toBe('postmortem');
    expect(incident.postmortem_body).toContain('Action items');
    expect(incident.postmortem_body).toContain('Alert when a node\u2019s memory passes 80% <b>now</b>: ops, due 2030-01-15'); // typographer's quote
    expect(incident.postmortem_body).toContain('[done] Restart nodes one at a time: chat team, due 2030-02-01');
  });

  describe.skipIf(!chromiumFound)('in Chromium', () => {
    let url: string;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ url, close } = await startStaticServer({ folder: site }));
    });
    afterAll(async () => close?.());
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`has no accessibility violations in the ${colorScheme} scheme`, async () => {
        const browser = await openBrowser({ colorScheme, viewport: { width: 375, height: 800 } });
        const page = await browser.newPage();
        await page.goto(`${url}incidents/${seeded.slug}/`);
        await expect(page.locator('.impact-chart svg').count()).resolves.toBe(4);
        await page.addScriptTag({ content: axeSource });
        const violations = await page.evaluate(async () => {
          const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
          const result = await axe.run({ runOnly: ['wcag2a', 'wcag2aa'] });
          return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
        });
        expect(violations).toEqual([]);
      });
    }
  });
});
