// Every published format of one real build agrees with itself, with the others and with its
// standard: the overall status in status.json, summary.json, the badge and the home page's banner is
// one pair; maintenance statuses and times are Statuspage's and in order (read by the statuspage.io
// client); every calendar parses (ical.js), components without a window included; RSS links are
// absolute, component feeds link to their pages, and moving a window adds an item; the home page has
// an <h1>, and the uptime page fits a phone and shows no source path (in Chromium).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import ICAL from 'ical.js';
import { Statuspage } from 'statuspage.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { OVERALL_LEVELS } from '../../src/status/component-status.ts';
import { CHROMIUM, openBrowser } from '../helpers/browser.ts';
import { requireProgram } from '../helpers/services.ts';
import { disorder, type Record_ } from './statuspage-order.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const chromiumFound = (await requireProgram('chromium')) === CHROMIUM;
const BASE = 'http://127.0.0.1:4321/';
const MINUTE = 60_000;
const H = 60 * MINUTE;
const DAY = 24 * H;
const NOW = Date.now();
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const INCIDENT = `${day(NOW - 2 * H)}-messages-slow`;
const CANCELLED = `${day(NOW + 7 * DAY)}-storage-move`;
const VERIFYING = `${day(NOW - H)}-node-restarts`;
const MOVABLE = `${day(NOW + 5 * DAY)}-share-upgrade`;

const build = (root: string) =>
  new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout))),
  );

async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'statuspost-agree-'));
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
  const post = (folder: string, slug: string, lines: string[]) => writeFile(join(root, `content/${folder}/${slug}.md`), ['---', ...lines, '---', ''].join('\n'));
  // The case: a major incident open on a component the incident itself calls a partial outage.
  await post('incidents', INCIDENT, [
    'title: Messages arrive late', 'impact: major', 'timezone: UTC', `start: ${local(NOW - 2 * H)}`, 'components:', '  cache: partial_outage',
    'updates:', `  - at: ${local(NOW - H)}`, '    status: identified', "    body: 'See [the cache](../../components/cache/) and [the timeline](#timeline).'",
  ]);
  await post('maintenance', CANCELLED, [
    'title: Storage move', 'timezone: UTC', `announcedAt: ${local(NOW - 5 * DAY)}`, 'window:', `  start: ${local(NOW + 7 * DAY)}`, '  duration: 2h',
    'components: [cache]', 'affected: Uploads pause.', 'cancelled: true', 'updates:', `  - at: ${local(NOW - H)}`, '    body: Called off.',
  ]);
  await post('maintenance', VERIFYING, [
    'title: Chat node restarts', 'timezone: UTC', `announcedAt: ${local(NOW - DAY)}`, 'window:', `  start: ${local(NOW - H)}`, '  duration: 3h',
    'components: [chat-nodes]', 'affected: Some reconnects.', 'updates:',
    `  - at: ${local(NOW - 50 * MINUTE)}`, '    status: in_progress', '    body: Restarting.',
    `  - at: ${local(NOW - 20 * MINUTE)}`, '    status: verifying', '    body: Checking every node.',
  ]);
  await post('maintenance', MOVABLE, [
    'title: File share upgrade', 'timezone: UTC', `announcedAt: ${local(NOW - DAY)}`, 'window:', `  start: ${local(NOW + 5 * DAY)}`, '  duration: 45m',
    'components: [file-share]', 'affected: Uploads pause.',
  ]);
  return root;
}

describe('the formats of one build agree', () => {
  let root: string;
  let site: string;
  const read = (path: string) => readFile(join(site, path), 'utf8');
  const api = async (path: string) => JSON.parse(await read(`api/v2/${path}`));
  beforeAll(async () => {
    root = await project();
    await build(root);
    site = join(root, 'public-site');
  }, 180_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('says "major" in words wherever the overall status is published, with an open major incident', async () => {
    const status = (await api('status.json')).status;
    expect(status).toEqual({ indicator: 'major', description: 'Major Service Outage' });
    expect((await api('summary.json')).status).toEqual(status);
    expect(Object.values(OVERALL_LEVELS)).toContainEqual(status);
    const badge = JSON.parse(await read('badge.json'));
    expect(badge.message).toBe(status.description.toLowerCase());
  });

  it('publishes maintenance with Statuspage\'s statuses and every timestamp of every record in order', async () => {
    const all = (await api('scheduled-maintenances.json')).scheduled_maintenances as Record_[];
    const incidents = (await api('incidents.json')).incidents as Record_[];
    expect([...all, ...incidents].flatMap((r) => disorder(r, NOW + 5 * MINUTE))).toEqual([]);
    for (const m of all) expect(['scheduled', 'in_progress', 'verifying', 'completed']).toContain(m.status);
    expect(all.find((m) => m.id === VERIFYING)!.status).toBe('verifying');
    const cancelled = all.find((m) => m.id === CANCELLED)!;
    expect(cancelled.status).toBe('completed');
    expect(Date.parse(cancelled.resolved_at!)).toBeGreaterThanOrEqual(Date.parse(cancelled.started_at));
    const server = await startStaticServer({ folder: site });
    try {
      const client = new Statuspage('chatter');
      (client as unknown as { apiClient: { defaults: { baseURL: string } } }).apiClient.defaults.baseURL = server.url;
      const summary = (await client.api.getSummary()) as unknown as { status: { indicator: string; description: string }; scheduled_maintenances: Array<{ id: string; status: string }> };
      expect(summary.status).toEqual({ indicator: 'major', description: 'Major Service Outage' });
      expect(summary.scheduled_maintenances.map((m) => `${m.id}:${m.status}`)).toEqual([`${VERIFYING}:verifying`, `${MOVABLE}:scheduled`]);
    } finally {
      await server.close();
    }
  });

  it('publishes calendars that ical.js reads, each with a component, those of components without a window too', async () => {
    const components = (await api('components.json')).components.filter((c: { group: boolean }) => !c.group).map((c: { id: string }) => c.id) as string[];
    let empty = 0;
    for (const path of ['maintenance.ics', ...components.map((id) => `components/${id}/maintenance.ics`)]) {
      const calendar = new ICAL.Component(ICAL.parse(await read(path)));
      expect(calendar.getAllSubcomponents().length, path).toBeGreaterThan(0);
      if (calendar.getAllSubcomponents('vevent').length === 0) {
        empty++;
        expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid'), path).toBe('UTC');
      }
    }
    expect(empty).toBeGreaterThan(0);
  });

  it('publishes RSS with absolute links only, component feeds linking to their pages, and an item when a window moves', async () => {
    const parse = (xml: string) => {
      expect(XMLValidator.validate(xml)).toBe(true);
      return new XMLParser({ ignoreAttributes: false }).parse(xml).rss.channel as { link: string; item: Array<{ title: string; description: string; guid: { '#text': string } }> };
    };
    const feed = parse(await read('rss.xml'));
    const hrefs = feed.item.flatMap((i) => [...i.description.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1]!));
    expect(hrefs.some((h) => h.includes('#pm-'))).toBe(true); // the postmortems' heading anchors
    for (const href of hrefs) expect(/^(https?|mailto):/.test(href), href).toBe(true);
    expect(hrefs).toContain(`${BASE}incidents/${INCIDENT}/#timeline`);
    expect(feed.item.some((i) => i.title === 'Cancelled: Storage move')).toBe(true);
    expect(parse(await read('components/cache/rss.xml')).link).toBe(`${BASE}components/cache/`);
    // Move the window and build again: subscribers get an item saying so.
    const file = join(root, `content/maintenance/${MOVABLE}.md`);
    await writeFile(file, (await readFile(file, 'utf8')).replace('duration: 45m', 'duration: 90m'));
    await build(root);
    const moved = parse(await read('components/file-share/rss.xml')).item.find((i) => i.guid['#text'] === `${BASE}maintenance/${MOVABLE}/#change-1`);
    expect(moved?.title).toBe('Rescheduled: File share upgrade');
  }, 120_000);

  describe.skipIf(!chromiumFound)('in Chromium', () => {
    let url: string;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ url, close } = await startStaticServer({ folder: site }));
    });
    afterAll(() => close?.());

    it('gives the home page an <h1>, and its banner the colour class and words of status.json', async () => {
      const page = await (await openBrowser({ javaScriptEnabled: false })).newPage();
      await page.goto(url);
      const h1 = page.locator('h1');
      expect(await h1.count()).toBe(1);
      expect(await h1.textContent()).toBe('Chatter status');
      const status = (await api('status.json')).status;
      const banner = page.getByRole('status');
      expect(await banner.textContent()).toBe(status.description);
      expect((await banner.getAttribute('class'))!.split(' ')).toEqual(['banner', status.indicator]);
    });

    it('fits the uptime page in a 320 and a 375 px viewport, and shows no source path', async () => {
      for (const width of [320, 375]) {
        const page = await (await openBrowser({ viewport: { width, height: 800 } })).newPage();
        await page.goto(`${url}about/uptime/`);
        const { scrollWidth, clientWidth, text } = await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number }; body: { innerText: string } } }).document;
          return { scrollWidth: doc.documentElement.scrollWidth, clientWidth: doc.documentElement.clientWidth, text: doc.body.innerText };
        });
        expect(scrollWidth, `${width} px`).toBeLessThanOrEqual(clientWidth);
        expect(text).toContain('weighted downtime');
        expect(text).not.toMatch(/\b(src|test|bench|dist)\/[\w./-]*/);
      }
    });
  });
});
