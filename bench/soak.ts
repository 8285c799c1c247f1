// soak: the real daemon (`statuspost run`, compiled, its own process) probing 200 TCP checks every
// 5 seconds for 10 minutes against loopback targets, a fifth of them failing (a port nothing
// listens on). Every 10 s: its resident memory and open file descriptors (from /proc), and its
// event-loop delay p99 (from its own Prometheus metrics). Memory slope is the Theil–Sen estimate
// (the median of the slopes between every pair of samples, which one garbage collection cannot
// swing) over the samples after two minutes of warm-up, in MB per hour; the least-squares slope is
// printed beside it. fd growth is last minus first after warm-up. Usage: npm run bench:soak [-- --minutes 10 --checks 200]
import { spawn } from 'node:child_process';
import { readdir, readFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, checks: { type: 'string', default: '200' } } });
const MINUTES = Number(values.minutes);
const CHECKS = Number(values.checks);
const repo = fileURLToPath(new URL('..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Targets: one port that accepts (and hangs up), one that nothing listens on.
const open = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
await new Promise((r) => open.once('listening', r));
const openPort = (open.address() as { port: number }).port;
const closed = createServer().listen(0, '127.0.0.1');
await new Promise((r) => closed.once('listening', r));
const closedPort = (closed.address() as { port: number }).port;
await new Promise<void>((r) => closed.close(() => r()));
const metricsPort = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});

const root = await mkdtemp(join(tmpdir(), 'statuspost-soak-'));
await mkdir(join(root, 'probes/checks'), { recursive: true });
await writeFile(join(root, 'probes/site.yaml'), 'title: Soak\nbaseUrl: https://status.example.org\nlocation: soak\nstore:\n  engine: sqlite\n  path: data/soak.db\nconcurrency: 32\n');
await writeFile(join(root, 'probes/components.yaml'), 'components:\n  - id: fleet\n    name: Fleet\n');
const lines = ['checks:'];
for (let i = 0; i < CHECKS; i++) {
  lines.push(`  - id: port-${i}`, '    component: fleet', '    kind: tcp', '    host: 127.0.0.1', `    port: ${i % 5 === 0 ? closedPort : openPort}`, '    schedule: 5s', '    timeout: 1s');
}
await writeFile(join(root, 'probes/checks/fleet.yaml'), `${lines.join('\n')}\n`);

const daemon = spawn(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'run', '--root', root, '--no-publish', '--metrics', `127.0.0.1:${metricsPort}`, '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
let stderr = '';
daemon.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
const samples: Array<{ t: number; rssMb: number; fds: number; loopP99Ms: number }> = [];
console.log(`soak: ${CHECKS} TCP checks every 5 s for ${MINUTES} min, ${CHECKS / 5} of them failing, daemon pid ${daemon.pid}, node ${process.version}`);
try {
  const t0 = Date.now();
  await sleep(5_000);
  while (Date.now() - t0 < MINUTES * 60_000) {
    const status = await readFile(`/proc/${daemon.pid}/status`, 'utf8');
    const rssMb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    const fds = (await readdir(`/proc/${daemon.pid}/fd`)).length;
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const loopP99Ms = Number(/^statuspost_event_loop_delay_p99_seconds (\S+)$/m.exec(metrics)![1]) * 1000;
    samples.push({ t: (Date.now() - t0) / 1000, rssMb, fds, loopP99Ms });
    if (samples.length % 3 === 0) console.log(`  ${samples.at(-1)!.t.toFixed(0).padStart(4)} s  rss ${rssMb.toFixed(1)} MB  fds ${fds}  loop p99 ${loopP99Ms.toFixed(1)} ms`);
    await sleep(10_000);
  }
} finally {
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
  open.close();
  await rm(root, { recursive: true, force: true });
}
if (samples.length < 3) throw new Error(`too few samples; the daemon said: ${stderr}`);
const steady = samples.filter((s) => s.t >= 120);
const use = steady.length >= 3 ? steady : samples;
const n = use.length;
const mt = use.reduce((a, s) => a + s.t, 0) / n;
const mr = use.reduce((a, s) => a + s.rssMb, 0) / n;
const slopePerSecond = use.reduce((a, s) => a + (s.t - mt) * (s.rssMb - mr), 0) / use.reduce((a, s) => a + (s.t - mt) ** 2, 0);
const pairwise: number[] = [];
for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairwise.push((use[j]!.rssMb - use[i]!.rssMb) / (use[j]!.t - use[i]!.t));
const theilSen = pairwise.sort((a, b) => a - b)[Math.floor(pairwise.length / 2)]!;
const sorted = samples.map((s) => s.loopP99Ms).sort((a, b) => a - b);
const loopP99 = sorted[Math.floor(sorted.length / 2)]!;
console.log(`  least-squares slope ${(slopePerSecond * 3600).toFixed(2)} MB/h; Theil–Sen ${(theilSen * 3600).toFixed(2)} MB/h`);
console.log(`  ${n} samples after warm-up; rss ${use[0]!.rssMb.toFixed(1)} → ${use.at(-1)!.rssMb.toFixed(1)} MB; fds ${use[0]!.fds} → ${use.at(-1)!.fds}; loop p99 median of samples ${loopP99.toFixed(1)} ms, worst ${sorted.at(-1)!.toFixed(1)} ms`);
console.log(`soak: rss_slope_mb_per_h=${(theilSen * 3600).toFixed(2)} fd_growth=${use.at(-1)!.fds - use[0]!.fds} loop_p99_ms=${loopP99.toFixed(1)}`);
