// pagerduty: PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/),
// POST https://events.pagerduty.com/v2/enqueue:
//   { routing_key, event_action: "trigger" | "resolve", dedup_key,
//     payload: { summary (at most 1024 characters), source, severity: critical|error|warning|info,
//                timestamp, component, group, class, custom_details }, client, client_url, links }
// dedup_key (at most 255 characters) ties the resolve to its trigger: it is the events' incidentKey,
// so an outage's alert and its resolution close one PagerDuty incident. A resolve needs only
// routing_key, event_action and dedup_key. PagerDuty answers 202 {"status":"success"}, 400 for an
// invalid event (not retryable), 429 when the routing key is over its rate, 5xx (retry).
//
// One message is one PagerDuty event, keyed by its first event's incidentKey: route PagerDuty
// targets so a message holds one incident (grouping by incidentKey), or a resolution of another
// incident in the same message would not close it. The summary still names every event.
//
// YAML keys:
//   routingKey   the integration key of an Events API v2 integration (32 characters); required; private, from ${ENV} (secretKeys).
//   url          default https://events.pagerduty.com/v2/enqueue (EU: https://events.eu.pagerduty.com/v2/enqueue).
//   source       what the alert is about; default the site's host name, else its name.
import { createHash } from 'node:crypto';
import { z } from 'zod/v4';
import type { OutgoingMessage, Provider, RenderedRequest, Severity } from '../types.ts';
import { sendHttp } from './http-send.ts';
import { baseHeaders, httpUrlSchema } from './target-schema.ts';
import { checkLines, componentLines, eventUrl, headline, isoSeconds, oneLine, truncate, worstSeverity } from './text.ts';

export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255, source: 255 } as const;
export const PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';

export const pagerdutyTargetSchema = z.strictObject({
  routingKey: z.string().regex(/^[A-Za-z0-9]{32}$/, { error: 'must be the 32-character integration key of an Events API v2 integration' }),
  url: httpUrlSchema.default(PAGERDUTY_URL),
  source: z.string().min(1).max(PAGERDUTY_LIMITS.source).optional(),
});
export type PagerdutyTarget = z.output<typeof pagerdutyTargetSchema>;

/** PagerDuty's severities; "error" is not used: statuspost has no level between critical and warning. */
export const PAGERDUTY_SEVERITY: Readonly<Record<Exclude<Severity, 'resolved'>, 'critical' | 'warning' | 'info'>> = {
  critical: 'critical',
  warning: 'warning',
  info: 'info',
};

export const pagerdutyProvider: Provider<PagerdutyTarget> = {
  kind: 'pagerduty',
  schema: pagerdutyTargetSchema,
  keys: [
    { name: 'routingKey', required: true, description: 'integration key of an Events API v2 integration' },
    { name: 'url', required: false, description: `Events API URL; default ${PAGERDUTY_URL}` },
    { name: 'source', required: false, description: "what the alert is about; default the site's host name" },
  ],
  secretKeys: ['routingKey'],
  privateValues: (target) => [target.routingKey, ...(target.url === PAGERDUTY_URL ? [] : [target.url])],
  render(message, target): RenderedRequest {
    return { type: 'http', url: target.url, method: 'POST', headers: baseHeaders(message.idempotencyKey), body: JSON.stringify(pagerdutyBody(message, target)) };
  },
  async send(request, target, options) {
    if (request.type !== 'http') return { ok: false, answer: 'not an HTTP request', retryable: false };
    return sendHttp(request, options, { redact: pagerdutyProvider.privateValues(target) });
  },
};

/** The incident key as PagerDuty takes it: at most 255 characters, a hash when longer. */
export function dedupKey(key: string): string {
  return key.length <= PAGERDUTY_LIMITS.dedupKey ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

function pagerdutyBody(message: OutgoingMessage, target: PagerdutyTarget) {
  const first = message.events[0]!;
  const key = dedupKey(first.incidentKey ?? first.key);
  const worst = worstSeverity(message.events);
  if (worst === 'resolved') return { routing_key: target.routingKey, event_action: 'resolve', dedup_key: key };
  const siteHost = message.site.url !== null && URL.canParse(message.site.url) ? new URL(message.site.url).hostname : null;
  const url = eventUrl(first, message);
  const components = [...new Set(message.events.flatMap((event) => event.components.map((c) => c.name)))];
  return {
    routing_key: target.routingKey,
    event_action: 'trigger',
    dedup_key: key,
    payload: {
      summary: truncate(headline(message), PAGERDUTY_LIMITS.summary),
      source: truncate(target.source ?? siteHost ?? message.site.name, PAGERDUTY_LIMITS.source),
      severity: PAGERDUTY_SEVERITY[worst],
      timestamp: isoSeconds(first.at),
      ...(components.length > 0 ? { component: components.join(', ') } : {}),
      group: message.site.name,
      class: first.kind,
      custom_details: {
        events: message.events.map((event) => ({
          title: oneLine(event.title),
          severity: event.severity,
          since: isoSeconds(event.at),
          text: event.text,
          components: componentLines(event),
          checks: checkLines(event),
        })),
      },
    },
    client: 'statuspost',
    ...(message.site.url === null ? {} : { client_url: message.site.url }),
    ...(url === undefined ? {} : { links: [{ href: url, text: 'Status page' }] }),
  };
}
