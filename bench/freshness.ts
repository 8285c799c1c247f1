// freshness: how soon the published site says so when a chat node of the demo cluster goes down.
// The demo cluster on loopback, the demo's probes/ with 1,000 generated posts, the real daemon
// (`statuspost run`, compiled, its own process) publishing on change. Each trial stops chat node 1
// and times until the published api/v2/summary.json shows the chat nodes not operational and the
// banner.json beside it was published after the stop; then the node is started again and the
// recovery is awaited (not timed). The floor is the check's interval × its confirmation count: no
// publisher can be faster than the probes confirming the outage.
// Usage: npm run bench:freshness [-- --trials 10]
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.ts';
import { startDemoCluster } from '../src/demo/cluster.ts';
import { generateProject } from './support/generated-posts.ts';
import { onStop, startBench } from './support/processes.ts';

startBench('bench:freshness');

const { values } = parseArgs({ options: { trials: { type: 'string', default: '10' } } });
const TRIALS = Number(values.trials);
const repo = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const root = await mkdtemp(join(tmpdir(), 'statuspost-freshness-'));
await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
await generateProject(1_000, root);
const cluster = await startDemoCluster(join(root, 'data', 'demo'));
const env = { ...process.env, ...cluster.env };
const { config } = await loadConfig(root, env);
const check = config!.checks.find((c) => c.id === 'chat-1')!;
const floorS = (check.schedule.intervalMs * check.confirm.down) / 1000;

const daemon = spawn(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'run', '--root', root, '--out', 'public-site', '--log-format', 'json'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
// Stopped early (Ctrl-C, a failure): startBench kills the daemon; the cluster's servers close here.
onStop(() => cluster.close());
onStop(() => rm(root, { recursive: true, force: true }));
let log = '';
daemon.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
const read = async () => {
  try {
    const summary = JSON.parse(await readFile(join(root, 'public-site/api/v2/summary.json'), 'utf8'));
    const banner = JSON.parse(await readFile(join(root, 'public-site/banner.json'), 'utf8'));
    return { chat: summary.components.find((c: { id: string }) => c.id === 'chat-nodes').status as string, bannerAt: Date.parse(banner.generatedAt) };
  } catch {
    return undefined; // not published yet
  }
};
const until = async (condition: (state: Awaited<ReturnType<typeof read>>) => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition(await read())) return Date.now();
    await sleep(100);
  }
  throw new Error(`timed out; daemon log tail: ${log.slice(-2000)}`);
};

console.log(`freshness: demo cluster, 1,000 posts, chat node 1 stopped ${TRIALS} times; floor ${floorS} s (interval ${check.schedule.intervalMs / 1000} s × ${check.confirm.down} confirmations), node ${process.version}`);
const times: number[] = [];
try {
  await until((s) => s?.chat === 'operational', 180_000);
  for (let trial = 0; trial < TRIALS; trial++) {
    await sleep(Math.random() * check.schedule.intervalMs); // stop at a random point of the probing cycle
    const t0 = Date.now();
    await cluster.stopNode(0);
    const seen = await until((s) => s !== undefined && s.chat !== 'operational' && s.bannerAt >= t0 - 1_000, 300_000);
    times.push((seen - t0) / 1000);
    console.log(`  trial ${trial + 1}: ${((seen - t0) / 1000).toFixed(1)} s`);
    await cluster.startNode(0);
    await until((s) => s?.chat === 'operational', 300_000);
  }
} finally {
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  await cluster.close();
  await rm(root, { recursive: true, force: true });
}
const m = median(times);
console.log(`freshness: median_s=${m.toFixed(1)} over_floor_s=${(m - floorS).toFixed(1)}`);
