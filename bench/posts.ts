// posts: validate 100, 1,000 and 10,000 generated posts with the loader that `statuspost check` and
// the build use (read, split front matter, YAML with positions, zod, cross-file rules).
// Median time per post at each size; the last line gives ms per post at 10,000 and the 10k ÷ 1k ratio
// of total times (10 would be perfectly linear).
// Usage: npm run bench:posts [-- --rounds 5]
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPosts } from '../src/posts/load.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
const components = ['load-balancer', 'dns', 'chat-nodes', 'database', 'cache', 'file-share', 'clock'];
const paragraph =
  'The proxies in front of the chat nodes dropped a large share of their connections at once, and every client tried to reconnect within the same few seconds. ';

function incident(i: number, day: string): string {
  const c = components[i % components.length]!;
  return [
    '---',
    `title: "Incident ${i}: sign-in trouble on ${c}"`,
    `impact: ${['minor', 'major', 'critical'][i % 3]}`,
    'timezone: America/Los_Angeles',
    `start: ${day}T10:05`,
    'components:',
    `  ${c}: major_outage`,
    'updates:',
    `  - at: ${day}T10:12`,
    '    status: investigating',
    '    body: We are looking into failed sign-ins.',
    `  - at: ${day}T10:40`,
    '    status: identified',
    '    body: The session cache refuses new connections; we are raising its limit.',
    `  - at: ${day}T11:40`,
    '    status: resolved',
    '    body: Sign-in works again for everyone.',
    `postmortemAt: ${day}T18:00`,
    '---',
    '## What happened',
    paragraph.repeat(6),
    '## Why',
    paragraph.repeat(5),
    '## What we are changing',
    paragraph.repeat(5),
    '',
  ].join('\n');
}

function maintenance(i: number, day: string): string {
  return [
    '---',
    `title: "Maintenance ${i}"`,
    'timezone: America/Los_Angeles',
    `announcedAt: ${day}T08:00`,
    'window:',
    `  start: ${day}T22:00`,
    '  duration: 30m',
    `components: [${components[i % components.length]}, database]`,
    'affected: Nobody can sign in during the window.',
    'unaffected: Signed-in users keep chatting.',
    'signInBlocked: true',
    'updates:',
    `  - at: ${day}T22:30`,
    '    status: completed',
    '    body: All done.',
    '---',
    paragraph.repeat(4),
    '',
  ].join('\n');
}

async function generate(count: number): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'statuspost-bench-posts-'));
  await mkdir(join(root, 'content/incidents'), { recursive: true });
  await mkdir(join(root, 'content/maintenance'), { recursive: true });
  const start = Date.UTC(2000, 0, 1);
  for (let i = 0; i < count; i++) {
    // One post per day (so file names are unique and dates match), incidents and maintenance alternating.
    const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
    const kind = i % 4 === 3 ? 'maintenance' : 'incidents';
    const text = kind === 'maintenance' ? maintenance(i, day) : incident(i, day);
    await writeFile(join(root, `content/${kind}/${day}-post-${i}.md`), text);
  }
  return root;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const totals = new Map<number, number>();
console.log(`posts: validating generated posts (about 300 words each), ${ROUNDS} rounds per size, node ${process.version}`);
for (const count of [100, 1_000, 10_000]) {
  const root = await generate(count);
  const times: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const t0 = performance.now();
    const { posts, problems } = await loadPosts({ root, componentIds: components, siteTimezone: 'UTC' });
    const elapsed = performance.now() - t0;
    if (problems.length > 0 || posts.length !== count) throw new Error(`expected ${count} valid posts, got ${posts.length} and ${problems.length} problems`);
    if (round > 0) times.push(elapsed); // round 0 warms up
  }
  await rm(root, { recursive: true, force: true });
  const total = median(times);
  totals.set(count, total);
  console.log(`  ${String(count).padStart(6)} posts  median ${total.toFixed(0).padStart(6)} ms  ${(total / count).toFixed(3)} ms per post`);
}
const ms10k = totals.get(10_000)! / 10_000;
console.log(`posts: ms_per_post=${ms10k.toFixed(3)} scale_10k_over_1k=${(totals.get(10_000)! / totals.get(1_000)!).toFixed(2)}`);
