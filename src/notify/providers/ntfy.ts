// ntfy: push to phones through an ntfy server (https://ntfy.sh or self-hosted), published as JSON
// to the server's root URL (https://docs.ntfy.sh/publish/#publish-as-json):
//   { topic, title, message, priority: 1..5, tags: [...], click, markdown? }
// Priority by severity (https://docs.ntfy.sh/publish/#message-priority): critical 5 (max: a long
// vibration burst), warning 4 (high), info 3 (default), resolved 3. Tags that are emoji short codes
// are shown as emoji before the title (https://docs.ntfy.sh/publish/#tags-emojis). Access tokens go
// in "Authorization: Bearer tk_..." (https://docs.ntfy.sh/publish/#access-tokens).
// Limits: a message over 4096 bytes (the server's default message-size-limit) is turned into an
// attachment or refused, so the message is cut to 4000 bytes at a grapheme boundary; titles are
// kept to 250 characters. ntfy answers 200 with the stored message, 429 when rate limited (visitor
// limits), 401/403 without a valid token, 413 for a message too large.
//
// YAML keys:
//   topic     topic to publish to; required; private, from ${ENV} (secretKeys): on ntfy.sh the topic name is the password.
//   url       server root URL; default https://ntfy.sh; private when self-hosted, but may be written (an address, not a credential).
//   token     access token (tk_...); optional; private, from ${ENV} (secretKeys).
import { z } from 'zod/v4';
import type { NotifyEventKind, OutgoingMessage, Provider, RenderedRequest, Severity } from '../types.ts';
import { sendHttp } from './http-send.ts';
import { baseHeaders, httpUrlSchema } from './target-schema.ts';
import { eventUrl, headline, plainText, SEVERITY_WORDS, truncate, worstSeverity } from './text.ts';

export const NTFY_LIMITS = { messageBytes: 4000, title: 250 } as const;

export const ntfyTargetSchema = z.strictObject({
  url: httpUrlSchema.default('https://ntfy.sh'),
  topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, { error: 'must be 1 to 64 letters, digits, - or _ (ntfy topic names)' }),
  token: z.string().min(1).optional(),
});
export type NtfyTarget = z.output<typeof ntfyTargetSchema>;

export const NTFY_PRIORITY: Readonly<Record<Severity, 1 | 2 | 3 | 4 | 5>> = { critical: 5, warning: 4, info: 3, resolved: 3 };
const SEVERITY_TAG: Readonly<Record<Severity, string>> = {
  critical: 'rotating_light',
  warning: 'warning',
  info: 'information_source',
  resolved: 'white_check_mark',
};

export const ntfyProvider: Provider<NtfyTarget> = {
  kind: 'ntfy',
  schema: ntfyTargetSchema,
  keys: [
    { name: 'topic', required: true, description: 'topic to publish to (on ntfy.sh, pick an unguessable name)' },
    { name: 'url', required: false, description: 'server root URL; default https://ntfy.sh' },
    { name: 'token', required: false, description: 'access token tk_... for a protected topic' },
  ],
  // The topic is the password on ntfy.sh and on any server without access control (whoever knows it
  // reads every alert and can post fake ones); the server's URL is an address, not a credential.
  secretKeys: ['topic', 'token'],
  privateValues: (target) => [target.topic, ...(target.url === 'https://ntfy.sh' ? [] : [target.url]), ...(target.token === undefined ? [] : [target.token])],
  render(message, target): RenderedRequest {
    const headers = baseHeaders(message.idempotencyKey);
    if (target.token !== undefined) headers.authorization = `Bearer ${target.token}`;
    return { type: 'http', url: target.url, method: 'POST', headers, body: JSON.stringify(ntfyBody(message, target)) };
  },
  async send(request, target, options) {
    if (request.type !== 'http') return { ok: false, answer: 'not an HTTP request', retryable: false };
    return sendHttp(request, options, { redact: ntfyProvider.privateValues(target) });
  },
};

function ntfyBody(message: OutgoingMessage, target: NtfyTarget) {
  const worst = worstSeverity(message.events);
  const kinds = [...new Set<NotifyEventKind>(message.events.map((event) => event.kind))];
  const click = message.events.length === 1 ? eventUrl(message.events[0]!, message) : (message.site.url ?? undefined);
  return {
    topic: target.topic,
    title: truncate(`${SEVERITY_WORDS[worst]}: ${headline(message)}`, NTFY_LIMITS.title),
    message: truncate(plainText(message), NTFY_LIMITS.messageBytes, 'utf8'),
    priority: NTFY_PRIORITY[worst],
    tags: [SEVERITY_TAG[worst], ...kinds],
    ...(click === undefined ? {} : { click }),
  };
}
