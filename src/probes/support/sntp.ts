// SNTPv4 (RFC 4330) packets and clock arithmetic, without I/O so the maths can be tested by table.

export const PACKET_BYTES = 48;

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;

const ERA_S = 2 ** 32;
const FRACTION = 2 ** 32;

export interface NtpTimestamp {
  seconds: number;
  fraction: number;
}

/**
 * NTP seconds wrap every 2^32 s (in 2036). RFC 4330 §3: a set top bit means era 0 (1968–2036),
 * a clear one means era 1 (2036–2104), so timestamps stay right across the wrap.
 */
export function ntpToUnixMs({ seconds, fraction }: NtpTimestamp): number {
  const eraStart = seconds >= 0x8000_0000 ? 0 : ERA_S;
  return (seconds + eraStart - NTP_UNIX_OFFSET_S) * 1000 + (fraction / FRACTION) * 1000;
}

export function unixMsToNtp(unixMs: number): NtpTimestamp {
  const wholeSeconds = Math.floor(unixMs / 1000);
  const fraction = Math.min(FRACTION - 1, Math.round(((unixMs - wholeSeconds * 1000) / 1000) * FRACTION));
  return { seconds: (wholeSeconds + NTP_UNIX_OFFSET_S) % ERA_S, fraction };
}

function readTimestamp(packet: Buffer, at: number): NtpTimestamp {
  return { seconds: packet.readUInt32BE(at), fraction: packet.readUInt32BE(at + 4) };
}

/** A client request (LI 0, version 4, mode 3) carrying our clock in the transmit field. */
export function encodeRequest(transmitUnixMs: number): Buffer {
  const packet = Buffer.alloc(PACKET_BYTES);
  packet[0] = (0 << 6) | (4 << 3) | 3;
  const { seconds, fraction } = unixMsToNtp(transmitUnixMs);
  packet.writeUInt32BE(seconds, 40);
  packet.writeUInt32BE(fraction, 44);
  return packet;
}

export interface SntpReply {
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  /** The raw 4 bytes: a kiss code or clock name at stratum 0–1, an upstream id above. */
  referenceId: Buffer;
  /** Raw, compared byte for byte with the transmit field we sent. */
  originate: Buffer;
  receive: NtpTimestamp;
  transmit: NtpTimestamp;
}

/** Undefined when the datagram is too short to be an NTP packet. */
export function decodeReply(packet: Buffer): SntpReply | undefined {
  if (packet.length < PACKET_BYTES) return undefined;
  const first = packet[0]!;
  return {
    leap: first >> 6,
    version: (first >> 3) & 0b111,
    mode: first & 0b111,
    stratum: packet[1]!,
    referenceId: Buffer.from(packet.subarray(12, 16)),
    originate: Buffer.from(packet.subarray(24, 32)),
    receive: readTimestamp(packet, 32),
    transmit: readTimestamp(packet, 40),
  };
}

export type ReplyProblem = 'invalid' | 'kiss-of-death' | 'unsynchronised';

/**
 * RFC 4330 §5 sanity checks. The originate check comes first so a spoofed kiss-o'-death from
 * someone who never saw our request is treated as noise, not obeyed.
 */
export function replyProblem(reply: SntpReply | undefined, request: Buffer): ReplyProblem | undefined {
  if (!reply || reply.mode !== 4 || !reply.originate.equals(request.subarray(40, 48))) return 'invalid';
  if (reply.stratum === 0) return 'kiss-of-death';
  if (reply.transmit.seconds === 0 && reply.transmit.fraction === 0) return 'invalid';
  if (reply.leap === 3) return 'unsynchronised';
  return undefined;
}

/** ASCII of a kiss code or stratum-1 clock name ("RATE", "GPS"), or undefined if it is not printable. */
export function referenceCode(referenceId: Buffer): string | undefined {
  const text = referenceId.toString('latin1').replace(/\0+$/, '');
  return /^[A-Za-z0-9.\-_ ]{1,4}$/.test(text) ? text.trim() || undefined : undefined;
}

/** How operators (ntpq, chronyc) show a reference id: the clock name at stratum 1, dotted quad above. */
export function referenceIdText(stratum: number, referenceId: Buffer): string {
  if (stratum <= 1) return referenceCode(referenceId) ?? referenceId.toString('hex');
  return [...referenceId].join('.');
}

export interface ClockSample {
  /** Client clock when the request left (T1). */
  t1: number;
  /** Server clock when the request arrived (T2). */
  t2: number;
  /** Server clock when the reply left (T3). */
  t3: number;
  /** Client clock when the reply arrived (T4). */
  t4: number;
}

/**
 * RFC 4330 §5: how far the server's clock is ahead of ours, and the round trip minus server time.
 * On loopback the round trip is a fraction of a millisecond, and servers fuzz the low bits of their
 * timestamps (chrony does), so the formula can give a delay below zero; a round trip cannot take
 * less than nothing, so the delay is floored at 0, as RFC 5905 §8 floors it at the precision.
 */
export function offsetAndDelay({ t1, t2, t3, t4 }: ClockSample): { offsetMs: number; delayMs: number } {
  return { offsetMs: (t2 - t1 + (t3 - t4)) / 2, delayMs: Math.max(0, t4 - t1 - (t3 - t2)) };
}
