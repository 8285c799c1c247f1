// Email sign-up in the site's language: the form `statuspost serve` puts on the subscribe page, its
// answers and the confirmation mail, in German; English stays as it was.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Language } from '../../src/i18n/languages.ts';
import type { MailRequest } from '../../src/notify/subscribers/mails.ts';
import { subscriptionRoutes } from '../../src/serve/subscribe.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { tempDir } from '../helpers/temp.ts';

async function signUp(language: Language | undefined) {
  const folder = await tempDir(); // nothing published yet: serve answers with a page of its own
  const store = await openSqliteStore({ path: join(await tempDir(), 'store.db') });
  await store.migrate();
  onTestFinished(() => store.close());
  const mails: MailRequest[] = [];
  const routes = subscriptionRoutes({
    store,
    folder,
    site: { title: 'Chatter status', baseUrl: 'https://status.example.org/', ...(language ? { language } : {}) },
    components: [{ id: 'cache', name: 'Cache' }],
    email: { from: 'status@example.org', secret: 'test-secret-0123456789abcdef', confirmWithinMs: 86_400_000 },
    // The provider's send is tested with a real SMTP server in test/serve/subscribe.test.ts; here only the words matter.
    sendMail: async (mail) => {
      mails.push(mail);
      return { ok: true, answer: '250 ok', retryable: false };
    },
  });
  const server = createServer((req, res) => {
    if (!routes.handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (email: string) => fetch(`${url}/subscribe/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email }) });
  return { form: await (await fetch(`${url}/subscribe/`)).text(), bad: await (await post('nobody')).text(), good: await (await post('ada@example.org')).text(), mails };
}

describe('email sign-up in the site’s language', () => {
  it('asks, answers and mails in German', async () => {
    const { form, bad, good, mails } = await signUp('de');
    expect(form).toContain('<html lang="de">');
    expect(form).toContain('<label for="email-address">E-Mail-Adresse</label>');
    expect(form).toContain('<button type="submit">Abonnieren</button>');
    expect(bad).toContain('Geben Sie eine E-Mail-Adresse wie name@example.org ein.');
    expect(good).toContain('Sehen Sie in Ihr Postfach');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Bestätigen Sie Ihr Abonnement von Chatter status');
    expect(mails[0]!.text).toContain('Jemand, wahrscheinlich Sie, möchte E-Mails von Chatter status über jede Störung und jede Wartung erhalten.');
    expect(mails[0]!.text).toMatch(/Öffnen Sie zum Bestätigen diesen Link vor (Mo|Di|Mi|Do|Fr|Sa|So)\., \d{1,2}\. /);
    expect(mails[0]!.text).toContain('Mit einem Klick abmelden: https://status.example.org/unsubscribe?token=');
  });

  it('keeps English without a language', async () => {
    const { form, mails } = await signUp(undefined);
    expect(form).toContain('<html lang="en">');
    expect(form).toContain('<label for="email-address">Email address</label>');
    expect(mails[0]!.subject).toBe('Confirm your subscription to Chatter status');
    expect(mails[0]!.text).toMatch(/To confirm, open this link before \w{3}, \d\d \w{3} \d{4} [\d:]{8} GMT:/);
  });
});
