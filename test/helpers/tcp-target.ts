// A TCP port a `tcp` check can probe: open while the returned server listens, refused once it is
// closed, so a test turns a component up and down.
import { createServer, type Server } from 'node:net';

export const listen = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

export const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
