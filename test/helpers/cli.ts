// The real built CLI (bin/statuspost.mjs → dist/) as a child process, alone or in a real shell pipe.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished } from 'vitest';

export const bin = fileURLToPath(new URL('../../bin/statuspost.mjs', import.meta.url));

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; `input`, when given, is written to its standard input, which is then closed. */
export function statuspost(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...options.env }, cwd: options.cwd, timeout: options.timeoutMs ?? 120_000, maxBuffer: 1 << 26 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    // A command that does not end (a daemon, started by a test of a bug not yet fixed) must not
    // outlive the test that started it.
    if (expect.getState().currentTestName !== undefined) {
      onTestFinished(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
    }
  });
}

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/**
 * `statuspost ARGS | READER` through bash, with statuspost's own exit status (PIPESTATUS, as
 * `set -o pipefail` would report it) and its standard error kept apart from the reader's output.
 */
export function piped(args: readonly string[], reader: string, options: { stderrToo?: boolean } = {}): Promise<{ code: number; readerOutput: string; stderr: string }> {
  const redirect = options.stderrToo ? '2>&1' : '2>&3';
  const script = `${quote(process.execPath)} ${quote(bin)} ${args.map(quote).join(' ')} ${redirect} | ${reader}; status=\${PIPESTATUS[0]}; echo; echo "statuspost-exit=$status"`;
  return new Promise((resolve, reject) => {
    // fd 3 carries statuspost's stderr to ours, so a trace cannot hide in the reader's output.
    const child = execFile('bash', ['-c', `{ ${script} ; } 3>&2`], { env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
      const match = /statuspost-exit=(\d+)\s*$/.exec(stdout);
      if (!match) return reject(new Error(`no exit status from the pipeline (${error?.message ?? 'no error'}): ${stdout.slice(-500)} ${stderr.slice(-2000)}`));
      resolve({ code: Number(match[1]), readerOutput: stdout.slice(0, match.index).replace(/\n$/, ''), stderr });
    });
    child.stdin?.end();
  });
}
