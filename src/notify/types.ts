// The shared vocabulary of alerts (to operators) and notifications (to subscribers).
//
//   confirmed change / TLS window / saturation / own trouble ─┐
//   new feed item (post) ─────────────────────────────────────┼─► outbox in the store (one transaction
//                                                             │   with the result that caused it)
//   sender: group per target ─► provider.render ─► provider.send (retries, Retry-After, dead letter)
//
// Events are facts with a unique key, so writing one twice (a rebuild, a restart, a replayed
// result) is a no-op; deliveries are one row per (event, target) and carry the sending state.
import type { z } from 'zod/v4';

/** What happened. One union: providers render every kind, routes select by kind. */
export type NotifyEventKind =
  | 'component' // a component's confirmed status changed (worse or better)
  | 'check' // a check's confirmed status changed (only for routes that ask for checks)
  | 'reminder' // still not operational after the route's reminder interval
  | 'tls-expiry' // a certificate entered its warning days, or crossed a reminder threshold (14, 7, 3, 1 days)
  | 'saturation' // Redis/PostgreSQL degraded for being near a limit (maxclients, max_connections…)
  | 'self' // statuspost's own trouble: store unavailable, publishing failing, posts invalid, a location silent
  | 'auto-incident' // the daemon drafted (or, with autoIncidents: publish, published) an incident for a confirmed outage
  | 'post' // a new item of the site's feed: an incident created or updated, a postmortem, a maintenance change
  | 'test'; // `statuspost notify test`

export type Severity = 'critical' | 'warning' | 'info' | 'resolved';

export type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

export interface NotifyEvent {
  /** Unique and stable: the same fact always gets the same key ("component:chat-nodes:1796000000000:partial_outage"). */
  key: string;
  kind: NotifyEventKind;
  audience: 'operators' | 'subscribers';
  severity: Severity;
  /** Epoch ms: when it happened (the measured start of a change, not when it was noticed). */
  at: number;
  /** Epoch ms: when statuspost wrote it (delivery time is measured from here). */
  createdAt: number;
  /** One line, in words: "Chat nodes: partial outage". */
  title: string;
  /** A few sentences: what is wrong, since when, on which components. Plain text. */
  text: string;
  /** Components this event is about (routes and subscriber filters select on them). */
  components: Array<{ id: string; name: string; status: ComponentStatus; previous?: ComponentStatus | null; url?: string }>;
  /** Checks named (operators only; never in subscriber events). */
  checks?: Array<{ id: string; status: string; message: string }>;
  /** Absolute link to the page that says more (component page, incident page). */
  url?: string;
  /** Groups trigger and resolve of one problem (PagerDuty dedup_key, ntfy/Slack threading). */
  incidentKey?: string;
  /** For kind "post": the feed item it came from. */
  post?: { id: string; kind: 'incident' | 'maintenance'; status: string; updateId: string };
  /** Set when the event happened inside an announced maintenance window: recorded, not sent (unless the route says so). */
  silencedBy?: string;
}

export type DeliveryState = 'pending' | 'sent' | 'dead' | 'silenced';

/** One event for one target (operators) or one subscriber. */
export interface Delivery {
  id: number;
  eventKey: string;
  /** Target name from probes/notify.yaml, or "subscriber:<id>". */
  target: string;
  state: DeliveryState;
  attempts: number;
  /** Epoch ms; a pending delivery is not tried before this. */
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: number | null;
  createdAt: number;
}

/** What the outbox stores in one go: an event and the targets it must reach. */
export interface OutboxEntry {
  event: NotifyEvent;
  /** Targets that get a pending delivery; those with `silenced` get a delivery in state "silenced". */
  targets: Array<{ name: string; silenced?: boolean }>;
}

/** A grouped message for one target: one or more events sent together (ten checks of one outage → one message). */
export interface OutgoingMessage {
  /** Stable over retries and restarts: hash of the delivery ids, sent as the idempotency key. */
  idempotencyKey: string;
  target: string;
  events: NotifyEvent[];
  /** The site's public address and name, for links and signatures. */
  site: { name: string; url: string | null };
  /**
   * For a message to one subscriber: where it goes (instead of the target's own recipients) and
   * the one-click unsubscribe link (email: List-Unsubscribe and List-Unsubscribe-Post, RFC 8058).
   */
  subscriber?: { address: string; unsubscribeUrl?: string };
}

/** What a target answered; the sender decides retry or not from it. */
export interface SendOutcome {
  ok: boolean;
  /** HTTP status or SMTP reply code, if any. */
  code?: number;
  /** Short words: "200 OK", "429 Too Many Requests", "250 2.0.0 queued as 7B1F", "connection refused". */
  answer: string;
  /** False for answers retrying cannot change (400, 401, 403, 404, 410, 413, 5.x.x SMTP). */
  retryable: boolean;
  /** From Retry-After (seconds or a date), in ms, when the target gave one. */
  retryAfterMs?: number;
}

/** One file per provider under src/notify/providers/, all behind this interface. */
export interface Provider<TargetConfig = unknown> {
  /** "webhook", "slack", "mattermost", "teams", "discord", "ntfy", "pagerduty", "email". */
  readonly kind: string;
  /**
   * The target's keys as written in probes/notify.yaml after ${ENV} expansion (zod/v4, strict, so a
   * misspelt key gets a did-you-mean); src/notify/providers/index.ts is the only list of providers,
   * and the config loader validates each target with its provider's schema, as probes do.
   */
  readonly schema: z.ZodType<TargetConfig>;
  /**
   * Keys whose values are credentials (a webhook URL, a token, a routing key, a password): the config
   * loader refuses them written in probes/notify.yaml (committed to git) and wants them from the
   * environment, `url: ${SLACK_WEBHOOK_URL}`; `statuspost notify --help` marks them "env".
   */
  readonly secretKeys: readonly string[];
  /** Values of a target that are secrets or private addresses (URLs, tokens, passwords): never printed or published. */
  privateValues(target: TargetConfig): string[];
  /** Keys of the target's configuration, for `statuspost notify --help`. */
  readonly keys: ReadonlyArray<{ name: string; required: boolean; description: string }>;
  /** Pure: the request (or mail) for a message; table-tested against expected-output files. */
  render(message: OutgoingMessage, target: TargetConfig): RenderedRequest;
  /** Sends what render() made; never throws for a target's failure, answers with an outcome. */
  send(request: RenderedRequest, target: TargetConfig, options: { timeoutMs: number; signal?: AbortSignal }): Promise<SendOutcome>;
}

export type RenderedRequest =
  | { type: 'http'; url: string; method: 'POST'; headers: Record<string, string>; body: string }
  | {
      type: 'mail';
      from: string;
      to: string[];
      subject: string;
      text: string;
      html?: string;
      headers: Record<string, string>;
    };

/** probes/notify.yaml after validation (src/notify/config.ts); durations in ms. */
export interface NotifyConfig {
  targets: NotifyTarget[];
  routes: NotifyRoute[];
  /** Subscribers written by the operator; self-service sign-ups live in the store only. */
  subscribers: ConfiguredSubscriber[];
  /** Email sign-ups through `statuspost serve`; absent = not offered. */
  subscriptions: { email: { target: string; from: string; secret: string; confirmWithinMs: number } } | null;
  /** Changes within this time of the first are sent as one message per target (default 1 s). */
  groupWaitMs: number;
  /** A delivery still failing after this long is dead (logged, counted); default 24 h. */
  deadAfterMs: number;
  /** Days before a certificate's expiry at which a reminder goes (default 14, 7, 3, 1; entering the check's warnDays alerts too). */
  tlsThresholdsDays: number[];
}

export interface NotifyTarget {
  name: string;
  /** A provider kind: "webhook", "slack", "mattermost", "teams", "discord", "ntfy", "pagerduty", "email". */
  kind: string;
  /** Validated by the provider's schema. */
  config: unknown;
}

export interface NotifyRoute {
  /** Event kinds this route sends; default: component, reminder, tls-expiry, saturation, self, auto-incident. */
  events: NotifyEventKind[];
  /** Component ids; null = all. */
  components: string[] | null;
  /** Severities; null = all. */
  severities: Severity[] | null;
  targets: string[];
  /** While a component stays not operational, remind at this interval; null = never. */
  remindEveryMs: number | null;
  /** Send the resolution (default true). */
  resolved: boolean;
  /** Inside an announced maintenance window: "silence" (default; recorded, not sent) or "alert". */
  duringMaintenance: 'silence' | 'alert';
}

export interface ConfiguredSubscriber {
  name: string;
  channel: 'email' | 'webhook' | 'slack';
  /** Address or URL (from ${ENV} where secret). */
  address: string;
  components: string[] | null;
  /** Webhook body: statuspost's own (default) or Statuspage-compatible. */
  format: 'statuspost' | 'statuspage';
  /** For email subscribers: the email target that sends. */
  via: string | null;
}
