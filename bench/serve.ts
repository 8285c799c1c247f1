// serve: wrk (Debian's) against `statuspost serve` and against nginx serving the same folder on
// loopback, one worker each, for banner.json with and without If-None-Match: requests per second and
// p99 latency, side by side in one run, each measured the same way (wrk, 2 threads, 64 connections).
// Then a 6.6 MB rss.xml asked for with Accept-Encoding: gzip by 8 connections: both servers send the
// .gz the build wrote beside it (nginx with gzip_static), neither compresses per request.
// Beside the rates, each server's CPU time per answer (user + system, from /proc during the run):
// on 2 cores shared with wrk and whatever else runs, it moves much less than the rates do.
// Usage: npm run bench:serve [-- --seconds 10 --rounds 3]
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { precompress } from '../src/publish/precompress.ts';
import { descendants, onStop, startBench } from './support/processes.ts';

startBench('bench:serve', { nginx: 'nginx', wrk: 'wrk' });

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '3' } } });
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const repo = fileURLToPath(new URL('..', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const run = (file: string, args: string[]) =>
  new Promise<string>((resolve, reject) => execFile(file, args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => (error ? reject(new Error(`${file}: ${stderr || error.message}`)) : resolve(stdout))));
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
/** CPU time used so far by these processes (user + system), in microseconds. */
const cpuMicros = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return sum + ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond; // utime, stime
  }, 0);
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

const folder = await mkdtemp(join(tmpdir(), 'statuspost-bench-serve-'));
onStop(() => rm(folder, { recursive: true, force: true }));
const site = join(folder, 'site');
await mkdir(site, { recursive: true });
await chmod(folder, 0o755); // nginx's workers run as an unprivileged user and must read the folder
// A banner feed of the demo's size: one upcoming maintenance.
const startsAt = new Date(Date.now() + 5 * 86_400_000).toISOString();
const bannerBytes = await writeBanner();
async function writeBanner(): Promise<number> {
  const body = JSON.stringify({
    $schema: 'http://127.0.0.1/banner.schema.json', version: 1, generatedAt: new Date().toISOString(), pollSeconds: 300, hash: 'oc4ped9MmyhVrnom', site: { title: 'Chatter status', url: 'http://127.0.0.1/' },
    banners: [{ id: 'chat-node-security-patching', kind: 'maintenance', severity: 'info', title: 'Chat node security patching', short: 'Chat node security patching: Sun, 29 Nov 2026 06:00 UTC', long: 'Each chat node restarts in turn; your client reconnects once, within a few seconds, and may show "reconnecting". Still working: sign-in, message history and file uploads keep working; no messages are lost.', startsAt, endsAt: startsAt, components: ['chat-nodes'], signInBlocked: false, updateRequired: null, url: 'http://127.0.0.1/maintenance/chat-node-security-patching/' }],
  });
  await writeFile(join(site, 'banner.json'), body);
  return Buffer.byteLength(body);
}

// A feed the size of issue 15's (6.6 MB), items all different, with the build's .br and .gz beside it.
const feed = `<?xml version="1.0"?><rss><channel>${Array.from({ length: 22_000 }, (_, i) => `<item><title>Update ${i}: chat node ${i % 7} ${(i * 2654435761) % 1e9}</title><guid>${i.toString(36)}</guid></item>`).join('\n')}</channel></rss>`.padEnd(6_600_000, ' ');
await writeFile(join(site, 'rss.xml'), feed);
await precompress(site, ['rss.xml']);
const feedGzipBytes = (await stat(join(site, 'rss.xml.gz'))).size;

const statuspostPort = await freePort();
const nginxPort = await freePort();
await writeFile(
  join(folder, 'nginx.conf'),
  `daemon off;
worker_processes 1;
pid ${folder}/nginx.pid;
error_log ${folder}/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  types { application/json json; application/rss+xml xml; }
  client_body_temp_path ${folder}/tmp;
  proxy_temp_path ${folder}/tmp;
  fastcgi_temp_path ${folder}/tmp;
  uwsgi_temp_path ${folder}/tmp;
  scgi_temp_path ${folder}/tmp;
  server {
    listen 127.0.0.1:${nginxPort};
    root ${site};
    location / { add_header Cache-Control "public, max-age=60"; gzip_static on; }
  }
}
`,
);
await mkdir(join(folder, 'tmp'), { recursive: true });
const children: ChildProcess[] = [
  spawn(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'serve', '--root', folder, '--out', site, '--port', String(statuspostPort)], { stdio: 'ignore' }),
  spawn('nginx', ['-c', join(folder, 'nginx.conf'), '-p', folder], { stdio: 'ignore' }),
];
try {
  const servers = { statuspost: `http://127.0.0.1:${statuspostPort}/banner.json`, nginx: `http://127.0.0.1:${nginxPort}/banner.json` };
  await Promise.all(Object.values(servers).map(waitForHttp));
  const nginxVersion = await run('nginx', ['-v']).catch((error: Error) => error.message);
  console.log(`serve: wrk -t2 -c64 -d${SECONDS}s on banner.json, ${ROUNDS} rounds, statuspost serve (node ${process.version}) vs nginx (${nginxVersion.trim() || 'nginx'}), one worker each, 2 cores shared with wrk`);

  // The processes that answer: statuspost's one, nginx's worker (not its master, which only waits).
  const serverPids = { statuspost: [children[0]!.pid!], nginx: descendants(children[1]!.pid!) };
  const measure = async (url: string, etag?: string, big = false) => {
    const header = etag ? ['-H', `If-None-Match: ${etag}`] : big ? ['-H', 'Accept-Encoding: gzip'] : [];
    const pids = url.startsWith(`http://127.0.0.1:${statuspostPort}/`) ? serverPids.statuspost : serverPids.nginx;
    const cpuBefore = cpuMicros(pids);
    const out = await run('wrk', ['-t2', big ? '-c8' : '-c64', `-d${SECONDS}s`, '--latency', ...header, url]);
    const cpuUsed = cpuMicros(pids) - cpuBefore;
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
    const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out)!;
    const p99ms = Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    if (non2xx > 0) throw new Error(`${url}: ${non2xx} error answers`);
    // wrk does not tell 200 from 304, but the bytes do: a 304 carries no body.
    const [, count, amount, unit] = /(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read/.exec(out)!;
    const perRequest = (Number(amount) * { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[unit as 'B']) / Number(count);
    if (big) {
      // Every answer the .gz (wrk's totals are rounded, and count headers and the last partial reads): not the 6.6 MB file.
      if (Math.abs(perRequest - feedGzipBytes) > feedGzipBytes * 0.02 + 2_048) throw new Error(`${url}: ${perRequest.toFixed(0)} bytes per answer, the .gz has ${feedGzipBytes}`);
    } else if (etag ? perRequest >= bannerBytes : perRequest <= bannerBytes) throw new Error(`${url}: ${perRequest.toFixed(0)} bytes per answer: not all ${etag ? '304' : '200'}s`);
    return { rps, p99ms, cpuUs: cpuUsed / Number(count) };
  };
  type Figures = { rps: number; p99ms: number; cpuUs: number };
  const medians = (rounds: Figures[]): Figures => ({ rps: median(rounds.map((r) => r.rps)), p99ms: median(rounds.map((r) => r.p99ms)), cpuUs: median(rounds.map((r) => r.cpuUs)) });
  const results: Record<string, Record<string, Figures>> = {};
  for (const mode of ['200', '304'] as const) {
    for (const [name, url] of Object.entries(servers)) {
      // wrk sends no Accept-Encoding: the tag of the plain representation, as such a client would hold it.
      const etag = mode === '304' ? (await fetch(url, { headers: { 'accept-encoding': 'identity' } })).headers.get('etag')! : undefined;
      if (mode === '304' && (await fetch(url, { headers: { 'if-none-match': etag!, 'accept-encoding': 'identity' } })).status !== 304) throw new Error(`${name} does not answer 304`);
      const rounds = [];
      for (let i = 0; i < ROUNDS; i++) rounds.push(await measure(url, etag));
      (results[mode] ??= {})[name] = medians(rounds);
    }
    const s = results[mode]!.statuspost!;
    const n = results[mode]!.nginx!;
    console.log(
      `  ${mode === '200' ? '200 (full body)   ' : '304 (If-None-Match)'}  statuspost ${s.rps.toFixed(0).padStart(6)} req/s p99 ${s.p99ms.toFixed(2)} ms cpu ${s.cpuUs.toFixed(1)} µs/req   nginx ${n.rps.toFixed(0).padStart(6)} req/s p99 ${n.p99ms.toFixed(2)} ms cpu ${n.cpuUs.toFixed(1)} µs/req   ratio ${(s.rps / n.rps).toFixed(2)} (cpu ${(n.cpuUs / s.cpuUs).toFixed(2)})`,
    );
  }
  const feedUrls = { statuspost: `http://127.0.0.1:${statuspostPort}/rss.xml`, nginx: `http://127.0.0.1:${nginxPort}/rss.xml` };
  const big: Record<string, Figures> = {};
  for (const [name, url] of Object.entries(feedUrls)) {
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await measure(url, undefined, true));
    big[name] = medians(rounds);
  }
  console.log(
    `  6.6 MB rss.xml, gzip (${(feedGzipBytes / 1024).toFixed(0)} kB .gz), wrk -c8  statuspost ${big.statuspost!.rps.toFixed(0).padStart(6)} req/s p99 ${big.statuspost!.p99ms.toFixed(2)} ms cpu ${big.statuspost!.cpuUs.toFixed(1)} µs/req   nginx ${big.nginx!.rps.toFixed(0).padStart(6)} req/s p99 ${big.nginx!.p99ms.toFixed(2)} ms cpu ${big.nginx!.cpuUs.toFixed(1)} µs/req   ratio ${(big.statuspost!.rps / big.nginx!.rps).toFixed(2)}`,
  );
  console.log(
    `serve: ratio_200=${(results['200']!.statuspost!.rps / results['200']!.nginx!.rps).toFixed(2)} ratio_304=${(results['304']!.statuspost!.rps / results['304']!.nginx!.rps).toFixed(2)} ratio_big_feed=${(big.statuspost!.rps / big.nginx!.rps).toFixed(2)} cpu_ratio_200=${(results['200']!.nginx!.cpuUs / results['200']!.statuspost!.cpuUs).toFixed(2)} cpu_ratio_304=${(results['304']!.nginx!.cpuUs / results['304']!.statuspost!.cpuUs).toFixed(2)} load=${loadavg()[0]!.toFixed(1)}`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  await rm(folder, { recursive: true, force: true });
}
