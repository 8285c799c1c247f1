// A private PostgreSQL for tests and benchmarks that must stop the server (the shared one on 5432
// serves every other test, and a cuttable proxy only breaks the link, not the server): initdb into a
// temporary folder, started on a free loopback port with trust auth and fsync off, stopped (fast)
// and started again on the same port, destroyed at the end.
// No vitest import: bench/quorum.ts uses it too; a test registers destroy() with onTestFinished.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PostgresCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust auth: no password). */
  url: string;
  dataDir: string;
  running(): boolean;
  /** Fast shutdown: clients are disconnected, open transactions roll back, committed data stays. */
  stop(): Promise<void>;
  /** Starts again on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (immediate) and removes its folder. */
  destroy(): Promise<void>;
}

/** Where Debian puts the server's programs (initdb, pg_ctl) of the newest installed major version. */
export function findPostgresBin(): string | undefined {
  const explicit = process.env.STATUSPOST_PG_BIN;
  if (explicit && existsSync(join(explicit, 'initdb'))) return explicit;
  for (const major of ['17', '16', '15', '14', '13']) {
    const dir = `/usr/lib/postgresql/${major}/bin`;
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    return initdb ? join(initdb, '..') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The folder of initdb/pg_ctl, or undefined (with the reason printed) when they are missing; under
 * CI=true a missing server is an error, as every other service the tests need (test/helpers/services.ts).
 */
export function requirePostgresBin(): string | undefined {
  const bin = findPostgresBin();
  if (bin) return bin;
  const reason = 'initdb/pg_ctl are not installed (Debian: apt-get install postgresql)';
  if (process.env.CI === 'true') throw new Error(`${reason}; CI must provide them`);
  console.warn(`skipping tests that need a private PostgreSQL: ${reason}`);
  return undefined;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a server program; as root, as the `postgres` user (initdb and postgres refuse to run as root). */
function run(program: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** initdb + start. `bin` from findPostgresBin(); throws when the programs are missing. */
export async function startPostgresCluster(bin = findPostgresBin()): Promise<PostgresCluster> {
  if (!bin) throw new Error('initdb/pg_ctl not found (Debian: apt-get install postgresql)');
  const root = await mkdtemp(join(tmpdir(), 'statuspost-pg-'));
  const dataDir = join(root, 'data');
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    await chown(root, uid, gid);
  }
  await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  let up = false;
  // Sockets in our own folder, not /var/run/postgresql, which may not exist or belong to the system server.
  const options = [`-p ${port}`, `-k ${root}`, "-c listen_addresses=127.0.0.1", '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200'].join(' ');
  const start = async () => {
    // -w: pg_ctl polls until the server accepts connections (its readiness check, not a sleep).
    await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-o', options, '-l', join(root, 'server.log'), '-w', '-t', '90', 'start']);
    await run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-t', '30']).catch(() => undefined);
    up = true;
  };
  const stop = async (mode: 'fast' | 'immediate') => {
    await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
    up = false;
  };
  try {
    await start();
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    running: () => up,
    stop: () => stop('fast'),
    start,
    async destroy() {
      if (up) await stop('immediate').catch(() => undefined); // on the way out; the folder goes regardless
      await rm(root, { recursive: true, force: true });
    },
  };
}
