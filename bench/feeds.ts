// feeds: time to produce every feed and API file (Statuspage v2, banner.json and its schema, RSS for
// the site and each component, iCalendar, badges) for 1,000 and 10,000 generated posts, plus one
// upcoming maintenance and one open incident, and their sizes. "cold" is the first run (every
// Markdown body rendered); the median is a republish's (bodies already rendered in the process). Linear in posts is the goal, and a
// banner feed whose size does not grow with past posts.
// Usage: npm run bench:feeds [-- --rounds 5]
import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.ts';
import { simulateHistory } from '../src/demo/simulate.ts';
import { feedFiles } from '../src/feeds/index.ts';
import { loadPosts } from '../src/posts/load.ts';
import { gatherSnapshotInput } from '../src/status/gather.ts';
import { buildSnapshot } from '../src/status/snapshot.ts';
import { openStore } from '../src/store/open.ts';
import { generateProject } from './support/generated-posts.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const repo = fileURLToPath(new URL('..', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = Date.now();
const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const day = (ms: number) => local(ms).slice(0, 10);

console.log(`feeds: every feed and API file from the Snapshot and posts, ${ROUNDS} rounds per size, node ${process.version}`);
const times = new Map<number, number>();
let bannerBytes = 0;
for (const count of [1_000, 10_000]) {
  const root = await generateProject(count);
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await writeFile(
    join(root, `content/maintenance/${day(now + 3 * 86_400_000)}-window.md`),
    ['---', 'title: Chat node security patching', 'timezone: UTC', `announcedAt: ${local(now - 86_400_000)}`, 'window:', `  start: ${local(now + 3 * 86_400_000)}`, '  duration: 30m', 'components: [chat-nodes]', 'affected: Each node restarts in turn; clients reconnect once.', 'signInBlocked: true', '---', ''].join('\n'),
  );
  await writeFile(
    join(root, `content/incidents/${day(now - 3_600_000)}-open.md`),
    ['---', 'title: Slow sign-in', 'impact: minor', 'timezone: UTC', `start: ${local(now - 3_600_000)}`, 'components:', '  cache: degraded_performance', 'updates:', `  - at: ${local(now - 3_000_000)}`, '    status: investigating', '    body: Sign-in takes up to ten seconds; we are looking into it.', '---', ''].join('\n'),
  );
  const { config } = await loadConfig(root);
  const { posts, problems } = await loadPosts({ root, componentIds: config!.components.map((c) => c.id), siteTimezone: config!.site.timezone });
  if (problems.length > 0) throw new Error(problems[0]!.message);
  const store = await openStore(config!.site.store, root);
  await store.migrate();
  await simulateHistory({ store, config: config!, posts, now });
  const snapshot = buildSnapshot(await gatherSnapshotInput(store, config!, posts, now));
  await store.close();
  const context = { snapshot, posts, now, baseUrl: 'https://status.example.org/' };
  const samples: number[] = [];
  const cold0 = performance.now();
  let files = feedFiles(context, {}); // cold: every Markdown body rendered for the first time
  const cold = performance.now() - cold0;
  for (let round = 0; round <= ROUNDS; round++) {
    const t0 = performance.now();
    files = feedFiles(context, {});
    if (round > 0) samples.push(performance.now() - t0); // round 0 warms up the JIT
  }
  times.set(count, median(samples));
  const size = (path: string) => Buffer.byteLength(files.find((f) => f.path === path)!.body);
  const total = files.reduce((sum, f) => sum + Buffer.byteLength(f.body), 0);
  bannerBytes = size('banner.json');
  console.log(
    `  ${String(count).padStart(6)} posts  cold ${cold.toFixed(0).padStart(5)} ms, then median ${median(samples).toFixed(0).padStart(5)} ms  ${files.length} files, ${(total / 1024).toFixed(0)} KB: ` +
      `summary.json ${size('api/v2/summary.json')} B, incidents.json ${size('api/v2/incidents.json')} B, rss.xml ${size('rss.xml')} B, maintenance.ics ${size('maintenance.ics')} B, banner.json ${bannerBytes} B`,
  );
  await rm(root, { recursive: true, force: true });
}
console.log(`  10k ÷ 1k time: ${(times.get(10_000)! / times.get(1_000)!).toFixed(2)} (10 is linear)`);
console.log(`feeds: ms_10k=${times.get(10_000)!.toFixed(0)} banner_bytes=${bannerBytes}`);
