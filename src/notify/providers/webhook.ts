// webhook: a generic JSON webhook for receivers written by the team (or any tool that takes JSON).
//
// Body (format: statuspost, the default): statuspost's own, versioned and published as a JSON Schema
// with the site at /schemas/notify-webhook-v2.json (public/schemas/notify-webhook-v2.json; that file's
// description says how a receiver verifies a request). Any change of shape gets a new file (v1 stays published), never an edit.
//
// Body (format: statuspage): Atlassian Statuspage's subscriber webhook, so tools that already consume
// it work unchanged (https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/):
// { meta: { unsubscribe, documentation }, page: { id, status_indicator, status_description },
//   component_update: { created_at, new_status, old_status, id, component_id }, component: { ... } }
// for a component's change, or { meta, page, incident: { ..., incident_updates: [...] } } for an
// incident or maintenance post. Statuspage sends one change per request and has no "type" field (a
// receiver tells them apart by the top-level key); a grouped message is rendered from its most
// recent post event, else its first component change, so route statuspage-format targets ungrouped.
//
// Signing (when `secret` is set), Stripe-style so a captured request cannot be replayed later:
//   X-Statuspost-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// computed in send(), at each attempt, so render() stays pure and a retry carries a fresh time.
// Idempotency-Key: the message's key, the same on every retry (receivers drop repeats by it).
//
// YAML keys:
//   url       http(s) URL of the receiver; required; private, from ${ENV} (secretKeys).
//   secret    signing key, at least 16 characters (e.g. `openssl rand -hex 32`); optional; private, from ${ENV} (secretKeys).
//   format    statuspost (default) | statuspage.
//   headers   extra request headers (e.g. Authorization for a gateway); values private.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod/v4';
import { overallStatus } from '../../status/component-status.ts';
import type { ComponentStatus, NotifyEvent, OutgoingMessage, Provider, RenderedRequest } from '../types.ts';
import { sendHttp, type HttpRequest } from './http-send.ts';
import { baseHeaders, headersSchema, httpUrlSchema } from './target-schema.ts';
import { headline, worstSeverity } from './text.ts';

export const WEBHOOK_SCHEMA_VERSION = 2;
/** Where the site publishes the body's JSON Schema, relative to the site's address. */
export const WEBHOOK_SCHEMA_PATH = 'schemas/notify-webhook-v2.json';
export const SIGNATURE_HEADER = 'x-statuspost-signature';

export const webhookTargetSchema = z.strictObject({
  url: httpUrlSchema,
  secret: z.string().min(16, { error: 'must be at least 16 characters (e.g. the output of `openssl rand -hex 32`)' }).optional(),
  format: z.enum(['statuspost', 'statuspage']).default('statuspost'),
  headers: headersSchema.default({}),
});

export type WebhookTarget = z.output<typeof webhookTargetSchema>;

export const webhookProvider: Provider<WebhookTarget> = {
  kind: 'webhook',
  schema: webhookTargetSchema,
  keys: [
    { name: 'url', required: true, description: 'http(s) URL of the receiver' },
    { name: 'secret', required: false, description: 'signing key (16+ characters): adds X-Statuspost-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>.<body>">' },
    { name: 'format', required: false, description: 'statuspost (default; JSON Schema at /schemas/notify-webhook-v2.json) or statuspage (Statuspage-compatible)' },
    { name: 'headers', required: false, description: 'extra request headers, e.g. Authorization' },
  ],
  secretKeys: ['url', 'secret'],
  privateValues: (target) => [target.url, ...(target.secret === undefined ? [] : [target.secret]), ...Object.values(target.headers)],
  render(message, target): RenderedRequest {
    const body = target.format === 'statuspage' ? statuspageBody(message) : statuspostBody(message);
    return {
      type: 'http',
      url: target.url,
      method: 'POST',
      // Names lower-cased, so a configured "Content-Type" cannot double or replace ours.
      headers: { ...Object.fromEntries(Object.entries(target.headers).map(([name, value]) => [name.toLowerCase(), value])), ...baseHeaders(message.idempotencyKey) },
      body: JSON.stringify(body),
    };
  },
  async send(request, target, options) {
    if (request.type !== 'http') return { ok: false, answer: 'not an HTTP request', retryable: false };
    const signed: HttpRequest =
      target.secret === undefined
        ? request
        : { ...request, headers: { ...request.headers, [SIGNATURE_HEADER]: signatureHeader(request.body, target.secret, Math.floor(Date.now() / 1000)) } };
    return sendHttp(signed, options, { redact: webhookProvider.privateValues(target) });
  },
};

// ---------------------------------------------------------------------------------------------
// Signing

/** "t=<unixSeconds>,v1=<hex>": the HMAC-SHA256 of "<t>.<body>" with the target's secret. */
export function signatureHeader(body: string, secret: string, unixSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}

/**
 * What a receiver does (and the demo's receiver uses): recompute the HMAC over the raw body, compare in
 * constant time, and refuse a time further than `toleranceSeconds` from its own clock (a replay).
 */
export function verifySignature(header: string | undefined, body: string, secret: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!header) return false;
  const parts = new Map<string, string[]>();
  for (const piece of header.split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts.set(piece.slice(0, eq).trim(), [...(parts.get(piece.slice(0, eq).trim()) ?? []), piece.slice(eq + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isSafeInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  return (parts.get('v1') ?? []).some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

// ---------------------------------------------------------------------------------------------
// statuspost's own body (v2)

const iso = (ms: number) => new Date(ms).toISOString();

/** The schema's URL on this site, or null when the site has no public address. */
export function webhookSchemaUrl(siteUrl: string | null): string | null {
  if (siteUrl === null || !URL.canParse(siteUrl)) return null;
  return new URL(WEBHOOK_SCHEMA_PATH, siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`).href;
}

function statuspostBody(message: OutgoingMessage) {
  const schemaUrl = webhookSchemaUrl(message.site.url);
  return {
    ...(schemaUrl === null ? {} : { $schema: schemaUrl }),
    schemaVersion: WEBHOOK_SCHEMA_VERSION,
    idempotencyKey: message.idempotencyKey,
    site: { name: message.site.name, url: message.site.url },
    severity: worstSeverity(message.events),
    title: headline(message),
    events: message.events.map(eventBody),
  };
}

function eventBody(event: NotifyEvent) {
  return {
    key: event.key,
    kind: event.kind,
    audience: event.audience,
    severity: event.severity,
    title: event.title,
    text: event.text,
    at: iso(event.at),
    createdAt: iso(event.createdAt),
    components: event.components.map((c) => ({ id: c.id, name: c.name, status: c.status, previous: c.previous ?? null, url: c.url ?? null })),
    // Checks are for operators: a subscriber's event never names one, whatever the event carries.
    ...(event.audience === 'operators' ? { checks: (event.checks ?? []).map((c) => ({ id: c.id, status: c.status, message: c.message })) } : {}),
    url: event.url ?? null,
    incidentKey: event.incidentKey ?? null,
    post: event.post ? { id: event.post.id, kind: event.post.kind, status: event.post.status, updateId: event.post.updateId } : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Statuspage-compatible body

const DOCUMENTATION = 'https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/';

/** Statuspage ids are short opaque strings; ours are derived from stable keys, so a retry repeats them. */
const shortId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 12);

function pageOf(message: OutgoingMessage, components: ReadonlyArray<{ status: ComponentStatus }>) {
  const status = overallStatus(components.map((c) => ({ status: c.status, essential: false })));
  const host = message.site.url !== null && URL.canParse(message.site.url) ? new URL(message.site.url).host : null;
  return {
    id: host ?? shortId(message.site.name),
    status_indicator: status.indicator,
    status_description: status.description,
  };
}

const IMPACT_OF: Readonly<Record<ComponentStatus, number>> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
};
const IMPACTS = ['none', 'minor', 'major', 'critical'] as const;

function statuspageBody(message: OutgoingMessage) {
  const events = message.events;
  const meta = { unsubscribe: message.site.url ?? '', documentation: DOCUMENTATION };
  const post = [...events].reverse().find((event) => event.post);
  // Only a component's own change is a component_update; anything else (a TLS window, statuspost's
  // own trouble, a reminder) reads as an incident, the one other shape Statuspage's receivers know.
  const change = events.find((event) => event.kind === 'component' && event.components.length > 0);
  if (!post && change) {
    const component = change.components[0]!;
    return {
      meta,
      page: pageOf(message, [component]),
      component_update: {
        created_at: iso(change.at),
        new_status: component.status,
        old_status: component.previous ?? 'operational',
        id: shortId(`${change.key}:${component.id}`),
        component_id: component.id,
      },
      component: { created_at: iso(change.at), id: component.id, name: component.name, status: component.status },
    };
  }
  const event = post ?? events[0]!;
  const id = event.post?.id ?? shortId(event.key);
  const status = event.post?.status ?? (event.severity === 'resolved' ? 'resolved' : 'investigating');
  const impact = IMPACTS[Math.max(0, ...event.components.map((c) => IMPACT_OF[c.status]))]!;
  const finished = status === 'resolved' || status === 'completed';
  return {
    meta,
    page: pageOf(message, event.components),
    incident: {
      id,
      name: event.title,
      status,
      impact,
      created_at: iso(event.at),
      updated_at: iso(event.at),
      monitoring_at: status === 'monitoring' ? iso(event.at) : null,
      resolved_at: finished ? iso(event.at) : null,
      shortlink: event.url ?? message.site.url ?? null,
      scheduled_for: null,
      scheduled_until: null,
      page_id: pageOf(message, event.components).id,
      components: event.components.map((c) => ({ id: c.id, name: c.name, status: c.status })),
      incident_updates: [
        {
          id: event.post?.updateId ?? shortId(`${event.key}:update`),
          incident_id: id,
          status,
          body: event.text,
          created_at: iso(event.at),
          updated_at: iso(event.at),
          display_at: iso(event.at),
          affected_components: event.components.map((c) => ({
            code: c.id,
            name: c.name,
            old_status: c.previous ?? 'operational',
            new_status: c.status,
          })),
        },
      ],
    },
  };
}
