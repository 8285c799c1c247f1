// ntp: is an NTP server synchronised, and how far is our clock from its clock (SNTPv4, RFC 4330).
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { z } from 'zod/v4';
import { deadlineFor, timeoutMessage } from './support/deadline.ts';
import { describeNetError } from './support/net-errors.ts';
import {
  decodeReply,
  encodeRequest,
  ntpToUnixMs,
  offsetAndDelay,
  referenceCode,
  referenceIdText,
  replyProblem,
} from './support/sntp.ts';
import {
  checkBaseShape,
  degraded,
  down,
  durationSchema,
  normalizeBase,
  portSchema,
  roundMs,
  since,
  up,
  type CheckResult,
  type Probe,
} from './types.ts';

export const ntpCheckSchema = z
  .strictObject({
    ...checkBaseShape,
    kind: z.literal('ntp'),
    server: z.string().min(1),
    port: portSchema.default(123),
    degradedOffset: durationSchema.default(100),
    downOffset: durationSchema.default(1_000),
    // Stratum 16 means unsynchronised; 15 is the deepest a synchronised server can be.
    maxStratum: z.number().int().min(1).max(15).default(10),
  })
  .refine((check) => check.downOffset >= check.degradedOffset, {
    error: 'must not be smaller than degradedOffset',
    path: ['downOffset'],
  })
  .transform(({ degradedOffset, downOffset, ...rest }) => ({
    ...normalizeBase(rest),
    degradedOffsetMs: degradedOffset,
    downOffsetMs: downOffset,
  }));

export type NtpCheck = z.output<typeof ntpCheckSchema>;

export const ntpProbe: Probe<NtpCheck> = {
  kind: 'ntp',
  schema: ntpCheckSchema,
  targets: (check) => [check.server],
  run(check, stop) {
    const startedAt = Date.now();
    const t0 = performance.now();
    const deadline = deadlineFor(check.timeoutMs, stop);
    return new Promise<CheckResult>((resolve) => {
      let socket: Socket | undefined;
      let settled = false;
      const finish = (result: CheckResult) => {
        if (settled) return;
        settled = true;
        deadline.dispose();
        closeQuietly(socket);
        resolve(result);
      };
      const onAbort = () => finish(down(check, { startedAt, message: timeoutMessage(deadline, check.timeoutMs) }));
      if (deadline.signal.aborted) onAbort();
      else deadline.signal.addEventListener('abort', onAbort, { once: true });

      // A name is looked up here (not by dgram) so the socket family can follow the address.
      lookup(check.server).then(
        ({ address, family }) => {
          if (settled) return;
          const udp = createSocket(family === 6 ? 'udp6' : 'udp4');
          socket = udp;
          let request: Buffer | undefined;
          // T1 on the wall clock; T4 = T1 + monotonic elapsed, so a clock step mid-query cannot skew the delay.
          let sentAtMs = 0;
          let sentAtMono = 0;
          udp.on('error', (error) => finish(down(check, { startedAt, message: describeNetError(error) })));
          udp.on('message', (packet) => {
            if (!request) return;
            const receivedAtMs = sentAtMs + (performance.now() - sentAtMono);
            finish(judge(check, packet, request, sentAtMs, receivedAtMs, startedAt, since(t0)));
          });
          // Connected, so the kernel drops datagrams from anyone but the server and reports port-unreachable.
          udp.connect(check.port, address, () => {
            if (settled) return;
            sentAtMs = Date.now();
            sentAtMono = performance.now();
            request = encodeRequest(sentAtMs);
            udp.send(request);
          });
        },
        (error: unknown) => finish(down(check, { startedAt, message: describeNetError(error) })),
      );
    });
  },
};

function judge(
  check: NtpCheck,
  packet: Buffer,
  request: Buffer,
  t1: number,
  t4: number,
  startedAt: number,
  latencyMs: number,
): CheckResult {
  const reply = decodeReply(packet);
  const problem = replyProblem(reply, request);
  if (!reply || problem === 'invalid') {
    return down(check, { startedAt, latencyMs, message: 'invalid reply from server', details: { replyBytes: packet.length } });
  }
  const { stratum } = reply;
  if (problem === 'kiss-of-death') {
    const code = referenceCode(reply.referenceId);
    return down(check, {
      startedAt,
      latencyMs,
      message: code ? `server sent kiss-o'-death ${code}` : "server sent kiss-o'-death",
      details: { stratum, kissCode: code ?? reply.referenceId.toString('hex') },
    });
  }
  const { offsetMs, delayMs } = offsetAndDelay({ t1, t2: ntpToUnixMs(reply.receive), t3: ntpToUnixMs(reply.transmit), t4 });
  const details = {
    offsetMs: roundMs(offsetMs),
    delayMs: roundMs(delayMs),
    stratum,
    referenceId: referenceIdText(stratum, reply.referenceId),
    leap: reply.leap,
  };
  if (problem === 'unsynchronised' || stratum > check.maxStratum) {
    return down(check, { startedAt, latencyMs, message: `server is unsynchronised (stratum ${stratum})`, details });
  }
  const distance = Math.abs(offsetMs);
  if (distance > check.downOffsetMs) {
    return down(check, { startedAt, latencyMs, message: offsetMessage(offsetMs, check.downOffsetMs), details });
  }
  if (distance > check.degradedOffsetMs) {
    return degraded(check, { startedAt, latencyMs, message: offsetMessage(offsetMs, check.degradedOffsetMs), details });
  }
  return up(check, { startedAt, latencyMs, message: `clock offset ${formatMs(offsetMs)}, stratum ${stratum}`, details });
}

function offsetMessage(offsetMs: number, limitMs: number): string {
  return `clock offset ${formatMs(offsetMs)} (limit ${formatMs(limitMs)})`;
}

/** Whole milliseconds below a second, tenths of a second above: "250 ms", "-3 s", "2.5 s". */
export function formatMs(ms: number): string {
  const whole = Math.round(ms);
  if (Math.abs(whole) < 1_000) return `${whole === 0 ? 0 : whole} ms`;
  return `${Math.round(ms / 100) / 10} s`;
}

function closeQuietly(socket: Socket | undefined): void {
  try {
    socket?.close();
  } catch {
    // Already closed (an error path got there first); nothing is left open.
  }
}
