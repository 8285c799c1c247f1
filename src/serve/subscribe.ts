// Self-service email subscription, answered by `statuspost serve` when probes/notify.yaml has
// subscriptions.email (on a plain static host the published subscribe page says email is not offered):
//
//   GET  /subscribe/                 the published subscribe page, its section#email replaced by the form
//   POST /subscribe/                 address (+ components) → a pending subscriber and a confirmation mail
//   GET  /subscribe/confirm?token=…  a page with one button (a scanner's GET or HEAD never confirms)
//   POST /subscribe/confirm?token=…  confirms (double opt-in; the token is signed and expires)
//   GET  /unsubscribe?token=…        a page with one button (mail scanners fetch GETs: a GET never unsubscribes)
//   POST /unsubscribe?token=…        removes the subscriber (RFC 8058 one-click posts here, as does the button)
//
// - The same answer whether or not the address was subscribed: a confirmed address gets a mail saying
//   so instead of a confirmation, and the page is the same.
// - Rate limits per address and per client (token buckets): past them 429 and no mail.
// - Bodies are capped and must be form-encoded; a browser's cross-site POST is refused by its Origin
//   (or Referer, or Sec-Fetch-Site) header; every page is serialised with escaping (html.ts); pages
//   send Referrer-Policy: same-origin (a token in an address never leaves the site), and none may be framed.
// - The confirmation is sent directly with the email provider, not through the outbox: it answers a
//   person waiting at the form (who is told if it could not be sent, and can try again), its link is a
//   credential that should not sit in the store, and `serve` may run without the daemon's sender.
import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Logger } from '../daemon/log.ts';
import type { Language } from '../i18n/languages.ts';
import { words } from '../i18n/messages.ts';
import { alreadySubscribedMail, confirmationMail, scopeWords, type MailRequest } from '../notify/subscribers/mails.ts';
import { RateLimiter, type BucketRule } from '../notify/subscribers/rate-limit.ts';
import { emailSubscriberId, verifyToken } from '../notify/subscribers/token.ts';
import type { SendOutcome } from '../notify/types.ts';
import type { Store, Subscriber } from '../store/types.ts';
import { h, raw, type Child } from './html.ts';

export interface SubscriptionOptions {
  store: Store;
  /** The published folder (a link to the current build): its subscribe page is the template. */
  folder: string;
  /** `language`: of the form, its answers and the mails (site.yaml `language:`); English without it. */
  site: { title: string; baseUrl: string; language?: Language };
  components: ReadonlyArray<{ id: string; name: string }>;
  email: { from: string; secret: string; confirmWithinMs: number };
  /** Sends one mail with the email target (the provider's send). */
  sendMail(mail: MailRequest): Promise<SendOutcome>;
  logger?: Logger;
  now?: () => number;
  /** Default: 3 mails per address, one more every hour. */
  perAddress?: BucketRule;
  /** Default: 10 sign-ups per client address, one more every 6 minutes. */
  perClient?: BucketRule;
  /** Default 8 KiB. */
  maxBodyBytes?: number;
  /** The client is the first X-Forwarded-For address (only behind a proxy of your own that sets it). */
  trustForwardedFor?: boolean;
}

export interface SubscriptionRoutes {
  /** True when the request is one of these routes (then it is answered here). */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  stats: { subscribed: number; confirmed: number; unsubscribed: number; limited: number; mailFailed: number };
}

const HTML = 'text/html; charset=utf-8';
const MAX_ADDRESS = 254;
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

type Route = 'form' | 'confirm' | 'unsubscribe';

function routeOf(path: string): Route | undefined {
  if (path === '/subscribe' || path === '/subscribe/' || path === '/subscribe/index.html') return 'form';
  if (path === '/subscribe/confirm' || path === '/subscribe/confirm/') return 'confirm';
  if (path === '/unsubscribe' || path === '/unsubscribe/' || path === '/subscribe/unsubscribe' || path === '/subscribe/unsubscribe/') return 'unsubscribe';
  return undefined;
}

/**
 * The rate-limit key of a client address: an IPv4 address as it is, an IPv6 one by its /64 (one
 * home or server has a whole /64 to choose addresses from).
 */
export function clientKey(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!plain.includes(':')) return plain;
  const [head = '', tail = ''] = plain.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = plain.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function subscriptionRoutes(options: SubscriptionOptions): SubscriptionRoutes {
  const now = options.now ?? Date.now;
  const perAddress = new RateLimiter(options.perAddress ?? { capacity: 3, refillMs: 3_600_000 });
  const perClient = new RateLimiter(options.perClient ?? { capacity: 10, refillMs: 360_000 });
  const maxBody = options.maxBodyBytes ?? 8 * 1024;
  const stats = { subscribed: 0, confirmed: 0, unsubscribed: 0, limited: 0, mailFailed: 0 };
  const siteOrigin = new URL(options.site.baseUrl).origin;
  const componentName = new Map(options.components.map((c) => [c.id, c.name]));
  const w = words(options.site.language);

  /** The published subscribe page, with section#email replaced by `section`. */
  async function page(section: Child[]): Promise<string> {
    const body = h('section', { id: 'email', 'aria-labelledby': 'email-heading' }, h('h2', { id: 'email-heading' }, w.t('signup.heading')), ...section).html;
    let template: string | undefined;
    try {
      template = await readFile(join(realpathSync.native(options.folder), 'subscribe', 'index.html'), 'utf8');
    } catch {
      template = undefined; // nothing published yet, or a build from before the subscribe page
    }
    const found = template === undefined ? -1 : template.search(/<section id="email"[^>]*>[\s\S]*?<\/section>/);
    if (template !== undefined && found !== -1) return template.replace(/<section id="email"[^>]*>[\s\S]*?<\/section>/, () => body);
    return `<!doctype html>${h('html', { lang: w.language }, h('head', null, raw('<meta charset="utf-8">'), h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }), h('title', null, w.t('signup.pageTitle', { site: options.site.title }))), h('body', null, h('main', null, h('h1', null, w.t('signup.pageHeading', { site: options.site.title })), raw(body)))).html}`;
  }

  function form(values: { email?: string; components?: readonly string[] } = {}, problem?: string): Child[] {
    const chosen = new Set(values.components ?? []);
    return [
      h('p', null, w.t('signup.intro')),
      problem ? h('p', { role: 'alert', id: 'email-problem' }, problem) : null,
      h(
        'form',
        { method: 'post' },
        h(
          'p',
          null,
          h('label', { for: 'email-address' }, w.t('signup.address')),
          ' ',
          h('input', { id: 'email-address', name: 'email', type: 'email', required: true, autocomplete: 'email', maxlength: MAX_ADDRESS, value: values.email ?? '', 'aria-describedby': problem ? 'email-problem' : undefined }),
        ),
        options.components.length > 0 &&
          h(
            'fieldset',
            null,
            h('legend', null, w.t('signup.components')),
            options.components.map((c) => h('p', null, h('input', { type: 'checkbox', id: `component-${c.id}`, name: 'components', value: c.id, checked: chosen.has(c.id) }), ' ', h('label', { for: `component-${c.id}` }, c.name))),
          ),
        h('p', null, h('button', { type: 'submit' }, w.t('signup.submit'))),
      ),
    ];
  }

  function send(res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, {
      'content-type': HTML,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      // The token pages' addresses never leave the site; a same-origin form post still carries its Origin.
      'referrer-policy': 'same-origin',
      ...extra,
    });
    res.end(html);
  }

  function clientOf(req: IncomingMessage): string {
    const forwarded = options.trustForwardedFor ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]!.trim() : '';
    return clientKey(forwarded || req.socket.remoteAddress || 'unknown');
  }

  /** A browser says where a POST comes from; one from another site is refused (CSRF). Non-browsers send neither header. */
  function sameSite(req: IncomingMessage): boolean {
    // Fetch metadata, where the browser sends it, says it directly ("none": typed or bookmarked).
    const site = req.headers['sec-fetch-site'];
    if (site === 'same-origin' || site === 'none') return true;
    if (site === 'cross-site') return false;
    const from = req.headers.origin ?? req.headers.referer;
    if (from === undefined) return true;
    try {
      const url = new URL(from);
      return url.origin === siteOrigin || url.host === req.headers.host;
    } catch {
      return false; // "null" (a sandboxed or privacy-stripped origin) and anything unparseable
    }
  }

  async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) throw new HttpProblem(413, w.t('signup.tooBig'));
    const chunks: Buffer[] = [];
    let size = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new HttpProblem(408, w.t('signup.tooSlow'))), 10_000);
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBody) {
          clearTimeout(timer);
          reject(new HttpProblem(413, w.t('signup.tooBig')));
          req.pause();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        clearTimeout(timer);
        resolve();
      });
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    if (type !== 'application/x-www-form-urlencoded') return new URLSearchParams();
    return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  }

  async function findSubscriber(id: string): Promise<Subscriber | undefined> {
    return (await options.store.subscribers()).find((s) => s.id === id);
  }

  async function subscribe(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!sameSite(req)) throw new HttpProblem(403, w.t('signup.crossSite'));
    const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw new HttpProblem(415, w.t('signup.notForm'));
    const fields = await readForm(req);
    const address = (fields.get('email') ?? '').trim();
    const components = [...new Set(fields.getAll('components'))];
    if (address.length === 0 || address.length > MAX_ADDRESS || !ADDRESS.test(address)) {
      send(res, 400, await page(form({ email: address.slice(0, MAX_ADDRESS), components }, w.t('signup.badAddress'))));
      return;
    }
    const unknown = components.filter((id) => !componentName.has(id));
    if (unknown.length > 0) {
      send(res, 400, await page(form({ email: address, components: components.filter((id) => componentName.has(id)) }, w.t('signup.badComponents'))));
      return;
    }
    const at = now();
    const client = perClient.take(clientOf(req), at);
    const id = emailSubscriberId(address);
    const byAddress = client.allowed ? perAddress.take(id, at) : client;
    if (!byAddress.allowed) {
      stats.limited++;
      const seconds = Math.max(1, Math.ceil(byAddress.retryAfterMs / 1000));
      send(res, 429, await page([h('p', { role: 'alert' }, w.t('signup.tooMany', { wait: seconds >= 120 ? w.plural('signup.minutes', Math.ceil(seconds / 60)) : w.plural('signup.seconds', seconds) }))]), { 'retry-after': String(seconds) });
      return;
    }
    // Sign-ups never confirmed are forgotten once their link has expired: an address nobody
    // confirmed is not kept longer than that.
    const all = await options.store.subscribers();
    for (const stale of all.filter((s) => s.state === 'pending' && s.source === 'self-service' && s.createdAt + options.email.confirmWithinMs <= at && s.id !== id)) {
      await options.store.deleteSubscriber(stale.id);
    }
    const existing = all.find((s) => s.id === id);
    const input = { site: options.site, ...(options.site.language ? { language: options.site.language } : {}), from: options.email.from, to: address, subscriberId: id, secret: options.email.secret, components: components.map((c) => componentName.get(c)!) };
    let mail: MailRequest;
    if (existing?.state === 'confirmed') {
      mail = alreadySubscribedMail({ ...input, components: existing.components?.map((c) => componentName.get(c) ?? c) ?? [] });
    } else {
      await options.store.saveSubscriber({ id, channel: 'email', address, components: components.length > 0 ? components : null, state: 'pending', source: 'self-service', createdAt: at, confirmedAt: null });
      mail = confirmationMail({ ...input, expires: at + options.email.confirmWithinMs });
    }
    const outcome = await options.sendMail(mail).catch((error: unknown): SendOutcome => ({ ok: false, answer: (error as Error).message, retryable: true }));
    if (!outcome.ok) {
      stats.mailFailed++;
      options.logger?.error('subscribe-mail-failed', `a subscription mail could not be sent: ${outcome.answer}`, { subscriber: id.slice(0, 18) });
      send(res, 503, await page([h('p', { role: 'alert' }, w.t('signup.mailFailed'))]), { 'retry-after': '300' });
      return;
    }
    stats.subscribed++;
    options.logger?.info('subscribe-mail-sent', 'a subscription mail was sent', { subscriber: id.slice(0, 18) });
    send(res, 200, await page([h('h3', null, w.t('signup.checkInbox')), h('p', { role: 'status' }, w.t('signup.sent', { address }))]));
  }

  async function confirm(req: IncomingMessage, url: URL, res: ServerResponse, method: string): Promise<void> {
    const body = method === 'POST' ? await readForm(req) : new URLSearchParams();
    const token = url.searchParams.get('token') ?? body.get('token') ?? '';
    const check = verifyToken(options.email.secret, 'confirm', token, now());
    const subscriber = check.ok ? await findSubscriber(check.id) : undefined;
    if (!check.ok || !subscriber) {
      const why = w.t(check.ok ? 'signup.gone' : check.reason === 'expired' ? 'signup.expired' : 'signup.invalid');
      send(res, check.ok || check.reason === 'expired' ? 410 : 400, await page([h('p', { role: 'alert' }, w.t('signup.again', { why })), ...form()]));
      return;
    }
    if (method === 'GET' && subscriber.state !== 'confirmed') {
      // A page with a button, as for unsubscribing: mail scanners and link previews open (GET, HEAD)
      // every link in a mail, and that must not confirm an address its owner never saw.
      send(res, 200, await page([h('p', null, w.t('signup.confirmQuestion', { address: subscriber.address })), h('form', { method: 'post' }, h('input', { type: 'hidden', name: 'token', value: token }), h('button', { type: 'submit' }, w.t('signup.confirm')))]));
      return;
    }
    if (subscriber.state !== 'confirmed') {
      await options.store.saveSubscriber({ ...subscriber, state: 'confirmed', confirmedAt: now() });
      stats.confirmed++;
      options.logger?.info('subscribe-confirmed', 'a subscription was confirmed', { subscriber: subscriber.id.slice(0, 18) });
    }
    const scope = scopeWords(w, subscriber.components?.map((c) => componentName.get(c) ?? c) ?? []);
    send(res, 200, await page([h('h3', null, w.t('signup.subscribed')), h('p', { role: 'status' }, w.t('signup.willGet', { scope }))]));
  }

  async function unsubscribe(req: IncomingMessage, url: URL, res: ServerResponse, method: string): Promise<void> {
    const body = method === 'POST' ? await readForm(req) : new URLSearchParams();
    const token = url.searchParams.get('token') ?? body.get('token') ?? '';
    const check = verifyToken(options.email.secret, 'unsubscribe', token, now());
    if (!check.ok) {
      send(res, 400, await page([h('p', { role: 'alert' }, w.t('signup.badUnsubscribe'))]));
      return;
    }
    if (method === 'GET') {
      // A page with a button: mail scanners open links, and opening one must not unsubscribe anybody.
      send(res, 200, await page([h('p', null, w.t('signup.stopQuestion')), h('form', { method: 'post' }, h('input', { type: 'hidden', name: 'token', value: token }), h('button', { type: 'submit' }, w.t('signup.unsubscribe')))]));
      return;
    }
    if (check.id.startsWith('email:') && (await options.store.deleteSubscriber(check.id))) {
      stats.unsubscribed++;
      options.logger?.info('unsubscribed', 'a subscriber unsubscribed', { subscriber: check.id.slice(0, 18) });
    }
    send(res, 200, await page([h('h3', null, w.t('signup.unsubscribed')), h('p', { role: 'status' }, w.t('signup.unsubscribedText'))]));
  }

  async function answer(req: IncomingMessage, res: ServerResponse, route: Route, url: URL, method: string): Promise<void> {
    try {
      if (route === 'form') {
        if (method === 'POST') return await subscribe(req, res);
        return send(res, 200, await page(form()));
      }
      if (route === 'confirm') return await confirm(req, url, res, method);
      return await unsubscribe(req, url, res, method);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      send(res, error.status, await page([h('p', { role: 'alert' }, error.message)]), error.status === 413 || error.status === 408 ? { connection: 'close' } : {});
    }
  }

  return {
    stats,
    handle(req, res) {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://local');
      } catch {
        return false;
      }
      const route = routeOf(url.pathname);
      if (!route) return false;
      const method = req.method ?? 'GET';
      const allowed = ['GET', 'HEAD', 'POST'];
      if (!allowed.includes(method)) {
        res.writeHead(405, { allow: allowed.join(', '), 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
        return true;
      }
      answer(req, res, route, url, method === 'HEAD' ? 'GET' : method).catch((error: unknown) => {
        options.logger?.error('subscribe-failed', `a subscription request failed: ${(error as Error).message}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('internal error\n');
      });
      return true;
    },
  };
}
