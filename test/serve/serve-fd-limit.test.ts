// `statuspost serve` as its users run it, in a process of its own whose open-file limit is lowered
// with prlimit (never the test runner's): more silent connections held open than it has file
// descriptors, and real requests are still answered. Every socket is destroyed at the end, pass or fail.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { newBuildFolder, publish } from '../../src/publish/swap.ts';
import { freePort } from '../helpers/net.ts';
import { get } from '../helpers/served-site.ts';
import { requireProgram } from '../helpers/services.ts';
import { tempDir } from '../helpers/temp.ts';
import { until } from '../helpers/until.ts';

const bin = fileURLToPath(new URL('../../bin/statuspost.mjs', import.meta.url));
const FILE_LIMIT = 256;

/** A published site and `statuspost serve` on it under `prlimit --nofile`; killed when the test ends. */
async function serveChild(flags: string[]): Promise<{ url: string; pid: number }> {
  const root = await tempDir();
  const published = join(root, 'public-site');
  const folder = await newBuildFolder(published);
  await writeFile(join(folder, 'index.html'), '<p>home</p>');
  await writeFile(join(folder, 'robots.txt'), 'User-agent: *\n');
  await publish(folder, published);
  const port = await freePort();
  const child = spawn('prlimit', [`--nofile=${FILE_LIMIT}:${FILE_LIMIT}`, process.execPath, bin, 'serve', '--root', root, '--port', String(port), ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const late = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(late);
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 20 s: ${stderr}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('serving ')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  // prlimit execs the command: the pid is serve's own, and the limit must really be in force there.
  expect(readFileSync(`/proc/${child.pid}/limits`, 'utf8')).toMatch(new RegExp(`^Max open files\\s+${FILE_LIMIT}\\s+${FILE_LIMIT}\\s`, 'm'));
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid! };
}

/** `count` connections that send nothing, opened one after another; all destroyed when the test ends. */
async function silentConnections(url: string, count: number) {
  const { port } = new URL(url);
  const sockets: Socket[] = [];
  const open = new Set<Socket>();
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
  });
  for (let i = 0; i < count; i++) {
    const socket = connect(Number(port), '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined); // a connection the server closed or reset
    await new Promise<void>((resolve) => {
      socket.once('connect', () => {
        open.add(socket);
        resolve();
      });
      socket.once('close', () => resolve());
    });
    socket.once('close', () => open.delete(socket));
  }
  return { sockets, open };
}


describe.skipIf(!(await requireProgram('prlimit')))('statuspost serve under a file-descriptor limit', () => {
  it('answers real requests while more silent connections are held open than it has descriptors', async () => {
    // A long idle timeout: what keeps the server answering here is the connection cap, not the timer.
    const { url, pid } = await serveChild(['--idle-timeout', '60s']);
    const { open } = await silentConnections(url, FILE_LIMIT + 44);
    for (let i = 0; i < 10; i++) {
      const answer = await Promise.race([
        get(url, i % 2 ? '/robots.txt' : '/'),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`request ${i}: no answer within 10 s`)), 10_000).unref()),
      ]);
      expect([i, answer.status, answer.raw.toString()]).toEqual([i, 200, i % 2 ? 'User-agent: *\n' : '<p>home</p>']);
    }
    // Half the descriptors for connections (128 of 256): the server closed the ones idle longest.
    await until(() => open.size <= FILE_LIMIT / 2, 15_000, 'silent connections down to the cap');
    expect(readdirSync(`/proc/${pid}/fd`).length).toBeLessThan(FILE_LIMIT);
  });

  it('closes silent connections after --idle-timeout, and keeps at most --max-connections', async () => {
    const capped = await serveChild(['--idle-timeout', '60s', '--max-connections', '10']);
    const many = await silentConnections(capped.url, 25);
    await until(() => many.open.size <= 10, 15_000, 'connections down to --max-connections');
    expect((await get(capped.url, '/')).status).toBe(200);

    const timed = await serveChild(['--idle-timeout', '1s']);
    const few = await silentConnections(timed.url, 5);
    expect(few.open.size).toBe(5);
    await until(() => few.open.size === 0, 15_000, 'idle connections closed');
  });
});
