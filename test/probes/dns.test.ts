import { describe, expect, it } from 'vitest';
import { dnsProbe } from '../../src/probes/dns.ts';
import { startDnsmasq, startDnsResponder, ZONE } from '../helpers/dns-server.ts';
import { freeUdpPort, neverAborted } from '../helpers/net.ts';
import { requireProgram } from '../helpers/services.ts';

const check = (port: number, options: Record<string, unknown>) =>
  dnsProbe.schema.parse({ id: 'chat-dns', component: 'chat', kind: 'dns', server: '127.0.0.1', port, timeout: '2s', ...options });


const dnsmasq = await requireProgram('dnsmasq');

describe('dns probe', () => {
  describe.skipIf(!dnsmasq)('against dnsmasq', () => {
    const server = () => startDnsmasq(dnsmasq!);

    it('reports up with the count of A records when every expected address is answered', async () => {
      const { port } = await server();
      const result = await dnsProbe.run(
        check(port, { query: `chat.${ZONE}`, expect: ['127.0.0.10', '127.0.0.11'] }),
        neverAborted(),
      );
      expect(result).toMatchObject({ checkId: 'chat-dns', kind: 'dns', status: 'up' });
      expect(result.message).toMatch(/^resolved 2 A records in \d+ ms$/);
      expect(result.details).toEqual({ answerCount: 2, answers: expect.stringMatching(/^127\.0\.0\.1[01], 127\.0\.0\.1[01]$/) });
      expect(result.message).not.toContain('127.0.0');
      expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    });

    it('reports down when an expected address is not among the answers', async () => {
      const { port } = await server();
      const result = await dnsProbe.run(check(port, { query: `chat.${ZONE}`, expect: ['127.0.0.10', '127.0.0.99'] }), neverAborted());
      expect(result).toMatchObject({ status: 'down', message: 'answer lacks an expected record', details: { missing: '127.0.0.99' } });
    });

    it.each([
      { type: 'AAAA', query: `v6.${ZONE}`, expect: ['::1'], message: /^resolved 1 AAAA record in \d+ ms$/ },
      { type: 'CNAME', query: `www.${ZONE}`, expect: [`chat.${ZONE}`], message: /^resolved 1 CNAME record in \d+ ms$/ },
      { type: 'MX', query: ZONE, expect: [`10 mail.${ZONE}`, `20 backup.${ZONE}`], message: /^resolved 2 MX records in \d+ ms$/ },
      { type: 'SRV', query: `_xmpp-client._tcp.${ZONE}`, expect: [`5 10 5222 chat.${ZONE}`], message: /^resolved 1 SRV record in \d+ ms$/ },
      { type: 'TXT', query: ZONE, expect: ['v=spf1 ip4:127.0.0.10 -all'], message: /^resolved 1 TXT record in \d+ ms$/ },
    ])('matches expected $type records written as one line each', async ({ type, query, expect: wanted, message }) => {
      const { port } = await server();
      const result = await dnsProbe.run(check(port, { query, type, expect: wanted }), neverAborted());
      expect(result.status).toBe('up');
      expect(result.message).toMatch(message);
    });

    it('reports NXDOMAIN for a name that does not exist', async () => {
      const { port } = await server();
      const result = await dnsProbe.run(check(port, { query: `missing.${ZONE}` }), neverAborted());
      expect(result).toMatchObject({ status: 'down', message: 'name does not exist (NXDOMAIN)', latencyMs: null });
    });

    it('reports a name that exists without records of the asked type', async () => {
      const { port } = await server();
      const result = await dnsProbe.run(check(port, { query: `chat.${ZONE}`, type: 'AAAA' }), neverAborted());
      expect(result).toMatchObject({ status: 'down', message: 'no AAAA records for the name' });
    });

    it('reports REFUSED for a name the server is not authoritative for and will not forward', async () => {
      const { port } = await server();
      const result = await dnsProbe.run(check(port, { query: 'elsewhere.example.test' }), neverAborted());
      expect(result).toMatchObject({ status: 'down', message: 'query refused (REFUSED)' });
    });
  });

  it('reports SERVFAIL when the server fails', async () => {
    const { port } = await startDnsResponder({ rcode: 2 });
    const result = await dnsProbe.run(check(port, { query: `chat.${ZONE}` }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'server failure (SERVFAIL)', latencyMs: null });
  });

  it('reports degraded when the answer comes after degradedAfter', async () => {
    const { port } = await startDnsResponder({ answerA: ['127.0.0.10'], delayMs: 200 });
    const result = await dnsProbe.run(check(port, { query: `chat.${ZONE}`, degradedAfter: '50ms' }), neverAborted());
    expect(result.status).toBe('degraded');
    expect(result.message).toMatch(/^resolved 1 A record in \d+ ms \(limit 50 ms\)$/);
    expect(result.details).toEqual({ answerCount: 1, answers: '127.0.0.10' });
  });

  it('asks a resolver at an IPv6 address', async () => {
    const { port } = await startDnsResponder({ answerA: ['127.0.0.10'], delayMs: 0 }, '::1');
    const result = await dnsProbe.run(check(port, { server: '::1', query: `chat.${ZONE}`, expect: ['127.0.0.10'] }), neverAborted());
    expect(result.status).toBe('up');
    expect(result.message).toMatch(/^resolved 1 A record in \d+ ms$/);
  });

  it('reports down with "connection refused" when nothing listens on the port', async () => {
    const port = await freeUdpPort();
    const result = await dnsProbe.run(check(port, { query: `chat.${ZONE}` }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection refused', latencyMs: null });
    expect(JSON.stringify(result)).not.toContain('127.0.0.1');
  });

  it('reports down by its deadline when the server never answers', async () => {
    const { port } = await startDnsResponder({ silent: true });
    const result = await dnsProbe.run(check(port, { query: `chat.${ZONE}`, timeout: '300ms' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no answer within 300 ms', latencyMs: null });
  });

  it('stops when the caller aborts', async () => {
    const { port } = await startDnsResponder({ silent: true });
    const controller = new AbortController();
    const pending = dnsProbe.run(check(port, { query: `chat.${ZONE}`, timeout: '10s' }), controller.signal);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ status: 'down', message: 'stopped before an answer' });
  });

  it('fills in type A and port 53, and names the server and the query as targets', () => {
    const parsed = dnsProbe.schema.parse({ id: 'chat-dns', component: 'chat', kind: 'dns', server: '::1', query: `chat.${ZONE}` });
    expect(parsed).toMatchObject({ type: 'A', port: 53, degradedAfterMs: undefined });
    expect(dnsProbe.targets(parsed)).toEqual(['::1', `chat.${ZONE}`]);
  });

  it('rejects a server given as a host name', () => {
    const parsed = dnsProbe.schema.safeParse({ id: 'chat-dns', component: 'chat', kind: 'dns', server: 'dns.example.test', query: ZONE });
    expect(parsed.error?.issues).toMatchObject([{ path: ['server'], message: 'must be an IP address, e.g. 10.0.0.2 or fd00::53' }]);
  });
});
