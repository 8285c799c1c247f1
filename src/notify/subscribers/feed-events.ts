// Notifications to subscribers: every new item of the site's feed (an incident created or updated, a
// postmortem published, a maintenance announced, moved, started, completed or cancelled) becomes one
// NotifyEvent for the audience "subscribers", and one delivery per subscriber whose components match.
//
// - Sent once: the event's key is the feed item's stable id ("post:incident:<slug>#update-2"), which
//   names the fact, never its words: editing a typo keeps the key, and the outbox skips a key it
//   already holds, across rebuilds and restarts.
// - Only what the site publishes: the item's title, its plain text, the public page and the
//   components' public names and statuses; no checks. Each event also goes through the site's leak
//   scan (src/publish/scan.ts) with the same private values and the same public site address; an
//   event that would leak is not sent (an error is logged, and the next publish tries again, so a
//   post fixed under the same key is sent then).
// - No flood: an item goes to a subscriber only if the item's time (the update's `at`, the
//   announcement, the move's publish) is at or after the subscriber's createdAt; configured
//   subscribers are given their createdAt when first seen (syncConfiguredSubscribers), so enabling
//   notifications, or adding a subscriber, sends nothing that was already in the feed. Items older
//   than FEED_EVENT_HORIZON_MS when published are not news and never become events (an imported
//   history, and an item whose event the outbox has pruned long after it was sent).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../daemon/log.ts';
import type { FeedContext } from '../../feeds/context.ts';
import type { WindowHistory } from '../../feeds/ics.ts';
import { feedItems, type FeedItem } from '../../feeds/rss.ts';
import type { Post } from '../../posts/types.ts';
import { leakScanner, type Leak } from '../../publish/scan.ts';
import type { Snapshot } from '../../status/snapshot.ts';
import type { Store, Subscriber } from '../../store/types.ts';
import { providerForKind } from '../providers/index.ts';
import type { ConfiguredSubscriber, NotifyEvent, OutboxEntry, RenderedRequest, Severity } from '../types.ts';

/** Items older than this when first published are not news (and the outbox must keep events longer than this). */
export const FEED_EVENT_HORIZON_MS = 7 * 86_400_000;

/** The delivery target name of a subscriber. */
export const subscriberTarget = (subscriberId: string) => `subscriber:${subscriberId}`;

/** The outbox key of a feed item: its stable id, never its text. */
export const feedEventKey = (item: Pick<FeedItem, 'id'>) => `post:${item.id}`;

function severityOf(item: FeedItem, posts: ReadonlyMap<string, Post>): Severity {
  if (item.post.kind === 'maintenance') return 'info';
  if (item.post.status === 'resolved' || item.post.status === 'postmortem') return 'resolved';
  const post = posts.get(`incident:${item.post.slug}`);
  const impact = post?.kind === 'incident' ? post.impact : 'none';
  return impact === 'critical' || impact === 'major' ? 'critical' : impact === 'minor' ? 'warning' : 'info';
}

/** Pure: the subscriber events of every feed item dated within the horizon before `now`. */
export function feedEvents(context: FeedContext, windows: WindowHistory, now: number): NotifyEvent[] {
  const posts = new Map(context.posts.map((post) => [`${post.kind}:${post.slug}`, post]));
  const components = new Map(context.snapshot.components.map((c) => [c.id, c]));
  const componentUrl = (id: string) => new URL(`components/${id}/`, context.baseUrl).href;
  return feedItems(context, windows)
    .filter((item) => item.date >= now - FEED_EVENT_HORIZON_MS && item.date <= now)
    .sort((a, b) => a.date - b.date || a.id.localeCompare(b.id))
    .map((item) => ({
      key: feedEventKey(item),
      kind: 'post',
      audience: 'subscribers',
      severity: severityOf(item, posts),
      at: item.date,
      createdAt: now,
      title: item.title,
      text: item.text,
      components: item.categories.flatMap((id) => {
        const c = components.get(id);
        return c ? [{ id, name: c.name, status: c.status, url: componentUrl(id) }] : [];
      }),
      url: item.url,
      incidentKey: `${item.post.kind}:${item.post.slug}`,
      post: { id: item.post.slug, kind: item.post.kind, status: item.post.status, updateId: item.id.slice(item.id.indexOf('#') + 1) },
    }));
}

/**
 * Does a subscriber get this event? Confirmed only; the item's time at or after the subscriber's
 * creation (no flood); and its components filter (null: all) shares a component with the event. An
 * event about no component in particular is site-wide: every subscriber gets it.
 */
export function subscriberWants(subscriber: Subscriber, event: NotifyEvent): boolean {
  if (subscriber.state !== 'confirmed') return false;
  if (event.at < subscriber.createdAt) return false;
  if (subscriber.components === null || event.components.length === 0) return true;
  return event.components.some((c) => subscriber.components!.includes(c.id));
}

/**
 * Placeholder targets for each way a subscriber is reached: the message is rendered by the real
 * providers, and what a subscriber would read (subject, text, HTML, body; not the target's own URL
 * or headers, which are the operator's) is scanned.
 */
const SUBSCRIBER_RENDERINGS: ReadonlyArray<{ kind: string; target: unknown }> = [
  { kind: 'email', target: { host: 'mail.invalid', from: 'status@statuspost.invalid' } },
  { kind: 'webhook', target: { url: 'https://subscriber.invalid/', format: 'statuspost' } },
  { kind: 'webhook', target: { url: 'https://subscriber.invalid/', format: 'statuspage' } },
  { kind: 'slack', target: { url: 'https://subscriber.invalid/' } },
];

const readable = (request: RenderedRequest) => (request.type === 'mail' ? [request.subject, request.text, request.html ?? ''] : [request.body]);

/** What a subscriber's message says, as the event and as each provider renders it, for the leak scan. */
export function messageTexts(event: NotifyEvent, site: { name: string; url: string | null }): string {
  const texts = [site.name, event.title, event.text, event.url ?? '', ...event.components.flatMap((c) => [c.name, c.status, c.url ?? '']), JSON.stringify(event)];
  const message = { idempotencyKey: event.key, target: 'subscriber:scan', events: [event], site, subscriber: { address: 'reader@statuspost.invalid' } };
  for (const { kind, target } of SUBSCRIBER_RENDERINGS) {
    const provider = providerForKind(kind);
    const config = provider?.schema.safeParse(target);
    if (provider && config?.success) texts.push(...readable(provider.render(message, config.data)));
  }
  return texts.join('\n');
}

export interface ScannedEvents {
  clean: NotifyEvent[];
  refused: Array<{ event: NotifyEvent; leaks: Leak[] }>;
}

/** Pure: the events split into those that pass the site's leak scan and those that would leak. */
export function scanEvents(events: readonly NotifyEvent[], privateValues: readonly string[], siteBaseUrl: string, siteName: string): ScannedEvents {
  const base = new URL(siteBaseUrl);
  const scanner = leakScanner(privateValues, [base.origin, base.host]);
  const result: ScannedEvents = { clean: [], refused: [] };
  for (const event of events) {
    const leaks = scanner.scan(event.key, messageTexts(event, { name: siteName, url: base.href }));
    if (leaks.length > 0) result.refused.push({ event, leaks });
    else result.clean.push(event);
  }
  return result;
}

/** Pure: the outbox entries for clean events, one target per subscriber that wants each. */
export function outboxEntries(events: readonly NotifyEvent[], subscribers: readonly Subscriber[]): OutboxEntry[] {
  return events.map((event) => ({ event, targets: subscribers.filter((s) => subscriberWants(s, event)).map((s) => ({ name: subscriberTarget(s.id) })) }));
}

/**
 * Keeps the store's copy of the subscribers written in probes/notify.yaml ("config:<name>") in step:
 * a new one is stored with createdAt = now (so it gets what is published from now on), a changed one
 * keeps its createdAt, one taken out of the file is deleted. Returns every subscriber in the store.
 */
export async function syncConfiguredSubscribers(store: Store, configured: readonly ConfiguredSubscriber[], now: number): Promise<Subscriber[]> {
  const stored = await store.subscribers();
  const byId = new Map(stored.map((s) => [s.id, s]));
  const wanted = new Set<string>();
  for (const c of configured) {
    const id = `config:${c.name}`;
    wanted.add(id);
    const before = byId.get(id);
    const next: Subscriber = {
      id,
      channel: c.channel,
      address: c.address,
      components: c.components,
      state: 'confirmed',
      source: 'config',
      createdAt: before?.createdAt ?? now,
      confirmedAt: before?.confirmedAt ?? now,
    };
    if (!before || before.address !== next.address || before.channel !== next.channel || JSON.stringify(before.components) !== JSON.stringify(next.components) || before.state !== 'confirmed') {
      await store.saveSubscriber(next);
      byId.set(id, next);
    }
  }
  for (const s of stored) {
    if (s.source === 'config' && !wanted.has(s.id)) {
      await store.deleteSubscriber(s.id);
      byId.delete(s.id);
    }
  }
  return [...byId.values()];
}

/** What a successful publish hands to the subscriber notifications. */
export interface PublishedSite {
  snapshot: Snapshot;
  /** The posts the build was given (filtered here as the build filters them). */
  posts: readonly Post[];
  now: number;
  /** The published build folder (its .statuspost/windows.json says which windows moved). */
  folder: string;
}

export interface FeedNotifierOptions {
  store: Store;
  logger: Logger;
  /** Config.notify.subscribers. */
  subscribers: readonly ConfiguredSubscriber[];
  /** Config.privateValues (and any the notify config adds). */
  privateValues: readonly string[];
  /** config.site.baseUrl */
  siteBaseUrl: string;
  /** Called with the store's subscribers each time they are read (the sender's directory of targets). */
  onSubscribers?: (subscribers: readonly Subscriber[]) => void;
  /** Called when new events went into the outbox (the sender wakes). */
  onEnqueued?: (count: number) => void;
}

export interface FeedNotifyResult {
  events: number;
  /** Events new to the outbox. */
  enqueued: number;
  /** Deliveries offered with the clean events (those of an event the outbox already held are skipped with it). */
  deliveries: number;
  refused: number;
}

/**
 * The function the daemon gives the publisher (`onPublished`): after each successful publish, the
 * feed's recent items become outbox entries. Items already handed to the outbox by this process are
 * skipped before the store is asked (the store skips the rest by key).
 */
export function feedNotifier(options: FeedNotifierOptions): (site: PublishedSite) => Promise<FeedNotifyResult> {
  /** Keys handed to the outbox by this process, with the item's time (forgotten past the horizon). */
  const handed = new Map<string, number>();
  const baseUrl = options.siteBaseUrl.endsWith('/') ? options.siteBaseUrl : `${options.siteBaseUrl}/`;
  // Logged (debug) once a publish's feed is handled, new items or not: a test or an operator can
  // tell "nothing new for subscribers" from "not looked at yet".
  return async (site) => {
    const result = await notify(site);
    options.logger.debug('notify-feed-done', `feed read for subscribers: ${result.events} recent item${result.events === 1 ? '' : 's'}, ${result.enqueued} new, ${result.refused} refused`, { ...result });
    return result;
  };
  async function notify(site: PublishedSite): Promise<FeedNotifyResult> {
    const posts = site.posts.filter((post) => (post.kind === 'incident' ? post.startedAt <= site.now : post.announcedAt <= site.now));
    const windows = await readFile(join(site.folder, '.statuspost/windows.json'), 'utf8')
      .then((text) => JSON.parse(text) as WindowHistory)
      .catch(() => ({}) as WindowHistory);
    for (const [key, at] of handed) if (at < site.now - FEED_EVENT_HORIZON_MS) handed.delete(key);
    const events = feedEvents({ snapshot: site.snapshot, posts, now: site.now, baseUrl }, windows, site.now).filter((e) => !handed.has(e.key));
    const result: FeedNotifyResult = { events: events.length, enqueued: 0, deliveries: 0, refused: 0 };
    if (events.length === 0) return result;
    const { clean, refused } = scanEvents(events, options.privateValues, baseUrl, site.snapshot.site.title);
    for (const { event, leaks } of refused) {
      const what = leaks.map((l) => `${l.part === 'value' ? '' : `the ${l.part} of `}private value #${l.valueIndex + 1} (${l.form})`).join(', ');
      options.logger.error('notify-leak-refused', `the subscriber notification for ${event.key} was not sent: its text contains ${what}`, { key: event.key });
    }
    result.refused = refused.length;
    if (clean.length === 0) return result;
    const subscribers = await syncConfiguredSubscribers(options.store, options.subscribers, site.now);
    options.onSubscribers?.(subscribers);
    const entries = outboxEntries(clean, subscribers);
    result.enqueued = await options.store.enqueue(entries);
    result.deliveries = entries.reduce((sum, e) => sum + e.targets.length, 0);
    for (const event of clean) handed.set(event.key, event.at);
    if (result.enqueued > 0) options.onEnqueued?.(result.enqueued);
    if (result.enqueued > 0) options.logger.info('notify-feed', `${result.enqueued} new feed item${result.enqueued === 1 ? '' : 's'} for subscribers`, { events: result.enqueued });
    return result;
  }
}
