import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

/** A loopback UDP port with nothing bound to it (the demo uses the same helper to place dnsmasq). */
export { freeUdpPort } from '../../src/demo/ports.ts';

/** A free TCP port on loopback (for programs that cannot listen on port 0 and report it). */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A real HTTP server on a free loopback port, closed when the test finishes. */
export async function serve(handler: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A raw TCP server that hands each socket to `onSocket`; all sockets destroyed when the test finishes. */
export async function serveTcp(onSocket: (socket: Socket) => void): Promise<{ port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // the probe hanging up early is expected
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, sockets };
}

export const neverAborted = (): AbortSignal => new AbortController().signal;

/**
 * A loopback port whose TCP handshakes never complete: a listener with a full backlog that never
 * accepts (Node always accepts, so a tiny python3 process holds it). Connects to it hang until
 * the caller's deadline, which is what deadline tests need without touching any other network.
 */
export async function blackholePort(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const { connect } = await import('node:net');
  const child = spawn('python3', [
    '-c',
    'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()',
  ]);
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  // Fill the one backlog slot, so the next handshake is dropped.
  const filler = connect(port, '127.0.0.1');
  filler.on('error', () => undefined);
  await new Promise((resolve) => filler.once('connect', resolve));
  onTestFinished(() => {
    filler.destroy();
  });
  return port;
}
