// Email subscription through `statuspost serve`, end to end on loopback: a real build's subscribe
// page, a real SMTP server (smtp-server) read back with mailparser, the real email provider and the
// real SQLite store. Subscribe → confirmation mail → confirm by its link → one-click unsubscribe by
// the List-Unsubscribe-Post POST a mail client sends; expired and forged tokens; rate limits; and
// the plain static host, whose page says email is not offered.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { closeEmailTransports, emailProvider, emailTargetSchema } from '../../src/notify/providers/email.ts';
import { unsubscribeUrl } from '../../src/notify/subscribers/mails.ts';
import { emailSubscriberId, signToken } from '../../src/notify/subscribers/token.ts';
import { startStaticServer } from '../../src/serve/static-server.ts';
import { subscriptionRoutes, type SubscriptionOptions } from '../../src/serve/subscribe.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import type { Store } from '../../src/store/types.ts';
import { startSmtp, type TestSmtp } from '../notify/smtp.ts';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { CHROMIUM, openBrowser } from '../helpers/browser.ts';
import { requireProgram } from '../helpers/services.ts';
import { tempDir } from '../helpers/temp.ts';
import { BUILD_MS } from '../helpers/timeouts.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const BASE = 'https://status.example.org/';
const SECRET = 'test-secret-0123456789abcdef';
const HOUR = 3_600_000;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(server: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const { hostname, port } = new URL(server);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const form = (fields: Array<[string, string]>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** Path and query of an absolute link in a mail: the site's public address is a proxy in front of serve. */
const local = (link: string) => {
  const url = new URL(link);
  return url.pathname + url.search;
};
const chromiumFound = (await requireProgram('chromium')) === CHROMIUM;
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const linkIn = (text: string, path: string) => new RegExp(`https://status\\.example\\.org/${path}\\?token=[^\\s>]+`).exec(text)?.[0];

describe('subscribe through serve', () => {
  let root: string;
  let published: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'statuspost-subscribe-'));
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await cp(join(repo, 'content'), join(root, 'content'), { recursive: true });
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [join(repo, 'bin/statuspost.mjs'), 'build', '--root', root], (error, _stdout, stderr) => (error ? reject(new Error(stderr)) : resolve())),
    );
    published = join(root, 'public-site');
  }, BUILD_MS);
  afterAll(async () => {
    await closeEmailTransports();
    await rm(root, { recursive: true, force: true });
  });

  async function serving(smtp: TestSmtp, overrides: Partial<SubscriptionOptions> = {}) {
    const store: Store = await openSqliteStore({ path: join(await tempDir(), 'store.db') });
    await store.migrate();
    onTestFinished(() => store.close());
    const target = emailTargetSchema.parse({ host: '127.0.0.1', port: smtp.port, from: 'Status <status@example.org>', pool: false });
    let clock = Date.now();
    const routes = subscriptionRoutes({
      store,
      folder: published,
      site: { title: 'Chatter status', baseUrl: BASE },
      components: [
        { id: 'cache', name: 'Session cache' },
        { id: 'chat-nodes', name: 'Chat nodes' },
      ],
      email: { from: 'Status <status@example.org>', secret: SECRET, confirmWithinMs: 24 * HOUR },
      sendMail: (mail) => emailProvider.send(mail, target, { timeoutMs: 10_000 }),
      now: () => clock,
      ...overrides,
    });
    const server = await startStaticServer({ folder: published, routes });
    onTestFinished(() => server.close());
    return { url: server.url, store, routes, advance: (ms: number) => (clock += ms) };
  }

  it('a plain static host: the subscribe page lists the feeds and says email is not offered', async () => {
    const server = await startStaticServer({ folder: published });
    onTestFinished(() => server.close());
    const page = await call(server.url, '/subscribe/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Email notifications are not offered here');
    expect(page.body).toMatch(/href="[^"]*rss\.xml"/);
    expect(page.body).toMatch(/href="[^"]*maintenance\.ics"/);
    expect(page.body).not.toContain('<form');
    const post = await call(server.url, '/subscribe/', { method: 'POST', headers: FORM, body: form([['email', 'a@example.org']]) });
    expect(post.status).toBe(405);
  });

  it('subscribe → confirmation mail → confirm by its link → one-click unsubscribe', async () => {
    const smtp = await startSmtp();
    const { url, store } = await serving(smtp);

    const page = await call(url, '/subscribe/');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('not offered');
    expect(page.body).toMatch(/<form method="post">/);
    expect(page.body).toContain('<label for="email-address">Email address</label>');
    expect(page.body).toContain('name="components" value="cache"');
    expect(page.body).toContain('<footer'); // the site's own layout around the form

    const sent = await call(url, '/subscribe/', { method: 'POST', headers: { ...FORM, origin: url.replace(/\/$/, '') }, body: form([['email', 'Reader@Example.org'], ['components', 'cache']]) });
    expect(sent.status).toBe(200);
    expect(sent.body).toContain('Check your inbox');
    expect(smtp.received).toHaveLength(1);
    const confirmation = smtp.received[0]!.mail;
    expect(smtp.received[0]!.session.to.map((a) => a.toLowerCase())).toEqual(['reader@example.org']);
    expect(confirmation.subject).toBe('Confirm your subscription to Chatter status');
    const list = confirmation.headers.get('list') as { unsubscribe?: { url: string } } | undefined;
    expect(list?.unsubscribe?.url).toMatch(/^https:\/\/status\.example\.org\/unsubscribe\?token=/);
    expect(confirmation.headerLines.find((line) => line.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const id = emailSubscriberId('reader@example.org');
    expect(await store.subscribers()).toMatchObject([{ id, state: 'pending', components: ['cache'], source: 'self-service' }]);

    const confirmLink = linkIn(confirmation.text!, 'subscribe/confirm');
    expect(confirmLink).toBeDefined();
    // Opening the link (a person, or a mail scanner or link preview: GET, HEAD) confirms nobody: the
    // page asks, and its button confirms.
    const opened = await call(url, local(confirmLink!));
    expect(opened.status).toBe(200);
    expect(opened.body).toMatch(/<form method="post"><input type="hidden" name="token" value="[^"]+"><button type="submit">Confirm<\/button><\/form>/);
    expect(opened.body).toMatch(/reader@example\.org/i);
    expect((await call(url, local(confirmLink!), { method: 'HEAD' })).status).toBe(200);
    expect((await store.subscribers())[0]).toMatchObject({ id, state: 'pending' });
    const token = /name="token" value="([^"]+)"/.exec(opened.body)![1]!;
    const confirmed = await call(url, '/subscribe/confirm', { method: 'POST', headers: FORM, body: form([['token', token.replaceAll('&amp;', '&')]]) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toContain('Subscribed');
    expect(confirmed.body).toContain('Session cache');
    expect(confirmed.headers['referrer-policy']).toBe('same-origin');
    expect((await store.subscribers())[0]).toMatchObject({ id, state: 'confirmed' });

    // A mail scanner opening the unsubscribe link changes nothing: the page asks.
    const unsubscribe = list!.unsubscribe!.url;
    const asked = await call(url, local(unsubscribe));
    expect(asked.status).toBe(200);
    expect(asked.body).toMatch(/<form method="post"><input type="hidden" name="token" value="[^"]+"><button type="submit">Unsubscribe<\/button><\/form>/);
    expect(await store.subscribers()).toHaveLength(1);

    // RFC 8058: the mail client POSTs List-Unsubscribe=One-Click to the link, from its own servers.
    const oneClick = await call(url, local(unsubscribe), { method: 'POST', headers: FORM, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    expect(oneClick.body).toContain('Unsubscribed');
    expect(await store.subscribers()).toEqual([]);
  });

  it('the same answer whether or not the address is subscribed; a subscribed address gets a note, not a new confirmation', async () => {
    const smtp = await startSmtp();
    const { url, store } = await serving(smtp);
    const id = emailSubscriberId('known@example.org');
    await store.saveSubscriber({ id, channel: 'email', address: 'known@example.org', components: null, state: 'confirmed', source: 'self-service', createdAt: Date.now() - HOUR, confirmedAt: Date.now() - HOUR });
    const known = await call(url, '/subscribe/', { method: 'POST', headers: FORM, body: form([['email', 'known@example.org'], ['components', 'cache']]) });
    const fresh = await call(url, '/subscribe/', { method: 'POST', headers: FORM, body: form([['email', 'fresh@example.org']]) });
    expect(known.status).toBe(fresh.status);
    const words = (body: string) => body.replace(/known@example\.org|fresh@example\.org/g, 'ADDRESS');
    expect(words(known.body)).toBe(words(fresh.body));
    expect(smtp.received.map((r) => r.mail.subject)).toEqual(['You are subscribed to Chatter status', 'Confirm your subscription to Chatter status']);
    expect((await store.subscribers()).find((s) => s.id === id)).toMatchObject({ state: 'confirmed', components: null }); // unchanged
  });

  it('expired and forged tokens are refused', async () => {
    const smtp = await startSmtp();
    const { url, store, advance } = await serving(smtp);
    await call(url, '/subscribe/', { method: 'POST', headers: FORM, body: form([['email', 'late@example.org']]) });
    const link = linkIn(smtp.received[0]!.mail.text!, 'subscribe/confirm')!;
    advance(24 * HOUR + 1);
    const expired = await call(url, local(link));
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('expired');
    const id = emailSubscriberId('late@example.org');
    expect((await store.subscribers())[0]).toMatchObject({ id, state: 'pending' });

    // A later sign-up (of anyone) forgets sign-ups whose link has expired.
    await call(url, '/subscribe/', { method: 'POST', headers: FORM, body: form([['email', 'someone-else@example.org']]) });
    expect((await store.subscribers()).map((s) => s.id)).toEqual([emailSubscriberId('someone-else@example.org')]);
    await store.deleteSubscriber(emailSubscriberId('someone-else@example.org'));
    advance(-(24 * HOUR + 1));
    await store.saveSubscriber({ id, channel: 'email', address: 'late@example.org', components: null, state: 'pending', source: 'self-service', createdAt: Date.now(), confirmedAt: null });

    const forged = signToken('another-secret-000000000000', 'confirm', id, Date.now() + HOUR);
    expect((await call(url, `/subscribe/confirm?token=${encodeURIComponent(forged)}`)).status).toBe(400);
    // A valid unsubscribe token is not a confirmation token.
    const wrongPurpose = signToken(SECRET, 'unsubscribe', id, 0);
    expect((await call(url, `/subscribe/confirm?token=${encodeURIComponent(wrongPurpose)}`)).status).toBe(400);
    const tampered = link.replace(/\.(\d+)\./, (_m, expires: string) => `.${Number(expires) + 48 * HOUR}.`);
    expect((await call(url, local(tampered))).status).toBe(400);
    expect((await store.subscribers())[0]).toMatchObject({ state: 'pending' });

    const badUnsubscribe = await call(url, `/unsubscribe?token=${encodeURIComponent(signToken('another-secret-000000000000', 'unsubscribe', id, 0))}`, { method: 'POST', headers: FORM, body: 'List-Unsubscribe=One-Click' });
    expect(badUnsubscribe.status).toBe(400);
    expect(await store.subscribers()).toHaveLength(1);
    // The real one works.
    expect((await call(url, local(unsubscribeUrl(BASE, SECRET, id)), { method: 'POST', headers: FORM, body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    expect(await store.subscribers()).toEqual([]);
  });

  it('past the limit per address, 429 and no more mail; another client is limited on its own', async () => {
    const smtp = await startSmtp();
    const { url, routes, advance } = await serving(smtp, { perAddress: { capacity: 2, refillMs: HOUR }, perClient: { capacity: 4, refillMs: HOUR } });
    const send = (address: string) => call(url, '/subscribe/', { method: 'POST', headers: FORM, body: form([['email', address]]) });
    expect((await send('victim@example.org')).status).toBe(200);
    expect((await send('VICTIM@example.org')).status).toBe(200);
    const limited = await send('victim@example.org');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(smtp.received).toHaveLength(2);
    // Per client (every attempt counts, refused ones too): one more address, then none.
    expect((await send('other@example.org')).status).toBe(200);
    expect((await send('third@example.org')).status).toBe(429);
    expect(smtp.received).toHaveLength(3);
    expect(routes.stats.limited).toBe(2);
    advance(HOUR);
    expect((await send('victim@example.org')).status).toBe(200);
    expect(smtp.received).toHaveLength(4);
  });

  it('refuses cross-site posts, bodies over the cap, other encodings, and escapes what was typed', async () => {
    const smtp = await startSmtp();
    const { url } = await serving(smtp);
    const crossSite = await call(url, '/subscribe/', { method: 'POST', headers: { ...FORM, origin: 'https://evil.example.net' }, body: form([['email', 'a@example.org']]) });
    expect(crossSite.status).toBe(403);
    const fetchMetadata = await call(url, '/subscribe/', { method: 'POST', headers: { ...FORM, 'sec-fetch-site': 'cross-site' }, body: form([['email', 'a@example.org']]) });
    expect(fetchMetadata.status).toBe(403);
    const nullOrigin = await call(url, '/subscribe/', { method: 'POST', headers: { ...FORM, origin: 'null' }, body: form([['email', 'a@example.org']]) });
    expect(nullOrigin.status).toBe(403);
    const big = await call(url, '/subscribe/', { method: 'POST', headers: FORM, body: form([['email', 'a@example.org'], ['x', 'y'.repeat(20_000)]]) });
    expect(big.status).toBe(413);
    const json = await call(url, '/subscribe/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"a@example.org"}' });
    expect(json.status).toBe(415);
    const nasty = await call(url, '/subscribe/', { method: 'POST', headers: FORM, body: form([['email', '"><script>alert(1)</script>']]) });
    expect(nasty.status).toBe(400);
    expect(nasty.body).not.toContain('<script>alert(1)</script>');
    expect(nasty.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(smtp.received).toHaveLength(0);
  });

  it.skipIf(!chromiumFound)('the form works without JavaScript, by its labels, and axe finds no violation', async () => {
    const smtp = await startSmtp();
    const { url } = await serving(smtp);
    const page = await (await openBrowser({ javaScriptEnabled: false })).newPage();
    await page.goto(`${url}subscribe/`);
    await page.getByLabel('Email address').fill('browser@example.org');
    await page.getByLabel('Session cache').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('status').textContent()).toContain('browser@example.org');
    expect(smtp.received).toHaveLength(1);

    const checked = await (await openBrowser()).newPage();
    await checked.goto(`${url}subscribe/`);
    await checked.addScriptTag({ content: axeSource });
    const violations = await checked.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> } }).axe;
      const result = await axe.run({ runOnly: ['wcag2a', 'wcag2aa'] });
      return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
    });
    expect(violations).toEqual([]);
  });
});
