// A running `statuspost demo` (the built CLI), with a wait on its output: stdout and its log on
// stderr, line by line. Killed when the test finishes.
import { spawn } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { bin } from './cli.ts';

export function startDemo(root: string, extraArgs: readonly string[] = [], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [bin, 'demo', '--root', root, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  const waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  const take = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const complete = partial.split('\n');
      partial = complete.pop()!;
      for (const line of complete) {
        lines.push(line);
        for (const waiter of [...waiters]) {
          if (!waiter.match(line)) continue;
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    });
  };
  take(child.stdout!);
  take(child.stderr!);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A demo that exits fails every wait on it at once, with its output, instead of a timeout later.
  let closed = false;
  child.once('close', (code) => {
    closed = true;
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`the demo exited (code ${code}); output:\n${lines.join('\n')}`));
  });
  return {
    child,
    lines,
    exited,
    /** The first line from line number `from` on that matches, now or when it comes. */
    waitFor(match: (line: string) => boolean, what: string, timeoutMs = 180_000, from = 0): Promise<string> {
      const found = lines.slice(from).find(match);
      if (found) return Promise.resolve(found);
      if (closed) return Promise.reject(new Error(`${what}: the demo has exited; output:\n${lines.join('\n')}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms; output:\n${lines.join('\n')}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
      });
    },
  };
}
