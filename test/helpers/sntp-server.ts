// A real SNTP server on 127.0.0.1 whose clock runs `offsetMs` ahead of ours, with scripted faults.
// Timestamps are encoded here with BigInt, independently of src/probes/support/sntp.ts, so a bug
// in the probe's arithmetic cannot cancel out against the same bug in the server.
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export type SntpFault =
  | 'none'
  /** Receives requests and never answers. */
  | 'silent'
  /** Stratum 0 with a kiss code in the reference id (RFC 4330 §8). */
  | 'kiss-of-death'
  /** A short datagram that is not an NTP packet. */
  | 'garbage'
  /** A well-formed reply that does not echo our transmit timestamp. */
  | 'wrong-originate';

export interface SntpServerOptions {
  offsetMs?: number;
  stratum?: number;
  /** Leap indicator; 3 means "clock not synchronised". */
  leap?: number;
  fault?: SntpFault;
  kissCode?: string;
}

const NTP_UNIX_OFFSET_S = 2_208_988_800n;

function writeNtpTime(packet: Buffer, at: number, unixMs: number): void {
  const micros = BigInt(Math.round(unixMs * 1000));
  const fixed = ((NTP_UNIX_OFFSET_S * 1_000_000n + micros) << 32n) / 1_000_000n;
  packet.writeBigUInt64BE(fixed & 0xffff_ffff_ffff_ffffn, at);
}

export async function startSntpServer(options: SntpServerOptions = {}): Promise<{ port: number }> {
  const { offsetMs = 0, stratum = 2, leap = 0, fault = 'none', kissCode = 'RATE' } = options;
  const socket = createSocket('udp4');
  socket.on('message', (request, peer) => {
    const received = Date.now() + offsetMs;
    if (fault === 'silent' || request.length < 48) return;
    if (fault === 'garbage') {
      socket.send(Buffer.from('not an ntp packet'), peer.port, peer.address);
      return;
    }
    const reply = Buffer.alloc(48);
    const version = (request[0]! >> 3) & 0b111;
    const kiss = fault === 'kiss-of-death';
    reply[0] = ((kiss ? 3 : leap) << 6) | (version << 3) | 4;
    reply[1] = kiss ? 0 : stratum;
    reply[2] = request[2]!; // poll
    reply.writeInt8(-20, 3); // precision: about a microsecond
    reply.writeUInt32BE(0x0000_0100, 8); // root dispersion: 1/256 s
    if (kiss) reply.write(kissCode.padEnd(4, '\0'), 12, 'latin1');
    else if (stratum === 1) reply.write('GPS\0', 12, 'latin1');
    else Buffer.from([127, 0, 0, 1]).copy(reply, 12); // upstream "address", loopback only
    writeNtpTime(reply, 16, received - 60_000);
    request.copy(reply, 24, 40, 48);
    if (fault === 'wrong-originate') reply.writeUInt32BE((reply.readUInt32BE(24) - 1) >>> 0, 24);
    writeNtpTime(reply, 32, received);
    writeNtpTime(reply, 40, Date.now() + offsetMs);
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { port: (socket.address() as AddressInfo).port };
}
