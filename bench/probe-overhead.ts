// probe-overhead: 1,000 HTTP checks through the runner (limiter, deadline, retries wrapper, the http
// probe with its phase timings) against the same 1,000 requests from a bare undici loop at the same
// concurrency, side by side, alternating rounds. Both open a fresh connection per request, because a
// probe must (it times DNS, connect and TLS); a keep-alive loop is printed too, for reference only.
// Usage: npm run bench:probe-overhead [-- --checks 1000 --concurrency 16 --rounds 7]
import { readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Agent, Client, request } from 'undici';
import { httpProbe } from '../src/probes/http.ts';
import type { Check } from '../src/probes/registry.ts';
import { runChecksOnce } from '../src/runner/run-all.ts';
import { startBench } from './support/processes.ts';

startBench('bench:probe-overhead');

const { values } = parseArgs({
  options: {
    checks: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '7' },
  },
});
const CHECKS = Number(values.checks);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

const openFds = () => readdirSync('/proc/self/fd').length;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// The target runs in its own process, as a real one would, so its work does not share our event loop.
const target = spawn(
  process.execPath,
  [
    '-e',
    `const body = JSON.stringify({ status: 'ok', node: 'chat-1' });
     const server = require('node:http').createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
     server.listen(0, '127.0.0.1', () => console.log(server.address().port));
     process.stdin.on('end', () => process.exit(0)).resume();`,
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const port = await new Promise<number>((resolve) => target.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString()))));
const url = `http://127.0.0.1:${port}/health`;

const checks = Array.from({ length: CHECKS }, (_, i) =>
  httpProbe.schema.parse({ id: `http-${i}`, component: 'chat', kind: 'http', url, timeout: '5s' }),
) as Check[];

async function viaRunner(): Promise<number> {
  const t0 = performance.now();
  const results = await runChecksOnce(checks, CONCURRENCY, { stop: new AbortController().signal });
  const elapsed = performance.now() - t0;
  const notUp = results.filter((r) => r.status !== 'up').length;
  if (notUp > 0) throw new Error(`${notUp} checks were not up: ${results.find((r) => r.status !== 'up')?.message}`);
  return elapsed;
}

async function pool(task: () => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CHECKS) await task();
    }),
  );
  return performance.now() - t0;
}

// Fresh connection per request, body read and checked: the same wire work as the probe.
const bareFresh = () =>
  pool(async () => {
    const client = new Client(new URL(url).origin);
    try {
      const res = await client.request({ path: '/health', method: 'GET' });
      const text = await res.body.text();
      if (res.statusCode !== 200 || !text.includes('ok')) throw new Error('bad answer');
    } finally {
      await client.close();
    }
  });

const keepAlive = new Agent({ connections: CONCURRENCY });
const bareKeepAlive = () =>
  pool(async () => {
    const res = await request(url, { dispatcher: keepAlive });
    await res.body.text();
  });

const fdsBefore = openFds();
// Warm-up round of each, not counted.
await viaRunner();
await bareFresh();
await bareKeepAlive();

const runner: number[] = [];
const fresh: number[] = [];
const reuse: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order so neither side always runs on a warmer machine.
  if (round % 2 === 0) {
    runner.push(await viaRunner());
    fresh.push(await bareFresh());
  } else {
    fresh.push(await bareFresh());
    runner.push(await viaRunner());
  }
  reuse.push(await bareKeepAlive());
}
await keepAlive.close();
await new Promise((resolve) => setTimeout(resolve, 200)); // let closed sockets leave the fd table
const fdsAfter = openFds();
target.stdin.end();

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
console.log(`probe-overhead: ${CHECKS} http checks, concurrency ${CONCURRENCY}, ${ROUNDS} rounds, node ${process.version}`);
console.log(`  runner (http probe, fresh connection each)  median ${fmt(median(runner))}  (${(CHECKS / (median(runner) / 1000)).toFixed(0)} checks/s)`);
console.log(`  bare undici, fresh connection each          median ${fmt(median(fresh))}  (${(CHECKS / (median(fresh) / 1000)).toFixed(0)} req/s)`);
console.log(`  bare undici, keep-alive (reference only)    median ${fmt(median(reuse))}`);
console.log(`  open file descriptors before ${fdsBefore}, after ${fdsAfter} (leaked: ${Math.max(0, fdsAfter - fdsBefore)})`);
console.log(`probe-overhead: ratio=${(median(runner) / median(fresh)).toFixed(2)}`);
