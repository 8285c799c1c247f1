// posts: validate 100, 1,000 and 10,000 generated posts with the loader that `statuspost check` and
// the build use (read, split front matter, YAML with positions, zod, cross-file rules).
// Median time per post at each size; the last line gives ms per post at 10,000 and the 10k ÷ 1k ratio
// of total times (10 would be perfectly linear).
// Usage: npm run bench:posts [-- --rounds 5]
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadPosts } from '../src/posts/load.ts';
import { COMPONENT_IDS as components, generateProject as generate } from './support/generated-posts.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Number(values.rounds);
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
