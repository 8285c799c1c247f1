// A simulated chat cluster on loopback, shaped like the deployment guide's: a TLS-terminating balancer
// with cookie affinity in front of exactly three chat nodes, plus DNS and NTP servers of its own.
// PostgreSQL and Redis are the machine's own, probed where they run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeDemoCertificate } from './certificate.ts';
import { startSntpResponder } from './sntp-responder.ts';

export interface DemoCluster {
  /** Environment the demo's probes/ configuration reads its ports and paths from. */
  env: Record<string, string>;
  /** What could not be started, with the reason (the matching check will show down). */
  notes: string[];
  stopNode(index: number): Promise<void>;
  /** Starts a stopped node again on its port. */
  startNode(index: number): Promise<void>;
  nodeRunning(index: number): boolean;
  close(): Promise<void>;
}

const AFFINITY_COOKIE = 'SERVERID';

/** The ports probes/ defaults to; a taken one falls back to any free port (passed on through env). */
export const PREFERRED_PORTS = { balancer: 18443, nodes: [18081, 18082, 18083], dns: 18053, ntp: 18123 } as const;

/**
 * The environment the cluster hands probes/ when every preferred port is free: enough to check the
 * configuration before the cluster starts (and before anything is written).
 */
export function preferredEnv(dataDir: string): Record<string, string> {
  return {
    DEMO_CHAT1_PORT: String(PREFERRED_PORTS.nodes[0]),
    DEMO_CHAT2_PORT: String(PREFERRED_PORTS.nodes[1]),
    DEMO_CHAT3_PORT: String(PREFERRED_PORTS.nodes[2]),
    DEMO_LB_PORT: String(PREFERRED_PORTS.balancer),
    DEMO_LB_URL: `https://127.0.0.1:${PREFERRED_PORTS.balancer}`,
    DEMO_CA_FILE: join(dataDir, 'tls', 'balancer.crt'),
    DEMO_NTP_PORT: String(PREFERRED_PORTS.ntp),
    DEMO_DNS_PORT: String(PREFERRED_PORTS.dns),
    DEMO_SHARE_DIR: join(dataDir, 'share'),
  };
}

export async function startDemoCluster(dataDir: string): Promise<DemoCluster> {
  const closers: Array<() => Promise<void>> = [];
  const notes: string[] = [];
  const env: Record<string, string> = {};

  const nodes: Array<{ name: string; server: Server; port: number }> = [];
  for (const [i, name] of ['chat-1', 'chat-2', 'chat-3'].entries()) {
    const server = createHttpServer((req, res) => {
      const body = JSON.stringify({ status: 'ok', node: name, version: '3.2.1', path: req.url });
      res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': name }).end(body);
    });
    const port = await listen(server, PREFERRED_PORTS.nodes[i] ?? 0);
    nodes.push({ name, server, port });
    closers.push(() => closeServer(server));
    env[`DEMO_${name.toUpperCase().replace('-', '')}_PORT`] = String(port);
  }

  const certificate = await makeDemoCertificate(join(dataDir, 'tls')).catch((error: Error) => {
    notes.push(`balancer runs without TLS: openssl could not make a certificate (${error.message.split('\n')[0]})`);
    return undefined;
  });
  let next = 0;
  const balance = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const pinned = /(?:^|;\s*)SERVERID=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    const live = nodes.filter((node) => node.server.listening);
    let target = live.find((node) => node.name === pinned);
    if (!target) target = live[next++ % Math.max(live.length, 1)];
    if (!target) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no chat node available\n');
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: `127.0.0.1:${target.port}` } },
      (answer) => {
        const headers = { ...answer.headers };
        if (target.name !== pinned) headers['set-cookie'] = [`${AFFINITY_COOKIE}=${target.name}; Path=/; HttpOnly; Secure`];
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502, { 'content-type': 'text/plain' }).end('chat node did not answer\n'));
    req.pipe(upstream);
  };
  const balancer = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, balance) : createHttpServer(balance);
  env.DEMO_LB_PORT = String(await listen(balancer, PREFERRED_PORTS.balancer));
  env.DEMO_LB_URL = `${certificate ? 'https' : 'http'}://127.0.0.1:${env.DEMO_LB_PORT}`;
  env.DEMO_CA_FILE = certificate?.certPath ?? '';
  closers.push(() => closeServer(balancer));

  const ntp = await startSntpResponder({ offsetMs: 0, stratum: 2, port: PREFERRED_PORTS.ntp });
  env.DEMO_NTP_PORT = String(ntp.port);
  closers.push(ntp.close);

  const dns = await startDnsmasq().catch((error: Error) => {
    notes.push(`no DNS server: ${error.message} (install Debian's dnsmasq-base)`);
    return undefined;
  });
  env.DEMO_DNS_PORT = String(dns?.port ?? 0);
  if (dns) closers.push(dns.close);
  if (!dns) env.DEMO_DNS_PORT = '1'; // nothing listens there: the dns check reports it, the demo goes on

  const share = join(dataDir, 'share');
  await mkdir(share, { recursive: true });
  env.DEMO_SHARE_DIR = share;

  return {
    env,
    notes,
    async stopNode(index) {
      const node = nodes[index];
      if (node?.server.listening) await closeServer(node.server);
    },
    async startNode(index) {
      const node = nodes[index];
      if (!node || node.server.listening) return;
      await new Promise<void>((resolve, reject) => {
        node.server.once('error', reject);
        node.server.listen(node.port, '127.0.0.1', () => resolve());
      });
    },
    nodeRunning: (index) => nodes[index]?.server.listening === true,
    async close() {
      for (const close of closers.reverse()) await close().catch(() => undefined); // best effort on the way out
    },
  };
}

async function listen(server: Server, preferredPort: number): Promise<number> {
  for (const port of [preferredPort, 0]) {
    const bound = await new Promise<boolean>((resolve) => {
      const onError = () => resolve(false);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        resolve(true);
      });
    });
    if (bound) return (server.address() as AddressInfo).port;
  }
  throw new Error('no loopback port available');
}

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** dnsmasq answering for the demo's names only, never forwarding anything off the machine. */
async function startDnsmasq(): Promise<{ port: number; close: () => Promise<void> }> {
  const { isUdpPortFree, freeUdpPort } = await import('./ports.ts');
  const port = (await isUdpPortFree(PREFERRED_PORTS.dns)) ? PREFERRED_PORTS.dns : await freeUdpPort();
  const binary = existsSync('/usr/sbin/dnsmasq') ? '/usr/sbin/dnsmasq' : 'dnsmasq';
  // dnsmasq outlives a demo killed with SIGKILL (nothing tells it). So it runs under a small shell
  // that holds a pipe from us: when we die, however we die, the pipe closes and the shell stops it.
  // A clean close ends the pipe the same way. The shell exits with dnsmasq's own exit code.
  // (A background job's standard input is /dev/null in sh, hence the pipe's copy on fd 3.)
  const guard = 'exec 3<&0; dnsmasq="$1"; shift; "$dnsmasq" "$@" 3<&- & pid=$!; (read -r _ <&3; kill "$pid" 2>/dev/null) & wait "$pid"';
  const child: ChildProcess = spawn(
    '/bin/sh',
    [
      '-c', guard, 'demo-dns', binary,
      '--keep-in-foreground', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--no-poll',
      `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--pid-file=',
      '--user=root', '--address=/chat.example.test/127.0.0.1', '--log-facility=-',
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`dnsmasq could not start (${(error as NodeJS.ErrnoException).code})`)));
    child.once('exit', (code) => {
      child.stdin!.end(); // lets the guard's reader go too
      reject(new Error(code === 127 ? 'dnsmasq is not installed' : `dnsmasq exited with code ${code}`));
    });
    setTimeout(resolve, 300); // dnsmasq binds before it logs anything; a failed bind exits at once
  });
  return {
    port,
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    },
  };
}
