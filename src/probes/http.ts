// http: does the URL answer with the expected status and body, how fast, and does the balancer
// keep a session on one node.
//
// YAML keys (besides the shared id, component, schedule, timeout, retries, ...):
//   url              http:// or https:// URL; required. No user:password@ (put credentials in headers).
//   method           GET | HEAD | POST; default GET. `body` is only allowed with POST.
//   headers          map of request headers; default none. Values count as targets (never published).
//   body             request body (string) for POST; optional.
//   expect           status: [200, 204]       accepted codes; default any 200-299
//                    bodyContains / bodyNotContains: text searched in the bytes read (not with HEAD)
//                    json: { path: 'a.b.0', equals: 'ok' | 1 | true | null }  dotted path, digits index arrays
//   degradedAfter    duration; an answer slower than this is degraded; default none
//   followRedirects  default true; up to maxRedirects hops (default 5), more is down, each hop on a new
//                    connection. With false, a 3xx is judged by expect.status like any other answer.
//   maxBodyBytes     default 65536; read at most this much of the body, then hang up.
//   tls              skipVerify: default false; true accepts ANY certificate (expired, wrong host, forged).
//                    ca: path to a PEM file of a private CA; replaces the public roots for this check.
//   sticky           cookie: name of the balancer's affinity cookie (required if sticky is given)
//                    requests: how many requests must land on one node; default 3, 2 to 20
//                    nodeHeader: response header naming the node that served (e.g. x-served-by); without
//                    it the node is identified by the cookie's value (a changed value = a new node).
//
// Timings: latencyMs covers the whole exchange (redirects included, body read); details hold the
// phases of the last hop (dnsMs, connectMs, tlsMs for https, firstByteMs, totalMs). A request that
// reused a kept-alive connection (sticky's later requests) has no dns/connect/tls phases and says
// connectionReused: true; a redirect never reuses one.
import { readFile } from 'node:fs/promises';
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { X509Certificate } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { z } from 'zod/v4';
import { readBounded, type BoundedBody } from './support/bounded-body.ts';
import { deadlineFor, timeoutMessage, type Deadline } from './support/deadline.ts';
import { describeNetError, errorCode } from './support/net-errors.ts';
import { timedAgent, type TimedAgent, type TlsTrust } from './support/timed-agent.ts';
import {
  checkBaseShape,
  degraded,
  down,
  durationSchema,
  normalizeBase,
  since,
  up,
  type CheckResult,
  type DetailValue,
  type Probe,
} from './types.ts';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/; // RFC 9110 token: header and cookie names

const httpUrl = z.string().refine(
  (text) => {
    if (!URL.canParse(text)) return false;
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  },
  { error: 'must be an http:// or https:// URL without user:password@ (send credentials in headers)' },
);

const expectSchema = z.strictObject({
  status: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  bodyContains: z.string().min(1).optional(),
  bodyNotContains: z.string().min(1).optional(),
  json: z
    .strictObject({
      path: z.string().regex(/^[^.]+(\.[^.]+)*$/, { error: 'must be a dotted path like status.nodes.0' }),
      equals: z.union([z.string(), z.number(), z.boolean(), z.null()]),
    })
    .optional(),
});

export const httpCheckSchema = z
  .strictObject({
    ...checkBaseShape,
    kind: z.literal('http'),
    url: httpUrl,
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    headers: z.record(z.string().regex(TOKEN), z.string().regex(/^[^\r\n]*$/)).default({}),
    body: z.string().optional(),
    expect: expectSchema.default({}),
    degradedAfter: durationSchema.optional(),
    followRedirects: z.boolean().default(true),
    maxRedirects: z.number().int().min(1).max(20).default(5),
    maxBodyBytes: z.number().int().min(1).max(16 * 1024 * 1024).default(65_536),
    tls: z
      .strictObject({ skipVerify: z.boolean().default(false), ca: z.string().min(1).optional() })
      .default({ skipVerify: false }),
    sticky: z
      .strictObject({
        cookie: z.string().regex(TOKEN, { error: 'must be a cookie name, e.g. SERVERID' }),
        requests: z.number().int().min(2).max(20).default(3),
        nodeHeader: z.string().regex(TOKEN).toLowerCase().optional(),
      })
      .optional(),
  })
  .superRefine((check, ctx) => {
    if (check.body !== undefined && check.method !== 'POST') {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'a request body needs method: POST' });
    }
    const { bodyContains, bodyNotContains, json } = check.expect;
    if (check.method === 'HEAD' && (bodyContains !== undefined || bodyNotContains !== undefined || json)) {
      ctx.addIssue({ code: 'custom', path: ['expect'], message: 'HEAD answers have no body to check; use GET' });
    }
    if (check.tls.skipVerify && check.tls.ca !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'ca'], message: 'has no effect with skipVerify: true; keep one' });
    }
  })
  .transform(({ degradedAfter, ...rest }) => ({ ...normalizeBase(rest), degradedAfterMs: degradedAfter }));

export type HttpCheck = z.output<typeof httpCheckSchema>;

export const httpProbe: Probe<HttpCheck> = {
  kind: 'http',
  schema: httpCheckSchema,
  targets: (check) => [
    check.url,
    new URL(check.url).hostname,
    ...Object.values(check.headers),
    ...(check.tls.ca === undefined ? [] : [check.tls.ca]),
  ],
  async run(check, stop) {
    const startedAt = Date.now();
    const endsAt = performance.now() + check.timeoutMs;
    const deadline = deadlineFor(check.timeoutMs, stop);
    const run: Run = { check, deadline, remainingMs: () => endsAt - performance.now(), phase: 'headers' };
    let complete = false;
    try {
      const tls = await tlsOptions(check.tls);
      run.agent = timedAgent(tls, run.remainingMs, deadline.signal);
      const result = await judge(run, startedAt);
      complete = true;
      return result;
    } catch (error) {
      const failure = error instanceof Failure ? error : undefined;
      return down(check, {
        startedAt,
        latencyMs: failure?.latencyMs ?? null,
        message: failure?.message ?? failureMessage(run, error),
        details: { ...(failure?.details ?? {}), ...connectionDetails(run.agent) },
      });
    } finally {
      deadline.dispose();
      await run.agent?.shutdown(complete && !deadline.signal.aborted);
    }
  },
};

// ---------------------------------------------------------------------------------------------

interface Run {
  check: HttpCheck;
  deadline: Deadline;
  remainingMs(): number;
  agent?: TimedAgent;
  /** Where we are, so a deadline can say what never came. */
  phase: 'headers' | 'body';
}

interface Answer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** Undefined for HEAD. */
  body: BoundedBody | undefined;
  redirects: number;
  /** Every Set-Cookie seen on the way, redirect hops included. */
  setCookies: string[];
  latencyMs: number;
  hop: Record<string, DetailValue>;
}

/** An outcome decided by the probe itself (as opposed to a network error), already worded for publishing. */
class Failure extends Error {
  constructor(
    message: string,
    readonly latencyMs: number | null = null,
    readonly details: Record<string, DetailValue> = {},
  ) {
    super(message);
  }
}

async function judge(run: Run, startedAt: number): Promise<CheckResult> {
  const { check } = run;
  const answer = await fetchFollowing(run);
  const latencyMs = answer.latencyMs;
  const details: Record<string, DetailValue> = {
    statusCode: answer.statusCode,
    redirects: answer.redirects,
    ...answer.hop,
  };
  if (answer.body) {
    details.bytesRead = answer.body.bytes.length;
    details.bodyTruncated = answer.body.truncated;
  }
  const fail = (message: string) => down(check, { startedAt, latencyMs, message, details });

  const statusProblem = checkStatus(check, answer.statusCode);
  if (statusProblem) return fail(statusProblem);
  const bodyProblem = answer.body && checkBody(check, answer.body, details);
  if (bodyProblem) return fail(bodyProblem);
  if (check.sticky) {
    const stickyProblem = await checkAffinity(run, answer, details);
    if (stickyProblem) return fail(stickyProblem);
  }

  const ms = Math.round(latencyMs);
  if (check.degradedAfterMs !== undefined && latencyMs > check.degradedAfterMs) {
    return degraded(check, {
      startedAt,
      latencyMs,
      message: `slow: answered in ${ms} ms (limit ${check.degradedAfterMs} ms)`,
      details,
    });
  }
  const reason = STATUS_CODES[answer.statusCode];
  return up(check, { startedAt, latencyMs, message: `${answer.statusCode}${reason ? ` ${reason}` : ''} in ${ms} ms`, details });
}

function checkStatus(check: HttpCheck, statusCode: number): string | undefined {
  const accepted = check.expect.status;
  const ok = accepted ? accepted.includes(statusCode) : statusCode >= 200 && statusCode <= 299;
  return ok ? undefined : `unexpected status ${statusCode} (expected ${accepted ? accepted.join(', ') : '200-299'})`;
}

// The body and the expected text may be private: messages say what failed, never quote either.
function checkBody(check: HttpCheck, body: BoundedBody, details: Record<string, DetailValue>): string | undefined {
  const { bodyContains, bodyNotContains, json } = check.expect;
  if (bodyContains !== undefined && !body.bytes.includes(bodyContains)) return 'body does not contain the expected text';
  if (bodyNotContains !== undefined && body.bytes.includes(bodyNotContains)) return 'body contains the text it must not contain';
  if (!json) return undefined;
  if (body.truncated) return `response body larger than ${check.maxBodyBytes} bytes, cannot check JSON`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch {
    return 'response body is not valid JSON'; // the parser's message quotes the body
  }
  const found = valueAt(parsed, json.path);
  details.jsonPath = json.path;
  if (!found) return 'JSON field not found';
  details.jsonValue = JSON.stringify(found.value)?.slice(0, 200) ?? null;
  return found.value === json.equals ? undefined : 'JSON field has an unexpected value';
}

function valueAt(root: unknown, path: string): { value: unknown } | undefined {
  let current = root;
  for (const key of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(key) && Number(key) < current.length) current = current[Number(key)];
    else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else return undefined;
  }
  return { value: current };
}

/**
 * Sends the balancer's cookie back on further requests, like a long-polling chat client does, and
 * requires every answer to come from the node that served the first. Node names stay in details.
 */
async function checkAffinity(run: Run, first: Answer, details: Record<string, DetailValue>): Promise<string | undefined> {
  const { cookie, requests, nodeHeader } = run.check.sticky!;
  let value = cookieValue(first.setCookies, cookie);
  if (value === undefined) return `balancer set no "${cookie}" affinity cookie`;
  const nodes: string[] = [];
  const nodeOf = (answer: Answer): string | undefined => {
    if (!nodeHeader) return value;
    const header = answer.headers[nodeHeader];
    return Array.isArray(header) ? header.join(',') : header;
  };
  let answer = first;
  for (let sent = 1; ; sent++) {
    const node = nodeOf(answer);
    if (node === undefined) return `response carries no "${nodeHeader}" header`;
    nodes.push(node);
    details.stickyNodes = [...new Set(nodes)].join(',');
    if (sent === requests) break;
    answer = await fetchFollowing(run, `${cookie}=${value}`);
    const statusProblem = checkStatus(run.check, answer.statusCode);
    if (statusProblem) return statusProblem;
    value = cookieValue(answer.setCookies, cookie) ?? value; // a browser keeps the newest value
  }
  details.stickyRequests = requests;
  const reached = new Set(nodes).size;
  return reached > 1 ? `session affinity lost: ${requests} requests reached ${reached} nodes` : undefined;
}

function cookieValue(setCookies: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (const line of setCookies) {
    const pair = line.split(';', 1)[0]!;
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) value = pair.slice(eq + 1).trim();
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// The exchange: redirects by hand, so hops are counted and the last hop's phases are kept.

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Sent to the configured origin only, as browsers do: a redirect elsewhere must not receive them.
const ORIGIN_BOUND = new Set(['authorization', 'proxy-authorization', 'cookie']);

async function fetchFollowing(run: Run, affinityCookie?: string): Promise<Answer> {
  const { check } = run;
  const t0 = performance.now();
  let url = new URL(check.url);
  let method: Dispatcher.HttpMethod = check.method;
  let body = check.body;
  let headers = withCookie(check.headers, affinityCookie);
  const setCookies: string[] = [];
  for (let redirects = 0; ; redirects++) {
    const openedBefore = run.agent!.opened();
    const hopStart = performance.now();
    run.phase = 'headers';
    // Straight to the origin's client: undici's top-level request() would parse the URL again.
    const response = await run.agent!.dispatcherFor(url).request({
      path: `${url.pathname}${url.search}`,
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: run.deadline.signal,
      headersTimeout: Math.max(1, Math.ceil(run.remainingMs())),
      bodyTimeout: Math.max(1, Math.ceil(run.remainingMs())),
    });
    const firstByteMs = since(hopStart);
    run.phase = 'body';
    const setCookie = response.headers['set-cookie'];
    setCookies.push(...(setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]));
    const location = response.headers.location;

    if (!check.followRedirects || !REDIRECTS.has(response.statusCode) || typeof location !== 'string') {
      const read =
        method === 'HEAD' ? undefined : await readBounded(response.body, check.maxBodyBytes, declaredLength(response.headers));
      if (method === 'HEAD') await response.body.dump({ limit: check.maxBodyBytes, signal: run.deadline.signal });
      const reused = run.agent!.opened() === openedBefore;
      const phases = reused ? {} : { ...run.agent!.lastTimings() };
      return {
        statusCode: response.statusCode,
        headers: response.headers,
        body: read,
        redirects,
        setCookies,
        latencyMs: since(t0),
        hop: { ...phases, firstByteMs, totalMs: since(hopStart), connectionReused: reused },
      };
    }

    await response.body.dump({ limit: check.maxBodyBytes, signal: run.deadline.signal });
    if (redirects === check.maxRedirects) {
      throw new Failure(`too many redirects (more than ${check.maxRedirects})`, since(t0), { redirects });
    }
    const next = URL.canParse(location, url.href) ? new URL(location, url) : undefined;
    if (!next || (next.protocol !== 'http:' && next.protocol !== 'https:')) {
      throw new Failure('redirected to a location that is not an http(s) URL', since(t0), { redirects });
    }
    if (next.origin !== url.origin) {
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !ORIGIN_BOUND.has(name.toLowerCase())));
    }
    // What browsers do: 303 always, and 301/302 after a POST, turn into a GET without a body.
    if (response.statusCode === 303 || (method === 'POST' && response.statusCode <= 302)) {
      method = 'GET';
      body = undefined;
    }
    // A server may close a kept-alive connection right after a redirect without saying so (HTTP/1.1
    // allows it): the next request, sent on it before the FIN is read, would fail as "connection
    // closed by the server" though curl -L gets its 200. Each hop gets a connection of its own.
    await run.agent!.release(url);
    url = next;
  }
}

function withCookie(headers: Record<string, string>, cookie: string | undefined): Record<string, string> {
  if (cookie === undefined) return { ...headers };
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'cookie');
  if (name === undefined) return { ...headers, cookie };
  return { ...headers, [name]: `${headers[name]}; ${cookie}` };
}

function declaredLength(headers: IncomingHttpHeaders): number | undefined {
  const length = Number(headers['content-length']);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

async function tlsOptions(tls: HttpCheck['tls']): Promise<TlsTrust> {
  if (tls.skipVerify) return { rejectUnauthorized: false };
  if (tls.ca === undefined) return {};
  let ca: string;
  try {
    ca = await readFile(tls.ca, 'utf8');
  } catch (error) {
    throw new Failure(`cannot read the tls.ca file (${describeNetError(error)})`);
  }
  try {
    new X509Certificate(ca); // a file without a certificate would otherwise just fail as "untrusted"
  } catch {
    throw new Failure('the tls.ca file holds no PEM certificate');
  }
  return { ca };
}

function failureMessage(run: Run, error: unknown): string {
  const { deadline, check } = run;
  const what =
    !run.agent || run.agent.stoppedWhileConnecting()
      ? 'no connection'
      : run.phase === 'headers'
        ? 'no response headers'
        : 'response body not complete';
  if (deadline.signal.aborted) return timeoutMessage(deadline, check.timeoutMs, what);
  switch (errorCode(error)) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no connection within ${check.timeoutMs} ms`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `no response headers within ${check.timeoutMs} ms`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `response body not complete within ${check.timeoutMs} ms`;
    default:
      return describeNetError(error);
  }
}

function connectionDetails(agent: TimedAgent | undefined): Record<string, DetailValue> {
  const timings = agent?.lastTimings();
  return timings ? { ...timings } : {};
}
