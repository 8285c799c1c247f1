// Each provider's rendering, table-tested against expected-output files: every provider × every
// message case, compared exactly (an HTTP request, or for email the mail). Nothing is rewritten unless
// asked: UPDATE_EXPECTED=1 writes the files and still fails the run, so a changed payload is always
// looked at in the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createTransport } from 'nodemailer';
import { describe, expect, test } from 'vitest';
import { EMAIL_LIMITS } from '../../../src/notify/providers/email.ts';
import { providerForKind, providerKinds, providers } from '../../../src/notify/providers/index.ts';
import type { NotifyEvent, OutgoingMessage, Provider, RenderedRequest } from '../../../src/notify/types.ts';
import { CASES, EPOCH, HTTP_KINDS, SITE, TARGETS } from './fixtures.ts';

type Mail = Extract<RenderedRequest, { type: 'mail' }>;

const EXPECTED = new URL('./expected/', import.meta.url);
const SCHEMA_FILE = new URL('../../../public/schemas/notify-webhook-v2.json', import.meta.url);

function provider(kind: string): Provider {
  const found = providerForKind(kind);
  if (!found) throw new Error(`no provider ${kind}`);
  return found;
}

function renderAny(kind: string, message: OutgoingMessage, target: unknown = TARGETS[kind]): RenderedRequest {
  const p = provider(kind);
  return p.render(message, p.schema.parse(target));
}

function render(kind: string, message: OutgoingMessage, target: unknown = TARGETS[kind]): Extract<RenderedRequest, { type: 'http' }> {
  const request = renderAny(kind, message, target);
  if (request.type !== 'http') throw new Error(`${kind} renders ${request.type}, not http`);
  return request;
}

function renderMail(message: OutgoingMessage, target: unknown = TARGETS.email): Mail {
  const request = renderAny('email', message, target);
  if (request.type !== 'mail') throw new Error(`email renders ${request.type}, not a mail`);
  return request;
}

const body = (request: { body: string }) => JSON.parse(request.body) as Record<string, any>;

/** Everything a request carries, as one text: what a leak check must search. */
const everything = (request: RenderedRequest) => JSON.stringify(request);

function fileText(request: RenderedRequest): string {
  if (request.type === 'mail') {
    // The text part line by line, for a readable diff; joining the lines gives it back exactly.
    const { type, from, to, subject, headers, text, html } = request;
    return `${JSON.stringify({ type, from, to, subject, headers, text: text.split('\n'), html }, null, 2)}\n`;
  }
  // The body is sent as compact JSON; the file holds it parsed, for a readable diff.
  expect(JSON.stringify(JSON.parse(request.body))).toBe(request.body);
  return `${JSON.stringify({ url: request.url, method: request.method, headers: request.headers, body: JSON.parse(request.body) }, null, 2)}\n`;
}

function compareWithFile(name: string, request: RenderedRequest) {
  const actual = fileText(request);
  const file = new URL(name, EXPECTED);
  if (process.env.UPDATE_EXPECTED === '1') {
    const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (before !== actual) {
      writeFileSync(file, actual);
      throw new Error(`${name} rewritten (UPDATE_EXPECTED=1): review the diff, then run again without it`);
    }
    return;
  }
  if (!existsSync(file)) throw new Error(`${name} is missing: run with UPDATE_EXPECTED=1 to write it, then review it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('rendering matches the expected files exactly', () => {
  const table = providerKinds.flatMap((kind) => Object.keys(CASES).map((name) => [kind, name] as const));
  test.each(table)('%s: %s', (kind, name) => {
    compareWithFile(`${kind}-${name}.json`, renderAny(kind, CASES[name]!));
  });
  test.each(['one-down', 'resolution', 'subscriber-post', 'tls-expiry'])('webhook, format statuspage: %s', (name) => {
    compareWithFile(`webhook-statuspage-${name}.json`, render('webhook', CASES[name]!, { ...(TARGETS.webhook as object), format: 'statuspage' }));
  });
  test('email, to one subscriber: to the subscriber alone, with the one-click unsubscribe headers (RFC 8058)', () => {
    const subscriber = { address: 'reader@example.org', unsubscribeUrl: 'https://status.chat.example/subscribe/unsubscribe/?token=t0k3n' };
    compareWithFile('email-subscriber-mail.json', renderMail({ ...CASES['subscriber-post']!, subscriber }));
  });
  test('rendering is pure: the same message renders the same bytes twice', () => {
    for (const kind of providerKinds) expect(renderAny(kind, CASES['ten-checks']!), kind).toEqual(renderAny(kind, CASES['ten-checks']!));
  });
});

describe('registry', () => {
  test('lists the eight providers, once each, with documented keys: seven send HTTP requests, email a mail', () => {
    expect([...providerKinds].sort()).toEqual(['discord', 'email', 'mattermost', 'ntfy', 'pagerduty', 'slack', 'teams', 'webhook']);
    expect(new Set(providerKinds).size).toBe(providers.length);
    for (const kind of providerKinds) expect(renderAny(kind, CASES['one-down']!).type, kind).toBe((HTTP_KINDS as readonly string[]).includes(kind) ? 'http' : 'mail');
    expect(providerForKind('telegram')).toBeUndefined();
    for (const p of providers) {
      expect(p.keys.filter((key) => key.required).length).toBeGreaterThan(0);
      for (const key of p.keys) expect(key.description.length).toBeGreaterThan(10);
    }
  });

  test('schemas are strict and say what is wrong', () => {
    expect(provider('slack').schema.safeParse({ url: 'https://hooks.slack.com/x', channle: '#ops' }).success).toBe(false);
    expect(provider('webhook').schema.safeParse({ url: 'https://user:pw@hooks.example/x' }).success).toBe(false);
    expect(provider('webhook').schema.safeParse({ url: 'ftp://hooks.example/x' }).success).toBe(false);
    const short = provider('webhook').schema.safeParse({ url: 'https://hooks.example/x', secret: 'short' });
    expect(short.success).toBe(false);
    expect(JSON.stringify(short.error?.issues)).toContain('at least 16 characters');
    expect(provider('pagerduty').schema.safeParse({ routingKey: 'not-a-key' }).success).toBe(false);
    expect(provider('ntfy').schema.parse({ topic: 'alerts' })).toEqual({ topic: 'alerts', url: 'https://ntfy.sh' });
    expect(provider('pagerduty').schema.parse({ routingKey: '0123456789abcdef0123456789abcdef' })).toMatchObject({ url: 'https://events.pagerduty.com/v2/enqueue' });
  });

  test('private values cover every URL, token and key of a target, and for email the server, login and recipients', () => {
    let checked = 0;
    for (const kind of providerKinds) {
      const p = provider(kind);
      const target = p.schema.parse(TARGETS[kind]) as Record<string, unknown>;
      const secrets = p.privateValues(target);
      for (const key of ['url', 'secret', 'token', 'routingKey', 'topic', 'host', 'user', 'password', 'to']) {
        const value = (TARGETS[kind] as Record<string, unknown>)[key];
        for (const one of Array.isArray(value) ? value : [value]) {
          if (typeof one !== 'string') continue;
          expect(secrets, `${kind}.${key}`).toContain(one);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(providerKinds.length + 5); // at least one per target, five more for email
    // The sender's address is public (every subscriber sees it), so it is not among them.
    expect(provider('email').privateValues(provider('email').schema.parse(TARGETS.email))).not.toContain((TARGETS.email as { from: string }).from);
  });
});

describe('webhook body against its published JSON Schema', () => {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  ajv.addFormat('date-time', { validate: (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s)) });
  ajv.addFormat('uri', { validate: (s: string) => URL.canParse(s) });
  const validate = ajv.compile(schema);

  test.each(Object.keys(CASES))('%s validates', (name) => {
    const payload = body(render('webhook', CASES[name]!));
    const valid = validate(payload);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(payload.$schema).toBe('https://status.chat.example/schemas/notify-webhook-v2.json');
    expect(payload.idempotencyKey).toBe(CASES[name]!.idempotencyKey);
  });

  test('the schema refuses what it must (it is not vacuous)', () => {
    const payload = body(render('webhook', CASES['one-down']!));
    expect(validate({ ...payload, schemaVersion: 1 })).toBe(false);
    expect(validate({ ...payload, events: [{ ...payload.events[0], severity: 'fatal' }] })).toBe(false);
    expect(validate({ ...payload, events: [{ ...payload.events[0], at: '15/01/2026' }] })).toBe(false);
    expect(validate({ ...payload, extra: true })).toBe(false);
    expect(validate({ ...payload, events: [] })).toBe(false);
  });

  test('a site without a public address sends no $schema and still validates', () => {
    const payload = body(render('webhook', { ...CASES['one-down']!, site: { name: 'Internal', url: null } }));
    expect(payload.$schema).toBeUndefined();
    expect(validate(payload)).toBe(true);
  });

  test('subscriber events never name checks, even when the event carries some', () => {
    const leaky: NotifyEvent = { ...CASES['subscriber-post']!.events[0]!, checks: [{ id: 'redis-maxclients', status: 'down', message: 'internal detail' }] };
    const request = render('webhook', { ...CASES['subscriber-post']!, events: [leaky] });
    expect(request.body).not.toContain('redis-maxclients');
    expect(validate(body(request))).toBe(true);
    for (const kind of providerKinds) {
      const rendered = everything(renderAny(kind, { ...CASES['subscriber-post']!, events: [leaky] }));
      expect(rendered, kind).not.toContain('redis-maxclients');
      expect(rendered, kind).not.toContain('internal detail');
      // The same event for operators does name it: the check above is not vacuous.
      expect(everything(renderAny(kind, { ...CASES['subscriber-post']!, events: [{ ...leaky, audience: 'operators' }] })), kind).toMatch(/redis-maxclients|internal detail/);
    }
  });

  test('the published schema is in Astro public/, so the site serves it at /schemas/notify-webhook-v2.json', () => {
    expect(existsSync(SCHEMA_FILE)).toBe(true);
    expect(schema.description).toContain('X-Statuspost-Signature');
  });
});

describe('documented shapes', () => {
  test('statuspage format: component_update for a component change, incident for a post', () => {
    const component = body(render('webhook', CASES['one-down']!, { ...(TARGETS.webhook as object), format: 'statuspage' }));
    expect(Object.keys(component)).toEqual(['meta', 'page', 'component_update', 'component']);
    expect(Object.keys(component.meta)).toEqual(['unsubscribe', 'documentation']);
    expect(Object.keys(component.page)).toEqual(['id', 'status_indicator', 'status_description']);
    expect(component.component_update).toMatchObject({ new_status: 'major_outage', old_status: 'operational', component_id: 'chat-nodes' });
    expect(component.page).toMatchObject({ status_indicator: 'critical', status_description: 'Major System Outage' });
    const incident = body(render('webhook', CASES['subscriber-post']!, { ...(TARGETS.webhook as object), format: 'statuspage' }));
    expect(Object.keys(incident)).toEqual(['meta', 'page', 'incident']);
    expect(incident.incident).toMatchObject({ id: '2026-01-15-redis-failure', status: 'identified', impact: 'major' });
    expect(incident.incident.incident_updates[0]).toMatchObject({ id: 'update-2', incident_id: '2026-01-15-redis-failure', status: 'identified' });
  });

  test('PagerDuty: the resolution resolves the incident the alert triggered', () => {
    const trigger = body(render('pagerduty', CASES['one-down']!));
    const resolve = body(render('pagerduty', CASES.resolution!));
    expect(trigger).toMatchObject({ event_action: 'trigger', routing_key: '0123456789abcdef0123456789abcdef' });
    expect(trigger.payload).toMatchObject({ severity: 'critical', source: 'status.chat.example' });
    expect(resolve).toEqual({ routing_key: '0123456789abcdef0123456789abcdef', event_action: 'resolve', dedup_key: trigger.dedup_key });
    expect(body(render('pagerduty', CASES['tls-expiry']!)).payload.severity).toBe('warning');
    expect(body(render('pagerduty', CASES['ten-checks']!)).dedup_key).toBe(trigger.dedup_key);
  });

  test('webhook: configured headers are sent, but cannot replace or double ours', () => {
    const request = render('webhook', CASES['one-down']!, { url: 'https://hooks.example/x', headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer gateway-token' } });
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer gateway-token',
      'user-agent': 'statuspost-notify/1',
      'idempotency-key': 'msg-3f1c0a9d',
    });
  });

  test('Teams: a message with one Adaptive Card attachment', () => {
    const card = body(render('teams', CASES['one-down']!));
    expect(card.type).toBe('message');
    expect(card.attachments).toHaveLength(1);
    expect(card.attachments[0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { type: 'AdaptiveCard' } });
  });

  test('ntfy: priority and tags by severity, click to the component page', () => {
    expect(body(render('ntfy', CASES['one-down']!))).toMatchObject({ topic: 'chat-ops-7f3k2', priority: 5, tags: ['rotating_light', 'component'], click: 'https://status.chat.example/components/chat-nodes/' });
    expect(body(render('ntfy', CASES.resolution!))).toMatchObject({ priority: 3, tags: ['white_check_mark', 'component'] });
    expect(render('ntfy', CASES.resolution!).headers.authorization).toBe('Bearer tk_testtoken0000000000000000000');
    expect(render('ntfy', CASES.resolution!).url).toBe('https://ntfy.sh');
  });

  test('Discord: colour by severity, mentions disabled', () => {
    const critical = body(render('discord', CASES['one-down']!));
    const resolved = body(render('discord', CASES.resolution!));
    expect(critical.allowed_mentions).toEqual({ parse: [] });
    expect(critical.embeds[0].color).toBe(0xd92d20);
    expect(resolved.embeds[0].color).toBe(0x12b76a);
  });

  test('Slack and Mattermost escape markup in titles: no "<!channel>" ping from a component name', () => {
    const event: NotifyEvent = { ...CASES['one-down']!.events[0]!, title: '<!channel> & <https://evil.example|click>', checks: [] };
    const slack = body(render('slack', { ...CASES['one-down']!, events: [event] }));
    // The header is plain_text (never parsed for mentions); the rest is mrkdwn and must be escaped.
    const mrkdwn = [slack.text, ...slack.blocks.filter((b: { type: string }) => b.type !== 'header').map((b: object) => JSON.stringify(b))].join('\n');
    expect(mrkdwn).not.toContain('<!channel>');
    expect(slack.text).toContain('&lt;!channel&gt; &amp;');
    const mattermost = render('mattermost', { ...CASES['one-down']!, events: [{ ...event, title: '@channel down' }] }).body;
    expect(mattermost).not.toMatch(/@channel/);
  });
});

describe('limits: a huge message fits every service', () => {
  // 60 events with 10,000-character texts of emoji with joiners, flags and combining accents.
  const family = '👩‍👩‍👧‍👦';
  const long = `${'Chat nodes unreachable é́ 🇫🇷 '.repeat(150)}${family.repeat(1000)}`;
  const events: NotifyEvent[] = Array.from({ length: 60 }, (_, index) => ({
    ...CASES['one-down']!.events[0]!,
    key: `component:c${index}:${EPOCH}`,
    title: `${family} Component ${index}: major outage ${'x'.repeat(300)}`,
    text: long,
    components: Array.from({ length: 3 }, (_, c) => ({ id: `c${index}-${c}`, name: `Component ${index}.${c}`, status: 'major_outage' as const, previous: 'operational' as const })),
    checks: Array.from({ length: 5 }, (_, c) => ({ id: `check-${index}-${c}`, status: 'down', message: long.slice(0, 500) })),
    incidentKey: `incident:${'k'.repeat(400)}`,
  }));
  const huge: OutgoingMessage = { idempotencyKey: 'msg-huge', target: 'ops', events, site: SITE };
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  const strings = (value: unknown): string[] =>
    typeof value === 'string' ? [value] : Array.isArray(value) ? value.flatMap(strings) : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];

  test.each(providerKinds)('%s: no broken character anywhere', (kind) => {
    const request = renderAny(kind, huge);
    const texts = request.type === 'http' ? strings(body(request)) : strings(request);
    expect(texts.length).toBeGreaterThan(3);
    for (const text of texts) expect(LONE_SURROGATE.test(text)).toBe(false);
    // A cut never splits the family emoji: what remains of it is whole or gone.
    for (const text of texts) expect(text).not.toMatch(/\u200d…|\u200d$/);
  });

  test('email: a one-line subject of at most 200 characters, cut between graphemes', () => {
    for (const message of [huge, { ...CASES['one-down']!, events: [{ ...CASES['one-down']!.events[0]!, title: `${family.repeat(100)}\r\nBcc: x@evil.example` }] }]) {
      const { subject, headers } = renderMail(message);
      expect(subject.length).toBeLessThanOrEqual(EMAIL_LIMITS.subject);
      expect(subject.length).toBeGreaterThan(EMAIL_LIMITS.subject - family.length - 2); // cut near the limit, not far before it
      expect(subject).toMatch(/…$/);
      expect(LONE_SURROGATE.test(subject)).toBe(false);
      expect(subject).not.toMatch(/\u200d…/);
      for (const value of [subject, ...Object.values(headers)]) expect(value).not.toMatch(/[\r\n]/);
    }
  });

  test('email: the first events in full, the rest by title, each within bounds', () => {
    const { text } = renderMail(huge);
    expect(text.match(/^- since /gm)).toHaveLength(EMAIL_LIMITS.events);
    expect(text).toContain(`And ${huge.events.length - EMAIL_LIMITS.events} more changes`);
    expect(text).toContain(`- ${family} Component ${EMAIL_LIMITS.events}: major outage`);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(EMAIL_LIMITS.text);
  });

  test('email: even a worst-case burst, as the MIME mail a server receives, stays far under servers\' size limits', async () => {
    // 200 events, each with 40 components and 40 checks, every text emoji (the most bytes per character).
    const worst: OutgoingMessage = {
      ...huge,
      events: Array.from({ length: 200 }, (_, index) => ({
        ...huge.events[0]!,
        key: `component:w${index}:${EPOCH}`,
        title: family.repeat(100),
        text: family.repeat(3000),
        components: Array.from({ length: 40 }, (_, c) => ({ id: `w${index}-${c}`, name: family.repeat(100), status: 'major_outage' as const, url: `https://status.chat.example/components/w${index}-${c}/` })),
        checks: Array.from({ length: 40 }, (_, c) => ({ id: `check-${index}-${c}`, status: 'down', message: family.repeat(500) })),
      })),
    };
    const mail = renderMail(worst);
    // nodemailer's own MIME composer, as the email provider sends with it (no network: a stream transport).
    const { message: raw } = (await createTransport({ streamTransport: true, buffer: true }).sendMail({ ...mail })) as unknown as { message: Buffer };
    // A quarter of Postfix's default message_size_limit (10,240,000 bytes): room for smaller hosts and forwarding.
    expect(raw.length).toBeLessThanOrEqual(2_560_000);
    // RFC 5322 2.1.1: no line longer than 998 octets.
    for (const line of raw.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect(mail.text).toContain('…and 30 more checks');
    expect(mail.text).toContain('…and 125 more');
  });

  test('Slack: 50 blocks, header 150, sections 3000', () => {
    const slack = body(render('slack', huge));
    expect(slack.blocks.length).toBeLessThanOrEqual(50);
    expect(slack.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    for (const block of slack.blocks) if (block.type === 'section') expect(block.text.text.length).toBeLessThanOrEqual(3000);
    expect(slack.text.length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(slack.blocks.at(-2))).toContain('and 20 more');
  });

  test('Discord: content 2000, title 256, description 4096, 25 fields, 6000 in all', () => {
    const discord = body(render('discord', huge));
    const embed = discord.embeds[0];
    expect(discord.content.length).toBeLessThanOrEqual(2000);
    expect(embed.title.length).toBeLessThanOrEqual(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
    const total = embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((n: number, f: { name: string; value: string }) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
  });

  test('PagerDuty: summary 1024, dedup_key 255', () => {
    const pd = body(render('pagerduty', huge));
    expect(pd.payload.summary.length).toBeLessThanOrEqual(1024);
    expect(pd.dedup_key.length).toBeLessThanOrEqual(255);
    expect(pd.dedup_key).toBe(body(render('pagerduty', huge)).dedup_key);
  });

  test('ntfy: message within 4096 bytes', () => {
    const ntfy = body(render('ntfy', huge));
    expect(Buffer.byteLength(ntfy.message)).toBeLessThanOrEqual(4096);
    expect(ntfy.title.length).toBeLessThanOrEqual(250);
  });

  test('Teams: the card stays under 28 KB', () => {
    expect(Buffer.byteLength(render('teams', huge).body)).toBeLessThanOrEqual(28_000);
  });

  test('Mattermost: attachments within 7900 characters in all', () => {
    const mm = body(render('mattermost', huge));
    const size = JSON.stringify(mm.attachments.map((a: { text: string; title: string; fallback: string }) => [a.text, a.title, a.fallback])).length;
    expect(size).toBeLessThanOrEqual(7900);
  });
});
