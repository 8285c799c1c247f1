// scan: the leak scan alone, over a real published build. The demo project (its probes/ and content/,
// plus `--posts` generated posts) is built once with `statuspost build`; then, in this process, the
// time to read every file (the floor any scan pays) and the time of `scanForLeaks` over every file,
// with the demo's private values and with 300 more (private URLs with tokens and passwords), to show
// the cost follows bytes, not the number of values. Compiling the needles is timed apart from the
// pass over the text; beside it, the exact-bytes scan this one replaced, on the same files.
// Usage: npm run bench:scan [-- --posts 10000] [-- --rounds 5]
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load.ts';
import { needlesOf } from '../src/publish/needles.ts';
import { encodedForms, filesUnder, leakScanner, scanForLeaks } from '../src/publish/scan.ts';
import { generateProject } from './support/generated-posts.ts';
import { startBench } from './support/processes.ts';

startBench('bench:scan');

const { values } = parseArgs({ options: { posts: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '5' } } });
const POSTS = Number(values.posts);
const ROUNDS = Number(values.rounds);
const repo = fileURLToPath(new URL('..', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const root = await mkdtemp(join(tmpdir(), 'statuspost-bench-scan-'));
try {
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await cp(join(repo, 'content'), join(root, 'content'), { recursive: true });
  if (POSTS > 0) await generateProject(POSTS, root);
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], { maxBuffer: 1 << 26 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`the build failed: ${stderr}`)) : resolve(),
    ),
  );
  const site = await realpath(join(root, 'public-site'));
  const files = filesUnder(site);
  const { config } = await loadConfig(root);
  const base = new URL(config!.site.baseUrl);
  const publicValues = [base.origin, base.host];
  const many = [
    ...config!.privateValues,
    ...Array.from({ length: 300 }, (_, i) => `postgres://svc${i}:pw-${i}-Zq8x@db-${i}.corp.internal:5432/app?sslpassword=k${i}x9&token=t0k3n${i}abc`),
  ];

  // Wall time and CPU time (user + system) of this process, each the median of the rounds: on a
  // shared machine the CPU time is the steadier figure.
  const time = async (run: () => unknown) => {
    await run(); // warm: the first run pays for the JIT and the page cache
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await run();
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    return { wall: median(wall), cpu: median(cpu) };
  };
  const ms = ({ wall, cpu }: { wall: number; cpu: number }) => `${wall.toFixed(0)} ms (cpu ${cpu.toFixed(0)} ms)`;
  const contents: string[] = [];
  const read = await time(async () => {
    contents.length = 0;
    for (const file of files) contents.push(await readFile(join(site, file), 'utf8'));
  });
  const mb = contents.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1e6;
  console.log(`scan: the leak scan over a published demo build with ${POSTS} generated posts, median of ${ROUNDS} rounds, node ${process.version}, load ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
  console.log(`  ${files.length} files, ${mb.toFixed(1)} MB; reading them: ${ms(read)}`);
  // The peer: the scan as it was before issue 15 §5, exact bytes in four encodings, one indexOf each.
  const buffers = contents.map((text) => Buffer.from(text));
  const exact = await time(() => {
    const needles = config!.privateValues.flatMap((value) => encodedForms(value).map(({ text }) => Buffer.from(text)));
    const blanks = publicValues.map((value) => Buffer.from(value));
    for (const original of buffers) {
      const content = Buffer.from(original);
      for (const blank of blanks) for (let at = content.indexOf(blank); at !== -1; at = content.indexOf(blank, at + blank.length)) content.fill(0, at, at + blank.length);
      for (const needle of needles) content.indexOf(needle);
    }
  });
  console.log(`  before (exact bytes, demo values): ${ms(exact)}`);
  const figures: string[] = [`exact_cpu_ms=${exact.cpu.toFixed(0)}`];
  for (const [label, list] of [['demo', config!.privateValues], ['demo + 300 URLs', many]] as const) {
    const needles = list.flatMap((value, i) => needlesOf(value, i)).length;
    const compile = await time(() => leakScanner(list, publicValues));
    const scanner = leakScanner(list, publicValues);
    const pass = await time(() => {
      let leaks = 0;
      for (let i = 0; i < files.length; i++) leaks += scanner.scan(files[i]!, contents[i]!).length;
      if (label === 'demo' && leaks > 0) throw new Error(`the demo build has ${leaks} leaks`);
    });
    const total = await time(() => scanForLeaks(site, list, files, publicValues));
    console.log(`  ${label}: ${list.length} values, ${needles} needles`);
    console.log(`    compile ${ms(compile)}; normalise + search ${ms(pass)}, ${(mb / (pass.cpu / 1000)).toFixed(0)} MB per cpu second; scanForLeaks, reads included, ${ms(total)}`);
    figures.push(`${label === 'demo' ? 'demo' : 'many'}_cpu_ms=${pass.cpu.toFixed(0)}`);
  }
  console.log(`scan: files=${files.length} mb=${mb.toFixed(1)} read_cpu_ms=${read.cpu.toFixed(0)} ${figures.join(' ')}`);
} finally {
  await rm(root, { recursive: true, force: true });
}
