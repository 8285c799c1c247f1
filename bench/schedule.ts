// schedule: 300 checks every 10 seconds against a loopback HTTP server (its own process) for 2 minutes,
// through the daemon's scheduler (node-cron, noOverlap, the shared limiter). Lateness of each run is
// measured twice: when node-cron called us, and when the probe actually started (after the limiter).
// Usage: npm run bench:schedule [-- --checks 300 --every 10s --seconds 120 --concurrency 16]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/daemon/log.ts';
import { startScheduler } from '../src/daemon/scheduler.ts';
import { httpProbe } from '../src/probes/http.ts';
import type { Check } from '../src/probes/registry.ts';
import { startBench } from './support/processes.ts';

startBench('bench:schedule');

const { values } = parseArgs({
  options: {
    checks: { type: 'string', default: '300' },
    every: { type: 'string', default: '10s' },
    seconds: { type: 'string', default: '120' },
    concurrency: { type: 'string', default: '16' },
  },
});
const CHECKS = Number(values.checks);
const SECONDS = Number(values.seconds);

const target = spawn(
  process.execPath,
  ['-e', `const s=require('node:http').createServer((q,r)=>r.writeHead(200,{'content-type':'application/json'}).end('{"status":"ok"}'));s.listen(0,'127.0.0.1',()=>console.log(s.address().port));process.stdin.on('end',()=>process.exit(0)).resume();`],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const port = await new Promise<number>((resolve) => target.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString()))));

const checks = Array.from({ length: CHECKS }, (_, i) =>
  httpProbe.schema.parse({ id: `http-${i}`, component: 'chat', kind: 'http', url: `http://127.0.0.1:${port}/health`, schedule: values.every, timeout: '5s' }),
) as Check[];

const callbackLate: number[] = [];
const probeLate: number[] = [];
const scheduledOf = new Map<string, number>();
let notUp = 0;
const scheduler = startScheduler({
  checks,
  concurrency: Number(values.concurrency),
  runAtStart: false, // only scheduled runs are measured
  logger: createLogger({ format: 'text' }),
  onRun: (check, scheduledAt, startedAt) => {
    scheduledOf.set(check.id, scheduledAt);
    callbackLate.push(startedAt - scheduledAt);
  },
  onResult: (check, result) => {
    probeLate.push(result.startedAt - scheduledOf.get(check.id)!);
    if (result.status !== 'up') notUp++;
  },
});

const loopDelays: number[] = [];
let last = performance.now();
const sampler = setInterval(() => {
  const now = performance.now();
  loopDelays.push(now - last - 100);
  last = now;
}, 100);

await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
clearInterval(sampler);
await scheduler.stop(6_000);
target.stdin.end();

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
};
const line = (name: string, xs: number[]) =>
  `  ${name.padEnd(34)} median ${pct(xs, 50).toFixed(0)} ms  p95 ${pct(xs, 95).toFixed(0)} ms  p99 ${pct(xs, 99).toFixed(0)} ms  max ${Math.max(...xs).toFixed(0)} ms`;
console.log(`schedule: ${CHECKS} http checks every ${values.every} for ${SECONDS} s, concurrency ${values.concurrency}, node ${process.version}`);
console.log(`  runs: ${probeLate.length} (expected about ${Math.floor((CHECKS * SECONDS) / (checks[0]!.schedule.intervalMs / 1000))}), not up: ${notUp}`);
console.log(line('node-cron callback, late by', callbackLate));
console.log(line('probe start (after the limiter)', probeLate));
console.log(line('event-loop delay (100 ms sampler)', loopDelays));
console.log(`schedule: p99_late_ms=${pct(probeLate, 99).toFixed(0)}`);
