// Sending, against real HTTP receivers on loopback: one that records (headers, body, signature
// checked the way a receiver would), and ones that fail with 500, answer 429 with Retry-After in
// both forms, refuse with 400/404, redirect, stall, reset the connection, or are not there at all.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, test } from 'vitest';
import { MAX_ANSWER_BYTES } from '../../../src/notify/providers/http-send.ts';
import { providerForKind, providerKinds } from '../../../src/notify/providers/index.ts';
import { verifySignature, webhookProvider } from '../../../src/notify/providers/webhook.ts';
import type { OutgoingMessage, Provider, SendOutcome } from '../../../src/notify/types.ts';
import { freePort, serve } from '../../helpers/net.ts';
import { CASES, TARGETS } from './fixtures.ts';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback receiver: records each request in full, then lets `answer` reply (or not). */
async function receiver(answer: (res: ServerResponse, req: IncomingMessage, body: string) => void = (res) => res.end('ok')) {
  const received: Received[] = [];
  const { url, server } = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      answer(res, req, body);
    });
  });
  return { url: `${url}/hook/s3cr3t-path-token-0123456789`, received, server };
}

const provider = (kind: string): Provider => providerForKind(kind)!;

/** A target of `kind` aimed at `url` (each provider names its address key the same: url). */
function targetAt(kind: string, url: string, extra: Record<string, unknown> = {}) {
  return provider(kind).schema.parse({ ...(TARGETS[kind] as object), url, ...extra });
}

async function sendTo(kind: string, url: string, options: { timeoutMs?: number; signal?: AbortSignal; message?: OutgoingMessage; extra?: Record<string, unknown> } = {}): Promise<SendOutcome> {
  const p = provider(kind);
  const target = targetAt(kind, url, options.extra);
  const request = p.render(options.message ?? CASES['one-down']!, target);
  return p.send(request, target, { timeoutMs: options.timeoutMs ?? 10_000, ...(options.signal ? { signal: options.signal } : {}) });
}

describe('a recording receiver gets exactly what was rendered', () => {
  test.each(providerKinds)('%s', async (kind) => {
    const status = kind === 'pagerduty' || kind === 'teams' ? 202 : kind === 'discord' ? 204 : 200;
    const { url, received } = await receiver((res) => {
      res.statusCode = status;
      res.end(status === 204 ? undefined : '{"status":"success"}');
    });
    const p = provider(kind);
    const target = targetAt(kind, url);
    const request = p.render(CASES['ten-checks']!, target);
    const outcome = await p.send(request, target, { timeoutMs: 10_000 });
    expect(outcome).toEqual({ ok: true, code: status, answer: { 200: '200 OK', 202: '202 Accepted', 204: '204 No Content' }[status], retryable: false });
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got!.method).toBe('POST');
    expect(got!.path).toBe('/hook/s3cr3t-path-token-0123456789');
    expect(got!.body).toBe(request.type === 'http' ? request.body : '');
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['idempotency-key']).toBe(CASES['ten-checks']!.idempotencyKey);
    if (kind === 'ntfy') expect(got!.headers.authorization).toBe('Bearer tk_testtoken0000000000000000000');
  });
});

describe('webhook signature', () => {
  const secret = (TARGETS.webhook as { secret: string }).secret;

  test('verifies the way a receiver does it with node:crypto, and a retry keeps its Idempotency-Key', async () => {
    const { url, received } = await receiver();
    const before = Math.floor(Date.now() / 1000);
    expect((await sendTo('webhook', url)).ok).toBe(true);
    expect((await sendTo('webhook', url)).ok).toBe(true);
    const after = Math.floor(Date.now() / 1000);
    expect(received).toHaveLength(2);
    for (const got of received) {
      // What a receiver does: parse t and v1, HMAC "<t>.<raw body>", compare in constant time, bound the age.
      const header = String(got.headers['x-statuspost-signature']);
      expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const fields = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
      const t = Number(fields.t);
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after);
      const expected = createHmac('sha256', secret).update(`${t}.${got.body}`).digest();
      expect(timingSafeEqual(expected, Buffer.from(fields.v1!, 'hex'))).toBe(true);
      // A tampered body or another secret does not verify.
      expect(createHmac('sha256', secret).update(`${t}.${got.body.replace('critical', 'info')}`).digest().equals(expected)).toBe(false);
      expect(createHmac('sha256', `${secret}x`).update(`${t}.${got.body}`).digest().equals(expected)).toBe(false);
      // The same checks through the exported helper, replay window included.
      expect(verifySignature(header, got.body, secret, t)).toBe(true);
      expect(verifySignature(header, got.body, secret, t + 301)).toBe(false);
      expect(verifySignature(header, `${got.body} `, secret, t)).toBe(false);
      expect(verifySignature(header, got.body, 'another-secret-0123456789', t)).toBe(false);
    }
    expect(received[0]!.headers['idempotency-key']).toBe(received[1]!.headers['idempotency-key']);
  });

  test('no secret, no signature header', async () => {
    const { url, received } = await receiver();
    const target = webhookProvider.schema.parse({ url });
    expect((await webhookProvider.send(webhookProvider.render(CASES['one-down']!, target), target, { timeoutMs: 10_000 })).ok).toBe(true);
    expect(received[0]!.headers['x-statuspost-signature']).toBeUndefined();
  });
});

describe('failures are classified and worded', () => {
  test('500: retryable', async () => {
    const { url } = await receiver((res) => {
      res.statusCode = 500;
      res.end('upstream exploded');
    });
    expect(await sendTo('slack', url)).toEqual({ ok: false, code: 500, answer: '500 Internal Server Error: upstream exploded', retryable: true });
  });

  test('503 with a large HTML page: retryable, the answer stays short', async () => {
    const { url } = await receiver((res) => {
      res.statusCode = 503;
      res.setHeader('content-type', 'text/html');
      res.end(`<html>${'x'.repeat(4 * MAX_ANSWER_BYTES)}</html>`);
    });
    expect(await sendTo('discord', url)).toEqual({ ok: false, code: 503, answer: '503 Service Unavailable', retryable: true });
  });

  test('429 with Retry-After in seconds', async () => {
    const { url } = await receiver((res) => {
      res.statusCode = 429;
      res.setHeader('retry-after', '7');
      res.end('{"message":"You are being rate limited.","retry_after":7}');
    });
    const outcome = await sendTo('discord', url);
    expect(outcome).toMatchObject({ ok: false, code: 429, retryable: true, retryAfterMs: 7000 });
    expect(outcome.answer).toMatch(/^429 Too Many Requests: /);
  });

  test('429 with Retry-After as an HTTP date, measured against the answer\'s own Date (a clock an hour off)', async () => {
    const { url } = await receiver((res) => {
      const serverNow = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
      res.statusCode = 429;
      res.setHeader('date', new Date(serverNow).toUTCString());
      res.setHeader('retry-after', new Date(serverNow + 30_000).toUTCString());
      res.end();
    });
    expect(await sendTo('pagerduty', url)).toEqual({ ok: false, code: 429, answer: '429 Too Many Requests', retryable: true, retryAfterMs: 30_000 });
  });

  test('400 is final, and what the target says is quoted without the target\'s secrets', async () => {
    const { url } = await receiver((res, req) => {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: 'invalid_payload', hook: req.url, key: '0123456789abcdef0123456789abcdef' }));
    });
    const slack = await sendTo('slack', url);
    expect(slack).toMatchObject({ ok: false, code: 400, retryable: false });
    expect(slack.answer).toContain('invalid_payload');
    expect(slack.answer).not.toContain('s3cr3t-path-token');
    const pagerduty = await sendTo('pagerduty', url);
    expect(pagerduty.answer).not.toContain('0123456789abcdef0123456789abcdef');
    expect(pagerduty.answer).toContain('[redacted]');
  });

  test('404 is final', async () => {
    const { url } = await receiver((res) => {
      res.statusCode = 404;
      res.end('no_service');
    });
    expect(await sendTo('teams', url)).toEqual({ ok: false, code: 404, answer: '404 Not Found: no_service', retryable: false });
  });

  test('a redirect is not followed: the body and its signature never reach another host', async () => {
    const elsewhere = await receiver();
    const { url } = await receiver((res) => {
      res.statusCode = 307;
      res.setHeader('location', elsewhere.url);
      res.end();
    });
    const outcome = await sendTo('webhook', url);
    expect(outcome).toMatchObject({ ok: false, code: 307, retryable: false });
    expect(outcome.answer).toContain('redirects are not followed');
    expect(elsewhere.received).toHaveLength(0);
  });

  test('a stalled receiver: the deadline ends the wait, retryable', async () => {
    const { url, received } = await receiver(() => undefined); // reads the request, never answers
    const started = performance.now();
    const outcome = await sendTo('webhook', url, { timeoutMs: 400 });
    const elapsed = performance.now() - started;
    expect(outcome).toEqual({ ok: false, answer: 'no answer within 400 ms', retryable: true });
    expect(received).toHaveLength(1);
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThan(15_000); // bounded, with room for a loaded machine
  });

  test('a receiver that sends headers then stalls the body: still a 2xx, still bounded', async () => {
    const { url } = await receiver((res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const started = performance.now();
    expect(await sendTo('slack', url, { timeoutMs: 400 })).toEqual({ ok: true, code: 200, answer: '200 OK', retryable: false });
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  test('a receiver that resets the connection: retryable, in words', async () => {
    const { url, received } = await receiver((_res, req) => {
      req.socket.resetAndDestroy();
    });
    const outcome = await sendTo('ntfy', url);
    expect(received).toHaveLength(1);
    expect(outcome).toEqual({ ok: false, answer: expect.stringMatching(/^connection (reset|closed) by the server$/), retryable: true });
  });

  test('nobody listening: connection refused, retryable', async () => {
    const port = await freePort();
    expect(await sendTo('mattermost', `http://127.0.0.1:${port}/hooks/x`)).toEqual({ ok: false, answer: 'connection refused', retryable: true });
  });

  test('stopped by the caller: retryable, says so', async () => {
    const controller = new AbortController();
    const { url } = await receiver(() => controller.abort());
    expect(await sendTo('webhook', url, { signal: controller.signal })).toEqual({ ok: false, answer: 'stopped before an answer', retryable: true });
  });
});
