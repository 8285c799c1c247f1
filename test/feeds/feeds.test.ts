// Every feed of a real build, read by real third-party parsers: fast-xml-parser for RSS and the
// badge, ical.js for iCalendar, ajv for the banner feed against its published schema; and the
// Statuspage v2 files checked against each other by the API's selection rules.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import ICAL from 'ical.js';
import { Statuspage } from 'statuspage.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { bannerFeedSchema } from '../../src/feeds/banner.ts';
import { rssFiles } from '../../src/feeds/rss.ts';
import { loadConfig } from '../../src/config/load.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { buildSnapshot } from '../../src/status/snapshot.ts';
import { gatherSnapshotInput } from '../../src/status/gather.ts';
import { openStore } from '../../src/store/open.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { BUILD_MS } from '../helpers/timeouts.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const NASTY = `Sign-in "fails" <script>alert(1)</script> & ]]> 🚨 تسجيل الدخول`;
const DAY = 86_400_000;
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const NOW = Date.now();
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const INCIDENT = `${day(NOW - 2 * 3_600_000)}-open-incident`;
const UPGRADE = `${day(NOW + 5 * DAY)}-upgrade`;
const CANCELLED = `${day(NOW + 6 * DAY)}-cancelled`;

const build = (root: string) =>
  new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout))),
  );

async function project(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'statuspost-feeds-'));
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
  const now = NOW;
  await writeFile(
    join(root, `content/incidents/${INCIDENT}.md`),
    ['---', `title: '${NASTY.replace(/'/g, "''")}'`, 'impact: major', 'timezone: UTC', `start: ${local(now - 2 * 3_600_000)}`, 'signInBlocked: true', 'components:', '  cache: major_outage', 'updates:', `  - at: ${local(now - 3_600_000)}`, '    status: identified', `    body: 'The session cache refuses connections; body with ${NASTY.replace(/'/g, "''")}'`, '---', ''].join('\n'),
  );
  await writeFile(
    join(root, `content/maintenance/${UPGRADE}.md`),
    ['---', 'title: Chat client upgrade window', 'timezone: UTC', `announcedAt: ${local(now - DAY)}`, 'window:', `  start: ${local(now + 5 * DAY)}`, '  duration: 45m', 'components: [chat-nodes, load-balancer]', 'affected: Nobody can sign in during the window.', 'unaffected: People already signed in keep chatting.', 'signInBlocked: true', 'updateRequired: { minimumVersion: "4.2.0" }', '---', 'Clients older than 4.2.0 must update.', ''].join('\n'),
  );
  await writeFile(
    join(root, `content/maintenance/${CANCELLED}.md`),
    ['---', 'title: Storage move (called off)', 'timezone: UTC', `announcedAt: ${local(now - DAY)}`, 'window:', `  start: ${local(now + 6 * DAY)}`, '  duration: 1h', 'components: [file-share]', 'affected: Uploads pause.', 'cancelled: true', '---', ''].join('\n'),
  );
  return root;
}

describe('feeds and APIs of a real build', () => {
  let root: string;
  let site: string;
  const read = (path: string) => readFile(join(site, path), 'utf8');
  beforeAll(async () => {
    root = await project();
    await build(root);
    site = join(root, 'public-site');
  }, BUILD_MS);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('publishes a banner feed that its own published JSON Schema accepts, small, with what clients must do', async () => {
    const text = await read('banner.json');
    const feed = JSON.parse(text);
    const schema = JSON.parse(await read('banner.schema.json'));
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('date-time', { validate: (s: string) => !Number.isNaN(Date.parse(s)) });
    ajv.addFormat('uri', { validate: (s: string) => URL.canParse(s) });
    const validate = ajv.compile(schema);
    expect(validate(feed), JSON.stringify(validate.errors)).toBe(true);
    expect(bannerFeedSchema.safeParse(feed).success).toBe(true);
    expect(feed.$schema).toBe('http://127.0.0.1:4321/banner.schema.json');
    expect(Buffer.byteLength(text)).toBeLessThan(2048);
    const upgrade = feed.banners.find((b: { id: string }) => b.id === UPGRADE);
    expect(upgrade).toMatchObject({ kind: 'maintenance', severity: 'warning', signInBlocked: true, updateRequired: { minimumVersion: '4.2.0' }, components: ['chat-nodes', 'load-balancer'] });
    expect(feed.banners.some((b: { id: string }) => b.id === CANCELLED)).toBe(false);
    const incident = feed.banners.find((b: { kind: string }) => b.kind === 'incident');
    expect(incident).toMatchObject({ title: NASTY, severity: 'critical', endsAt: null, signInBlocked: true });
    // The incident's page and the home page say it in words too.
    expect(await read(`incidents/${INCIDENT}/index.html`)).toContain('<strong>Sign-in is blocked.</strong>');
    expect(await read('index.html')).toContain('<strong>Sign-in is blocked.</strong>');
    // A broken feed is refused by its own schema: the two cannot drift.
    expect(validate({ ...feed, banners: [{ ...upgrade, signInBlocked: 'yes' }] })).toBe(false);
  });

  it('publishes the eight Statuspage v2 endpoints, consistent with each other', async () => {
    const api = async (path: string) => JSON.parse(await read(`api/v2/${path}`));
    const [summary, status, components, incidents, unresolved, maintenances, upcoming, active] = await Promise.all(
      ['summary.json', 'status.json', 'components.json', 'incidents.json', 'incidents/unresolved.json', 'scheduled-maintenances.json', 'scheduled-maintenances/upcoming.json', 'scheduled-maintenances/active.json'].map(api),
    );
    for (const doc of [status, components, incidents, unresolved, maintenances, upcoming, active]) expect(doc.page).toEqual(summary.page);
    expect(Object.keys(summary.page).sort()).toEqual(['id', 'name', 'time_zone', 'updated_at', 'url']);
    expect(status.status).toEqual(summary.status);
    expect(['none', 'minor', 'major', 'critical', 'maintenance']).toContain(status.status.indicator);
    expect(summary.components).toEqual(components.components);
    expect(summary.incidents).toEqual(unresolved.incidents);
    expect(summary.scheduled_maintenances).toEqual([...active.scheduled_maintenances, ...upcoming.scheduled_maintenances]);
    expect(unresolved.incidents.map((i: { name: string }) => i.name)).toEqual([NASTY]);
    expect(unresolved.incidents[0].status).toBe('identified');
    expect(unresolved.incidents[0].incident_updates[0].affected_components).toEqual([{ code: 'cache', name: 'Session cache', old_status: 'operational', new_status: 'major_outage' }]);
    expect(upcoming.scheduled_maintenances.map((m: { id: string; status: string }) => `${m.id}:${m.status}`)).toEqual([`${UPGRADE}:scheduled`]);
    expect(incidents.incidents.length).toBeLessThanOrEqual(50);
    const resolved = incidents.incidents.find((i: { id: string }) => i.id === '2012-10-02-redis-maxclients-sign-in-outage');
    expect(resolved.status).toBe('postmortem');
    const ids = new Set(components.components.map((c: { id: string }) => c.id));
    for (const c of components.components) if (c.group_id) expect(ids.has(c.group_id)).toBe(true);
    for (const i of incidents.incidents) for (const c of i.components) expect(ids.has(c.id)).toBe(true);
    const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
    for (const m of maintenances.scheduled_maintenances) for (const key of ['scheduled_for', 'scheduled_until', 'created_at', 'updated_at']) expect(m[key]).toMatch(rfc3339);
  });

  it('serves the API to an existing Statuspage client library unchanged (statuspage.io from npm)', async () => {
    const server = await startStaticServer({ folder: site });
    try {
      const client = new Statuspage('chatter');
      // The library only knows *.statuspage.io; its HTTP client is pointed at our loopback server.
      (client as unknown as { apiClient: { defaults: { baseURL: string } } }).apiClient.defaults.baseURL = server.url;
      // The library's own Summary type reduces to never (conflicting `status` members), so it is read as data.
      type Named = { id: string; name: string; group?: boolean };
      const summary = (await client.api.getSummary()) as unknown as { page: { name: string }; status: { indicator: string }; components: Named[]; incidents: Named[] };
      expect(summary.page.name).toBe('Chatter status');
      expect(summary.components.filter((c) => !c.group).map((c) => c.name)).toContain('Chat nodes');
      expect(summary.incidents.map((i) => i.name)).toEqual([NASTY]);
      const status = (await client.api.getStatus()) as unknown as { status: { indicator: string } };
      expect(status.status.indicator).toBe(summary.status.indicator);
      expect((await client.api.getComponents()).components).toHaveLength(summary.components.length);
      expect((await client.api.incidents.getUnresolved()).incidents.map((i) => i.id)).toEqual([INCIDENT]);
      expect((await client.api.incidents.getAll()).incidents.length).toBeGreaterThan(5);
      expect(((await client.api.scheduledMaintenances.getUpcoming()) as unknown as { scheduled_maintenances: Named[] }).scheduled_maintenances.map((m) => m.id)).toEqual([UPGRADE]);
      // The library's getAll() and getActive() both ask for upcoming.json (its bug); its own endpoint
      // table and HTTP client still reach the full list.
      const { Endpoint } = await import('statuspage.io/dist/Endpoints.js');
      const http = (client as unknown as { apiClient: { get: (path: string) => Promise<{ data: { scheduled_maintenances: Named[] } }> } }).apiClient;
      expect((await http.get(Endpoint.ScheduledMaintenances.all())).data.scheduled_maintenances.length).toBeGreaterThan(3);
    } finally {
      await server.close();
    }
  });

  it('publishes RSS 2.0 that parses, with a guid per update, a self link, and the title escaped correctly', async () => {
    const xml = await read('rss.xml');
    expect(XMLValidator.validate(xml)).toBe(true);
    const rss = new XMLParser({ ignoreAttributes: false }).parse(xml).rss;
    expect(rss['@_version']).toBe('2.0');
    expect(rss.channel['atom:link']['@_rel']).toBe('self');
    expect(rss.channel['atom:link']['@_href']).toBe('http://127.0.0.1:4321/rss.xml');
    const items = rss.channel.item as Array<{ title: string; guid: { '#text': string } | string; pubDate: string; description: string }>;
    const guids = items.map((i) => (typeof i.guid === 'string' ? i.guid : i.guid['#text']));
    expect(new Set(guids).size).toBe(guids.length);
    const dates = items.map((i) => Date.parse(i.pubDate));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(items.some((i) => i.title === `${NASTY}: identified`)).toBe(true);
    expect(items.find((i) => i.title === `${NASTY}: identified`)!.description).toContain('&lt;script&gt;');
    expect(guids).toContain('http://127.0.0.1:4321/incidents/2012-10-02-redis-maxclients-sign-in-outage/#postmortem');
    const pages = await read('index.html');
    expect(pages).toContain('<link rel="alternate" type="application/rss+xml"');
    const cacheFeed = new XMLParser().parse(await read('components/cache/rss.xml')).rss.channel;
    expect(cacheFeed.item.length).toBeLessThan(items.length);
  });

  it('makes the same RSS bytes from the same inputs, whatever the clock says', async () => {
    const { config } = await loadConfig(root);
    const { posts } = await loadPosts({ root, componentIds: config!.components.map((c) => c.id), siteTimezone: config!.site.timezone });
    const store = await openStore(config!.site.store, root);
    await store.migrate();
    const now = Date.now();
    const snapshot = buildSnapshot(await gatherSnapshotInput(store, config!, posts, now));
    await store.close();
    const first = rssFiles({ snapshot, posts, now, baseUrl: 'https://status.example.org/' });
    await new Promise((r) => setTimeout(r, 1100)); // lastBuildDate has one-second resolution
    const second = rssFiles({ snapshot, posts, now, baseUrl: 'https://status.example.org/' });
    expect(second.map((f) => f.body)).toEqual(first.map((f) => f.body));
  });

  it('publishes iCalendar that ical.js reads, folded at 75 octets, with cancelled windows and rising SEQUENCE', async () => {
    const text = await read('maintenance.ics');
    for (const line of text.split('\r\n').slice(0, -1)) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    const events = new ICAL.Component(ICAL.parse(text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    const upgrade = events.find((e) => e.uid === `${UPGRADE}@127.0.0.1:4321`)!;
    expect(upgrade.summary).toBe('Chat client upgrade window');
    expect(upgrade.endDate.toJSDate().getTime() - upgrade.startDate.toJSDate().getTime()).toBe(45 * 60_000);
    expect(upgrade.description).toContain('Clients older than 4.2.0 must update.');
    expect(upgrade.sequence).toBe(0);
    const cancelled = events.find((e) => e.uid.startsWith(`${CANCELLED}@`))!;
    expect(cancelled.component.getFirstPropertyValue('status')).toBe('CANCELLED');
    // Move the window and build again: the event's SEQUENCE rises, its UID stays.
    const file = join(root, `content/maintenance/${UPGRADE}.md`);
    await writeFile(file, (await readFile(file, 'utf8')).replace('duration: 45m', 'duration: 90m'));
    await build(root);
    const again = new ICAL.Component(ICAL.parse(await read('maintenance.ics'))).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(again.find((e) => e.uid === upgrade.uid)!.sequence).toBe(1);
    expect(again.find((e) => e.uid === cancelled.uid)!.sequence).toBe(0);
  });

  it('publishes badges as SVG with the status in words, and shields.io endpoint JSON', async () => {
    const svg = await read('components/chat-nodes/badge.svg');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(new XMLParser().parse(svg).svg.title).toMatch(/^Chat nodes: (operational|degraded|partial outage|major outage|maintenance) · /);
    const shield = JSON.parse(await read('badge.json'));
    expect(shield).toMatchObject({ schemaVersion: 1, label: 'status' });
    expect(typeof shield.message).toBe('string');
  });
});
