// Where a subscriber's deliveries go: the sender asks for a target by name, and "subscriber:<id>" is
// answered here with a provider and its configuration built from the subscriber. Email goes through
// the email target (subscriptions.email.target for sign-ups, the subscriber's `via` for those in
// notify.yaml) to the subscriber's address, and a sign-up's mail carries its one-click unsubscribe
// link (List-Unsubscribe + List-Unsubscribe-Post); webhook and Slack subscribers are their own URL.
// A subscriber no longer in the store (unsubscribed, deleted) has no target: its pending deliveries
// are not sent.
import { providerForKind } from '../providers/index.ts';
import type { NotifyConfig, OutgoingMessage, Provider } from '../types.ts';
import type { Subscriber } from '../../store/types.ts';
import { unsubscribeUrl } from './mails.ts';

/** The same shape as the sender's ResolvedTarget. */
export interface SubscriberTarget {
  provider: Provider<unknown>;
  config: unknown;
}

const PREFIX = 'subscriber:';

/** Wraps a provider so every message it renders goes to one subscriber. */
function forSubscriber(inner: Provider<unknown>, recipient: NonNullable<OutgoingMessage['subscriber']>): Provider<unknown> {
  return {
    kind: inner.kind,
    schema: inner.schema,
    keys: inner.keys,
    secretKeys: inner.secretKeys,
    privateValues: (target) => [...inner.privateValues(target), recipient.address],
    render: (message, target) => inner.render({ ...message, subscriber: recipient }, target),
    send: (request, target, options) => inner.send(request, target, options),
  };
}

export class SubscriberDirectory {
  private readonly targets = new Map<string, SubscriberTarget>();

  constructor(
    private readonly notify: NotifyConfig,
    private readonly siteBaseUrl: string,
  ) {}

  /** Replaces what is known with the store's subscribers (call at start and whenever they are read). */
  set(subscribers: readonly Subscriber[]): void {
    this.targets.clear();
    for (const subscriber of subscribers) {
      if (subscriber.state !== 'confirmed') continue;
      const target = this.build(subscriber);
      if (target) this.targets.set(`${PREFIX}${subscriber.id}`, target);
    }
  }

  /** The target for "subscriber:<id>", or undefined (not a subscriber name, or no longer subscribed). */
  target(name: string): SubscriberTarget | undefined {
    return name.startsWith(PREFIX) ? this.targets.get(name) : undefined;
  }

  private build(subscriber: Subscriber): SubscriberTarget | undefined {
    const configured = subscriber.source === 'config' ? this.notify.subscribers.find((c) => `config:${c.name}` === subscriber.id) : undefined;
    if (subscriber.channel === 'email') {
      const signUps = this.notify.subscriptions?.email;
      const via = configured ? configured.via : signUps?.target;
      const target = this.notify.targets.find((t) => t.name === via);
      const provider = target && providerForKind(target.kind);
      if (!target || !provider) return undefined;
      const selfService = subscriber.source === 'self-service' && signUps !== undefined;
      const recipient = { address: subscriber.address, ...(selfService ? { unsubscribeUrl: unsubscribeUrl(this.siteBaseUrl, signUps.secret, subscriber.id) } : {}) };
      const config = selfService ? { ...(target.config as object), from: signUps.from } : target.config;
      return { provider: forSubscriber(provider, recipient), config };
    }
    const provider = providerForKind(subscriber.channel);
    if (!provider) return undefined;
    const written = subscriber.channel === 'webhook' ? { url: subscriber.address, format: configured?.format ?? 'statuspost' } : { url: subscriber.address };
    const parsed = provider.schema.safeParse(written);
    return parsed.success ? { provider, config: parsed.data } : undefined;
  }
}
