// The fast path of `statuspost serve` (src/serve/fast-path.ts) on real sockets on loopback: its
// answers are byte for byte Node's (Date aside), in request order when pipelined, with HEAD, 304s,
// HTTP/1.0 and Connection: close as Node has them, and everything else handed to Node's server.
import { connect } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { precompress } from '../../src/publish/precompress.ts';
import { filesUnder } from '../../src/publish/scan.ts';
import { newBuildFolder, publish } from '../../src/publish/swap.ts';
import { parseRequestHead } from '../../src/serve/fast-path.ts';
import { servedSite } from '../helpers/served-site.ts';
import { until } from '../helpers/until.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const BANNER = JSON.stringify({ version: 1, banners: [], note: 'x'.repeat(700) });

async function rawClient(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  onTestFinished(() => {
    socket.destroy();
  });
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  });
  let isClosed = false;
  socket.once('close', () => (isClosed = true));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, bytes: () => Buffer.concat(chunks), received: () => received, closed: () => isClosed };
}

interface Answer {
  status: number;
  /** The head as sent, with the Date header's value blanked. */
  head: string;
  headers: Map<string, string>;
  body: string;
}

/** The answers in `bytes`, one per request (`head` true for HEAD), or undefined until all have come. */
function answersIn(bytes: Buffer, requests: Array<{ head?: boolean }>): Answer[] | undefined {
  const answers: Answer[] = [];
  let at = 0;
  for (const request of requests) {
    const stop = bytes.indexOf('\r\n\r\n', at);
    if (stop === -1) return undefined;
    const head = bytes.toString('latin1', at, stop + 4);
    const headers = new Map<string, string>();
    for (const line of head.split('\r\n').slice(1, -2)) headers.set(line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim());
    const status = Number(head.slice(9, 12));
    let body = '';
    at = stop + 4;
    if (request.head || status === 304) {
      // no body
    } else if (headers.get('transfer-encoding') === 'chunked') {
      for (;;) {
        const line = bytes.indexOf('\r\n', at);
        if (line === -1) return undefined;
        const size = parseInt(bytes.toString('latin1', at, line), 16);
        if (bytes.length < line + 2 + size + 2) return undefined;
        body += bytes.toString('latin1', line + 2, line + 2 + size);
        at = line + 2 + size + 2;
        if (size === 0) break;
      }
    } else {
      const length = Number(headers.get('content-length') ?? 0);
      if (bytes.length < at + length) return undefined;
      body = bytes.toString('latin1', at, at + length);
      at += length;
    }
    // The date, which may tick between two answers, checked for form and then blanked.
    expect(headers.get('date')).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/);
    headers.set('date', '-');
    answers.push({ status, head: head.replace(/^Date: .*$/m, 'Date: -'), headers, body });
  }
  return at === bytes.length ? answers : undefined;
}

/** Sends `text` on a new connection and waits for one answer per request. */
async function exchange(url: string, text: string, requests: Array<{ head?: boolean }>) {
  const client = await rawClient(url);
  client.socket.write(text);
  let answers: Answer[] | undefined;
  await until(() => (answers = answersIn(client.bytes(), requests)) !== undefined, 15_000, "answers").catch((error: Error) => {
    throw new Error(`${error.message}: ${JSON.stringify(client.bytes().toString("latin1"))}`);
  });
  return { answers: answers!, client };
}

const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: local\r\n${extra}\r\n`;

describe('the fast path', () => {
  it('answers as Node does, byte for byte but the date: 200, HEAD, 304, gzip, HTTP/1.0 and Connection: close', async () => {
    const { url, server } = await servedSite({ 'banner.json': BANNER, 'index.html': `<p>${'home '.repeat(300)}</p>` }, {}, (folder) => precompress(folder, filesUnder(folder)));
    const cases = [
      GET('/banner.json'),
      `HEAD /banner.json HTTP/1.1\r\nHost: local\r\n\r\n`,
      GET('/index.html', 'Accept-Encoding: gzip, br\r\n'),
      GET('/index.html', 'Accept-Encoding: gzip\r\n'),
      `GET /banner.json HTTP/1.0\r\n\r\n`,
      `GET /banner.json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n`,
      GET('/banner.json', 'Connection: close\r\n'),
    ];
    for (const [i, plain] of cases.entries()) {
      // A query of its own per case: a target the server has not answered yet goes to Node's path first.
      const request = plain.replace(/^(\S+) (\S+)/, `$1 $2?c${i}`);
      const isHead = request.startsWith('HEAD');
      const before = server.stats.fast;
      const node = (await exchange(url, request, [{ head: isHead }])).answers[0]!;
      const fast = (await exchange(url, request, [{ head: isHead }])).answers[0]!;
      expect(server.stats.fast - before, request).toBe(1);
      expect(fast, request).toEqual(node);
      const conditional = plain.replace(/^(\S+) (\S+)/, `$1 $2?f${i}`).replace(/\r\n\r\n$/, `\r\nIf-None-Match: ${node.headers.get('etag')}\r\n\r\n`);
      const nodeFresh = (await exchange(url, conditional, [{ head: isHead }])).answers[0]!;
      const fastFresh = (await exchange(url, conditional, [{ head: isHead }])).answers[0]!;
      expect(fastFresh.status, conditional).toBe(304);
      expect(server.stats.fast - before, conditional).toBe(2);
      expect(fastFresh, conditional).toEqual(nodeFresh);
    }
  });

  it('answers pipelined requests in order, handing the connection to Node at the first it does not answer', async () => {
    const { url, server } = await servedSite({ 'banner.json': BANNER, 'index.html': 'home', '404.html': 'gone' });
    await exchange(url, GET('/banner.json'), [{}]); // known to the server from now on
    const before = server.stats.fast;
    const { answers, client } = await exchange(
      url,
      GET('/banner.json') + `HEAD /banner.json HTTP/1.1\r\nHost: local\r\n\r\n` + GET('/nowhere') + GET('/banner.json') + GET('/index.html'),
      [{}, { head: true }, {}, {}, {}],
    );
    expect(answers.map((a) => [a.status, a.body.length])).toEqual([
      [200, BANNER.length],
      [200, 0],
      [404, 4],
      [200, BANNER.length],
      [200, 4],
    ]);
    expect(answers[1]!.headers.get('content-length')).toBe(String(BANNER.length));
    expect(server.stats.fast - before).toBe(2); // the two before the 404; Node has the connection after it
    expect(client.closed()).toBe(false);
  });

  it('ends the connection after a Connection: close or HTTP/1.0 answer, and answers nothing after it', async () => {
    const { url, server } = await servedSite({ 'banner.json': BANNER });
    await exchange(url, GET('/banner.json'), [{}]);
    for (const first of [GET('/banner.json', 'Connection: close\r\n'), 'GET /banner.json HTTP/1.0\r\n\r\n']) {
      const before = server.stats.fast;
      const { answers, client } = await exchange(url, first + GET('/banner.json'), [{}]);
      expect(answers[0]!.headers.get('connection')).toBe('close');
      await until(client.closed, 15_000, 'connection closed by the server');
      expect(answersIn(client.bytes(), [{}])).toHaveLength(1); // and no second answer
      expect(server.stats.fast - before).toBe(1);
    }
    // 1.0 with keep-alive stays open for the next request.
    const kept = await exchange(url, 'GET /banner.json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', [{}]);
    expect(kept.answers[0]!.headers.get('connection')).toBe('keep-alive');
    kept.client.socket.write('GET /banner.json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await until(() => answersIn(kept.client.bytes(), [{}, {}]) !== undefined, 15_000, 'second answer');
  });

  it('hands a connection whose client stops reading to Node (its back-pressure), and every answer still arrives', async () => {
    const body = 'b'.repeat(32 * 1024);
    const { url, server } = await servedSite({ 'page.html': body });
    await exchange(url, GET('/page.html'), [{}]);
    const client = await rawClient(url);
    client.socket.pause(); // reads nothing until told
    const before = server.stats.fast;
    const count = 1_000; // 32 MB of answers, far past what loopback's buffers hold
    client.socket.write(GET('/page.html').repeat(count));
    // The server runs in this process: once it has answered one, it has worked through all it read.
    await until(() => server.stats.fast > before, 15_000, 'first answers');
    const answeredFast = server.stats.fast - before;
    expect(answeredFast).toBeLessThan(count);
    client.socket.resume();
    const requests = Array.from({ length: count }, () => ({}));
    await until(() => client.received() >= count * body.length, 60_000, 'all the bytes');
    let answers: Answer[] | undefined;
    await until(() => (answers = answersIn(client.bytes(), requests)) !== undefined, 15_000, 'all answers');
    expect(answers!.every((a) => a.status === 200 && a.body === body)).toBe(true);
    expect(server.stats.fast - before).toBe(answeredFast); // Node answered the rest
  });

  it('hands a request cut across two reads to Node, which answers it', async () => {
    const { url } = await servedSite({ 'banner.json': BANNER });
    await exchange(url, GET('/banner.json'), [{}]);
    const client = await rawClient(url);
    client.socket.write('GET /banner.json HTTP/1.1\r\nHo');
    // A whole exchange on another connection in between, so that the server has most likely read the
    // first part on its own (this test holds either way: the answer must be right).
    await exchange(url, GET('/banner.json'), [{}]);
    client.socket.write('st: local\r\n\r\n');
    await until(() => answersIn(client.bytes(), [{}]) !== undefined, 15_000, 'answer');
    expect(answersIn(client.bytes(), [{}])![0]).toMatchObject({ status: 200, body: BANNER });
  });

  it('serves a new build on a kept-alive fast connection once it is published', async () => {
    const { url, published } = await servedSite({ 'banner.json': '{"build":1}' });
    await exchange(url, GET('/banner.json'), [{}]);
    const { client } = await exchange(url, GET('/banner.json'), [{}]);
    const folder = await newBuildFolder(published, Date.now() + 1);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'banner.json'), '{"build":2}');
    await publish(folder, published);
    client.socket.write(GET('/banner.json'));
    await until(() => answersIn(client.bytes(), [{}, {}]) !== undefined, 15_000, 'second answer');
    expect(answersIn(client.bytes(), [{}, {}])!.map((a) => a.body)).toEqual(['{"build":1}', '{"build":2}']);
  });
});

describe('parseRequestHead', () => {
  const parse = (text: string) => parseRequestHead(Buffer.from(text, 'latin1'), 0);

  it('reads a plain GET or HEAD, its conditional headers, and where the next request starts', () => {
    const text = 'GET /banner.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nIf-None-Match:  "abc" \r\nIf-Modified-Since: Tue, 01 Dec 2026 00:00:00 GMT\r\n\r\n';
    expect(parse(text + 'GET /')).toEqual({ method: 'GET', url: '/banner.json', keepAlive: true, http11: true, acceptEncoding: 'gzip', ifNoneMatch: '"abc"', ifModifiedSince: 'Tue, 01 Dec 2026 00:00:00 GMT', end: text.length });
    expect(parse('HEAD /?a=1 HTTP/1.1\r\nhost: x\r\n\r\n')).toMatchObject({ method: 'HEAD', url: '/?a=1' });
  });

  it('keeps the connection as Node does: 1.1 unless close, 1.0 only with keep-alive', () => {
    expect(parse('GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toMatchObject({ keepAlive: true });
    expect(parse('GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n')).toMatchObject({ keepAlive: false });
    expect(parse('GET / HTTP/1.0\r\n\r\n')).toMatchObject({ keepAlive: false });
    expect(parse('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')).toMatchObject({ keepAlive: true });
  });

  it('waits for the rest of a head cut short', () => {
    expect(parse('GET / HTTP/1.1\r\nHost: x\r\n')).toBe('partial');
    expect(parse('GET / HTTP/1.1\r\nHost: x\r\n\r')).toBe('partial');
  });

  it('leaves to Node everything it does not fully understand', () => {
    for (const text of [
      'POST / HTTP/1.1\r\nHost: x\r\n\r\n',
      'OPTIONS / HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET / HTTP/2.0\r\nHost: x\r\n\r\n',
      'GET / HTTP/1.1\r\n\r\n', // no Host
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nIf-None-Match: "a"\r\nIf-None-Match: "b"\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\u00e9\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nX-A: \u0001\r\n\r\n',
      '\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(9_000)}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(9_000)}`,
    ]) {
      expect([text.slice(0, 60), parse(text)]).toEqual([text.slice(0, 60), 'other']);
    }
  });
});
