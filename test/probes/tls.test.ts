import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tlsProbe } from '../../src/probes/tls.ts';
import type { CheckResult } from '../../src/probes/types.ts';
import { makeCertificate, type TestCertificate } from '../helpers/certs.ts';
import { blackholePort, freePort, neverAborted, serveTcp } from '../helpers/net.ts';
import { requireProgram } from '../helpers/services.ts';
import { tempDir } from '../helpers/temp.ts';

const DAY_MS = 86_400_000;
const HOURS_6 = 6 * 3_600_000;
const hasOpenssl = (await requireProgram('openssl')) !== undefined;

const check = (port: number, options: Record<string, unknown> = {}) =>
  tlsProbe.schema.parse({
    id: 'api-cert',
    component: 'api',
    kind: 'tls',
    host: '127.0.0.1',
    port,
    servername: 'localhost',
    timeout: '2s',
    ...options,
  });

/** A real TLS server on loopback presenting `certificate`; records the SNI names clients sent. */
async function serveTls(certificate: TestCertificate): Promise<{ port: number; servernames: string[] }> {
  const servernames: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer({
    key: certificate.key,
    cert: certificate.cert,
    // Called during the handshake, so the name is recorded before the probe hangs up.
    SNICallback: (servername, done) => {
      servernames.push(servername);
      done(null, undefined); // the server's own certificate
    },
  });
  // The probe hangs up right after the handshake.
  server.on('secureConnection', (socket) => socket.on('error', () => undefined));
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, servernames };
}

const validFor = (ms: number) => ({ notBefore: new Date(Date.now() - DAY_MS), notAfter: new Date(Date.now() + ms) });

function expectPublishable(result: CheckResult) {
  expect(result.message).not.toContain('127.0.0.1');
  expect(result.message).not.toContain('localhost');
}

describe.skipIf(!hasOpenssl)('tls probe', () => {
  it('reports up with the whole days left when the certificate is trusted through `ca`', async () => {
    const cert = await makeCertificate(validFor(84 * DAY_MS + HOURS_6));
    const { port, servernames } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.caPath }), neverAborted());
    expect(result).toMatchObject({
      checkId: 'api-cert',
      kind: 'tls',
      status: 'up',
      message: 'certificate valid for 84 more days',
      details: { daysUntilExpiry: 84, subject: 'localhost', protocol: 'TLSv1.3', authorizationError: null },
    });
    expect(result.details.issuer).toMatch(/^statuspost test CA /);
    expect(Date.parse(String(result.details.notAfter)) - Date.now()).toBeGreaterThan(84 * DAY_MS);
    expect(result.details.handshakeMs).toBeGreaterThanOrEqual(0);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(servernames).toEqual(['localhost']);
  });

  it('reports degraded when the certificate expires within warnDays', async () => {
    const cert = await makeCertificate(validFor(5 * DAY_MS + HOURS_6));
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.caPath }), neverAborted());
    expect(result).toMatchObject({
      status: 'degraded',
      message: 'certificate expires in 5 days',
      details: { daysUntilExpiry: 5 },
    });
  });

  it('reports degraded with "less than a day" in the last day', async () => {
    const cert = await makeCertificate(validFor(HOURS_6));
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.caPath }), neverAborted());
    expect(result).toMatchObject({ status: 'degraded', message: 'certificate expires in less than a day' });
  });

  it('reports up 5 days before expiry when warnDays is 0', async () => {
    const cert = await makeCertificate(validFor(5 * DAY_MS + HOURS_6));
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.caPath, warnDays: 0 }), neverAborted());
    expect(result).toMatchObject({ status: 'up', message: 'certificate valid for 5 more days' });
  });

  it('reports down with how long ago an expired certificate expired', async () => {
    const now = Date.now();
    const notAfter = new Date(now - 3 * DAY_MS - HOURS_6);
    const cert = await makeCertificate({ notBefore: new Date(now - 60 * DAY_MS), notAfter });
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.caPath }), neverAborted());
    expect(result).toMatchObject({
      status: 'down',
      message: 'certificate expired 3 days ago',
      details: { authorizationError: 'CERT_HAS_EXPIRED', daysUntilExpiry: -3 },
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expectPublishable(result);
  });

  it('reports down with the start date of a certificate that is not valid yet', async () => {
    const notBefore = new Date(Date.now() + 30 * DAY_MS);
    const cert = await makeCertificate({ notBefore, notAfter: new Date(Date.now() + 120 * DAY_MS) });
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.caPath }), neverAborted());
    expect(result).toMatchObject({
      status: 'down',
      message: `certificate is not valid until ${notBefore.toISOString().slice(0, 10)}`,
      details: { authorizationError: 'CERT_NOT_YET_VALID' },
    });
  });

  it('reports down for a self-signed certificate that is not trusted', async () => {
    const cert = await makeCertificate({ selfSigned: true });
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'certificate is self-signed and not trusted' });
    expectPublishable(result);
  });

  it('trusts a self-signed certificate given as `ca`', async () => {
    const cert = await makeCertificate({ ...validFor(40 * DAY_MS + HOURS_6), selfSigned: true });
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.caPath }), neverAborted());
    expect(result).toMatchObject({ status: 'up', message: 'certificate valid for 40 more days' });
  });

  it('reports down when the issuer is not the trusted CA', async () => {
    const cert = await makeCertificate({});
    const otherCa = await makeCertificate({});
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: otherCa.caPath }), neverAborted());
    expect(result).toMatchObject({
      status: 'down',
      message: 'certificate issuer is not trusted',
      details: { authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
    });
    expectPublishable(result);
  });

  it('reports down when the certificate is for another host name', async () => {
    const cert = await makeCertificate({ altNames: ['DNS:other.example.test'] });
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.caPath }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'certificate is for another host name' });
    expectPublishable(result);
  });

  it('checks the certificate against the IP address and sends no SNI when no servername is given', async () => {
    const cert = await makeCertificate(validFor(30 * DAY_MS + HOURS_6));
    const { port, servernames } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.caPath, servername: undefined }), neverAborted());
    expect(result).toMatchObject({ status: 'up', message: 'certificate valid for 30 more days' });
    expect(servernames).toEqual([]);

    const nameOnly = await makeCertificate({ altNames: ['DNS:localhost'] });
    const named = await serveTls(nameOnly);
    const mismatch = await tlsProbe.run(check(named.port, { ca: nameOnly.caPath, servername: undefined }), neverAborted());
    expect(mismatch).toMatchObject({ status: 'down', message: 'certificate is for another host name' });
  });

  it('reports down when the server does not speak TLS', async () => {
    const { port } = await serveTcp((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const result = await tlsProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'server did not speak TLS', latencyMs: null });
  });

  it('reports down when the server closes the connection during the handshake', async () => {
    const { port } = await serveTcp((socket) => socket.once('data', () => socket.destroy()));
    const result = await tlsProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection closed during the TLS handshake', latencyMs: null });
  });

  it('reports down by its deadline when the server accepts but never answers the handshake', async () => {
    const { port } = await serveTcp(() => undefined);
    const result = await tlsProbe.run(check(port, { timeout: '300ms' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no TLS handshake within 300 ms', latencyMs: null });
  });

  it('reports down with "connection refused" when nothing listens', async () => {
    const port = await freePort();
    const result = await tlsProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection refused', latencyMs: null });
    expect(JSON.stringify(result)).not.toContain('127.0.0.1');
  });

  it('reports down by its deadline when the TCP handshake never completes', async () => {
    const port = await blackholePort();
    const result = await tlsProbe.run(check(port, { timeout: '300ms' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no connection within 300 ms', latencyMs: null });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = tlsProbe.run(check(await blackholePort(), { timeout: '10s' }), controller.signal);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ status: 'down', message: 'stopped before an answer' });
  });

  it('reports down without the path when the ca file is missing', async () => {
    const dir = await tempDir();
    const cert = await makeCertificate({});
    const { port } = await serveTls(cert);
    const missing = join(dir, 'private-ca.pem');
    const result = await tlsProbe.run(check(port, { ca: missing }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'ca file unreadable: path does not exist', latencyMs: null });
    expect(result.message).not.toContain(dir);
  });

  it('reports down when the ca file holds no certificate', async () => {
    const cert = await makeCertificate({});
    const { port } = await serveTls(cert);
    const result = await tlsProbe.run(check(port, { ca: cert.keyPath }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'ca file holds no PEM certificate' });
  });
});

describe('tls probe schema', () => {
  const written = { id: 'api-cert', component: 'api', kind: 'tls', host: 'api.example.test' };

  it('defaults the port to 443 and warnDays to 21', () => {
    const parsed = tlsProbe.schema.parse(written);
    expect(parsed).toMatchObject({ port: 443, warnDays: 21, timeoutMs: 10_000 });
    expect(parsed.servername).toBeUndefined();
    expect(parsed.ca).toBeUndefined();
  });

  it('rejects a switch to skip verification', () => {
    expect(tlsProbe.schema.safeParse({ ...written, skipVerify: true }).success).toBe(false);
  });

  it('names host, servername and ca as targets', () => {
    const parsed = tlsProbe.schema.parse({ ...written, servername: 'chat.example.test', ca: '/etc/statuspost/ca.pem' });
    expect(tlsProbe.targets(parsed)).toEqual(['api.example.test', 'chat.example.test', '/etc/statuspost/ca.pem']);
    expect(tlsProbe.targets(tlsProbe.schema.parse(written))).toEqual(['api.example.test']);
  });
});
