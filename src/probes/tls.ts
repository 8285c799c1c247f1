// tls: is the certificate trusted, for this name, and how long until it expires. Expiry is the point:
// a renewal that silently stopped must show up weeks before the date, not when clients start failing.
import { open } from 'node:fs/promises';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { z } from 'zod/v4';
import { deadlineFor, timeoutMessage, type Deadline } from './support/deadline.ts';
import { describeNetError, errorCode } from './support/net-errors.ts';
import {
  checkBaseShape,
  degraded,
  down,
  normalizeBase,
  portSchema,
  since,
  up,
  type CheckResult,
  type DetailValue,
  type Probe,
} from './types.ts';

export const tlsCheckSchema = z
  .strictObject({
    ...checkBaseShape,
    kind: z.literal('tls'),
    host: z.string().min(1),
    port: portSchema.default(443),
    /** SNI and the name the certificate must be for; defaults to `host` (SNI only when host is a name). */
    servername: z.string().min(1).optional(),
    /** Public certificates live at most 398 days: a longer warning would always be degraded. */
    warnDays: z.number().int().min(0).max(398, { error: 'must be at most 398: no public certificate is valid longer, so the check would always warn' }).default(21),
    /** PEM file of a private CA to trust instead of the system roots. */
    ca: z.string().min(1).optional(),
  })
  .transform(normalizeBase);

export type TlsCheck = z.output<typeof tlsCheckSchema>;

const DAY_MS = 86_400_000;
// A CA bundle is a few hundred KB at most; a bigger file is a wrong path, not a bundle.
const MAX_CA_BYTES = 1_048_576;

export const tlsProbe: Probe<TlsCheck> = {
  kind: 'tls',
  schema: tlsCheckSchema,
  targets: (check) => [check.host, check.servername, check.ca].filter((value) => value !== undefined),
  async run(check, stop) {
    const startedAt = Date.now();
    const deadline = deadlineFor(check.timeoutMs, stop);
    let ca: string | undefined;
    if (check.ca !== undefined) {
      // A CA on a hung network mount must not hold the probe past its deadline.
      const read = await Promise.race([readCa(check.ca), abortOf(deadline.signal)]);
      if (read === 'aborted' || 'problem' in read) {
        deadline.dispose();
        const message = read === 'aborted' ? timeoutMessage(deadline, check.timeoutMs, 'ca file not read') : read.problem;
        return down(check, { startedAt, message, details: read === 'aborted' ? {} : read.details });
      }
      ca = read.pem;
    }
    return handshake(check, ca, deadline, startedAt);
  },
};

function abortOf(signal: AbortSignal): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
}

function handshake(check: TlsCheck, ca: string | undefined, deadline: Deadline, startedAt: number): Promise<CheckResult> {
  const t0 = performance.now();
  const expectedName = check.servername ?? check.host;
  // RFC 6066 forbids an IP address as SNI (Node warns); the identity check still matches IP SANs.
  const sni = isIP(expectedName) === 0 ? expectedName : undefined;
  return new Promise((resolve) => {
    let socket: TLSSocket | undefined;
    let tcpAt: number | undefined;
    let settled = false;
    const finish = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      deadline.dispose();
      socket?.destroy();
      resolve(result);
    };
    if (deadline.signal.aborted) return finish(down(check, { startedAt, message: timeoutMessage(deadline, check.timeoutMs) }));
    deadline.signal.addEventListener('abort', () => {
      const what = tcpAt === undefined ? 'no connection' : 'no TLS handshake';
      finish(down(check, { startedAt, message: timeoutMessage(deadline, check.timeoutMs, what) }));
    });
    try {
      // Verification stays on, done by hand: rejecting in the handshake would hide the dates of an
      // expired or untrusted certificate, and "expired 3 days ago" is the message that gets it fixed.
      socket = connect({
        host: check.host,
        port: check.port,
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ...(sni === undefined ? {} : { servername: sni }),
        ...(ca === undefined ? {} : { ca }),
      });
    } catch (error) {
      return finish(down(check, { startedAt, message: describeNetError(error) }));
    }
    const tls = socket;
    tls.once('connect', () => {
      tcpAt = performance.now();
    });
    tls.once('secureConnect', () => {
      const latencyMs = since(t0);
      const handshakeMs = since(tcpAt ?? t0);
      finish(judge(check, tls, expectedName, { startedAt, latencyMs, handshakeMs }));
    });
    tls.on('error', (error) => {
      const code = errorCode(error);
      const message =
        code === 'ECONNRESET' && tcpAt !== undefined ? 'connection closed during the TLS handshake' : describeNetError(error);
      finish(down(check, { startedAt, message, details: code === undefined ? {} : { code } }));
    });
  });
}

interface Timing {
  startedAt: number;
  latencyMs: number;
  handshakeMs: number;
}

function judge(check: TlsCheck, socket: TLSSocket, expectedName: string, timing: Timing): CheckResult {
  const cert = socket.getPeerCertificate();
  const notBefore = new Date(cert.valid_from ?? NaN);
  const notAfter = new Date(cert.valid_to ?? NaN);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) {
    const details = { handshakeMs: timing.handshakeMs, protocol: socket.getProtocol() };
    return down(check, { ...timing, message: 'server sent no readable certificate', details });
  }
  const now = Date.now();
  const msLeft = notAfter.getTime() - now;
  const authorizationError = socket.authorized ? null : String(socket.authorizationError ?? 'UNKNOWN');
  const details: Record<string, DetailValue> = {
    daysUntilExpiry: wholeDaysLeft(msLeft),
    notAfter: notAfter.toISOString(),
    notBefore: notBefore.toISOString(),
    issuer: commonName(cert.issuer),
    subject: commonName(cert.subject),
    protocol: socket.getProtocol(),
    handshakeMs: timing.handshakeMs,
    authorizationError,
  };
  const result = { ...timing, details };

  // The leaf's own dates first: they give the most precise and most actionable message.
  if (msLeft <= 0) return down(check, { ...result, message: expiryMessage(msLeft, check.warnDays) });
  if (notBefore.getTime() > now) {
    return down(check, { ...result, message: `certificate is not valid until ${notBefore.toISOString().slice(0, 10)}` });
  }
  if (authorizationError !== null) return down(check, { ...result, message: describeCertificateError(authorizationError) });
  const wrongName = checkServerIdentity(expectedName, cert);
  if (wrongName) return down(check, { ...result, message: describeNetError(wrongName) });

  const message = expiryMessage(msLeft, check.warnDays);
  return msLeft < check.warnDays * DAY_MS ? degraded(check, { ...result, message }) : up(check, { ...result, message });
}

/**
 * Whole days between now and the expiry, counted toward zero: 2.76 days left is 2, 2.76 days past is
 * -2. The one rounding rule for the published message and for `daysUntilExpiry`, so "expired 2 days
 * ago" never sits beside -3. Never -0: less than a day either side is 0.
 */
export function wholeDaysLeft(msLeft: number): number {
  return Math.trunc(msLeft / DAY_MS) || 0;
}

/** The published words for the time left (or past), from wholeDaysLeft alone. Pure. */
export function expiryMessage(msLeft: number, warnDays: number): string {
  const days = wholeDaysLeft(msLeft);
  const count = Math.abs(days);
  const span = count === 0 ? 'less than a day' : `${count} ${unit(count)}`;
  if (msLeft <= 0) return `certificate expired ${span} ago`;
  if (msLeft < warnDays * DAY_MS) return `certificate expires in ${span}`;
  return count === 0 ? 'certificate valid for less than a day' : `certificate valid for ${count} more ${unit(count)}`;
}

const unit = (days: number) => (days === 1 ? 'day' : 'days');

/** describeNetError knows the common verification codes; a rarer one still reads as a certificate problem. */
function describeCertificateError(code: string): string {
  const phrase = describeNetError({ code });
  return phrase.startsWith('failed') ? `certificate rejected (${code.replace(/[^A-Z0-9_]/g, '')})` : phrase;
}

/** Node gives an array when a name has the attribute twice. */
function commonName(name: PeerCertificate['subject'] | undefined): string | null {
  const cn: unknown = name?.CN;
  if (Array.isArray(cn)) return cn.join(', ');
  return typeof cn === 'string' ? cn : null;
}

type CaRead = { pem: string } | { problem: string; details: Record<string, DetailValue> };

async function readCa(path: string): Promise<CaRead> {
  try {
    const file = await open(path, 'r');
    try {
      const stat = await file.stat();
      if (!stat.isFile()) return { problem: 'ca file is not a regular file', details: {} };
      if (stat.size > MAX_CA_BYTES) {
        return { problem: 'ca file is too large to be a certificate bundle', details: { bytes: stat.size } };
      }
      const pem = await file.readFile('utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) return { problem: 'ca file holds no PEM certificate', details: {} };
      return { pem };
    } finally {
      await file.close();
    }
  } catch (error) {
    const code = errorCode(error);
    return { problem: `ca file unreadable: ${describeNetError(error)}`, details: code === undefined ? {} : { code } };
  }
}
