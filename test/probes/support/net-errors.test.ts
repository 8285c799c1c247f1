// Published probe messages are fixed phrases: never an error's own text, and never a raw code that
// only a developer could read. undici's own error classes and llhttp's parser error names are
// enumerated from the installed packages, so an undici upgrade that adds one shows up here.
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { errors } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { httpProbe } from '../../../src/probes/http.ts';
import { describeNetError } from '../../../src/probes/support/net-errors.ts';
import { neverAborted } from '../../helpers/net.ts';

const SECRET = 'connect to 10.0.0.5:6379 at /srv/private';
const RAW = /UND_ERR|HPE_|^failed/;

describe('describeNetError', () => {
  const classes = Object.entries(errors).filter(([name]) => name !== 'HTTPParserError');
  it.each(classes)('gives %s a phrase, not its code or message', (_name, ErrorClass) => {
    // Two take (message, statusCode, { headers, body }), one (message, code): the rest ignore the extras.
    const error = new (ErrorClass as new (message: string, code: undefined, extra: object) => Error)(SECRET, undefined, { headers: {} });
    for (const thrown of [error, new TypeError('fetch failed', { cause: error })]) {
      const phrase = describeNetError(thrown);
      expect(phrase).not.toMatch(RAW);
      expect(phrase).not.toContain('10.0.0.5');
    }
  });

  // Typed as taking (message, options); at run time it takes (message, llhttp's error name, data).
  const ParserError = errors.HTTPParserError as unknown as new (message: string, code?: string) => Error;
  const llhttp = createRequire(import.meta.url)('undici/lib/llhttp/constants.js') as { ERROR: Record<string, number> };
  it.each(Object.keys(llhttp.ERROR).filter((name) => name !== 'OK'))('gives the parser error %s a phrase', (name) => {
    expect(describeNetError(new ParserError(SECRET, name))).not.toMatch(RAW);
  });

  it('names a parser error without a code (what undici 7 actually throws) a malformed response', () => {
    expect(describeNetError(new ParserError(SECRET))).toBe('malformed HTTP response');
  });

  it('says the response headers were too large for UND_ERR_HEADERS_OVERFLOW', () => {
    expect(describeNetError(new errors.HeadersOverflowError())).toBe('response headers too large');
  });
});

describe('http probe against malformed answers', () => {
  async function rawServer(answer: string): Promise<string> {
    const server = createServer((socket) => {
      socket.on('error', () => undefined); // the probe may hang up first
      socket.once('data', () => socket.end(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }
  const run = async (answer: string) =>
    httpProbe.run(httpProbe.schema.parse({ id: 'web', component: 'web', kind: 'http', timeout: '5s', url: await rawServer(answer) }), neverAborted());

  it('reports "response headers too large" for headers past undici\'s limit', async () => {
    const result = await run(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(70_000)}\r\nContent-Length: 0\r\n\r\n`);
    expect(result).toMatchObject({ status: 'down', message: 'response headers too large' });
  });

  it.each([
    ['a status line that is not HTTP', 'FOO/1.1 200 OK\r\n\r\n'],
    ['a Content-Length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n'],
    ['a broken chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('reports "malformed HTTP response" for %s', async (_what, answer) => {
    expect(await run(answer)).toMatchObject({ status: 'down', message: 'malformed HTTP response' });
  });
});
