// Notifications to subscribers, for the daemon's wiring in one call: the publisher's onPublished
// (new feed items → outbox) and the sender's targets for "subscriber:<id>".
//
//   const subscribers = await startSubscriberNotifications({ config, notify, store, logger, onEnqueued: () => sender.wake() });
//   startSender({ …, target: (name) => targets.get(name) ?? subscribers.target(name) });
//   startPublisher({ …, onPublished: subscribers.onPublished });
import type { Config } from '../../config/load.ts';
import type { Logger } from '../../daemon/log.ts';
import type { Store } from '../../store/types.ts';
import type { NotifyConfig } from '../types.ts';
import { feedNotifier, syncConfiguredSubscribers, type FeedNotifyResult, type PublishedSite } from './feed-events.ts';
import { SubscriberDirectory, type SubscriberTarget } from './targets.ts';

export interface SubscriberNotifications {
  /** The target of a "subscriber:<id>" delivery, or undefined. */
  target(name: string): SubscriberTarget | undefined;
  /** For startPublisher's onPublished. */
  onPublished(site: PublishedSite): Promise<FeedNotifyResult>;
}

export async function startSubscriberNotifications(options: { config: Config; notify: NotifyConfig; store: Store; logger: Logger; onEnqueued?: () => void; now?: () => number }): Promise<SubscriberNotifications> {
  const { config, notify, store, logger } = options;
  const directory = new SubscriberDirectory(notify, config.site.baseUrl);
  // Known before the sender starts: deliveries written before a restart find their targets.
  try {
    directory.set(await syncConfiguredSubscribers(store, notify.subscribers, (options.now ?? Date.now)()));
  } catch (error) {
    logger.warn('subscribers-unread', `subscribers could not be read yet (${(error as Error).message}); they are read again at the next publish`);
  }
  const notifier = feedNotifier({
    store,
    logger,
    subscribers: notify.subscribers,
    privateValues: config.privateValues,
    siteBaseUrl: config.site.baseUrl,
    onSubscribers: (list) => directory.set(list),
    ...(options.onEnqueued ? { onEnqueued: options.onEnqueued } : {}),
  });
  return { target: (name) => directory.target(name), onPublished: notifier };
}
