// page-weight: the bytes a first visit to the home page transfers (HTML with its inlined CSS, plus
// the favicon; no script is needed to read it), gzip-compressed as a server would send them, for a
// page of 30 components with their 90-day strips and 14 days of past incidents. The history behind
// it is varied (outages, partial outages, maintenance and days without data) so the strips are not
// trivially compressible, and the incidents have titles and updates of different words.
// Usage: npm run bench:page-weight [-- --components 30 --incidents 10]
import { readFile, rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import type { Config } from '../src/config/load.ts';
import { buildAndPublish } from '../src/publish/build-site.ts';
import { zoneDays } from '../src/status/component-days.ts';
import { buildSnapshot } from '../src/status/snapshot.ts';
import type { ComponentDay } from '../src/store/types.ts';
import type { Impact, Incident } from '../src/posts/types.ts';

const { values } = parseArgs({ options: { components: { type: 'string', default: '30' }, incidents: { type: 'string', default: '10' } } });
const COMPONENTS = Number(values.components);
const INCIDENTS = Number(values.incidents);
let seed = 11;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);

const now = Date.now();
const days = zoneDays('UTC');
const today = days.dayOf(now);
const components = Array.from({ length: COMPONENTS }, (_, i) => ({
  id: `component-${i}`,
  name: `Component number ${i}`,
  group: `group-${i % 5}`,
  description: '',
  outage: { partialAt: 1, majorAt: 'all' as const },
  essential: false,
}));
const componentDays: ComponentDay[] = [];
for (const component of components) {
  for (let day = today - 89; day <= today; day++) {
    const from = days.startOf(day);
    const to = Math.min(days.startOf(day + 1), now);
    const roll = random();
    const segments: ComponentDay['segments'] = [];
    if (roll < 0.05) segments.push({ from, to, status: null });
    else if (roll < 0.12) {
      const cut = from + Math.floor(random() * (to - from - 3_600_000));
      const status = random() < 0.5 ? 'major_outage' : 'partial_outage';
      segments.push({ from, to: cut, status: 'operational' }, { from: cut, to: cut + Math.floor(random() * 3_600_000), status }, { from: cut + 3_600_000, to, status: 'operational' });
    } else segments.push({ from, to, status: 'operational' });
    componentDays.push({ componentId: component.id, location: 'local', day, segments: segments.filter((s) => s.to > s.from), final: day < today });
  }
}
// Past incidents: on ten of the last fourteen days (--incidents), each with three updates, all resolved.
const WORDS = ['sign-in', 'messages', 'uploads', 'search', 'presence', 'notifications', 'history', 'calls', 'login', 'avatars', 'exports', 'webhooks'];
const incidents: Incident[] = [];
for (let i = 0; i < 14; i++) {
  if (i % 3 === 2 || incidents.length >= INCIDENTS) continue;
  const start = now - i * 86_400_000 - 3 * 3_600_000;
  const component = components[(i * 7) % COMPONENTS]!.id;
  const what = `${WORDS[i % WORDS.length]} and ${WORDS[(i * 5 + 3) % WORDS.length]}`;
  const update = (minutes: number, status: Incident['updates'][number]['status'], body: string) => ({ at: start + minutes * 60_000, status, body, components: { [component]: status === 'resolved' ? ('operational' as const) : ('partial_outage' as const) }, signInBlocked: null });
  incidents.push({
    kind: 'incident',
    slug: `incident-${i}`,
    file: `content/incidents/incident-${i}.md`,
    title: `Delays in ${what} for some users (${i})`,
    timezone: 'UTC',
    body: '',
    impact: (['minor', 'major', 'critical', 'none'] as Impact[])[i % 4]!,
    startedAt: start,
    components: { [component]: 'partial_outage' },
    updates: [
      update(4, 'investigating', `We are investigating reports of ${what} failing for some users.`),
      update(31 + i, 'identified', `The cause is a full disk on one ${WORDS[(i + 2) % WORDS.length]} server; we are moving its load.`),
      update(72 + 3 * i, 'resolved', `${what[0]!.toUpperCase()}${what.slice(1)} work again for everyone. We will publish what happened.`),
    ],
    resolvedAt: start + (72 + 3 * i) * 60_000,
    postmortemAt: null,
    signInBlocked: false,
  });
}

const snapshot = buildSnapshot({
  now,
  site: { title: 'Chatter status', description: 'Live status of the Chatter chat service.', baseUrl: 'https://status.example.org', timezone: 'UTC' },
  groups: Array.from({ length: 5 }, (_, i) => ({ id: `group-${i}`, name: `Group ${i}`, description: '' })),
  components,
  checks: components.map((c) => ({ id: `${c.id}-check`, name: undefined, kind: 'http', component: c.id })),
  current: new Map(components.map((c) => [`${c.id}-check`, { status: 'up' as const, message: '200 OK in 12 ms', latencyMs: 12, at: now }])),
  componentDays,
  rollups: [],
  posts: incidents,
  days,
  window: 90,
});

const root = await mkdtemp(join(tmpdir(), 'statuspost-bench-weight-'));
const out = join(root, 'public-site');
const config = { site: { baseUrl: 'https://status.example.org' }, privateValues: [] } as unknown as Config;
await buildAndPublish({ config, snapshot, posts: incidents, out, now });
const html = await readFile(join(out, 'index.html'));
const favicon = await readFile(join(out, 'favicon.svg'));
const scripts = (html.toString().match(/<script\b/g) ?? []).length;
const shown = (html.toString().match(/<article class="entry/g) ?? []).length;
const gz = (b: Buffer) => gzipSync(b, { level: 6 }).length;
const total = gz(html) + gz(favicon);
await rm(root, { recursive: true, force: true });

console.log(`page-weight: home page of ${COMPONENTS} components with 90-day strips and 14 days of past incidents (${shown} shown), node ${process.version}`);
console.log(`  index.html ${html.length.toLocaleString('en-US')} bytes, gzip ${gz(html).toLocaleString('en-US')} (CSS inlined; ${scripts} script tags)`);
console.log(`  favicon.svg ${favicon.length} bytes, gzip ${gz(favicon)}`);
console.log(`page-weight: home_gzip_bytes=${total}`);
