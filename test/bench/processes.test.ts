// bench/support/processes.ts: a benchmark names the programs it lacks in one clear first line, and
// one that fails or is stopped takes every process it started with it.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const helper = join(repo, 'bench/support/processes.ts');
const tsx = join(repo, 'node_modules/.bin/tsx');

/** A benchmark in miniature: starts a shell with two sleeping children, reports, then ends as `mode` says. */
const fixture = (mode: string) => `
import { spawn } from 'node:child_process';
import { startBench } from ${JSON.stringify(helper)};
startBench('bench:fixture', { sh: 'dash' });
spawn('sh', ['-c', 'sleep 300 & sleep 300 & wait'], { stdio: 'ignore' });
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 1000));
console.log('ready ' + process.pid);
await new Promise((resolve) => setTimeout(resolve, 500));
${
  {
    throw: "throw new Error('the measurement went wrong');",
    reject: "void Promise.reject(new Error('a promise nobody awaited failed'));\nawait new Promise((resolve) => setTimeout(resolve, 60_000));",
    'spawn-error': "spawn('statuspost-no-such-program', []); // the unhandled ENOENT of a program that is not installed\nawait new Promise((resolve) => setTimeout(resolve, 60_000));",
    signal: 'await new Promise((resolve) => setTimeout(resolve, 60_000));',
  }[mode]
}
`;

/** Live descendants of `root` from /proc, zombies excluded. */
async function descendants(root: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') continue;
    children.set(Number(ppid), [...(children.get(Number(ppid)) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const walk = (pid: number) => (children.get(pid) ?? []).forEach((child) => (found.push(child), walk(child)));
  walk(root);
  return found;
}

const alive = (pid: number) => {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function runFixture(mode: string): Promise<{ code: number | null; stderr: string; started: number[]; leftAlive: number[] }> {
  const dir = await tempDir('statuspost-bench-');
  const file = join(dir, 'fixture.mts');
  await writeFile(file, fixture(mode));
  const child = spawn(tsx, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const benchPid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the fixture never got ready: ${stderr}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /ready (\d+)/.exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve(Number(ready[1]));
      }
    });
  });
  const started = await descendants(benchPid);
  if (mode === 'signal') process.kill(benchPid, 'SIGTERM');
  const code = await exited;
  // Killed processes are reaped by init in a moment; give it one.
  let leftAlive = started.filter(alive);
  for (let i = 0; i < 50 && leftAlive.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    leftAlive = started.filter(alive);
  }
  for (const pid of leftAlive) process.kill(pid, 'SIGKILL'); // this test's own mess, whatever it asserts
  return { code, stderr, started, leftAlive };
}

describe('bench/support/processes', () => {
  it.each([
    ['throw', 'a top-level exception', /^bench:fixture failed: Error: the measurement went wrong/],
    ['reject', 'an unhandled rejection', /^bench:fixture failed: Error: a promise nobody awaited failed/],
    ['spawn-error', 'spawning a program that is not installed', /^bench:fixture failed: Error: spawn statuspost-no-such-program ENOENT/],
  ])('a benchmark that fails (%s: %s) exits non-zero and leaves no process behind', async (mode, _what, message) => {
    const { code, stderr, started, leftAlive } = await runFixture(mode);
    expect(started.length).toBeGreaterThanOrEqual(4); // sh, two sleeps, node
    expect(leftAlive).toEqual([]);
    expect(stderr).toMatch(message);
    expect(code).toBe(1);
  }, 90_000);

  it('a benchmark stopped by SIGTERM stops every process it started', async () => {
    const { code, stderr, started, leftAlive } = await runFixture('signal');
    expect(started.length).toBeGreaterThanOrEqual(4);
    expect(leftAlive).toEqual([]);
    expect(stderr).toContain('bench:fixture: stopped (SIGTERM); stopping what it started');
    expect(code).toBe(143);
  }, 90_000);

  it('names a missing program and the package to install in its first line, and starts nothing', async () => {
    const dir = await tempDir('statuspost-bench-');
    const file = join(dir, 'fixture.mts');
    await writeFile(
      file,
      `import { startBench } from ${JSON.stringify(helper)};\nstartBench('bench:serve', { nginx: 'nginx', 'statuspost-no-such-program': 'no-such-package', sh: 'dash' });\nconsole.log('started');\n`,
    );
    const ran = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(tsx, [file], (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr })),
    );
    const nginx = existsSync('/usr/sbin/nginx') || existsSync('/usr/bin/nginx');
    expect(ran.stderr).toBe(
      nginx
        ? 'bench:serve needs statuspost-no-such-program: apt-get install no-such-package\n'
        : 'bench:serve needs nginx and statuspost-no-such-program: apt-get install nginx no-such-package\n',
    );
    expect(ran.stdout).toBe('');
    expect(ran.code).toBe(1);
  }, 60_000);

  it('is called by every benchmark that starts programs or processes', async () => {
    const benches = (await readdir(join(repo, 'bench'))).filter((file) => file.endsWith('.ts'));
    const unguarded: string[] = [];
    for (const file of benches) {
      const source = await readFile(join(repo, 'bench', file), 'utf8');
      const startsProcesses = /from 'node:child_process'|startDemoCluster/.test(source);
      if (startsProcesses && !/startBench\('bench:[a-z-]+'/.test(source)) unguarded.push(file);
    }
    expect(unguarded).toEqual([]);
  });
});
