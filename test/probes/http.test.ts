import { dirname } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpProbe } from '../../src/probes/http.ts';
import type { CheckResult } from '../../src/probes/types.ts';
import { makeCertificate } from '../helpers/certs.ts';
import { fakeBalancer, openConnections, serveHttps } from '../helpers/http-faults.ts';
import { blackholePort, freePort, neverAborted, serve } from '../helpers/net.ts';
import { requireProgram } from '../helpers/services.ts';

const check = (options: Record<string, unknown>) =>
  httpProbe.schema.parse({ id: 'chat-web', component: 'chat', kind: 'http', timeout: '5s', ...options });

/** Runs the probe, then checks what every run must do: publishable message, no socket left open. */
async function probe(server: Server, options: Record<string, unknown>, signal = neverAborted()): Promise<CheckResult> {
  const result = await httpProbe.run(check(options), signal);
  const { port } = server.address() as AddressInfo;
  expect(JSON.stringify(result.message)).not.toContain('127.0.0.1');
  expect(JSON.stringify(result.message)).not.toContain(String(port));
  await expect.poll(() => openConnections(server)).toBe(0);
  return result;
}

const answeredIn = (result: CheckResult, text: string) => `${text} in ${Math.round(result.latencyMs!)} ms`;

describe('http probe', () => {
  it('reports up with the status and the phase timings when the server answers 200', async () => {
    const { url, server } = await serve((_req, res) => res.end('hello'));
    const result = await probe(server, { url });
    expect(result).toMatchObject({ status: 'up', message: answeredIn(result, '200 OK') });
    expect(result.details).toMatchObject({
      statusCode: 200,
      redirects: 0,
      connectionReused: false,
      bytesRead: 5,
      bodyTruncated: false,
      dnsMs: expect.any(Number),
      connectMs: expect.any(Number),
      firstByteMs: expect.any(Number),
      totalMs: expect.any(Number),
    });
    expect(result.details.tlsMs).toBeUndefined();
  });

  it('accepts a status from the expected list and refuses one outside it', async () => {
    const { url, server } = await serve((req, res) => {
      res.statusCode = req.url === '/teapot' ? 418 : 200;
      res.end();
    });
    const teapot = await probe(server, { url: `${url}/teapot`, expect: { status: [418] } });
    expect(teapot).toMatchObject({ status: 'up', message: answeredIn(teapot, "418 I'm a Teapot") });
    const ok = await probe(server, { url, expect: { status: [204, 418] } });
    expect(ok).toMatchObject({ status: 'down', message: 'unexpected status 200 (expected 204, 418)' });
  });

  it('sends the configured method, headers and body', async () => {
    const seen: string[] = [];
    const { url, server } = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.headers['x-probe'] ?? '-'} ${body}`);
        res.end('pong');
      });
    });
    const post = await probe(server, { url, method: 'POST', headers: { 'X-Probe': 'statuspost' }, body: '<body rid="1"/>' });
    expect(post).toMatchObject({ status: 'up', message: answeredIn(post, '200 OK') });
    const head = await probe(server, { url, method: 'HEAD' });
    expect(head).toMatchObject({ status: 'up', message: answeredIn(head, '200 OK') });
    expect(head.details.bytesRead).toBeUndefined();
    expect(seen).toEqual(['POST statuspost <body rid="1"/>', 'HEAD - ']);
  });

  it('reports down on a 500', async () => {
    const { url, server } = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('database on fire');
    });
    const result = await probe(server, { url });
    expect(result).toMatchObject({ status: 'down', message: 'unexpected status 500 (expected 200-299)' });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.details.statusCode).toBe(500);
  });

  it('reports degraded when the answer comes after degradedAfter', async () => {
    const { url, server } = await serve((_req, res) => {
      setTimeout(() => res.end('ok'), 300);
    });
    const result = await probe(server, { url, degradedAfter: '100ms' });
    expect(result).toMatchObject({
      status: 'degraded',
      message: `slow: answered in ${Math.round(result.latencyMs!)} ms (limit 100 ms)`,
    });
    expect(result.latencyMs).toBeGreaterThan(100);
  });

  it('reports down by its deadline when response headers never come', async () => {
    const { url, server } = await serve(() => undefined);
    const result = await probe(server, { url, timeout: '300ms' });
    expect(result).toMatchObject({ status: 'down', message: 'no response headers within 300 ms', latencyMs: null });
  });

  it('reports down by its deadline when the body drips forever', async () => {
    const { url, server } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(drip));
    });
    const result = await probe(server, { url, timeout: '500ms' });
    expect(result).toMatchObject({ status: 'down', message: 'response body not complete within 500 ms', latencyMs: null });
  });

  it('checks that the body contains, or does not contain, a text', async () => {
    const { url, server } = await serve((_req, res) => res.end('<html>Welcome to the chat</html>'));
    const present = await probe(server, { url, expect: { bodyContains: 'Welcome' } });
    expect(present).toMatchObject({ status: 'up', message: answeredIn(present, '200 OK') });
    const absent = await probe(server, { url, expect: { bodyContains: 'secret-marker' } });
    expect(absent).toMatchObject({ status: 'down', message: 'body does not contain the expected text' });
    const forbidden = await probe(server, { url, expect: { bodyNotContains: 'Welcome' } });
    expect(forbidden).toMatchObject({ status: 'down', message: 'body contains the text it must not contain' });
  });

  it('checks a JSON field found by its dotted path', async () => {
    const { url, server } = await serve((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url === '/broken' ? '{"status": "ok",' : JSON.stringify({ cluster: { nodes: [{ up: true }, { up: false }] } }));
    });
    const json = (path: string, equals: unknown, at = '/health') => probe(server, { url: url + at, expect: { json: { path, equals } } });

    const equal = await json('cluster.nodes.0.up', true);
    expect(equal).toMatchObject({ status: 'up', message: answeredIn(equal, '200 OK') });
    const differs = await json('cluster.nodes.1.up', true);
    expect(differs).toMatchObject({ status: 'down', message: 'JSON field has an unexpected value' });
    expect(differs.details).toMatchObject({ jsonPath: 'cluster.nodes.1.up', jsonValue: 'false' });
    await expect(json('cluster.nodes.2.up', true)).resolves.toMatchObject({ status: 'down', message: 'JSON field not found' });
    await expect(json('status', 'ok', '/broken')).resolves.toMatchObject({
      status: 'down',
      message: 'response body is not valid JSON',
    });
  });

  it('refuses to check JSON it could not read whole', async () => {
    const { url, server } = await serve((_req, res) => res.end(JSON.stringify({ padding: 'x'.repeat(500), status: 'ok' })));
    const result = await probe(server, { url, maxBodyBytes: 100, expect: { json: { path: 'status', equals: 'ok' } } });
    expect(result).toMatchObject({ status: 'down', message: 'response body larger than 100 bytes, cannot check JSON' });
  });

  it('reads only maxBodyBytes of a large body and hangs up', async () => {
    let serverSaw: Promise<{ finished: boolean; sent: number }> | undefined;
    const { url, server } = await serve((_req, res) => {
      const chunk = Buffer.alloc(16_384, 'x');
      let sent = 0;
      serverSaw = new Promise((resolve) => res.on('close', () => resolve({ finished: res.writableFinished, sent })));
      const pump = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const result = await probe(server, { url, maxBodyBytes: 1000, expect: { bodyContains: 'xxx' } });
    expect(result).toMatchObject({ status: 'up', message: answeredIn(result, '200 OK') });
    expect(result.details).toMatchObject({ bytesRead: 1000, bodyTruncated: true });
    const saw = await serverSaw!;
    expect(saw.finished).toBe(false);
    expect(saw.sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('reports "connection closed by the server" when the server drops the connection mid-response', async () => {
    const { url, server } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const result = await probe(server, { url });
    expect(result).toMatchObject({ status: 'down', message: 'connection closed by the server', latencyMs: null });
  });

  it('reports down by its deadline when the TCP handshake never completes', async () => {
    const port = await blackholePort();
    const result = await httpProbe.run(check({ url: `http://127.0.0.1:${port}/`, timeout: '300ms' }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no connection within 300 ms', latencyMs: null });
  });

  it('reports "connection refused" when nothing listens', async () => {
    const port = await freePort();
    const result = await httpProbe.run(check({ url: `http://127.0.0.1:${port}/` }), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection refused', latencyMs: null });
    expect(JSON.stringify(result.message)).not.toContain(String(port));
  });

  it('follows a relative redirect to a 200', async () => {
    const { url, server } = await serve((req, res) => {
      if (req.url === '/') res.writeHead(302, { location: '/http-bind/' }).end();
      else res.end(req.url);
    });
    const result = await probe(server, { url: `${url}/`, expect: { bodyContains: '/http-bind/' } });
    expect(result).toMatchObject({ status: 'up', message: answeredIn(result, '200 OK') });
    expect(result.details).toMatchObject({ statusCode: 200, redirects: 1 });
  });

  it('reports down on a redirect loop after maxRedirects hops', async () => {
    let requests = 0;
    const { url, server } = await serve((_req, res) => {
      requests++;
      res.writeHead(301, { location: `/loop/${requests}` }).end('moved');
    });
    const result = await probe(server, { url });
    expect(result).toMatchObject({ status: 'down', message: 'too many redirects (more than 5)' });
    expect(requests).toBe(6);
  });

  it('judges a redirect by expect.status when followRedirects is false', async () => {
    const { url, server } = await serve((req, res) => {
      if (req.url === '/') res.writeHead(302, { location: '/login' }).end();
      else res.end('login page');
    });
    const refused = await probe(server, { url: `${url}/`, followRedirects: false });
    expect(refused).toMatchObject({ status: 'down', message: 'unexpected status 302 (expected 200-299)' });
    const accepted = await probe(server, { url: `${url}/`, followRedirects: false, expect: { status: [302] } });
    expect(accepted).toMatchObject({ status: 'up', message: answeredIn(accepted, '302 Found') });
    expect(accepted.details.redirects).toBe(0);
  });

  it('reports up when the balancer keeps every request on the node its cookie names', async () => {
    const { url, server, cookies } = await fakeBalancer('sticky');
    const result = await probe(server, { url, sticky: { cookie: 'SERVERID', nodeHeader: 'X-Served-By' } });
    expect(result).toMatchObject({ status: 'up', message: answeredIn(result, '200 OK') });
    expect(result.details).toMatchObject({ stickyRequests: 3, stickyNodes: 'node-2' });
    expect(cookies).toEqual(['', 'SERVERID=node-2', 'SERVERID=node-2']);
  });

  it('reports down when the balancer ignores its affinity cookie', async () => {
    const { url, server } = await fakeBalancer('round-robin');
    const result = await probe(server, { url, sticky: { cookie: 'SERVERID', nodeHeader: 'x-served-by' } });
    expect(result).toMatchObject({ status: 'down', message: 'session affinity lost: 3 requests reached 2 nodes' });
    expect(result.details.stickyNodes).toBe('node-1,node-2');
  });

  it('reports down when the balancer sets no affinity cookie', async () => {
    const { url, server } = await fakeBalancer('no-cookie');
    const result = await probe(server, { url, sticky: { cookie: 'SERVERID' } });
    expect(result).toMatchObject({ status: 'down', message: 'balancer set no "SERVERID" affinity cookie' });
  });

  it('tells nodes apart by the cookie value when there is no node header', async () => {
    let turn = 0;
    const { url, server } = await serve((_req, res) => {
      res.setHeader('set-cookie', `SERVERID=node-${(turn++ % 3) + 1}`);
      res.end();
    });
    const result = await probe(server, { url, sticky: { cookie: 'SERVERID', requests: 4 } });
    expect(result).toMatchObject({ status: 'down', message: 'session affinity lost: 4 requests reached 3 nodes' });
  });

  describe('over https', () => {
    const https = async (names?: string) => {
      if (!(await requireProgram('openssl'))) return undefined;
      const { certPath, key, cert } = await makeCertificate({ selfSigned: true, ...(names ? { altNames: names.split(',') } : {}) });
      const served = await serveHttps({ key, cert }, (_req, res) => res.end('secure'));
      return { ...served, certPath, dir: dirname(certPath) };
    };

    it('reports down when the certificate is self-signed and not trusted', async (context) => {
      const site = await https();
      if (!site) return context.skip();
      const result = await probe(site.server, { url: site.url });
      expect(result).toMatchObject({ status: 'down', message: 'certificate is self-signed and not trusted', latencyMs: null });
    });

    it('reports up with the TLS time when tls.ca trusts the certificate', async (context) => {
      const site = await https();
      if (!site) return context.skip();
      const result = await probe(site.server, { url: site.url, tls: { ca: site.certPath } });
      expect(result).toMatchObject({ status: 'up', message: answeredIn(result, '200 OK') });
      expect(result.details.tlsMs).toEqual(expect.any(Number));
      expect(JSON.stringify(result.message)).not.toContain(site.dir);
    });

    it('reports up with any certificate when tls.skipVerify is set', async (context) => {
      const site = await https();
      if (!site) return context.skip();
      const result = await probe(site.server, { url: site.url, tls: { skipVerify: true } });
      expect(result).toMatchObject({ status: 'up', message: answeredIn(result, '200 OK') });
    });

    it('reports down when a trusted certificate names another host', async (context) => {
      const site = await https('DNS:chat.example.org');
      if (!site) return context.skip();
      const result = await probe(site.server, { url: site.url, tls: { ca: site.certPath } });
      expect(result).toMatchObject({ status: 'down', message: 'certificate is for another host name', latencyMs: null });
    });

    it('reports down without the path when the tls.ca file is missing', async (context) => {
      const site = await https();
      if (!site) return context.skip();
      const result = await probe(site.server, { url: site.url, tls: { ca: `${site.dir}/missing.pem` } });
      expect(result).toMatchObject({ status: 'down', message: 'cannot read the tls.ca file (path does not exist)' });
    });
  });

  it('stops when the caller aborts', async () => {
    let arrived!: () => void;
    const requested = new Promise<void>((resolve) => (arrived = resolve));
    const { url, server } = await serve(() => arrived());
    const controller = new AbortController();
    const pending = probe(server, { url, timeout: '10s' }, controller.signal);
    await requested;
    controller.abort();
    await expect(pending).resolves.toMatchObject({ status: 'down', message: 'stopped before an answer', latencyMs: null });
  });

  it('refuses a body without POST and body checks with HEAD', () => {
    const base = { id: 'x', component: 'chat', kind: 'http', url: 'http://chat.example.org/' };
    expect(httpProbe.schema.safeParse({ ...base, body: '{}' }).error?.issues[0]).toMatchObject({
      path: ['body'],
      message: 'a request body needs method: POST',
    });
    expect(httpProbe.schema.safeParse({ ...base, method: 'HEAD', expect: { bodyContains: 'x' } }).error?.issues[0]).toMatchObject({
      path: ['expect'],
      message: 'HEAD answers have no body to check; use GET',
    });
    expect(httpProbe.schema.safeParse({ ...base, url: 'ftp://chat.example.org/' }).success).toBe(false);
  });

  it('lists the url, its host and header values as targets', () => {
    const parsed = check({ url: 'https://chat.example.org/http-bind/', headers: { authorization: 'Bearer s3cret' } });
    expect(httpProbe.targets(parsed)).toEqual(['https://chat.example.org/http-bind/', 'chat.example.org', 'Bearer s3cret']);
  });
});
