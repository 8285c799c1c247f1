// build: the full site build of the demo project (its components, 90 days of simulated history) with
// 100, 1,000 and 10,000 generated posts, each build in its own process (wall time from its start to
// the published link, and its peak resident memory). In the same run, on the same posts: a minimal
// reference Astro site (a page per post from a JSON file), and at 10,000 posts a status-only
// republish as the daemon makes it (posts loaded, one component goes down, site rebuilt).
// Usage: npm run bench:build [-- --rounds 3] [-- --sizes 100,1000,10000]
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.ts';
import { simulateHistory } from '../src/demo/simulate.ts';
import { loadPosts } from '../src/posts/load.ts';
import { openStore } from '../src/store/open.ts';
import { generateProject } from './support/generated-posts.ts';
import { startBench } from './support/processes.ts';

startBench('bench:build');

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, sizes: { type: 'string', default: '100,1000,10000' } } });
const ROUNDS = Number(values.rounds);
const SIZES = values.sizes.split(',').map(Number);
const repo = fileURLToPath(new URL('..', import.meta.url));
const child = join(repo, 'bench/support/build-child.mjs');

interface Measured { ms: number; peakMb: number; rendered?: number | undefined; reused?: number | undefined; files?: number | undefined; phases?: Record<string, number> | undefined }
const runChild = (args: string[]) =>
  new Promise<Measured>((resolve, reject) =>
    execFile(process.execPath, [child, ...args], { maxBuffer: 1 << 24, env: { ...process.env, NODE_OPTIONS: '' }, cwd: args[0] === 'reference' ? args[1] : repo }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${args[0]} failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Measured);
    }),
  );
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medianPhases = (xs: Measured[]) => Object.fromEntries(Object.keys(xs[0]?.phases ?? {}).map((k) => [k, median(xs.map((x) => x.phases?.[k] ?? 0))]));
const phaseLine = (phases: Record<string, number> | undefined) =>
  Object.entries(phases ?? {})
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ');

/** The demo project with `count` generated posts and its 90 days of simulated history in the store. */
async function project(count: number): Promise<{ root: string; referencePosts: string }> {
  const root = await mkdtemp(join(tmpdir(), 'statuspost-bench-build-'));
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await generateProject(count, root);
  const { config } = await loadConfig(root);
  const { posts } = await loadPosts({ root, componentIds: config!.components.map((c) => c.id), siteTimezone: config!.site.timezone });
  const store = await openStore(config!.site.store, root);
  await store.migrate();
  await simulateHistory({ store, config: config!, posts, now: Date.now() });
  await store.close();
  // The reference site gets the same posts: title, date and Markdown body.
  const referencePosts = join(root, 'reference-posts.json');
  await writeFile(referencePosts, JSON.stringify(posts.map((p) => ({ slug: p.slug, title: p.title, date: new Date(p.kind === 'incident' ? p.startedAt : p.startsAt).toISOString(), body: p.body }))));
  return { root, referencePosts };
}

console.log(`build: full builds of the demo site with generated posts, ${ROUNDS} rounds per size, node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
const results = new Map<number, { ours: Measured; reference: Measured }>();
let republish: Measured | undefined;
for (const size of SIZES) {
  const { root, referencePosts } = await project(size);
  const ours: Measured[] = [];
  const reference: Measured[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating, each into a fresh folder: no build reuses another's pages.
    ours.push(await runChild(['full', root, join(root, `site-${round}`)]));
    reference.push(await runChild(['reference', join(repo, 'bench/reference-astro'), join(root, `reference-${round}`), referencePosts]));
    await rm(join(root, `reference-${round}`), { recursive: true, force: true });
  }
  const pick = (xs: Measured[]): Measured => ({ ms: median(xs.map((x) => x.ms)), peakMb: median(xs.map((x) => x.peakMb)), files: xs[0]!.files, phases: medianPhases(xs) });
  results.set(size, { ours: pick(ours), reference: pick(reference) });
  const r = results.get(size)!;
  console.log(
    `  ${String(size).padStart(6)} posts  statuspost ${(r.ours.ms / 1000).toFixed(2).padStart(6)} s (${(r.ours.ms / size).toFixed(2)} ms/post, peak ${r.ours.peakMb.toFixed(0)} MB, ${r.ours.files} files)` +
      `  reference Astro ${(r.reference.ms / 1000).toFixed(2).padStart(6)} s (peak ${r.reference.peakMb.toFixed(0)} MB)  ratio ${(r.ours.ms / r.reference.ms).toFixed(2)}`,
  );
  if (size === Math.max(...SIZES)) {
    console.log(`    where the time went at ${size} posts (median ms): ${phaseLine(r.ours.phases)}`);
    const runs: Measured[] = [];
    for (let round = 0; round < ROUNDS; round++) runs.push(await runChild(['republish', root, join(root, `republish-${round}`)]));
    const measured = { ms: median(runs.map((x) => x.ms)), peakMb: median(runs.map((x) => x.peakMb)), rendered: runs[0]!.rendered, reused: runs[0]!.reused };
    republish = measured;
    console.log(`  status-only republish at ${size} posts: ${(measured.ms / 1000).toFixed(2)} s (${measured.rendered} post pages rendered, ${measured.reused} reused)`);
    console.log(`    where the time went (median ms): ${phaseLine(medianPhases(runs))}`);
  }
  await rm(root, { recursive: true, force: true });
}
const at = (size: number) => results.get(size);
const fmt = (ms: number | undefined) => (ms === undefined ? 'n/a' : (ms / 1000).toFixed(2));
console.log(
  `build: s_1k=${fmt(at(1000)?.ours.ms)} s_10k=${fmt(at(10000)?.ours.ms)} over_astro_1k=${at(1000) ? (at(1000)!.ours.ms / at(1000)!.reference.ms).toFixed(2) : 'n/a'} peak_mb_10k=${at(10000)?.ours.peakMb.toFixed(0) ?? 'n/a'} republish_s_10k=${fmt(republish?.ms)}`,
);
