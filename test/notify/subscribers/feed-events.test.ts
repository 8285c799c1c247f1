// Feed items → subscriber events: keys from the items' stable ids (a typo edit and a rebuild send
// nothing new), the site's leak scan on every message, component filters, and no flood when a
// subscriber (or the whole feature) is new. The outbox is the real SQLite store.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { nextWindowHistory } from '../../../src/feeds/ics.ts';
import type { Logger } from '../../../src/daemon/log.ts';
import { feedEvents, feedNotifier, messageTexts, outboxEntries, scanEvents, subscriberTarget, subscriberWants, syncConfiguredSubscribers } from '../../../src/notify/subscribers/feed-events.ts';
import type { ConfiguredSubscriber, NotifyEvent } from '../../../src/notify/types.ts';
import type { Maintenance, Post } from '../../../src/posts/types.ts';
import { openSqliteStore } from '../../../src/store/sqlite.ts';
import type { Store, Subscriber } from '../../../src/store/types.ts';
import { BASE_URL, H, feedContext, incident, maintenance } from '../../feeds/context.ts';
import { postgresReachable } from '../../helpers/postgres.ts';
import { dropTestStores, openTestPostgresStore } from '../../helpers/postgres-store.ts';
import { tempDir } from '../../helpers/temp.ts';

const NOW = Date.now();
const update = (at: number, status: 'investigating' | 'identified' | 'monitoring' | 'resolved', body: string) => ({ at, status, body, components: {}, signInBlocked: null });

const redis = (body1 = 'We are looking into failed sign-ins.') =>
  incident('redis-down', {
    startedAt: NOW - 3 * H,
    impact: 'major',
    components: { cache: 'major_outage' },
    updates: [update(NOW - 3 * H, 'investigating', body1), update(NOW - 2 * H, 'resolved', 'Sign-in works again.')],
    resolvedAt: NOW - 2 * H,
    postmortemAt: NOW - H,
    body: '## What happened\nRedis reached maxclients.',
  });

const window = (extra: Partial<Maintenance> = {}) => maintenance('db-upgrade', { announcedAt: NOW - 2 * H, startsAt: NOW + 5 * H, endsAt: NOW + 6 * H, components: ['chat-nodes'], ...extra });

const events = (posts: Post[], now = NOW, windows = {}) => feedEvents(feedContext(now, posts), windows, now);
const keys = (list: NotifyEvent[]) => list.map((e) => e.key).sort();

const subscriber = (id: string, extra: Partial<Subscriber> = {}): Subscriber => ({
  id,
  channel: 'email',
  address: `${id}@example.org`,
  components: null,
  state: 'confirmed',
  source: 'self-service',
  createdAt: NOW - 30 * 24 * H,
  confirmedAt: NOW - 30 * 24 * H,
  ...extra,
});

function recordingLogger(): Logger & { lines: Array<{ level: string; event: string; message: string }> } {
  const lines: Array<{ level: string; event: string; message: string }> = [];
  const log = (level: string) => (event: string, message: string) => void lines.push({ level, event, message });
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

async function sqliteStore(): Promise<Store> {
  const store = await openSqliteStore({ path: join(await tempDir(), 'store.db') });
  onTestFinished(() => store.close());
  await store.migrate();
  return store;
}

async function postgresStore(): Promise<Store> {
  const store = await openTestPostgresStore(); // closed and dropped by dropTestStores
  await store.migrate();
  return store;
}

const postgresUp = await postgresReachable();

describe('feed items become subscriber events', () => {
  it('one event per item, keyed on the item, carrying only what the site publishes', () => {
    const list = events([redis(), window()]);
    expect(keys(list)).toEqual([
      'post:incident:redis-down#postmortem',
      'post:incident:redis-down#update-1',
      'post:incident:redis-down#update-2',
      'post:maintenance:db-upgrade#announced',
    ]);
    const first = list.find((e) => e.key.endsWith('update-1'))!;
    expect(first).toMatchObject({ kind: 'post', audience: 'subscribers', severity: 'critical', at: NOW - 3 * H, url: `${BASE_URL}incidents/redis-down/` });
    expect(first.text).toBe('We are looking into failed sign-ins.');
    expect(first.components).toEqual([{ id: 'cache', name: 'Session cache', status: expect.any(String), url: `${BASE_URL}components/cache/` }]);
    expect(first.post).toEqual({ id: 'redis-down', kind: 'incident', status: 'investigating', updateId: 'update-1' });
    expect(first.checks).toBeUndefined();
    expect(list.find((e) => e.key.endsWith('update-2'))!.severity).toBe('resolved');
  });

  it('editing a typo and rebuilding gives the same keys; a new update gives one new key', () => {
    const before = keys(events([redis('We are lookign into failed sign-ins.')]));
    const after = keys(events([redis('We are looking into failed sign-ins.')], NOW + 60_000));
    expect(after).toEqual(before);
    const more = redis();
    more.updates.push(update(NOW - 30 * 60_000, 'monitoring', 'Watching.'));
    expect(keys(events([more], NOW + 60_000)).filter((k) => !before.includes(k))).toEqual(['post:incident:redis-down#update-3']);
  });

  it('moving, cancelling, starting and completing a maintenance each give an event', () => {
    const announced = window();
    const windows1 = nextWindowHistory({}, [announced], NOW - H);
    const moved = window({ startsAt: NOW + 7 * H, endsAt: NOW + 8 * H });
    const windows2 = nextWindowHistory(windows1, [moved], NOW - 30 * 60_000);
    const cancelled = window({ startsAt: NOW + 7 * H, endsAt: NOW + 8 * H, cancelled: true });
    const windows3 = nextWindowHistory(windows2, [cancelled], NOW - 10 * 60_000);
    expect(keys(events([cancelled], NOW, windows3))).toEqual(['post:maintenance:db-upgrade#announced', 'post:maintenance:db-upgrade#change-1', 'post:maintenance:db-upgrade#change-2']);
    expect(events([cancelled], NOW, windows3).map((e) => [e.title, e.post!.status])).toEqual([
      ['Scheduled maintenance: Window db-upgrade', 'scheduled'],
      ['Rescheduled: Window db-upgrade', 'scheduled'],
      ['Cancelled: Window db-upgrade', 'cancelled'],
    ]);
    const ran = window({ startsAt: NOW - H, endsAt: NOW - 10 * 60_000, updates: [{ at: NOW - H, status: 'in_progress', body: 'Started.' }, { at: NOW - 30 * 60_000, status: null, body: 'Half way.' }, { at: NOW - 10 * 60_000, status: 'completed', body: 'Done.' }] });
    const statuses = events([ran]).map((e) => e.post!.status);
    expect(statuses).toEqual(['scheduled', 'in_progress', 'in_progress', 'completed']);
  });

  it('items older than the horizon, and items not yet due, are no events', () => {
    const old = incident('old', { startedAt: NOW - 30 * 24 * H, updates: [update(NOW - 30 * 24 * H, 'resolved', 'Long ago.')] });
    expect(events([old])).toEqual([]);
  });
});

describe('the leak scan', () => {
  it('refuses an event whose text carries a private value, in any spelling, and passes the others', () => {
    const leaking = incident('leak', { startedAt: NOW - H, updates: [update(NOW - H, 'investigating', 'The node REDIS-7.INTERNAL.example.net is down.')] });
    const list = events([leaking, redis()]);
    const { clean, refused } = scanEvents(list, ['redis://:s3cretpass@redis-7.internal.example.net:6379'], BASE_URL, 'Chatter status');
    expect(refused.map((r) => r.event.key)).toEqual(['post:incident:leak#update-1']);
    expect(refused[0]!.leaks[0]).toMatchObject({ part: 'host' });
    expect(clean).toHaveLength(list.length - 1);
  });

  it('scans the message as each provider renders it for a subscriber (mail, both webhook bodies, Slack)', () => {
    const event = events([redis()])[0]!;
    const texts = messageTexts(event, { name: 'Chatter status', url: BASE_URL });
    expect(texts).toContain(`[Chatter status] ${event.title}`); // the mail's subject
    expect(texts).toContain('"incident_updates"'); // Statuspage's body
    expect(texts).toContain('notify-webhook-v2.json'); // statuspost's own webhook body
    expect(texts.split('\n').length).toBeGreaterThan(10);
  });

  it('the site address itself is public', () => {
    const { refused } = scanEvents(events([redis()]), [BASE_URL.replace(/\/$/, '')], BASE_URL, 'Chatter status');
    expect(refused).toEqual([]);
  });

  it('a leaking message is not sent, and an error names the event but not the value', async () => {
    const store = await sqliteStore();
    const logger = recordingLogger();
    const folder = await tempDir();
    const notifier = feedNotifier({ store, logger, subscribers: [{ name: 'ops-list', channel: 'email', address: 'ops@example.org', components: null, format: 'statuspost', via: 'mail' }], privateValues: ['s3cret-token-42'], siteBaseUrl: BASE_URL });
    await notifier({ snapshot: feedContext(NOW - 24 * H, []).snapshot, posts: [], now: NOW - 24 * H, folder }); // the subscriber is made before the items
    const leaking = incident('leak', { startedAt: NOW - H, updates: [update(NOW - H, 'investigating', 'Token s3cret-token-42 expired.')] });
    const result = await notifier({ snapshot: feedContext(NOW, [leaking]).snapshot, posts: [leaking], now: NOW, folder });
    expect(result).toMatchObject({ refused: 1, enqueued: 0 });
    expect(await store.events({ since: 0, audience: 'subscribers' })).toEqual([]);
    const error = logger.lines.find((l) => l.event === 'notify-leak-refused')!;
    expect(error.level).toBe('error');
    expect(error.message).toContain('post:incident:leak#update-1');
    expect(error.message).not.toContain('s3cret');
  });
});

describe('who gets what', () => {
  const list = events([redis(), window()]);
  const about = (component: string) => list.filter((e) => e.components.some((c) => c.id === component)).map((e) => e.key);

  it('a components filter keeps its own components; none means all', () => {
    const cacheOnly = subscriber('cache-only', { components: ['cache'] });
    const everything = subscriber('everything');
    const entries = outboxEntries(list, [cacheOnly, everything]);
    const to = (target: string) => entries.filter((e) => e.targets.some((t) => t.name === target)).map((e) => e.event.key);
    expect(to(subscriberTarget('cache-only'))).toEqual(about('cache'));
    expect(to(subscriberTarget('cache-only'))).not.toContain('post:maintenance:db-upgrade#announced');
    expect(to(subscriberTarget('everything'))).toEqual(list.map((e) => e.key));
  });

  it('pending subscribers get nothing; an event about no component goes to every filter', () => {
    expect(subscriberWants(subscriber('p', { state: 'pending' }), list[0]!)).toBe(false);
    expect(subscriberWants(subscriber('f', { components: ['balancer'] }), { ...list[0]!, components: [] })).toBe(true);
  });

  it('no flood: items from before a subscriber was created are not sent to it', () => {
    const fresh = subscriber('fresh', { createdAt: NOW - 90 * 60_000, confirmedAt: NOW - 80 * 60_000 });
    const entries = outboxEntries(list, [fresh]);
    expect(entries.filter((e) => e.targets.length > 0).map((e) => e.event.key)).toEqual(['post:incident:redis-down#postmortem']);
  });
});

for (const [engine, openEngineStore, available] of [
  ['sqlite', sqliteStore, true],
  ['postgres', postgresStore, postgresUp],
] as const) describe.skipIf(!available)(`through the outbox (${engine})`, () => {
  afterEach(() => dropTestStores());

  const configured: ConfiguredSubscriber[] = [
    { name: 'team-slack', channel: 'slack', address: 'https://hooks.slack.example/T000/B000/XXXX', components: null, format: 'statuspost', via: null },
    { name: 'cache-hook', channel: 'webhook', address: 'https://hooks.example.org/cache', components: ['cache'], format: 'statuspage', via: null },
  ];

  it('first enable sends nothing already in the feed; the next update goes once, across a rebuild and a restart', async () => {
    const store = await openEngineStore();
    const folder = await tempDir();
    const logger = recordingLogger();
    const options = { store, logger, subscribers: configured, privateValues: [], siteBaseUrl: BASE_URL };
    const publish = (posts: Post[], now: number, notifier = feedNotifier(options)) => notifier({ snapshot: feedContext(now, posts).snapshot, posts, now, folder });

    // First run with notifications: the feed already has four items (the incident and a window).
    const notifier = feedNotifier(options);
    const first = await publish([redis(), window()], NOW, notifier);
    expect(first.enqueued).toBe(4);
    expect(first.deliveries).toBe(0); // configured subscribers are new: createdAt = now
    expect((await store.outboxCounts()).pending).toBe(0);
    const stored = await store.subscribers();
    expect(stored.map((s) => [s.id, s.createdAt])).toEqual([['config:cache-hook', NOW], ['config:team-slack', NOW]]);

    // An update written a minute later: one event, a delivery to each subscriber that wants it.
    const later = NOW + 60_000;
    const next = redis();
    next.updates.push(update(later, 'monitoring', 'Watching the fix.'));
    const second = await publish([next, window()], later, notifier);
    expect(second.enqueued).toBe(1);
    expect(second.deliveries).toBe(2);
    const due = await store.dueDeliveries(later + 1, 100);
    expect(due.map((d) => [d.event.key, d.delivery.target]).sort()).toEqual([
      ['post:incident:redis-down#update-3', 'subscriber:config:cache-hook'],
      ['post:incident:redis-down#update-3', 'subscriber:config:team-slack'],
    ]);

    // A rebuild with a typo fixed, in a new process (a fresh notifier): nothing new.
    const fixed = redis('We are looking into failed sign-ins (typo fixed).');
    fixed.updates.push(update(later, 'monitoring', 'Watching the fix, really.'));
    const third = await publish([fixed, window()], later + 60_000);
    expect(third.enqueued).toBe(0);
    expect((await store.outboxCounts()).pending).toBe(2);

    // A subscriber taken out of notify.yaml is deleted; one kept keeps its createdAt.
    const kept = await syncConfiguredSubscribers(store, configured.slice(0, 1), later + 120_000);
    expect(kept.map((s) => [s.id, s.createdAt])).toEqual([['config:team-slack', NOW]]);
  });

  it('reads the moved windows from the published build', async () => {
    const store = await openEngineStore();
    const folder = await tempDir();
    await store.saveSubscriber(subscriber('old-reader'));
    const announced = window();
    const moved = window({ startsAt: NOW + 7 * H, endsAt: NOW + 8 * H });
    const windows = nextWindowHistory(nextWindowHistory({}, [announced], NOW - H), [moved], NOW - 60_000);
    await mkdir(join(folder, '.statuspost'), { recursive: true });
    await writeFile(join(folder, '.statuspost/windows.json'), JSON.stringify(windows));
    const result = await feedNotifier({ store, logger: recordingLogger(), subscribers: [], privateValues: [], siteBaseUrl: BASE_URL })({ snapshot: feedContext(NOW, [moved]).snapshot, posts: [moved], now: NOW, folder });
    expect(result).toMatchObject({ enqueued: 2, deliveries: 2 });
    const texts = (await store.dueDeliveries(NOW + 1, 10)).map((d) => d.event.title);
    expect(texts).toEqual(['Scheduled maintenance: Window db-upgrade', 'Rescheduled: Window db-upgrade']);
  });
});
