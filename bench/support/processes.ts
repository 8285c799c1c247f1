// What every benchmark that starts programs or processes calls first: `startBench(name, needs)`.
// - It checks the programs the benchmark needs before anything starts, and names the Debian
//   packages to install in one first line (`bench:serve needs nginx and wrk: apt-get install nginx
//   wrk`), instead of dying later on an unhandled `spawn nginx ENOENT`.
// - However the benchmark ends (an exception, a rejected promise, Ctrl-C, SIGTERM, process.exit),
//   every process it started goes with it: children and their children, found in /proc, so a
//   `statuspost serve` or an nginx is never left running. A failed run exits non-zero.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

type Cleanup = () => unknown;

const cleanups: Cleanup[] = [];
let name = 'bench';
let installed = false;
let stopping = false;

/**
 * Call at the top of a benchmark. `needs` maps each program it runs to the Debian package that
 * provides it, e.g. `{ nginx: 'nginx', wrk: 'wrk' }`.
 */
export function startBench(benchName: string, needs: Record<string, string> = {}): void {
  name = benchName;
  const missing = Object.keys(needs).filter((program) => !onPath(program));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map((program) => needs[program]!))];
    process.stderr.write(`${name} needs ${andList(missing)}: apt-get install ${packages.join(' ')}\n`);
    process.exit(1); // nothing has been started yet
  }
  if (installed) return;
  installed = true;
  process.once('SIGINT', () => void stop(130, `${name}: interrupted (SIGINT); stopping what it started`));
  process.once('SIGTERM', () => void stop(143, `${name}: stopped (SIGTERM); stopping what it started`));
  const fail = (error: unknown) => void stop(1, `${name} failed: ${(error as Error)?.stack ?? String(error)}`);
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  // The last word, whatever path led here: nothing this benchmark started outlives it.
  process.on('exit', () => killDescendants('SIGKILL'));
}

/** Work to do when the benchmark is stopped early (close servers, remove temporary folders); at most 5 s in all. */
export function onStop(cleanup: Cleanup): void {
  cleanups.push(cleanup);
}

async function stop(code: number, why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`${why}\n`);
  killDescendants('SIGTERM');
  const grace = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
  await Promise.race([Promise.allSettled(cleanups.map(async (cleanup) => cleanup())), grace]);
  process.exit(code); // the exit handler kills whatever ignored SIGTERM
}

/** Every live process below this one, read from /proc (Linux) in one pass before any is killed. */
export function descendants(root = process.pid): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it ended while we looked
    }
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z') continue;
    const list = children.get(Number(ppid)) ?? [];
    list.push(Number(entry));
    children.set(Number(ppid), list);
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

function killDescendants(signal: NodeJS.Signals): void {
  for (const pid of descendants()) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already: what we wanted
    }
  }
}

function onPath(program: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', program], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const andList = (words: readonly string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);
