// How long `statuspost serve` keeps a connection, and how many it keeps. With Node's defaults,
// 1,100 connections that sent nothing, against a file-descriptor limit of 1,024, failed every real
// request for as long as they were held: accept() had no descriptor left (libuv then accepts and
// drops), nor had the file reads. Node closes a silent connection only after headersTimeout (60 s),
// checked every 30 s: they were still open after 72 s.
// - A connection with no request in progress (a new one that has sent nothing, a kept-alive one
//   between requests) is closed after idleTimeoutMs without a byte.
// - Request headers must be complete headersTimeoutMs after they start, however slowly they drip.
// - A response that makes no progress for stallTimeoutMs (a client that stopped reading) is cut.
// - At most maxConnections are open: a new one past it closes the connection idle the longest, so
//   a flood of silent connections cannot starve real ones. Only when every connection has a request
//   in progress is the new one closed instead.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  maxConnections: number;
  idleTimeoutMs: number;
  headersTimeoutMs: number;
  stallTimeoutMs: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 5_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/** This process's limit on open files (the soft one, which is what accept() runs into), if known. */
export function openFileLimit(limits = '/proc/self/limits'): number | undefined {
  // Node 20 has no process.getrlimit; Linux says it here. Node raises its soft limit to the hard
  // one at start-up, so this is the number in force.
  try {
    const found = /^Max open files\s+(\d+)/m.exec(readFileSync(limits, 'utf8'));
    return found ? Number(found[1]) : undefined;
  } catch {
    return undefined; // not Linux: the caller falls back to a default
  }
}

/**
 * Half the descriptors for connections, the other half for the files being read and everything
 * else the process holds (the demo and the daemon probe and write the store in the same process).
 * Without a known limit, half of the common 1,024.
 */
export function defaultMaxConnections(fileLimit: number | undefined): number {
  return Math.max(16, Math.floor((fileLimit ?? 1_024) / 2));
}

/** Node's own timers for the headers, set where the server is created. */
export function serverTimeouts(limits: ConnectionLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    // The whole request, headers and body (a GET has none), within the stall time; Node requires
    // it to be no shorter than the headers' time.
    requestTimeout: Math.max(limits.headersTimeoutMs, limits.stallTimeoutMs),
    // Node checks both only this often (30 s by default): a quarter of the headers' time, at most 1 s.
    connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

export interface ConnectionCount {
  /** Connections open. */
  open(): number;
  /**
   * A request answered on the fast path (fast-path.ts), which Node's server never sees: the
   * connection was active just now, so it becomes the idle one most recently used.
   */
  touch(socket: Socket): void;
}

/**
 * Applies the limits to `server`; `onDrop` hears of each connection closed for room (an idle one to
 * let a new one in, or a new one when all were busy).
 */
export function limitConnections(server: Server, limits: ConnectionLimits, onDrop: () => void = () => {}): ConnectionCount {
  // Node's own timer machinery: `server.timeout` applies while a request is in progress (Node sets
  // it again when a kept-alive connection's next request starts), keepAliveTimeout between requests.
  server.timeout = limits.stallTimeoutMs;
  server.keepAliveTimeout = limits.idleTimeoutMs;
  /** Connections with no request in progress, the one idle longest first. */
  const idle = new Set<Socket>();
  /** Requests in progress per connection (pipelined requests queue on one). */
  const busy = new Map<Socket, number>();

  server.on('connection', (socket: Socket) => {
    // After Node's own listener, which set `server.timeout`: until a request starts, this is idle time.
    socket.setTimeout(limits.idleTimeoutMs);
    idle.add(socket);
    socket.once('close', () => {
      idle.delete(socket);
      busy.delete(socket);
    });
    if (idle.size + busy.size <= limits.maxConnections) return;
    const oldest = idle.values().next().value!;
    // Out of the count now, not at its 'close' event: a burst of connections in one turn of the
    // event loop would otherwise all pick this same one and pass the cap.
    idle.delete(oldest);
    onDrop();
    oldest.destroy();
  });

  // Before the request handler, so a response it ends at once is counted.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (idle.delete(socket)) socket.setTimeout(limits.stallTimeoutMs);
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const left = (busy.get(socket) ?? 1) - 1;
      if (left > 0) return void busy.set(socket, left);
      busy.delete(socket);
      if (!socket.destroyed) idle.add(socket); // Node has set its keep-alive timer
    });
  });

  return {
    open: () => idle.size + busy.size,
    touch(socket) {
      if (idle.delete(socket)) idle.add(socket);
    },
  };
}
