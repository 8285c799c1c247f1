// HTTP/1.1 lets a server close a persistent connection at any time, without `Connection: close`
// (RFC 9112 §9.6). A server that does so right after a redirect must not look down: curl -L and
// browsers follow it on a new connection, and so does the probe.
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { httpProbe } from '../../src/probes/http.ts';
import { neverAborted, serveTcp } from '../helpers/net.ts';

const check = (url: string) => httpProbe.schema.parse({ id: 'web', component: 'web', kind: 'http', timeout: '5s', url });
const REDIRECT = 'HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n';
const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello';

/** A raw server: the first request on each connection is answered by `first`; `/next` gets 200. */
async function rawServer(first: (socket: Socket) => void) {
  const connections: string[][] = [];
  const { port } = await serveTcp((socket) => {
    const requests: string[] = [];
    connections.push(requests);
    socket.on('data', (chunk: Buffer) => {
      const line = chunk.toString('latin1').split('\r\n', 1)[0]!;
      requests.push(line);
      if (line.startsWith('GET /next ')) socket.end(OK);
      else if (requests.length === 1) first(socket);
      else socket.destroy(); // a request on a connection this server meant to close
    });
  });
  return { url: `http://127.0.0.1:${port}/`, connections };
}

describe('http probe redirects on a connection the server closes', () => {
  it('follows a 302 sent without Connection: close and then hung up on, to the final 200', async () => {
    const { url, connections } = await rawServer((socket) => socket.end(REDIRECT));
    for (let run = 0; run < 5; run++) {
      // Whether the FIN arrives before undici would reuse the socket is a race: try it a few times.
      const result = await httpProbe.run(check(url), neverAborted());
      expect(result).toMatchObject({ status: 'up', message: expect.stringMatching(/^200 OK in \d+ ms$/) });
      expect(result.details).toMatchObject({ statusCode: 200, redirects: 1, connectionReused: false });
    }
    expect(connections.every((requests) => requests.length === 1)).toBe(true);
  });

  it('follows a 302 whose connection is closed when the next request arrives on it', async () => {
    // The deterministic form of the race above: the server keeps the socket, then drops it unanswered.
    const { url, connections } = await rawServer((socket) => socket.write(REDIRECT));
    const result = await httpProbe.run(check(url), neverAborted());
    expect(result).toMatchObject({ status: 'up', message: expect.stringMatching(/^200 OK in \d+ ms$/) });
    expect(connections).toEqual([['GET / HTTP/1.1'], ['GET /next HTTP/1.1']]);
  });

  it('times the final hop on its own connection, within the whole exchange', async () => {
    const { url } = await rawServer((socket) => socket.end(REDIRECT));
    const { details, latencyMs } = await httpProbe.run(check(url), neverAborted());
    expect(details).toMatchObject({ connectionReused: false, dnsMs: expect.any(Number), connectMs: expect.any(Number) });
    const { firstByteMs, totalMs } = details as { firstByteMs: number; totalMs: number };
    expect(firstByteMs).toBeLessThanOrEqual(totalMs);
    expect(totalMs).toBeLessThanOrEqual(latencyMs!);
  });
});
