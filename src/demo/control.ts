// Stopping and starting a chat node while the demo runs, from another shell: the running demo
// answers on a Unix socket in its data folder (only this user can open it), and
// `statuspost demo node stop 2` asks it. A visitor then watches the outage appear on the page and
// clear, without restarting the demo and taking the page offline.
import { createHash } from 'node:crypto';
import { chmod, rm } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatuspostError } from '../errors.ts';

export const NODE_COUNT = 3;
export type NodeAction = 'stop' | 'start';

/**
 * A chat node's number as typed (1 to 3). Anything else is a usage error: the demo cluster has
 * exactly three nodes, and a number outside them used to be accepted and did nothing.
 */
export function parseNodeNumber(text: string | undefined, flag: string): number {
  const number = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || number < 1 || number > NODE_COUNT) {
    throw new StatuspostError('SP_USAGE', `demo: ${flag} must be a chat node's number, 1 to ${NODE_COUNT}, not ${text === undefined ? 'nothing' : `"${text}"`}`, {
      hint: `the demo cluster has ${NODE_COUNT} chat nodes: chat-1, chat-2 and chat-3`,
    });
  }
  return number;
}

/**
 * Where the running demo listens. A socket path has a length limit (108 bytes on Linux), so a
 * project deep in the tree gets one in the temporary folder, named after its data folder.
 */
export function controlSocketPath(dataDir: string): string {
  const inside = join(dataDir, 'control.sock');
  if (Buffer.byteLength(inside) <= 100) return inside;
  return join(tmpdir(), `statuspost-demo-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}.sock`);
}

export interface DemoControlHandler {
  /** Stops or starts node `number` (1-3); resolves with a sentence for the person who asked. */
  (action: NodeAction, number: number): Promise<string>;
}

/** `demo --locations`: cuts or restores one location's links to the cluster; resolves with a sentence. */
export interface DemoLocationHandler {
  (action: LocationAction, location: string): Promise<string>;
}
export type LocationAction = 'cut' | 'restore';

export interface DemoControl {
  close(): Promise<void>;
}

/** Listens on `socketPath` (a stale socket left by a killed demo is replaced: the caller holds the demo lock). */
export async function startDemoControl(socketPath: string, handle: DemoControlHandler, handleLocation?: DemoLocationHandler): Promise<DemoControl> {
  const server = createServer((req, res) => {
    const location = /^\/locations\/([a-z0-9-]+)\/(cut|restore)$/.exec(req.url ?? '');
    if (req.method === 'POST' && location && handleLocation) {
      handleLocation(location[2] as LocationAction, location[1]!).then(
        (message) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`${message}\n`),
        (error: Error) => res.writeHead(400, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
      );
      return;
    }
    const match = /^\/nodes\/(\d+)\/(stop|start)$/.exec(req.url ?? '');
    const number = Number(match?.[1]);
    if (req.method !== 'POST' || !match || number < 1 || number > NODE_COUNT) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`expected POST /nodes/1-${NODE_COUNT}/stop or /start\n`);
      return;
    }
    handle(match[2] as NodeAction, number).then(
      (message) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`${message}\n`),
      (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(socketPath, 0o600);
  return {
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(socketPath, { force: true });
    },
  };
}

/** Asks the demo running in `dataDir`'s project to stop or start a node; resolves with its answer. */
export function sendDemoControl(socketPath: string, action: NodeAction, number: number, root: string): Promise<string> {
  return sendControl(socketPath, `/nodes/${number}/${action}`, `${action} chat-${number}`, root);
}

/** Asks the demo running with --locations to cut or restore one location's links. */
export function sendDemoLocationControl(socketPath: string, action: LocationAction, location: string, root: string): Promise<string> {
  return sendControl(socketPath, `/locations/${location}/${action}`, `${action} location ${location}`, root);
}

function sendControl(socketPath: string, path: string, what: string, root: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if (res.statusCode === 200) resolve(body.trim());
        else reject(new StatuspostError('SP_DEMO_NOT_RUNNING', `the running demo could not ${what}: ${body.trim()}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const gone = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
      reject(
        new StatuspostError('SP_DEMO_NOT_RUNNING', gone ? 'no statuspost demo is running in this project' : `the running demo did not answer: ${error.message}`, {
          hint: gone ? `start it in another shell with \`statuspost demo${root === process.cwd() ? '' : ` --root ${root}`}\`, then stop and start nodes from here` : 'is the demo stuck? stop it with Ctrl-C and start it again',
        }),
      );
    });
    req.end();
  });
}
