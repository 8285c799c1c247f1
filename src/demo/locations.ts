// `statuspost demo --locations 3`: the several-locations case on loopback. The simulated cluster
// runs once; each location (a, b, c) reaches it through its own links (src/demo/link.ts), and runs
// as a real `statuspost run` process in a folder of its own whose site.yaml names its location,
// as an operator would start them on three machines: a is the publisher (it votes over every location and builds the site), b and c
// only probe (--no-publish). They share one PostgreSQL store, because several processes cannot share
// the SQLite file (a daemon holds its lock) and because PostgreSQL is what several locations use.
// A location's links are cut and restored with a key (a, b, c) or `statuspost demo location cut b`.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parseDocument } from 'yaml';
import { StatuspostError } from '../errors.ts';
import type { Output } from '../cli/output.ts';
import { startStaticServer } from '../serve/static-server.ts';
import { startAlertReceiver } from './alert-receiver.ts';
import type { DemoCluster } from './cluster.ts';
import type { LocationAction } from './control.ts';
import { openLink, type Link } from './link.ts';

export const LOCATION_NAMES = ['a', 'b', 'c', 'd', 'e'] as const;
export const DEFAULT_DEMO_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const bin = fileURLToPath(new URL('../../bin/statuspost.mjs', import.meta.url));

/** `--locations N`: 1 (today's demo) to 5. */
export function parseLocationCount(text: string): number {
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || count > LOCATION_NAMES.length) {
    throw new StatuspostError('SP_USAGE', `demo: --locations must be 1 to ${LOCATION_NAMES.length}, not "${text}"`, { hint: 'try --locations 3: locations a, b and c' });
  }
  return count;
}

/** The cluster's TCP targets a location reaches through its links (DNS and NTP are UDP, the share a folder). */
const LINKED = ['DEMO_LB_PORT', 'DEMO_CHAT1_PORT', 'DEMO_CHAT2_PORT', 'DEMO_CHAT3_PORT'] as const;

/** Fails with a clear error before anything starts when the PostgreSQL the locations share is not there. */
export async function requireDemoDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new StatuspostError('SP_STORE_UNAVAILABLE', `demo --locations: no PostgreSQL at ${url.replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message})`, {
      hint: 'several locations share one PostgreSQL store: start one on 127.0.0.1:5432 that user postgres can reach without a password, or set DEMO_DATABASE_URL',
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface LocationsDemo {
  names: string[];
  publisher: string;
  url: string;
  toggle(name: string): Promise<string>;
  control(action: LocationAction, name: string): Promise<string>;
  stop(): Promise<void>;
}

interface Options {
  root: string;
  dataDir: string;
  count: number;
  cluster: DemoCluster;
  databaseUrl: string;
  language?: string;
  json: boolean;
  output: Output;
}

/** Starts the links, one project folder and one `statuspost run` per location, the receiver and the site server. */
export async function startLocationsDemo(options: Options): Promise<LocationsDemo> {
  const { root, cluster, output } = options;
  const names = LOCATION_NAMES.slice(0, options.count) as string[];
  const publisher = names[0]!;
  const links = new Map<string, Link[]>();
  const children = new Map<string, ChildProcess>();
  const closers: Array<() => Promise<unknown>> = [];
  const receiver = await startAlertReceiver((alert) => {
    const text = `alert received: ${alert.title} (${alert.severity})`;
    if (options.json) output.error(JSON.stringify({ time: new Date().toISOString(), level: 'info', event: 'alert-received', message: text, kind: alert.kind }));
    else output.error(text);
  });
  closers.push(() => receiver.close());
  await mkdir(join(root, 'content'), { recursive: true });
  const published = join(root, 'public-site');

  for (const name of names) {
    const env: Record<string, string> = { ...cluster.env };
    const own: Link[] = [];
    for (const key of LINKED) {
      const link = await openLink(Number(cluster.env[key]));
      own.push(link);
      env[key] = String(link.port);
    }
    env.DEMO_LB_URL = cluster.env.DEMO_LB_URL!.replace(/:\d+$/, `:${env.DEMO_LB_PORT}`);
    links.set(name, own);
    closers.push(async () => {
      for (const link of own) await link.cut();
    });
    const home = await locationProject({ ...options, name, names });
    // The publisher republishes on an agreed change; a view only one location holds changes no
    // verdict, so it shows at the refresh: every 30 s here (5 minutes by default) for the demo's sake.
    const role = name === publisher ? ['--out', published, '--refresh', '30000'] : ['--no-publish'];
    // A daemon would outlive a demo killed with SIGKILL (nothing tells it), as dnsmasq would
    // (cluster.ts): it runs under a small shell that holds a pipe from us; when the pipe closes,
    // however we end, the shell sends the daemon SIGTERM (it writes what it holds and exits) and
    // exits with its code. A clean stop closes the pipe the same way.
    const guard = 'exec 3<&0; "$@" 3<&- </dev/null & pid=$!; (read -r _ <&3; kill "$pid" 2>/dev/null) & wait "$pid"';
    const args = [bin, 'run', '--root', home, '--log-format', options.json ? 'json' : 'text', '--heartbeat', join(home, 'heartbeat.json'), ...role];
    const child = spawn('/bin/sh', ['-c', guard, `demo-location-${name}`, process.execPath, ...args], {
      env: { ...process.env, ...env, DEMO_DATABASE_URL: options.databaseUrl, DEMO_ALERT_URL: receiver.url, DEMO_ALERT_SECRET: receiver.secret },
      stdio: ['pipe', 'ignore', 'pipe'], // the daemon writes its log to standard error only
    });
    passLog(child, name, options);
    children.set(name, child);
  }
  closers.push(async () => {
    // Stopped as an operator stops them: SIGTERM, so each writes what it holds; the demo waits.
    const running = [...children.values()].filter((child) => child.exitCode === null && child.signalCode === null);
    const exits = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of running) child.stdin!.end(); // the guard's SIGTERM to the daemon
    await Promise.all(exits);
  });

  // The page exists once the publisher's first build lands; the server starts then.
  const firstPublish = Date.now();
  while (!existsSync(published)) {
    const gone = [...children.entries()].find(([, child]) => child.exitCode !== null || child.signalCode !== null);
    if (gone) {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      throw new StatuspostError('SP_DEMO_NOT_RUNNING', `demo --locations: location ${gone[0]}'s daemon exited (code ${gone[1].exitCode}) before the first publish; its log is above`);
    }
    if (Date.now() - firstPublish > 300_000) break; // served anyway: the page appears when the build does
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await mkdir(published, { recursive: true }).catch(() => undefined);
  const server = await startStaticServer({ folder: published, port: 4321 }).catch(() => startStaticServer({ folder: published }));
  closers.push(() => server.close());

  const control = async (action: LocationAction, name: string) => {
    const own = links.get(name);
    if (!own) throw new StatuspostError('SP_USAGE', `demo: no location "${name}" (the locations are ${names.join(', ')})`);
    const was = own[0]!.isCut();
    for (const link of own) await (action === 'cut' ? link.cut() : link.restore());
    const other = names.filter((n) => n !== name && !links.get(n)![0]!.isCut()).length;
    if (action === 'cut') {
      return `${was ? `location ${name} was already cut` : `location ${name} is cut from the cluster`}: its checks fail, the other ${other} of ${names.length} still reach it; the page shows no outage while the others outvote it, and within 30 s its component pages say "1 of ${names.length} locations sees it down".`;
    }
    return `${was ? `location ${name}'s links are restored` : `location ${name} was not cut`}; its next checks reach the cluster again.`;
  };
  return {
    names,
    publisher,
    url: server.url,
    control,
    toggle: (name) => control(links.get(name)?.[0]?.isCut() ? 'restore' : 'cut', name),
    async stop() {
      for (const close of closers.reverse()) await close().catch(() => undefined);
    },
  };
}

/**
 * The project folder a location's daemon runs in: probes/ copied from the demo's, site.yaml told to
 * use the shared PostgreSQL and to vote over every location, alerts to the demo's receiver, and
 * content/ linked to the project's own (one set of posts for the whole page).
 */
async function locationProject(options: Options & { name: string; names: string[] }): Promise<string> {
  const home = join(options.dataDir, 'locations', options.name);
  await rm(join(home, 'probes'), { recursive: true, force: true });
  await mkdir(home, { recursive: true });
  await cp(join(options.root, 'probes'), join(home, 'probes'), { recursive: true });
  const sitePath = join(home, 'probes', 'site.yaml');
  const site = parseDocument(await readFile(sitePath, 'utf8'));
  site.set('location', options.name);
  site.set('locations', options.names);
  site.set('store', { engine: 'postgres', url: '${DEMO_DATABASE_URL}', schema: '${DEMO_DATABASE_SCHEMA:-statuspost_demo}' });
  if (options.language) site.set('language', options.language);
  await writeFile(sitePath, site.toString());
  await writeFile(
    join(home, 'probes', 'notify.yaml'),
    '# Written by `statuspost demo --locations`: alerts go to the demo\'s own receiver.\ntargets:\n  demo:\n    kind: webhook\n    url: ${DEMO_ALERT_URL}\n    secret: ${DEMO_ALERT_SECRET}\nroutes:\n  - targets: [demo]\ngroupWait: 1s\n',
  );
  const content = join(home, 'content');
  await rm(content, { recursive: true, force: true });
  await symlink(join(options.root, 'content'), content, 'dir');
  return home;
}

/** Each daemon's log on our standard error: text lines prefixed "[a] ", JSON lines with a location field. */
function passLog(child: ChildProcess, name: string, options: Options): void {
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!options.json) {
        options.output.error(`[${name}] ${line}`);
        continue;
      }
      try {
        options.output.error(JSON.stringify({ ...(JSON.parse(line) as object), location: name }));
      } catch {
        options.output.error(JSON.stringify({ time: new Date().toISOString(), level: 'info', event: 'raw', message: line, location: name }));
      }
    }
  });
}
