// email: alerts and subscriber notifications over SMTP with nodemailer (STARTTLS or implicit TLS,
// auth from ${ENV}, pooled). One transporter per target configuration, kept open between messages
// (a pool of connections) and closed by closeEmailTransports() on shutdown.
//
// send() never throws for the server's sake: SMTP reply codes become outcomes (4xx: try again
// later; 5xx: the server refused for good), connection failures are retryable, and the answer is
// the server's own words ("250 2.0.0 Ok: queued as 7B1F", "550 5.1.1 mailbox unavailable").
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod/v4';
import { describeNetError } from '../../probes/support/net-errors.ts';
import { portSchema } from '../../probes/types.ts';
import type { NotifyEvent, OutgoingMessage, Provider, RenderedRequest, SendOutcome } from '../types.ts';
import { STATUS_WORDS, truncate } from './text.ts';

// "ops@example.org" or "Status <status@example.org>": a bare address, or a display name and one in <>.
const ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/;
const NAMED_ADDRESS = /^[^<>]*<([^<>]+)>$/;

/** The address part of "Name <addr>" or a bare address; undefined for anything else. */
export function addressOf(text: string): string | undefined {
  const trimmed = text.trim();
  const inner = NAMED_ADDRESS.exec(trimmed)?.[1]?.trim() ?? trimmed;
  return ADDRESS.test(inner) ? inner : undefined;
}

const addressSchema = z.string().refine((text) => addressOf(text) !== undefined, {
  error: 'must be an email address, e.g. status@example.org or "Status <status@example.org>"',
});

/** `to: [a@x, b@y]`, or one string (`to: ${ONCALL_MAIL}`) with addresses separated by commas. */
const addressListSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter((part) => part !== '') : value),
  z.array(addressSchema).min(1, { error: 'must list at least one address' }).max(100, { error: 'must list at most 100 addresses; use a mailing list for more' }),
);

// A switch may come from the environment (secure: ${SMTP_SECURE}), where every value is a string.
const switchSchema = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

export const emailTargetSchema = z
  .strictObject({
    host: z.string().min(1),
    /** Default 465 with `secure: true`, else 587 (submission). */
    port: portSchema.optional(),
    /** Implicit TLS from the first byte (port 465). */
    secure: switchSchema.default(false),
    /** Refuse to go on unless the server upgrades the connection with STARTTLS. */
    requireTLS: switchSchema.default(false),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    from: addressSchema,
    /** Operators' addresses; subscriber messages go to the subscriber instead. */
    to: addressListSchema.optional(),
    /** Keep connections open between messages (nodemailer's pool). */
    pool: switchSchema.default(true),
    tls: z
      .strictObject({
        /** false accepts ANY certificate (expired, wrong host, forged): for a test server only. */
        rejectUnauthorized: switchSchema.default(true),
        /** PEM file of a private CA to trust instead of the system roots (relative to the project). */
        ca: z.string().min(1).optional(),
      })
      .default({ rejectUnauthorized: true }),
  })
  .superRefine((target, ctx) => {
    if (target.secure && target.requireTLS) {
      ctx.addIssue({ code: 'custom', path: ['requireTLS'], message: 'has no effect with secure: true (the connection is TLS from the start); keep one', params: { valueFree: 'has no effect with secure: true; keep one' } });
    }
    if ((target.user === undefined) !== (target.password === undefined)) {
      const missing = target.user === undefined ? 'user' : 'password';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'is required when the other of user and password is given', params: { hint: 'give both (password: ${SMTP_PASSWORD}), or neither for a server that needs no login' } });
    }
    if (!target.tls.rejectUnauthorized && target.tls.ca !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'ca'], message: 'has no effect with rejectUnauthorized: false; keep one' });
    }
  })
  .transform(({ port, ...target }) => ({ ...target, port: port ?? (target.secure ? 465 : 587), to: target.to ?? [] }));

export type EmailTarget = z.output<typeof emailTargetSchema>;

// Mail has no per-field limits like a chat service's, but a subject is one line a reader sees cut
// near 80, and a server refuses a mail over its size limit for good (Postfix's default is 10,240,000
// bytes, smaller on many hosts): a lost alert. So a mail shows the first events in full, each within
// bounds, and the rest by title; a grouped burst of any size stays well under a megabyte of text.
export const EMAIL_LIMITS = {
  /** Characters of the subject (one line). */
  subject: 200,
  /** Events shown in full; the others by title in one list. */
  events: 25,
  /** Titles listed beyond the events shown in full. */
  moreTitles: 50,
  /** Characters of one event's title, text, and each component or check line. */
  title: 300,
  text: 2_000,
  fact: 300,
  /** Components and checks listed per event. */
  facts: 10,
} as const;
// A CA bundle is a few hundred KB at most; a bigger file is a wrong path, not a bundle.
const MAX_CA_BYTES = 1_048_576;

export const emailProvider: Provider<EmailTarget> = {
  kind: 'email',
  schema: emailTargetSchema as unknown as z.ZodType<EmailTarget>,
  keys: [
    { name: 'host', required: true, description: 'SMTP server name or address' },
    { name: 'port', required: false, description: 'default 465 with secure: true, else 587' },
    { name: 'secure', required: false, description: 'implicit TLS from the first byte (port 465); default false' },
    { name: 'requireTLS', required: false, description: 'refuse to send unless the server upgrades with STARTTLS; default false' },
    { name: 'user', required: false, description: 'login name, with password' },
    { name: 'password', required: false, description: 'login password' },
    { name: 'from', required: true, description: 'sender, e.g. "Status <status@example.org>"' },
    { name: 'to', required: false, description: 'operators\' addresses (a list, or one string with commas); required for routes' },
    { name: 'pool', required: false, description: 'keep connections open between messages; default true' },
    { name: 'tls.rejectUnauthorized', required: false, description: 'false accepts any certificate (test servers only); default true' },
    { name: 'tls.ca', required: false, description: 'PEM file of a private CA to trust' },
  ],
  // The sender's address is not private: every subscriber sees it, and the site may well name it.
  // The host and login name are addresses, not credentials: they may be written in the file.
  secretKeys: ['password'],
  privateValues: (target) =>
    [target.host, target.user, target.password, ...target.to.map(addressOf), target.tls.ca].filter(
      (value): value is string => value !== undefined,
    ),
  render: renderMail,
  send: sendMail,
};

// ---------------------------------------------------------------------------------------------
// Rendering: pure.


const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
const isoMinute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function renderMail(message: OutgoingMessage, target: EmailTarget): RenderedRequest {
  const to = message.subscriber ? [message.subscriber.address] : target.to;
  const headers: Record<string, string> = {
    // RFC 3834: machines answering mail (vacation notices) leave it alone.
    'Auto-Submitted': 'auto-generated',
    'Message-ID': `<${message.idempotencyKey.replace(/[^A-Za-z0-9.-]/g, '-')}@${domainOf(target.from)}>`,
    'X-Statuspost-Idempotency-Key': oneLine(message.idempotencyKey),
  };
  const unsubscribe = message.subscriber?.unsubscribeUrl;
  if (unsubscribe !== undefined) {
    // RFC 8058 one-click: a POST to the link unsubscribes, with no page to click through.
    headers['List-Unsubscribe'] = `<${unsubscribe}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    type: 'mail',
    from: target.from,
    to,
    subject: subjectOf(message),
    text: textOf(message, unsubscribe),
    html: htmlOf(message, unsubscribe),
    headers,
  };
}

function subjectOf(message: OutgoingMessage): string {
  const { events } = message;
  const resolved = events.length > 0 && events.every((event) => event.severity === 'resolved');
  const what = events.length === 1 ? oneLine(events[0]!.title) : `${events.length} changes: ${events.map((event) => oneLine(event.title)).join('; ')}`;
  const subject = `[${oneLine(message.site.name)}] ${resolved && !/^resolved\b/i.test(what) ? 'Resolved: ' : ''}${what}`;
  // Cut between grapheme clusters: never half an emoji or a lone surrogate in a header.
  return truncate(subject, EMAIL_LIMITS.subject);
}

interface Block {
  title: string;
  text: string;
  facts: string[];
  links: Array<{ label: string; url: string }>;
}

function blocksOf(message: OutgoingMessage): Block[] {
  const shown = message.events.slice(0, EMAIL_LIMITS.events);
  const blocks: Block[] = shown.map((event) => ({
    title: truncate(oneLine(event.title), EMAIL_LIMITS.title),
    text: truncate(event.text.trim(), EMAIL_LIMITS.text),
    facts: factsOf(event),
    links: [
      ...(event.url ? [{ label: 'More', url: event.url }] : []),
      ...event.components
        .slice(0, EMAIL_LIMITS.facts)
        .filter((c) => c.url && c.url !== event.url)
        .map((c) => ({ label: truncate(oneLine(c.name), EMAIL_LIMITS.title), url: c.url! })),
    ],
  }));
  const rest = message.events.slice(EMAIL_LIMITS.events);
  if (rest.length > 0) {
    const listed = rest.slice(0, EMAIL_LIMITS.moreTitles);
    const unlisted = rest.length - listed.length;
    blocks.push({
      title: `And ${rest.length} more ${rest.length === 1 ? 'change' : 'changes'}`,
      text: '',
      facts: [...listed.map((event) => truncate(oneLine(event.title), EMAIL_LIMITS.title)), ...(unlisted > 0 ? [`…and ${unlisted} more`] : [])],
      links: message.site.url ? [{ label: 'Status page', url: message.site.url }] : [],
    });
  }
  return blocks;
}

/** The first `max` lines, then how many more there are. */
function capped(lines: string[], max: number, what: string): string[] {
  const kept = lines.slice(0, max).map((line) => truncate(line, EMAIL_LIMITS.fact));
  return lines.length > max ? [...kept, `…and ${lines.length - max} more ${what}`] : kept;
}

function factsOf(event: NotifyEvent): string[] {
  const components = event.components.map((c) => {
    const was = c.previous ? ` (was ${STATUS_WORDS[c.previous]})` : '';
    return `${oneLine(c.name)}: ${STATUS_WORDS[c.status] ?? c.status}${was}`;
  });
  const facts = capped(components, EMAIL_LIMITS.facts, 'components');
  // Checks name internals: operators only, never a subscriber.
  if (event.audience === 'operators') {
    facts.push(...capped((event.checks ?? []).map((check) => `check ${check.id}: ${check.status}, ${oneLine(check.message)}`), EMAIL_LIMITS.facts, 'checks'));
  }
  facts.push(`since ${isoMinute(event.at)}`);
  return facts;
}

function textOf(message: OutgoingMessage, unsubscribe: string | undefined): string {
  const parts = blocksOf(message).map((block) =>
    [block.title, '', ...(block.text ? [block.text, ''] : []), ...block.facts.map((fact) => `- ${fact}`), ...block.links.map((link) => `${link.label}: ${link.url}`)].join('\n'),
  );
  const footer = [`-- `, `${oneLine(message.site.name)}${message.site.url ? ` ${message.site.url}` : ''}`];
  if (unsubscribe !== undefined) footer.push(`Unsubscribe: ${unsubscribe}`);
  return `${parts.join('\n\n')}\n\n${footer.join('\n')}\n`;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Only http(s) links become anchors; anything else stays text. */
function linkHtml(label: string, url: string): string {
  return /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>` : `${escapeHtml(label)}: ${escapeHtml(url)}`;
}

function htmlOf(message: OutgoingMessage, unsubscribe: string | undefined): string {
  const blocks = blocksOf(message).map((block) => {
    const paragraphs = block.text ? block.text.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`) : [];
    const facts = `<ul>${block.facts.map((fact) => `<li>${escapeHtml(fact)}</li>`).join('')}</ul>`;
    const links = block.links.length > 0 ? `<p>${block.links.map((link) => linkHtml(link.label, link.url)).join(' · ')}</p>` : '';
    return `<h2>${escapeHtml(block.title)}</h2>${paragraphs.join('')}${facts}${links}`;
  });
  const site = message.site.url ? linkHtml(oneLine(message.site.name), message.site.url) : escapeHtml(oneLine(message.site.name));
  const footer = `<hr><p>${site}${unsubscribe !== undefined ? ` · ${linkHtml('Unsubscribe', unsubscribe)}` : ''}</p>`;
  return `<!doctype html><html><body>${blocks.join('<hr>')}${footer}</body></html>`;
}

function domainOf(from: string): string {
  return (addressOf(from) ?? 'statuspost.invalid').split('@')[1]!.replace(/[^A-Za-z0-9.-]/g, '') || 'statuspost.invalid';
}

// ---------------------------------------------------------------------------------------------
// Sending.

type Transporter = { sendMail(mail: Record<string, unknown>): Promise<SentInfo>; close(): void };
interface SentInfo {
  response?: string;
  accepted?: unknown[];
  rejected?: unknown[];
  rejectedErrors?: Array<{ response?: string }>;
}

/** One transporter per target configuration (and timeout): a pool is shared by every message to it. */
const transports = new Map<string, Promise<Transporter>>();

/** Closes every open transporter (their pooled connections end); the next send opens a new one. */
export async function closeEmailTransports(): Promise<void> {
  const open = [...transports.values()];
  transports.clear();
  for (const transporter of await Promise.allSettled(open)) if (transporter.status === 'fulfilled') transporter.value.close();
}

class ConfigFailure extends Error {}

async function transportFor(target: EmailTarget, timeoutMs: number): Promise<Transporter> {
  const key = JSON.stringify([target, timeoutMs]);
  let transporter = transports.get(key);
  if (!transporter) {
    transporter = openTransport(target, timeoutMs);
    transports.set(key, transporter);
    // A failure to open (an unreadable CA) is not kept: the next message tries again.
    transporter.catch(() => transports.delete(key));
  }
  return transporter;
}

async function openTransport(target: EmailTarget, timeoutMs: number): Promise<Transporter> {
  const ca = target.tls.ca === undefined ? undefined : await readCa(target.tls.ca);
  // Imported when the first mail goes, so validating the configuration never loads nodemailer.
  const { createTransport } = await import('nodemailer');
  return createTransport({
    host: target.host,
    port: target.port,
    secure: target.secure,
    requireTLS: target.requireTLS,
    ...(target.user !== undefined && target.password !== undefined ? { auth: { user: target.user, pass: target.password } } : {}),
    tls: { rejectUnauthorized: target.tls.rejectUnauthorized, ...(ca === undefined ? {} : { ca }) },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
    ...(target.pool ? { pool: true as const, maxConnections: 2, idleTimeout: 60_000 } : {}),
  } as Parameters<typeof createTransport>[0]) as unknown as Transporter;
}

async function readCa(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_CA_BYTES) throw new ConfigFailure('the tls.ca file is not a PEM bundle (not a file, or larger than 1 MiB)');
    const pem = await readFile(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigFailure('the tls.ca file holds no PEM certificate');
    return pem;
  } catch (error) {
    if (error instanceof ConfigFailure) throw error;
    throw new ConfigFailure(`cannot read the tls.ca file (${describeNetError(error)})`);
  }
}

async function sendMail(request: RenderedRequest, target: EmailTarget, options: { timeoutMs: number; signal?: AbortSignal }): Promise<SendOutcome> {
  if (request.type !== 'mail') return { ok: false, retryable: false, answer: 'not a mail: the email provider sends only what it rendered' };
  if (request.to.length === 0) return { ok: false, retryable: false, answer: 'no recipients: give the target a `to` list' };
  let transporter: Transporter;
  try {
    transporter = await transportFor(target, options.timeoutMs);
  } catch (error) {
    return { ok: false, retryable: false, answer: error instanceof ConfigFailure ? error.message : `cannot set up the SMTP client: ${oneLine(String((error as Error)?.message ?? error))}` };
  }
  const { 'Message-ID': messageId, ...headers } = request.headers;
  // The whole send ends by its deadline, not only each phase (nodemailer's timeouts are per wait).
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  try {
    const info = await transporter.sendMail({
      from: request.from,
      to: request.to,
      subject: request.subject,
      text: request.text,
      ...(request.html === undefined ? {} : { html: request.html }),
      headers,
      ...(messageId === undefined ? {} : { messageId }),
      signal,
    });
    return acceptedOutcome(info);
  } catch (error) {
    if (deadline.aborted) return { ok: false, retryable: true, answer: `no answer within ${Math.round(options.timeoutMs / 1000)} s` };
    if (options.signal?.aborted) return { ok: false, retryable: true, answer: 'stopped before an answer' };
    return failedOutcome(error);
  }
}

function replyCode(response: string | undefined): number | undefined {
  const match = /^([2-5]\d\d)\b/.exec(response ?? '');
  return match ? Number(match[1]) : undefined;
}

function acceptedOutcome(info: SentInfo): SendOutcome {
  const response = oneLine(info.response ?? '250 accepted');
  const code = replyCode(response);
  const rejected = info.rejected?.length ?? 0;
  if (rejected === 0) return { ok: true, retryable: false, answer: response, ...(code === undefined ? {} : { code }) };
  // Some recipients were refused: the message went to the others, so it is not sent again.
  const total = rejected + (info.accepted?.length ?? 0);
  const why = info.rejectedErrors?.[0]?.response;
  return { ok: true, retryable: false, answer: `${response}; ${rejected} of ${total} recipients refused${why ? ` (${oneLine(why)})` : ''}`, ...(code === undefined ? {} : { code }) };
}

/** What nodemailer's error says, as an outcome: the server's reply when there is one, else the failure in words. */
export function failedOutcome(error: unknown): SendOutcome {
  const e = (error ?? {}) as { code?: string; originalCode?: string; responseCode?: number; response?: string; message?: string; timeoutType?: string; command?: string };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    // "500 command not recognized" alone would not say that the server offers no STARTTLS.
    const answer = `${oneLine(e.response ?? `${e.responseCode}`)}${e.command === 'STARTTLS' ? ' (in reply to STARTTLS: the server offers no TLS upgrade)' : ''}`;
    // RFC 5321: 4yz is transient, 5yz permanent; 503 (bad sequence) is the session's fault, not the message's.
    const retryable = e.responseCode < 500 || e.responseCode === 503;
    return { ok: false, code: e.responseCode, retryable, answer };
  }
  if (e.code === 'EAUTH') return { ok: false, retryable: false, answer: `login refused: ${oneLine(e.message ?? 'no reason given')}` };
  if (e.code === 'EENVELOPE') return { ok: false, retryable: false, answer: `no valid sender or recipients: ${oneLine(e.message ?? '')}` };
  if (e.code === 'ETIMEDOUT') return { ok: false, retryable: true, answer: timeoutWords(e.timeoutType) };
  // nodemailer keeps the system's code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT) beside its own (ESOCKET).
  const phrase = describeNetError(Object.assign(new Error(''), { code: e.originalCode ?? e.code }));
  const words = phrase.startsWith('failed') ? oneLine(e.message ?? 'the SMTP session failed') : phrase;
  const tls = e.code === 'ETLS' || /STARTTLS|certificate|TLS/i.test(`${e.message ?? ''} ${phrase}`);
  return { ok: false, retryable: true, answer: tls && !/^TLS/.test(words) ? `TLS: ${words}` : words };
}

function timeoutWords(type: string | undefined): string {
  if (type === 'CONNECT_TIMEOUT') return 'connection timed out';
  if (type === 'GREETING_TIMEOUT') return 'the server sent no greeting in time';
  if (type === 'UPGRADE_TIMEOUT') return 'the STARTTLS upgrade did not finish in time';
  return 'the server stopped answering';
}
