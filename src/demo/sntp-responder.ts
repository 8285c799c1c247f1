// The demo cluster's time server: an SNTP responder on loopback (RFC 4330 server mode) whose clock
// can be set ahead or behind, so the ntp check has a real peer and a fault can be shown.
import { createSocket } from 'node:dgram';
import { PACKET_BYTES, unixMsToNtp } from '../probes/support/sntp.ts';

export interface SntpResponder {
  port: number;
  /** Moves this server's clock, to simulate a drifting time source. */
  setOffset(offsetMs: number): void;
  close(): Promise<void>;
}

export async function startSntpResponder(
  options: { offsetMs?: number; stratum?: number; port?: number } = {},
): Promise<SntpResponder> {
  let offsetMs = options.offsetMs ?? 0;
  const stratum = options.stratum ?? 2;
  const socket = createSocket('udp4');
  const write = (packet: Buffer, at: number, unixMs: number) => {
    const { seconds, fraction } = unixMsToNtp(unixMs);
    packet.writeUInt32BE(seconds >>> 0, at);
    packet.writeUInt32BE(fraction >>> 0, at + 4);
  };
  socket.on('message', (request, peer) => {
    if (request.length < PACKET_BYTES) return;
    const received = Date.now() + offsetMs;
    const reply = Buffer.alloc(PACKET_BYTES);
    reply[0] = (0 << 6) | (((request[0]! >> 3) & 0b111) << 3) | 4; // no leap warning, client's version, server mode
    reply[1] = stratum;
    reply[2] = request[2]!;
    reply.writeInt8(-20, 3);
    Buffer.from([127, 0, 0, 1]).copy(reply, 12);
    write(reply, 16, received - 60_000); // last synchronised a minute ago
    request.copy(reply, 24, 40, 48); // echo the client's transmit time as our originate time
    write(reply, 32, received);
    write(reply, 40, Date.now() + offsetMs);
    socket.send(reply, peer.port, peer.address);
  });
  const bind = (port: number) =>
    new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => resolve(true));
    });
  // A taken preferred port falls back to any free one; a UDP socket can be bound only once, so retry on a new one.
  if (!(options.port && (await bind(options.port)))) {
    if (options.port) return startSntpResponder({ ...options, port: 0 });
    await bind(0);
  }
  return {
    port: socket.address().port,
    setOffset: (ms) => {
      offsetMs = ms;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
