// A webhook receiver on loopback that records what arrives and answers as a test scripts it: ok,
// a status (500, 429 with Retry-After), a stall (never answers), or a reset connection.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export type Answer = 'ok' | 'stall' | 'reset' | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

export interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: { idempotencyKey: string; events: Array<{ key: string; kind: string; severity: string; title: string; text: string }> } & Record<string, unknown>;
  /** What the receiver answered. */
  answer: Answer;
}

export interface Receiver {
  url: string;
  port: number;
  /** Every request, answered or not, in order of arrival. */
  requests: Received[];
  /** Requests answered 2xx: what a real receiver would have taken. */
  accepted(): Received[];
  /** The answer to the next request (by its index from 0); default "ok". */
  script: (index: number) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(script: (index: number) => Answer = () => 'ok', port = 0): Promise<Receiver> {
  const requests: Received[] = [];
  const stalled = new Set<ServerResponse>();
  const receiver: Receiver = {
    url: '',
    port: 0,
    requests,
    accepted: () => requests.filter((r) => r.answer === 'ok' || (typeof r.answer === 'object' && r.answer.status < 300)),
    script,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of stalled) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = receiver.script(requests.length);
      let body: Received['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString()) as Received['body'];
      } catch {
        body = { idempotencyKey: '', events: [] };
      }
      requests.push({ at: Date.now(), headers: req.headers, body, answer });
      if (answer === 'stall') {
        stalled.add(res);
        return;
      }
      if (answer === 'reset') return void req.socket.destroy();
      if (answer === 'ok') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      const respond = () => void res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.body ?? '');
      if (answer.delayMs) setTimeout(respond, answer.delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  onTestFinished(() => receiver.close());
  return receiver;
}
