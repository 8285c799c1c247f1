// Scripted HTTP(S) servers for the http probe tests: real sockets on loopback, faults by script.
import type { RequestListener, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import { serve } from './net.ts';

/** Sockets the server still has open (the probe must leave none behind). */
export function openConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** A real HTTPS server on a free loopback port, closed when the test finishes. */
export async function serveHttps(tls: { key: string; cert: string }, handler: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createHttpsServer(tls, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * A stand-in for the chat cluster's load balancer. `sticky` honours the SERVERID cookie it sets;
 * `round-robin` sets it but ignores it (affinity lost); `no-cookie` never sets it.
 * `cookies` records the Cookie header of every request, so tests see what the probe sent back.
 */
export async function fakeBalancer(mode: 'sticky' | 'round-robin' | 'no-cookie') {
  const cookies: string[] = [];
  let turn = 0;
  const served = await serve((req, res) => {
    cookies.push(req.headers.cookie ?? '');
    const pinned = /(?:^|;\s*)SERVERID=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const node = mode === 'round-robin' ? `node-${(turn++ % 2) + 1}` : (pinned ?? 'node-2');
    if (mode !== 'no-cookie' && !pinned) res.setHeader('set-cookie', [`SERVERID=${node}; Path=/; HttpOnly`, 'lang=en']);
    res.setHeader('x-served-by', node);
    res.end('<body rid="1"/>');
  });
  return { ...served, cookies };
}
