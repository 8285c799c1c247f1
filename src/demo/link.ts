// A TCP link on loopback in front of one target that can be cut (every connection closed, new ones
// refused) and restored on the same port: how `demo --locations` gives each location its own way to
// the cluster, so one location can lose the cluster while the others still reach it. The
// three-location test and bench:quorum use it too.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface Link {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  isCut(): boolean;
  /** Connections proxied now (each is two sockets). */
  connections(): number;
}

export async function openLink(targetPort: number, targetHost = '127.0.0.1'): Promise<Link> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    if (server) return;
    const next = createServer((client) => {
      const upstream = connect(targetPort, targetHost);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined); // a cut link errors on both sides by design
      }
      client.pipe(upstream).pipe(client);
      // A target that refuses or drops ends the client's connection too, as a direct one would end.
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  await listen();
  return {
    port,
    isCut: () => server === undefined,
    connections: () => sockets.size / 2,
    restore: listen,
    async cut() {
      const closing = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}
