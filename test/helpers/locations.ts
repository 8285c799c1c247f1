// The three-location setup of issue 18, shared by test/locations/three-locations.test.ts and
// bench/quorum.ts: three real `statuspost run` daemons (locations a, b, c) on one PostgreSQL, each
// reaching two real TCP targets through its own cuttable proxies, b and c publisher candidates
// publishing into one shared folder, alerts to a real signed webhook receiver on loopback.
// No vitest import (the benchmark runs it under tsx): callers register close() themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startAlertReceiver, type ReceivedAlert } from '../../src/demo/alert-receiver.ts';
import { openLink, type Link } from '../../src/demo/link.ts';

export type { Link };

const bin = fileURLToPath(new URL('../../bin/statuspost.mjs', import.meta.url));

export const LOCATIONS = ['a', 'b', 'c'] as const;
export type Location = (typeof LOCATIONS)[number];
/** Publisher candidates (run without --no-publish); `a` only probes. */
export const CANDIDATES: readonly Location[] = ['b', 'c'];
export const TARGETS = ['chat', 'web'] as const;
export type Target = (typeof TARGETS)[number];
/** Every check runs each second and is confirmed down after 2 failures: the floor is 2 s. */
export const INTERVAL_MS = 1_000;
export const CONFIRM_DOWN = 2;
export const CONFIRMATION_FLOOR_MS = INTERVAL_MS * CONFIRM_DOWN;

export interface LogLine {
  time: string;
  level: string;
  event: string;
  message: string;
  [field: string]: unknown;
}

export interface RunningDaemon {
  location: Location;
  child: ChildProcess;
  lines: LogLine[];
  /** When each line arrived (Date.now()), index for index with `lines`. */
  arrivals: number[];
  /** Resolves with the first line (from index `from` on) that matches, now or later. */
  waitFor(match: (line: LogLine) => boolean, timeoutMs: number, what: string, from?: number): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

/** The total committed so far, from the last "recorded" line (logged after its transaction committed). */
export function committedTotal(lines: readonly LogLine[]): number {
  const recorded = lines.filter((line) => line.event === 'recorded');
  return recorded.length === 0 ? 0 : Number(recorded[recorded.length - 1]!.total);
}

/** The roles' log lines (src/locations/lease.ts, verdicts.ts), matched on their text. */
export const leaseGained = (line: LogLine) => /lease gained \(token (\d+)\)/.exec(line.message);
export const leaseLost = (line: LogLine) => /lease lost/.test(line.message);
export const verdictDown = (checkId: string) => (line: LogLine) => new RegExp(`verdict: check ${checkId} is down\\b`).test(line.message);

/**
 * A real HTTP service: answers 200 while up, refuses connections while down (a stopped server).
 * HTTP, not a bare port: through a proxy a TCP connect always succeeds (the proxy accepts before it
 * dials the target), while an HTTP check sees the proxied connection dropped.
 */
export async function openTarget(): Promise<{ port: number; up(): Promise<void>; down(): Promise<void> }> {
  let server: HttpServer | undefined;
  let port = 0;
  const up = async () => {
    if (server) return;
    const next = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'));
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  await up();
  return {
    port,
    up,
    async down() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}

function projectFiles(location: Location, roles: boolean): Record<string, string> {
  const check = (target: Target) => [
    `  - id: ${target}-port`,
    `    component: ${target}`,
    '    kind: http',
    `    url: http://127.0.0.1:\${SP_${target.toUpperCase()}_PORT}/health`,
    `    schedule: ${INTERVAL_MS / 1000}s`,
    '    timeout: 500ms',
    `    confirm: { down: ${CONFIRM_DOWN}, up: 1 }`,
  ];
  return {
    // location: overridden by each daemon's --location; locations: what the publisher votes over.
    'probes/site.yaml': [
      'title: Chat status',
      'baseUrl: https://status.example.org',
      'timezone: UTC',
      ...(roles ? ['location: a', 'locations: [a, b, c]'] : [`location: ${location}`]),
      'store:',
      '  engine: postgres',
      '  url: ${SP_DATABASE_URL}',
      '',
    ].join('\n'),
    'probes/components.yaml': 'components:\n  - id: chat\n    name: Chat\n  - id: web\n    name: Website\n',
    'probes/checks/ports.yaml': ['checks:', ...TARGETS.flatMap(check), ''].join('\n'),
    'probes/notify.yaml': 'targets:\n  ops:\n    kind: webhook\n    url: ${OPS_URL}\n    secret: ${OPS_SECRET}\nroutes:\n  - targets: [ops]\ngroupWait: 200ms\n',
    'content/incidents/.keep': '',
  };
}

export interface ThreeLocations {
  /** The folder both candidates publish into (a symlink to the current build). */
  published: string;
  /** One line per publish that landed: "TOKEN LOCATION FOLDER", written by --after-publish. */
  publishLog: string;
  targets: Record<Target, Awaited<ReturnType<typeof openTarget>>>;
  links: Record<Location, Record<Target, Link>>;
  daemons: Record<Location, RunningDaemon>;
  alerts: Array<ReceivedAlert & { at: number }>;
  /** Cuts (or restores) every link of one location: it can reach no target. */
  partition(location: Location, cut: boolean): Promise<void>;
  /** (Re)starts the daemon of `location` (after a kill). */
  startDaemon(location: Location): RunningDaemon;
  summary(): Promise<SummaryJson | undefined>;
  componentPage(id: string): Promise<string>;
  banner(): Promise<{ banners: unknown[] } | undefined>;
  publishes(): Promise<Array<{ token: number; location: string; folder: string }>>;
  /** Raw results in the store per location (counted in SQL, not through the code under test). */
  resultsPerLocation(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export interface SummaryJson {
  status: { indicator: string; description: string };
  components: Array<{ id: string; status: string }>;
}

/**
 * Starts the targets, links, receiver and three daemons against the PostgreSQL at `databaseUrl`
 * (a private cluster: the test stops it). `extraArgs` go to every daemon.
 */
export async function startThreeLocations(databaseUrl: string, options: { refreshMs?: number; roles?: boolean } = {}): Promise<ThreeLocations> {
  // roles: false runs today's daemons (own site.yaml location, no --location, no voting): how the
  // harness itself (cluster, links, receiver, logs, counts) is exercised before the roles exist.
  const roles = options.roles ?? true;
  const base = await mkdtemp(join(tmpdir(), 'statuspost-locations-'));
  const published = join(base, 'shared', 'public-site');
  const publishLog = join(base, 'shared', 'publishes.log');
  await mkdir(dirname(published), { recursive: true });
  const targets = { chat: await openTarget(), web: await openTarget() };
  const links = {} as Record<Location, Record<Target, Link>>;
  for (const location of LOCATIONS) links[location] = { chat: await openLink(targets.chat.port), web: await openLink(targets.web.port) };
  const alerts: ThreeLocations['alerts'] = [];
  const receiver = await startAlertReceiver((alert) => alerts.push({ ...alert, at: Date.now() }));
  const roots = {} as Record<Location, string>;
  for (const location of LOCATIONS) {
    roots[location] = join(base, location);
    for (const [path, text] of Object.entries(projectFiles(location, roles))) {
      await mkdir(dirname(join(roots[location], path)), { recursive: true });
      await writeFile(join(roots[location], path), text);
    }
  }
  const children: ChildProcess[] = [];
  const daemons = {} as Record<Location, RunningDaemon>;
  const startDaemon = (location: Location): RunningDaemon => {
    const publishing = (roles ? CANDIDATES.includes(location) : location === 'b')
      ? ['--out', published, '--debounce', '200', '--publish-retry', '1000', '--refresh', String(options.refreshMs ?? 5_000), '--no-watch',
         '--after-publish', `echo "$STATUSPOST_FENCING_TOKEN ${location} $1" >> '${publishLog}'`]
      : ['--no-publish'];
    const child = spawn(process.execPath, [bin, 'run', '--root', roots[location], ...(roles ? ['--location', location] : []), '--log-format', 'json', '--verbose', '--flush-interval', '100', '--heartbeat', join(roots[location], 'heartbeat.json'), ...publishing], {
      env: {
        ...process.env,
        SP_DATABASE_URL: databaseUrl,
        SP_CHAT_PORT: String(links[location].chat.port),
        SP_WEB_PORT: String(links[location].web.port),
        OPS_URL: receiver.url,
        OPS_SECRET: receiver.secret,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    const daemon = watchLog(location, child);
    daemons[location] = daemon;
    return daemon;
  };
  for (const location of LOCATIONS) startDaemon(location);

  const readJson = async <T>(path: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as T;
    } catch {
      return undefined; // not published yet, or mid-swap
    }
  };
  return {
    published,
    publishLog,
    targets,
    links,
    daemons,
    alerts,
    async partition(location, cut) {
      for (const target of TARGETS) await (cut ? links[location][target].cut() : links[location][target].restore());
    },
    startDaemon,
    summary: () => readJson<SummaryJson>(join(published, 'api/v2/summary.json')),
    componentPage: (id) => readFile(join(published, 'components', id, 'index.html'), 'utf8').catch(() => ''),
    banner: () => readJson(join(published, 'banner.json')),
    async publishes() {
      const text = await readFile(publishLog, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [token, location, folder] = line.split(' ');
          return { token: Number(token), location: location!, folder: folder! };
        });
    },
    async resultsPerLocation() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ location: string; n: string }>(
          'SELECT s.location, count(*) AS n FROM statuspost.results r JOIN statuspost.series s ON s.id = r.series_id GROUP BY s.location',
        );
        return Object.fromEntries(rows.map((row) => [row.location, Number(row.n)]));
      } finally {
        await client.end();
      }
    },
    async close() {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined)));
      for (const location of LOCATIONS) for (const target of TARGETS) await links[location][target].cut();
      await targets.chat.down();
      await targets.web.down();
      await receiver.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}

function watchLog(location: Location, child: ChildProcess): RunningDaemon {
  const lines: LogLine[] = [];
  const arrivals: number[] = [];
  const waiters: Array<{ match: (line: LogLine) => boolean; from: number; what: string; resolve: (line: LogLine) => void; reject: (error: Error) => void }> = [];
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const complete = partial.split('\n');
    partial = complete.pop()!;
    for (const text of complete) {
      let line: LogLine;
      try {
        line = text.startsWith('{') ? (JSON.parse(text) as LogLine) : { time: '', level: 'raw', event: 'raw', message: text };
      } catch {
        line = { time: '', level: 'raw', event: 'raw', message: text };
      }
      lines.push(line);
      arrivals.push(Date.now());
      for (const waiter of [...waiters]) {
        if (lines.length - 1 >= waiter.from && waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const tail = () => lines.slice(-40).map((l) => JSON.stringify(l)).join('\n');
  // A daemon that exits fails every wait on it at once, with its last words, instead of a timeout later.
  child.once('close', (code, signal) => {
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${location}: ${waiter.what}: the daemon exited (${signal ?? `code ${code}`}); its last log lines:\n${tail()}`));
  });
  return {
    location,
    child,
    lines,
    arrivals,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    waitFor(match, timeoutMs, what, from = 0) {
      const found = lines.slice(from).find(match);
      if (found) return Promise.resolve(found);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`${location}: ${what}: the daemon has exited; its last log lines:\n${tail()}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${location}: ${what}: not within ${timeoutMs} ms; its last log lines:\n${tail()}`));
        }, timeoutMs);
        const waiter = {
          match,
          from,
          what,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
          reject: (error: Error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
        waiters.push(waiter);
      });
    },
  };
}

/** Which candidate took the lease first, and its token: polls both logs for the first "lease gained". */
export async function firstPublisher(setup: ThreeLocations, timeoutMs: number): Promise<{ location: Location; token: number }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let best: { location: Location; token: number; at: number } | undefined;
    for (const location of CANDIDATES) {
      const daemon = setup.daemons[location];
      const index = daemon.lines.findIndex((line) => leaseGained(line) !== null);
      if (index >= 0 && (!best || daemon.arrivals[index]! < best.at)) best = { location, token: Number(leaseGained(daemon.lines[index]!)![1]), at: daemon.arrivals[index]! };
    }
    if (best) return { location: best.location, token: best.token };
    if (Date.now() > end || CANDIDATES.every((location) => !setup.daemons[location].alive())) {
      const tails = CANDIDATES.map((l) => `${l}:\n${setup.daemons[l].lines.slice(-20).map((x) => JSON.stringify(x)).join('\n')}`).join('\n');
      throw new Error(`no candidate logged "lease gained" (within ${timeoutMs} ms, or before both exited)\n${tails}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
