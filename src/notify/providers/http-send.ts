// The one HTTP sender every HTTP provider uses: POST what render() made, within a deadline, and
// answer with a SendOutcome in words. It never throws for the target's failure.
//
//   2xx                          ok
//   408, 425, 429, 5xx           retryable (Retry-After honoured: delta-seconds or an HTTP-date, capped)
//   3xx                          not retryable: redirects are never followed (a webhook URL that
//                                redirects is a configuration to fix, and following one would send the
//                                body, and any signature, to a host nobody configured)
//   other 4xx                    not retryable (400, 401, 403, 404, 410, 413 ...)
//   network errors, timeouts     retryable, worded like the probes' ("connection refused")
//
// The answer's body is read up to MAX_ANSWER_BYTES and, for failures, its first words are quoted
// (what Slack or Discord say is wrong: "invalid_payload"), with the target's private values blanked.
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { Agent, request, type Dispatcher } from 'undici';
import { readBounded } from '../../probes/support/bounded-body.ts';
import { deadlineFor, timeoutMessage } from '../../probes/support/deadline.ts';
import { describeNetError, errorCode } from '../../probes/support/net-errors.ts';
import type { RenderedRequest, SendOutcome } from '../types.ts';

export type HttpRequest = Extract<RenderedRequest, { type: 'http' }>;

export interface HttpSendOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpSendExtra {
  /** Values never to quote from an answer (the target's URL, tokens, keys). */
  redact?: readonly string[];
  /** Epoch ms; for Retry-After dates when the answer has no Date header. */
  now?: () => number;
  /** Only for tests: another dispatcher than the shared pool. */
  dispatcher?: Dispatcher;
}

/** Bytes of an answer read at most: enough for any error message, bounded against a hostile target. */
export const MAX_ANSWER_BYTES = 16 * 1024;
/** A Retry-After further away than this is taken as this: the sender's dead-letter bound decides the rest. */
export const MAX_RETRY_AFTER_MS = 3_600_000;
/** Characters of an answer's body quoted in a failure's words. */
const QUOTE_CHARS = 160;

const RETRYABLE_STATUS = new Set([408, 425, 429]);
// Errors no retry can mend: the request itself is wrong (our bug or an impossible URL).
const PERMANENT_ERRORS = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE']);

// One pool for all targets: keep-alive saves a TLS handshake per message in a burst. Idle sockets are
// unreferenced by undici, so they never keep a CLI process alive.
let pool: Agent | undefined;
const sharedPool = (): Agent => (pool ??= new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000, connections: 16 }));

/** Closes the shared pool's connections (end of `statuspost notify test`, daemon shutdown). */
export async function closeHttpPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.close();
}

export async function sendHttp(req: HttpRequest, options: HttpSendOptions, extra: HttpSendExtra = {}): Promise<SendOutcome> {
  const timeoutMs = Math.max(1, Math.round(options.timeoutMs));
  const deadline = deadlineFor(timeoutMs, options.signal ?? new AbortController().signal);
  let phase: 'headers' | 'body' = 'headers';
  try {
    const response = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      signal: deadline.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      dispatcher: extra.dispatcher ?? sharedPool(),
    });
    phase = 'body';
    const { statusCode, headers } = response;
    let body = '';
    try {
      const read = await readBounded(response.body, MAX_ANSWER_BYTES, declaredLength(headers));
      body = read.bytes.toString('utf8');
    } catch {
      // The status line is what counts: a 2xx was accepted even if the rest of its answer got lost.
    }
    return classifyAnswer(statusCode, headers, body, (extra.now ?? Date.now)(), extra.redact ?? []);
  } catch (error) {
    if (deadline.signal.aborted) {
      return { ok: false, answer: timeoutMessage(deadline, timeoutMs, phase === 'headers' ? 'no answer' : 'answer not complete'), retryable: true };
    }
    switch (errorCode(error)) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return { ok: false, answer: `no connection within ${timeoutMs} ms`, retryable: true };
      case 'UND_ERR_HEADERS_TIMEOUT':
        return { ok: false, answer: `no answer within ${timeoutMs} ms`, retryable: true };
      case 'UND_ERR_BODY_TIMEOUT':
        return { ok: false, answer: `answer not complete within ${timeoutMs} ms`, retryable: true };
      default: {
        const code = errorCode(error);
        return { ok: false, answer: describeNetError(error), retryable: code === undefined || !PERMANENT_ERRORS.has(code) };
      }
    }
  } finally {
    deadline.dispose();
  }
}

/** Pure: an HTTP answer as an outcome. Exported for tests. */
export function classifyAnswer(
  statusCode: number,
  headers: IncomingHttpHeaders,
  body: string,
  nowMs: number,
  redact: readonly string[] = [],
): SendOutcome {
  const reason = STATUS_CODES[statusCode];
  const status = `${statusCode}${reason ? ` ${reason}` : ''}`;
  if (statusCode >= 200 && statusCode <= 299) return { ok: true, code: statusCode, answer: status, retryable: false };

  const retryable = RETRYABLE_STATUS.has(statusCode) || (statusCode >= 500 && statusCode <= 599);
  const location = statusCode >= 300 && statusCode <= 399 ? ' (redirects are not followed: configure the final URL)' : '';
  const quoted = location ? '' : quote(body, headers['content-type'], redact);
  const outcome: SendOutcome = { ok: false, code: statusCode, answer: `${status}${location}${quoted ? `: ${quoted}` : ''}`, retryable };
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), nowMs, header(headers, 'date'));
  if (retryAfterMs !== undefined) outcome.retryAfterMs = retryAfterMs;
  return outcome;
}

const WEEKDAY = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

/**
 * Retry-After (RFC 9110 §10.2.3) in ms: delta-seconds (fractions accepted, as some APIs send), or an
 * HTTP-date measured against the answer's own Date header when it has one (so a target whose clock is
 * off still means what it says), else against `nowMs`. Capped at MAX_RETRY_AFTER_MS; a date in the
 * past is 0; anything else is ignored.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number, dateHeader?: string): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Math.ceil(Number(text) * 1000), MAX_RETRY_AFTER_MS);
  if (!WEEKDAY.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  const serverNow = dateHeader !== undefined && WEEKDAY.test(dateHeader.trim()) ? Date.parse(dateHeader) : Number.NaN;
  const reference = Number.isNaN(serverNow) ? nowMs : serverNow;
  return Math.min(Math.max(0, at - reference), MAX_RETRY_AFTER_MS);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function declaredLength(headers: IncomingHttpHeaders): number | undefined {
  const length = Number(header(headers, 'content-length'));
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** The first words of a failure's body: one line, printable, private values blanked; none for HTML pages. */
function quote(body: string, contentType: string | string[] | undefined, redact: readonly string[]): string {
  const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
  if (/html/i.test(type) || /^\s*</.test(body)) return '';
  let text = body.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  for (const secret of expandSecrets(redact)) text = text.split(secret).join('[redacted]');
  if (text.length > QUOTE_CHARS) text = `${Array.from(text).slice(0, QUOTE_CHARS).join('')}…`;
  return text;
}

/** Private values plus the path pieces of private URLs: a target may echo its token without the host. */
function expandSecrets(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const value of values) {
    if (value.length >= 4) out.add(value);
    if (URL.canParse(value)) {
      const url = new URL(value);
      for (const piece of [...url.pathname.split('/'), ...url.searchParams.values()]) if (piece.length >= 8) out.add(piece);
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}
