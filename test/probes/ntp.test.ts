import { describe, expect, it } from 'vitest';
import { formatMs, ntpProbe } from '../../src/probes/ntp.ts';
import {
  decodeReply,
  encodeRequest,
  ntpToUnixMs,
  offsetAndDelay,
  referenceIdText,
  replyProblem,
  unixMsToNtp,
} from '../../src/probes/support/sntp.ts';
import { freeUdpPort, neverAborted } from '../helpers/net.ts';
import { startSntpServer } from '../helpers/sntp-server.ts';

const check = (port: number, options: Record<string, unknown> = {}) =>
  ntpProbe.schema.parse({ id: 'clock', component: 'chat', kind: 'ntp', server: '127.0.0.1', port, timeout: '2s', ...options });


describe('ntp probe', () => {
  it('reports up with the offset and stratum when the clocks agree', async () => {
    const { port } = await startSntpServer({ offsetMs: 5, stratum: 2 });
    const result = await ntpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ checkId: 'clock', kind: 'ntp', status: 'up' });
    // The offset is measured over a real round trip, so the exact millisecond may vary.
    expect(result.message).toMatch(/^clock offset -?\d+ ms, stratum 2$/);
    expect(result.details.offsetMs).toBeGreaterThan(5 - 20);
    expect(result.details.offsetMs).toBeLessThan(5 + 20);
    expect(result.details).toMatchObject({ stratum: 2, referenceId: '127.0.0.1' });
    expect(result.details.delayMs).toBeGreaterThanOrEqual(0);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result.message).not.toContain('127.0.0.1');
  });

  it('names the reference clock of a stratum 1 server', async () => {
    const { port } = await startSntpServer({ stratum: 1 });
    const result = await ntpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'up', details: { stratum: 1, referenceId: 'GPS' } });
    expect(result.message).toMatch(/^clock offset -?\d+ ms, stratum 1$/);
  });

  it('reports degraded when the offset passes degradedOffset', async () => {
    const { port } = await startSntpServer({ offsetMs: 250 });
    const result = await ntpProbe.run(check(port), neverAborted());
    expect(result.status).toBe('degraded');
    const shown = /^clock offset (\d+) ms \(limit 100 ms\)$/.exec(result.message);
    expect(shown).not.toBeNull();
    expect(Math.abs(Number(shown![1]) - 250)).toBeLessThan(20);
  });

  it('shows offsets of a second or more in tenths of a second', async () => {
    const { port } = await startSntpServer({ offsetMs: 2_500 });
    const result = await ntpProbe.run(check(port, { degradedOffset: '1s', downOffset: '10s' }), neverAborted());
    expect(result).toMatchObject({ status: 'degraded', message: 'clock offset 2.5 s (limit 1 s)' });
  });

  it('reports down when our clock is seconds ahead of the server', async () => {
    const { port } = await startSntpServer({ offsetMs: -3_000 });
    const result = await ntpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'clock offset -3 s (limit 1 s)' });
    expect(result.details.offsetMs).toBeLessThan(-2_900);
  });

  it('reports down when the server says it is unsynchronised (stratum 16)', async () => {
    const { port } = await startSntpServer({ stratum: 16, leap: 3 });
    const result = await ntpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'server is unsynchronised (stratum 16)' });
  });

  it('reports down when the server is deeper than maxStratum', async () => {
    const { port } = await startSntpServer({ stratum: 6 });
    const result = await ntpProbe.run(check(port, { maxStratum: 5 }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'server is unsynchronised (stratum 6)' });
  });

  it("reports down with the kiss code when the server sends a kiss-o'-death", async () => {
    const { port } = await startSntpServer({ fault: 'kiss-of-death', kissCode: 'RATE' });
    const result = await ntpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: "server sent kiss-o'-death RATE", details: { kissCode: 'RATE' } });
  });

  it('reports down by its deadline when the server never answers', async () => {
    const { port } = await startSntpServer({ fault: 'silent' });
    const result = await ntpProbe.run(check(port, { timeout: '300ms' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no answer within 300 ms', latencyMs: null });
  });

  it('reports an invalid reply when the server answers with garbage', async () => {
    const { port } = await startSntpServer({ fault: 'garbage' });
    const result = await ntpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'invalid reply from server', details: { replyBytes: 17 } });
  });

  it('reports an invalid reply when the reply does not echo our transmit timestamp', async () => {
    const { port } = await startSntpServer({ fault: 'wrong-originate' });
    const result = await ntpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'invalid reply from server' });
  });

  it('reports down with "connection refused" when nothing listens on the port', async () => {
    const port = await freeUdpPort();
    const result = await ntpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection refused', latencyMs: null });
    expect(JSON.stringify(result)).not.toContain('127.0.0.1');
  });

  it('stops when the caller aborts', async () => {
    const { port } = await startSntpServer({ fault: 'silent' });
    const controller = new AbortController();
    const pending = ntpProbe.run(check(port, { timeout: '10s' }), controller.signal);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ status: 'down', message: 'stopped before an answer' });
  });

  it('fills in the port, the thresholds and maxStratum', () => {
    const parsed = ntpProbe.schema.parse({ id: 'clock', component: 'chat', kind: 'ntp', server: 'ntp.example.test' });
    expect(parsed).toMatchObject({ port: 123, degradedOffsetMs: 100, downOffsetMs: 1_000, maxStratum: 10 });
    expect(ntpProbe.targets(parsed)).toEqual(['ntp.example.test']);
  });

  it('rejects a downOffset below degradedOffset', () => {
    const parsed = ntpProbe.schema.safeParse({
      id: 'clock',
      component: 'chat',
      kind: 'ntp',
      server: '127.0.0.1',
      degradedOffset: '2s',
      downOffset: '1s',
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toMatchObject([{ path: ['downOffset'], message: 'must not be smaller than degradedOffset' }]);
  });
});

describe('sntp', () => {
  const ERA_1_START_MS = Date.UTC(2036, 1, 7, 6, 28, 16);

  it.each([
    { at: 'the Unix epoch', seconds: 2_208_988_800, fraction: 0, unixMs: 0 },
    { at: 'half a second later', seconds: 2_208_988_800, fraction: 0x8000_0000, unixMs: 500 },
    { at: '2026-01-01', seconds: 3_976_214_400, fraction: 0, unixMs: Date.UTC(2026, 0, 1) },
    { at: 'the last second of era 0', seconds: 0xffff_ffff, fraction: 0, unixMs: ERA_1_START_MS - 1_000 },
    { at: 'the first second of era 1', seconds: 0, fraction: 0, unixMs: ERA_1_START_MS },
    { at: '2040-01-01 (era 1)', seconds: 123_010_304, fraction: 0, unixMs: Date.UTC(2040, 0, 1) },
  ])('reads $at from NTP seconds $seconds', ({ seconds, fraction, unixMs }) => {
    expect(ntpToUnixMs({ seconds, fraction })).toBe(unixMs);
    expect(unixMsToNtp(unixMs)).toEqual({ seconds, fraction });
  });

  it('round-trips sub-millisecond times', () => {
    const unixMs = Date.UTC(2026, 10, 22, 12, 0, 0) + 123.456;
    expect(ntpToUnixMs(unixMsToNtp(unixMs))).toBeCloseTo(unixMs, 3);
  });

  it.each([
    { case: 'clocks agree, 10 ms each way', t1: 0, t2: 10, t3: 11, t4: 21, offsetMs: 0, delayMs: 20 },
    { case: 'server 5 ms ahead', t1: 0, t2: 15, t3: 16, t4: 21, offsetMs: 5, delayMs: 20 },
    { case: 'server 3 s behind', t1: 10_000, t2: 7_010, t3: 7_011, t4: 10_021, offsetMs: -3_000, delayMs: 20 },
    { case: 'asymmetric path: 2 ms out, 18 ms back', t1: 0, t2: 2, t3: 3, t4: 21, offsetMs: -8, delayMs: 20 },
    { case: 'loopback, server time fuzzed past the round trip', t1: 0, t2: 0.25, t3: 0.5, t4: 0.125, offsetMs: 0.3125, delayMs: 0 },
  ])('computes offset and delay: $case', ({ t1, t2, t3, t4, offsetMs, delayMs }) => {
    expect(offsetAndDelay({ t1, t2, t3, t4 })).toEqual({ offsetMs, delayMs });
  });

  it('encodes a version 4 client request with our transmit time', () => {
    const unixMs = Date.UTC(2026, 0, 1) + 250;
    const request = encodeRequest(unixMs);
    expect(request.length).toBe(48);
    expect(request[0]).toBe(0x23); // LI 0, VN 4, mode 3
    expect(request.readUInt32BE(40)).toBe(3_976_214_400);
    expect(request.readUInt32BE(44)).toBe(0x4000_0000);
    expect(request.subarray(0, 40).every((byte, index) => index === 0 || byte === 0)).toBe(true);
  });

  const serverReply = (request: Buffer, patch: (reply: Buffer) => void = () => undefined) => {
    const reply = Buffer.alloc(48);
    reply[0] = (4 << 3) | 4;
    reply[1] = 2;
    request.copy(reply, 24, 40, 48);
    reply.writeUInt32BE(3_976_214_401, 40);
    patch(reply);
    return reply;
  };

  it.each([
    { case: 'a good reply', patch: () => undefined, problem: undefined },
    { case: 'a client-mode packet', patch: (r: Buffer) => (r[0] = (4 << 3) | 3), problem: 'invalid' },
    { case: 'a foreign originate time', patch: (r: Buffer) => r.writeUInt32BE(1, 24), problem: 'invalid' },
    { case: 'a zero transmit time', patch: (r: Buffer) => r.writeBigUInt64BE(0n, 40), problem: 'invalid' },
    { case: 'stratum 0', patch: (r: Buffer) => (r[1] = 0), problem: 'kiss-of-death' },
    { case: 'leap indicator 3', patch: (r: Buffer) => (r[0] = (3 << 6) | (4 << 3) | 4), problem: 'unsynchronised' },
  ])('judges $case', ({ patch, problem }) => {
    const request = encodeRequest(Date.UTC(2026, 0, 1));
    expect(replyProblem(decodeReply(serverReply(request, patch)), request)).toBe(problem);
  });

  it('treats a datagram shorter than a packet as invalid', () => {
    expect(decodeReply(Buffer.alloc(47))).toBeUndefined();
    expect(replyProblem(undefined, encodeRequest(0))).toBe('invalid');
  });

  it.each([
    { stratum: 1, bytes: [0x47, 0x50, 0x53, 0], text: 'GPS' },
    { stratum: 2, bytes: [127, 0, 0, 1], text: '127.0.0.1' },
  ])('shows reference id $text at stratum $stratum', ({ stratum, bytes, text }) => {
    expect(referenceIdText(stratum, Buffer.from(bytes))).toBe(text);
  });

  it.each([
    { ms: 3.4, text: '3 ms' },
    { ms: -0.4, text: '0 ms' },
    { ms: 250, text: '250 ms' },
    { ms: -999.4, text: '-999 ms' },
    { ms: 1_000, text: '1 s' },
    { ms: 2_460, text: '2.5 s' },
    { ms: -3_020, text: '-3 s' },
  ])('formats $ms ms as "$text"', ({ ms, text }) => {
    expect(formatMs(ms)).toBe(text);
  });
});
