// The whole path of a subscriber notification, with real parts on loopback: a project's
// probes/notify.yaml (loaded by the real loader), the SQLite store, sign-up and confirmation through
// the serve routes, a publish handing the next incident update to the outbox, and the real sender
// delivering it through the email provider to smtp-server (read back with mailparser, with its
// one-click unsubscribe) and to a webhook subscriber in Statuspage's format. Delivered once: a
// rebuild and a typo fix send nothing more.
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { createLogger } from '../../../src/daemon/log.ts';
import { closeEmailTransports } from '../../../src/notify/providers/email.ts';
import { providerForKind } from '../../../src/notify/providers/index.ts';
import { startSender, type ResolvedTarget } from '../../../src/notify/sender.ts';
import { startSubscriberNotifications } from '../../../src/notify/subscribers/index.ts';
import type { Incident } from '../../../src/posts/types.ts';
import { startStaticServer } from '../../../src/serve/static-server.ts';
import { subscriptionRoutes } from '../../../src/serve/subscribe.ts';
import { zoneDays } from '../../../src/status/component-days.ts';
import { buildSnapshot } from '../../../src/status/snapshot.ts';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import { tempDir } from '../../helpers/temp.ts';
import { until } from '../../helpers/until.ts';
import { startReceiver } from '../receiver.ts';
import { startSmtp } from '../smtp.ts';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const env = { ...process.env, SIGNUP_SECRET: 'deliver-test-secret-0123456789abcdef' };
const H = 3_600_000;

describe('a subscriber confirmed through serve gets the next incident update once', () => {
  it('by email with one-click unsubscribe, and a webhook subscriber in Statuspage format', async () => {
    const smtp = await startSmtp();
    const hook = await startReceiver();
    const root = await tempDir();
    await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
    await writeFile(
      join(root, 'probes/notify.yaml'),
      [
        'targets:',
        '  mail:',
        '    kind: email',
        '    host: 127.0.0.1',
        `    port: ${smtp.port}`,
        '    from: "Status <status@example.org>"',
        '    pool: false',
        'subscribers:',
        '  partner:',
        '    channel: webhook',
        '    address: ${PARTNER_WEBHOOK_URL}', // a webhook subscriber's URL is a credential: from the environment
        '    format: statuspage',
        '    components: [cache]',
        'subscriptions:',
        '  email:',
        '    target: mail',
        '    secret: ${SIGNUP_SECRET}',
        'groupWait: 0s',
        '',
      ].join('\n'),
    );
    const { config, problems } = await loadConfig(root, { ...env, PARTNER_WEBHOOK_URL: hook.url });
    expect(problems).toEqual([]);
    const notify = config!.notify!;
    const store = await openSqliteStore({ path: join(root, 'store.db') });
    await store.migrate();
    onTestFinished(async () => {
      await closeEmailTransports();
      await store.close();
    });
    const lines: string[] = [];
    const logger = createLogger({ format: 'json', write: (line) => void lines.push(line) });

    // Before anything: the daemon starts (configured subscribers get their createdAt now).
    let sender: ReturnType<typeof startSender> | undefined;
    const subscribers = await startSubscriberNotifications({ config: config!, notify, store, logger, onEnqueued: () => sender?.wake() });
    const targets = new Map<string, ResolvedTarget>(notify.targets.map((t) => [t.name, { provider: providerForKind(t.kind)!, config: t.config }]));
    sender = startSender({ store, notify, target: (name) => targets.get(name) ?? subscribers.target(name), site: { name: config!.site.title, url: config!.site.baseUrl }, logger, pollMs: 200 });
    onTestFinished(() => sender!.stop());

    // Sign-up and confirmation through the serve routes.
    const email = notify.subscriptions!.email;
    const routes = subscriptionRoutes({
      store,
      folder: join(root, 'public-site'), // nothing published: the routes answer a page of their own
      site: { title: config!.site.title, baseUrl: config!.site.baseUrl },
      components: config!.components.map((c) => ({ id: c.id, name: c.name })),
      email: { from: email.from, secret: email.secret, confirmWithinMs: email.confirmWithinMs },
      sendMail: (mail) => providerForKind('email')!.send(mail, targets.get('mail')!.config, { timeoutMs: 10_000 }),
    });
    const server = await startStaticServer({ folder: join(root, 'public-site'), routes });
    onTestFinished(() => server.close());
    const signUp = await fetch(new URL('subscribe/', server.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=reader%40example.org&components=cache' });
    expect(signUp.status).toBe(200);
    const confirm = /\/subscribe\/confirm\?token=\S+/.exec(smtp.received[0]!.mail.text!)![0];
    expect((await fetch(new URL(confirm.slice(1), server.url))).status).toBe(200); // the page with the Confirm button
    expect((await fetch(new URL(confirm.slice(1), server.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);
    expect(smtp.received).toHaveLength(1);

    // The incident was open before; its next update is written now and published.
    const start = Date.now();
    const incident = (text: string): Incident => ({
      kind: 'incident',
      slug: 'cache-refuses',
      file: 'content/incidents/cache-refuses.md',
      title: 'Sign-in fails',
      timezone: 'UTC',
      body: '',
      impact: 'major',
      startedAt: start - 2 * H,
      components: { cache: 'major_outage' },
      updates: [
        { at: start - 2 * H, status: 'investigating', body: 'Looking into it.', components: {}, signInBlocked: null },
        { at: start + 1, status: 'identified', body: text, components: {}, signInBlocked: null },
      ],
      resolvedAt: null,
      postmortemAt: null,
      signInBlocked: false,
    });
    const publish = async (post: Incident, now: number) => {
      const snapshot = buildSnapshot({ now, site: config!.site, groups: [], components: config!.components, checks: [], current: new Map(), componentDays: [], rollups: [], posts: [post], days: zoneDays('UTC'), window: 90 });
      return subscribers.onPublished({ snapshot, posts: [post], now, folder: join(root, 'public-site') });
    };
    const published = await publish(incident('The session cache refuses conections.'), start + 1000);
    expect(published).toMatchObject({ enqueued: 2, refused: 0 });

    await until(() => smtp.received.length === 2 && hook.accepted().length === 1, 30_000, 'the update by mail and webhook');
    const update = smtp.received[1]!;
    expect(update.session.to).toEqual(['reader@example.org']);
    expect(update.mail.subject).toContain('Sign-in fails: identified');
    expect(update.mail.text).toContain('The session cache refuses conections.');
    const list = update.mail.headers.get('list') as { unsubscribe?: { url: string } };
    expect(list.unsubscribe?.url).toMatch(/\/unsubscribe\?token=/);
    expect(update.mail.headerLines.find((l) => l.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    // Statuspage's subscriber webhook shape (incident with its updates).
    const body = hook.accepted()[0]!.body as unknown as { incident: { id: string; status: string; name: string } };
    expect(body.incident).toMatchObject({ id: 'cache-refuses', status: 'identified', name: 'Sign-in fails: identified' });

    // A typo fixed and a rebuild: nothing more goes out.
    const again = await publish(incident('The session cache refuses connections.'), start + 5000);
    expect(again.enqueued).toBe(0);
    await until(() => sender!.stats().pending === 0, 10_000, 'the outbox empty');
    expect(smtp.received).toHaveLength(2);
    expect(hook.accepted()).toHaveLength(1);

    // One click: the reader is gone, and the next update reaches only the webhook.
    const unsubscribed = await fetch(new URL(new URL(list.unsubscribe!.url).pathname + new URL(list.unsubscribe!.url).search, server.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(unsubscribed.status).toBe(200);
    const third = incident('The session cache refuses connections.');
    third.updates.push({ at: start + 6000, status: 'resolved', body: 'Fixed.', components: {}, signInBlocked: null });
    expect((await publish(third, start + 7000)).deliveries).toBe(1);
    await until(() => hook.accepted().length === 2, 30_000, 'the resolution by webhook');
    expect(smtp.received).toHaveLength(2);
  }, 60_000);
});
