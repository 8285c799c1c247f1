// undici reports no phase timings, so the agent opens its own connections: a timed dns.lookup,
// then undici's own connector aimed at the resolved address, timing the TCP connect and the TLS
// handshake (TOOLCHAIN.md §4). One agent per run, destroyed at the end: no socket outlives a run.
// It hands out a bare undici Client per origin rather than an Agent: a probe talks to one origin
// at a time, and an Agent's pool layer cost about a fifth of a loopback check (bench/probe-overhead).
import { lookup } from 'node:dns';
import { isIP, type Socket } from 'node:net';
import { Client, buildConnector, type Dispatcher } from 'undici';
import { roundMs, since } from '../types.ts';

export interface ConnectionTimings {
  dnsMs: number;
  /** Absent when the TCP connect did not complete. */
  connectMs?: number;
  /** Only for https. */
  tlsMs?: number;
}

/** How the server's certificate is checked: Node's defaults unless a private CA or no check at all. */
export interface TlsTrust {
  ca?: string;
  rejectUnauthorized?: boolean;
}

export interface TimedAgent {
  /** One connection per origin (a redirect may lead elsewhere), all opened through the timed connector. */
  dispatcherFor(url: URL): Dispatcher;
  /** Closes the connection to this URL's origin: the next request to it opens a new one. */
  release(url: URL): Promise<void>;
  /** Connections opened so far: a request that leaves this unchanged reused a kept-alive socket. */
  opened(): number;
  /** Phases of the most recently attempted connection. */
  lastTimings(): ConnectionTimings | undefined;
  /** The signal fired while a connection was still being looked up or opened. */
  stoppedWhileConnecting(): boolean;
  /**
   * Closes every connection: gracefully after a complete exchange, by force otherwise. Forcing
   * builds an error per client in undici, which cost a tenth of a healthy loopback check.
   */
  shutdown(graceful: boolean): Promise<void>;
}

export function timedAgent(tls: TlsTrust, remainingMs: () => number, signal: AbortSignal): TimedAgent {
  let opened = 0;
  let last: ConnectionTimings | undefined;
  let stoppedWhileConnecting = false;

  let connector: buildConnector.connector | undefined;
  const connect: buildConnector.connector = (options, callback) => {
    let socket: Socket | undefined;
    // undici only notices an abort once the connection is up, and neither dns.lookup nor our
    // connect timeout (undici's coarse timers) is exact: the deadline has to end this phase itself.
    const onAbort = () => {
      stoppedWhileConnecting = true;
      socket?.destroy();
      finish(signal.reason instanceof Error ? signal.reason : new Error('aborted'), null);
    };
    const finish: buildConnector.Callback = (...args) => {
      signal.removeEventListener('abort', onAbort);
      const cb = callback;
      callback = () => undefined; // a late lookup or socket event must not answer twice
      cb(...args);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const t0 = performance.now();
    // An address needs no lookup (dns.lookup would only echo it a tick later).
    const resolve = (hostname: string, done: (error: Error | null, address: string) => void) =>
      isIP(hostname.replace(/^\[|\]$/g, '')) ? done(null, hostname) : lookup(hostname, done);
    resolve(options.hostname, (lookupError, address) => {
      if (signal.aborted) return;
      const dnsMs = since(t0);
      last = { dnsMs };
      if (lookupError) return finish(lookupError, null);
      const https = options.protocol === 'https:';
      const target: buildConnector.Options = { ...options, hostname: address };
      // Certificates are checked against the name in the URL, not the address we resolved it to.
      if (https && !isIP(options.hostname)) target.servername = options.hostname;
      const t1 = performance.now();
      let connectMs: number | undefined;
      try {
        connector ??= buildConnector({ ...tls, timeout: Math.max(1, Math.ceil(remainingMs())) });
        // Typed as returning void, but it returns the socket it opens (TOOLCHAIN.md §4).
        socket = connector(target, (error, connected) => {
          if (error) return finish(error, null);
          const tcpMs = connectMs ?? since(t1);
          last = https ? { dnsMs, connectMs: tcpMs, tlsMs: roundMs(since(t1) - tcpMs) } : { dnsMs, connectMs: tcpMs };
          opened++;
          finish(null, connected!);
        }) as unknown as Socket;
      } catch (error) {
        return finish(error as Error, null); // thrown here it would escape as an uncaught exception
      }
      socket.once('connect', () => {
        connectMs = since(t1);
        last = { dnsMs, connectMs };
      });
    });
  };

  const clients = new Map<string, Client>();
  return {
    dispatcherFor(url) {
      let client = clients.get(url.origin);
      if (!client) {
        client = new Client(url.origin, { connect, pipelining: 1 });
        clients.set(url.origin, client);
      }
      return client;
    },
    async release(url) {
      const client = clients.get(url.origin);
      clients.delete(url.origin);
      // Idle after a complete exchange: close() ends the socket at once instead of waiting.
      await client?.close().catch(() => undefined);
    },
    opened: () => opened,
    lastTimings: () => last,
    stoppedWhileConnecting: () => stoppedWhileConnecting,
    // Already destroyed or closing: nothing is left open either way.
    shutdown: async (graceful) => {
      await Promise.all(
        [...clients.values()].map((client) => (graceful ? client.close() : client.destroy()).catch(() => undefined)),
      );
    },
  };
}
