// The email provider against a real SMTP server on loopback (smtp-server), each mail read back with
// mailparser: what arrives, over which protection, and what a refusal or a dead server becomes.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { closeEmailTransports, emailProvider, emailTargetSchema, type EmailTarget } from '../../src/notify/providers/email.ts';
import type { NotifyEvent, OutgoingMessage } from '../../src/notify/types.ts';
import { makeCertificate } from '../helpers/certs.ts';
import { requireProgram } from '../helpers/services.ts';
import { closedPort, startSmtp } from './smtp.ts';

const TIMEOUT_MS = 20_000;

afterEach(() => closeEmailTransports());

function target(written: Record<string, unknown>): EmailTarget {
  return emailTargetSchema.parse({ host: '127.0.0.1', from: 'Status <status@example.test>', to: ['ops@example.test'], ...written });
}

function event(overrides: Partial<NotifyEvent> = {}): NotifyEvent {
  const at = Date.now() - 120_000;
  return {
    key: `component:chat:${at}:partial_outage`,
    kind: 'component',
    audience: 'operators',
    severity: 'critical',
    at,
    createdAt: at + 30_000,
    title: 'Chat nodes: partial outage',
    text: 'One of three chat nodes does not answer its health check.',
    components: [{ id: 'chat', name: 'Chat nodes', status: 'partial_outage', previous: 'operational', url: 'https://status.example.test/components/chat/' }],
    checks: [{ id: 'chat-node-2', status: 'down', message: 'connection refused' }],
    url: 'https://status.example.test/components/chat/',
    ...overrides,
  };
}

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { idempotencyKey: 'a1b2c3d4e5', target: 'ops-mail', events: [event()], site: { name: 'Chat status', url: 'https://status.example.test/' }, ...overrides };
}

async function send(t: EmailTarget, m: OutgoingMessage = message()) {
  return emailProvider.send(emailProvider.render(m, t), t, { timeoutMs: TIMEOUT_MS });
}

describe('email provider', () => {
  it('delivers a plain mail with the server\'s answer, text and escaped HTML, and the alert headers', async () => {
    const smtp = await startSmtp();
    const t = target({ port: smtp.port, pool: false });
    const outcome = await send(t, message({ events: [event({ title: 'Chat <nodes> & "co"' })] }));
    expect(outcome).toMatchObject({ ok: true, code: 250, retryable: false });
    expect(outcome.answer).toMatch(/^250 /);
    expect(smtp.received).toHaveLength(1);
    const { mail, session } = smtp.received[0]!;
    expect(session).toMatchObject({ secure: false, user: undefined, from: 'status@example.test', to: ['ops@example.test'] });
    expect(mail.subject).toBe('[Chat status] Chat <nodes> & "co"');
    expect(mail.from?.value[0]).toMatchObject({ name: 'Status', address: 'status@example.test' });
    expect(mail.text).toContain('One of three chat nodes does not answer its health check.');
    expect(mail.text).toContain('- Chat nodes: partial outage (was operational)');
    expect(mail.text).toContain('- check chat-node-2: down, connection refused');
    expect(mail.text).toContain('More: https://status.example.test/components/chat/');
    expect(mail.html).toContain('<h2>Chat &lt;nodes&gt; &amp; &quot;co&quot;</h2>');
    expect(mail.html).not.toContain('<nodes>');
    expect(mail.messageId).toBe('<a1b2c3d4e5@example.test>');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.headers.get('list')).toBeUndefined();
  });

  it('logs in with user and password, and a wrong password is refused for good in the server\'s words', async () => {
    const smtp = await startSmtp({ users: { alerts: 'correct horse' } });
    const good = await send(target({ port: smtp.port, user: 'alerts', password: 'correct horse' }));
    expect(good).toMatchObject({ ok: true, code: 250 });
    expect(smtp.received[0]?.session.user).toBe('alerts');

    const bad = await send(target({ port: smtp.port, user: 'alerts', password: 'wrong', pool: false }));
    expect(bad).toMatchObject({ ok: false, code: 535, retryable: false });
    expect(bad.answer).toContain('535');
    expect(bad.answer).toContain('Invalid username or password');
    expect(bad.answer).not.toContain('wrong');
    expect(smtp.received).toHaveLength(1);
  });

  it('sends a subscriber\'s mail to the subscriber with List-Unsubscribe and one-click List-Unsubscribe-Post (RFC 8058), without checks', async () => {
    const smtp = await startSmtp();
    const unsubscribeUrl = 'https://status.example.test/subscribe/unsubscribe?token=t0k3n';
    const outcome = await send(
      target({ port: smtp.port }),
      message({ events: [event({ audience: 'subscribers', checks: [] })], subscriber: { address: 'reader@example.test', unsubscribeUrl } }),
    );
    expect(outcome.ok).toBe(true);
    const { mail, session } = smtp.received[0]!;
    expect(session.to).toEqual(['reader@example.test']);
    const list = mail.headers.get('list') as { unsubscribe?: { url?: string }; 'unsubscribe-post'?: { name?: string } } | undefined;
    expect(list?.unsubscribe?.url).toBe(unsubscribeUrl);
    expect(mail.headerLines.find((line) => line.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(mail.text).toContain(`Unsubscribe: ${unsubscribeUrl}`);
    expect(mail.text).not.toContain('chat-node-2');
  });

  it('keeps one pooled transporter per target: two messages share one connection', async () => {
    const smtp = await startSmtp();
    const t = target({ port: smtp.port });
    expect((await send(t)).ok).toBe(true);
    expect((await send(t, message({ idempotencyKey: 'second' }))).ok).toBe(true);
    expect(smtp.received).toHaveLength(2);
    expect(smtp.connections()).toBe(1);
  });

  it('upgrades with STARTTLS to a server whose self-signed certificate it is told to trust', async () => {
    if (!(await requireProgram('openssl'))) return;
    const certificate = await makeCertificate({ selfSigned: true });
    const smtp = await startSmtp({ tls: { key: certificate.key, cert: certificate.cert } });
    const outcome = await send(target({ port: smtp.port, requireTLS: true, tls: { ca: certificate.caPath } }));
    expect(outcome).toMatchObject({ ok: true, code: 250 });
    expect(smtp.received[0]?.session.secure).toBe(true);
  });

  it('refuses a certificate it does not trust, in words, and says another try may work', async () => {
    if (!(await requireProgram('openssl'))) return;
    const certificate = await makeCertificate({ selfSigned: true });
    const smtp = await startSmtp({ tls: { key: certificate.key, cert: certificate.cert } });
    const outcome = await send(target({ port: smtp.port, requireTLS: true, pool: false }));
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(outcome.answer).toMatch(/certificate is self-signed and not trusted/);
    expect(smtp.received).toHaveLength(0);
  });

  it('speaks implicit TLS (secure: true), and accepts any certificate only when told', async () => {
    if (!(await requireProgram('openssl'))) return;
    const certificate = await makeCertificate({ selfSigned: true });
    const smtp = await startSmtp({ tls: { key: certificate.key, cert: certificate.cert, implicit: true } });
    const outcome = await send(target({ port: smtp.port, secure: true, tls: { rejectUnauthorized: false } }));
    expect(outcome).toMatchObject({ ok: true, code: 250 });
    expect(smtp.received[0]?.session.secure).toBe(true);
  });

  it('calls a 451 answer retryable and a 550 final, each with the server\'s reply', async () => {
    const smtp = await startSmtp({
      rcptReply: (address) =>
        address.startsWith('busy') ? { code: 451, text: '4.3.0 Try again later' } : address.startsWith('gone') ? { code: 550, text: '5.1.1 Mailbox unavailable' } : undefined,
    });
    const busy = await send(target({ port: smtp.port, to: ['busy@example.test'], pool: false }));
    expect(busy).toEqual({ ok: false, code: 451, retryable: true, answer: '451 4.3.0 Try again later' });
    const gone = await send(target({ port: smtp.port, to: ['gone@example.test'], pool: false }));
    expect(gone).toEqual({ ok: false, code: 550, retryable: false, answer: '550 5.1.1 Mailbox unavailable' });
    expect(smtp.received).toHaveLength(0);
  });

  it('calls a 451 after the data retryable too', async () => {
    const smtp = await startSmtp({ dataReply: () => ({ code: 451, text: '4.7.1 Greylisted, come back later' }) });
    const outcome = await send(target({ port: smtp.port }));
    expect(outcome).toEqual({ ok: false, code: 451, retryable: true, answer: '451 4.7.1 Greylisted, come back later' });
  });

  it('sends to the recipients the server takes and says how many it refused', async () => {
    const smtp = await startSmtp({ rcptReply: (address) => (address.startsWith('gone') ? { code: 550, text: '5.1.1 Mailbox unavailable' } : undefined) });
    const outcome = await send(target({ port: smtp.port, to: 'ops@example.test, gone@example.test' }));
    expect(outcome.ok).toBe(true);
    expect(outcome.answer).toMatch(/^250 .*; 1 of 2 recipients refused \(550 5\.1\.1 Mailbox unavailable\)$/);
    expect(smtp.received[0]?.session.to).toEqual(['ops@example.test']);
  });

  it('answers "connection refused", retryable, when the server is down, and never throws', async () => {
    const port = await closedPort();
    for (const pool of [true, false]) {
      const outcome = await send(target({ port, pool }));
      expect(outcome).toEqual({ ok: false, retryable: true, answer: 'connection refused' });
    }
  });

  it('gives up on a server that never greets by the deadline, retryable', async () => {
    const sockets: Socket[] = [];
    const stall = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => stall.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => stall.close(() => resolve()));
    });
    const t = target({ port: (stall.address() as AddressInfo).port });
    const started = Date.now();
    const outcome = await emailProvider.send(emailProvider.render(message(), t), t, { timeoutMs: 1_000 });
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(outcome.answer).toMatch(/^(no answer within 1 s|the server sent no greeting in time)$/);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(sockets.length).toBeGreaterThanOrEqual(1);
  });

  it('says that a server offers no STARTTLS when requireTLS wants it, and does not send in clear', async () => {
    const smtp = await startSmtp();
    const outcome = await send(target({ port: smtp.port, requireTLS: true, pool: false }));
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(outcome.answer).toMatch(/^5\d\d .*\(in reply to STARTTLS: the server offers no TLS upgrade\)$/);
    expect(smtp.received).toHaveLength(0);
  });

  it('says so, without trying, when a target has no recipients or an unreadable CA file', async () => {
    const noOne = await send(target({ port: 1, to: undefined }));
    expect(noOne).toEqual({ ok: false, retryable: false, answer: 'no recipients: give the target a `to` list' });
    const noCa = await send(target({ port: 1, tls: { ca: '/nonexistent/ca.pem' } }));
    expect(noCa).toEqual({ ok: false, retryable: false, answer: 'cannot read the tls.ca file (path does not exist)' });
  });
});

describe('email rendering', () => {
  it('groups several events into one mail: one subject naming them, one block each', () => {
    const t = target({ port: 25 });
    const rendered = emailProvider.render(
      message({ events: [event(), event({ title: 'Cache: major outage', components: [{ id: 'cache', name: 'Cache', status: 'major_outage' }] })] }),
      t,
    );
    expect(rendered).toMatchObject({ type: 'mail', from: 'Status <status@example.test>', to: ['ops@example.test'], subject: '[Chat status] 2 changes: Chat nodes: partial outage; Cache: major outage' });
    if (rendered.type !== 'mail') throw new Error('not a mail');
    expect(rendered.text.match(/^- since \d{4}-\d\d-\d\d \d\d:\d\d UTC$/gm)).toHaveLength(2);
  });

  it('marks a resolution in the subject and keeps a subject on one line', () => {
    const rendered = emailProvider.render(message({ events: [event({ severity: 'resolved', title: 'Chat nodes:\r\nBcc: x@evil.test operational' })] }), target({ port: 25 }));
    if (rendered.type !== 'mail') throw new Error('not a mail');
    expect(rendered.subject).toBe('[Chat status] Resolved: Chat nodes: Bcc: x@evil.test operational');
  });

  it('lists every secret and operator address of a target as private, but not the sender every subscriber sees', () => {
    const t = target({ host: 'smtp.internal.example', user: 'alerts', password: 's3cret-pass', tls: { ca: '/etc/ssl/private-ca.pem' } });
    expect(emailProvider.privateValues(t).sort()).toEqual(['/etc/ssl/private-ca.pem', 'alerts', 'ops@example.test', 's3cret-pass', 'smtp.internal.example']);
  });
});
