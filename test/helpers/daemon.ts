// Runs the real `statuspost run` (the built bin) as a child process and reads its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const bin = fileURLToPath(new URL('../../bin/statuspost.mjs', import.meta.url));

export interface LogLine {
  time: string;
  level: string;
  event: string;
  message: string;
  [field: string]: unknown;
}

export interface DaemonProcess {
  child: ChildProcess;
  lines: LogLine[];
  /** Resolves with the first log line that matches, or rejects after `timeoutMs`. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startDaemonProcess(root: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): DaemonProcess {
  // Tests about probing and recording do not build the site unless they ask for it with --out.
  const publishing = extraArgs.includes('--out') ? [] : ['--no-publish'];
  const child = spawn(process.execPath, [bin, 'run', '--root', root, '--log-format', 'json', '--verbose', ...publishing, ...extraArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const text of complete) {
      if (!text.startsWith('{')) {
        lines.push({ time: '', level: 'raw', event: 'raw', message: text });
        continue;
      }
      const line = JSON.parse(text) as LogLine;
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    lines,
    exited,
    waitFor(match, timeoutMs = 60_000) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; saw:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
  };
}

/** The total written so far, from the last "recorded" line (logged only after its transaction committed). */
export function committedTotal(lines: readonly LogLine[]): number {
  const recorded = lines.filter((line) => line.event === 'recorded');
  return recorded.length === 0 ? 0 : Number(recorded[recorded.length - 1]!.total);
}
