// One rounding rule for a certificate's days left: the published message and `daysUntilExpiry` in
// the details come from the same whole-day count, at every boundary, before and after expiry.
import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { expiryMessage, tlsProbe, wholeDaysLeft } from '../../src/probes/tls.ts';
import { makeCertificate } from '../helpers/certs.ts';
import { neverAborted } from '../helpers/net.ts';
import { requireProgram } from '../helpers/services.ts';

const DAY = 86_400_000;
const hasOpenssl = (await requireProgram('openssl')) !== undefined;

describe('days until a certificate expires', () => {
  it.each([
    { msLeft: 84 * DAY + 6 * 3_600_000, days: 84, message: 'certificate valid for 84 more days' },
    { msLeft: 21 * DAY, days: 21, message: 'certificate valid for 21 more days' },
    { msLeft: 21 * DAY - 1, days: 20, message: 'certificate expires in 20 days' },
    { msLeft: 2 * DAY - 1, days: 1, message: 'certificate expires in 1 day' },
    { msLeft: DAY, days: 1, message: 'certificate expires in 1 day' },
    { msLeft: DAY - 1, days: 0, message: 'certificate expires in less than a day' },
    { msLeft: 1, days: 0, message: 'certificate expires in less than a day' },
    { msLeft: 0, days: 0, message: 'certificate expired less than a day ago' },
    { msLeft: -1, days: 0, message: 'certificate expired less than a day ago' },
    { msLeft: -DAY + 1, days: 0, message: 'certificate expired less than a day ago' },
    { msLeft: -DAY, days: -1, message: 'certificate expired 1 day ago' },
    // The case: 2.76 days past said "2 days ago" beside -3.
    { msLeft: -2.76 * DAY, days: -2, message: 'certificate expired 2 days ago' },
    { msLeft: -3 * DAY, days: -3, message: 'certificate expired 3 days ago' },
    { msLeft: -3 * DAY - 1, days: -3, message: 'certificate expired 3 days ago' },
  ])('$msLeft ms left → $days, "$message"', ({ msLeft, days, message }) => {
    expect(Object.is(wholeDaysLeft(msLeft), days)).toBe(true); // never -0
    expect(expiryMessage(msLeft, 21)).toBe(message);
  });

  it('says in words the same count of days as the details, across ten years either side', () => {
    for (let msLeft = -3650 * DAY; msLeft <= 3650 * DAY; msLeft += 0.37 * DAY + 1) {
      const days = wholeDaysLeft(msLeft);
      const inWords = /(\d+) (?:more )?days?/.exec(expiryMessage(msLeft, 21))?.[1];
      expect(inWords === undefined ? 0 : Number(inWords), `${msLeft} ms`).toBe(Math.abs(days));
    }
  });
});

describe.skipIf(!hasOpenssl)('tls probe: days left of a real certificate', () => {
  it('reports a certificate that expired 2.76 days ago as 2 days, in the message and in the details', async () => {
    const now = Date.now();
    const cert = await makeCertificate({ notBefore: new Date(now - 60 * DAY), notAfter: new Date(now - 2.76 * DAY) });
    const server = createServer({ key: cert.key, cert: cert.cert });
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => sockets.add(socket));
    server.on('secureConnection', (socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const check = tlsProbe.schema.parse({ id: 'c', component: 'api', kind: 'tls', host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: 'localhost', timeout: '2s', ca: cert.caPath });
    const result = await tlsProbe.run(check, neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'certificate expired 2 days ago', details: { daysUntilExpiry: -2 } });
  });
});
