// mattermost: a Mattermost incoming webhook (https://developers.mattermost.com/integrate/webhooks/incoming/),
// Slack-compatible: `text` in Markdown plus Slack-style `attachments` (fallback, color, title,
// title_link, text, fields, footer, ts: https://developers.mattermost.com/integrate/reference/message-attachments/).
// `channel`, `username` and `icon_url` override the webhook's defaults when the server allows it.
//
// Limits: a post's message is at most 16383 characters (Mattermost 5.0+, earlier 4000); attachments
// are refused past about 7900 characters in all (servers log "Maximum attachments length is 7900
// characters"), so the attachments' texts share a budget of 6000, leaving room for their keys.
// Mattermost answers 200 "ok", 400 with a JSON error, 403/404 for a disabled or removed hook.
//
// YAML keys:
//   url        the webhook URL (https://chat.example.com/hooks/xxx); required; private, from ${ENV} (secretKeys).
//   channel    channel name to post in instead of the webhook's; optional.
//   username   name to post as; optional.
//   iconUrl    avatar URL; optional.
import { z } from 'zod/v4';
import type { NotifyEvent, OutgoingMessage, Provider, RenderedRequest } from '../types.ts';
import { sendHttp } from './http-send.ts';
import { baseHeaders, httpUrlSchema } from './target-schema.ts';
import { checkLines, componentLines, eventUrl, headline, oneLine, SEVERITY_COLOURS, SEVERITY_WORDS, truncate, utcWords, worstSeverity } from './text.ts';

export const MATTERMOST_LIMITS = { text: 16383, attachments: 6000, title: 250, maxAttachments: 20 } as const;

export const mattermostTargetSchema = z.strictObject({
  url: httpUrlSchema,
  channel: z.string().min(1).optional(),
  username: z.string().min(1).optional(),
  iconUrl: httpUrlSchema.optional(),
});
export type MattermostTarget = z.output<typeof mattermostTargetSchema>;

export const mattermostProvider: Provider<MattermostTarget> = {
  kind: 'mattermost',
  schema: mattermostTargetSchema,
  keys: [
    { name: 'url', required: true, description: 'incoming webhook URL, https://<server>/hooks/<id>' },
    { name: 'channel', required: false, description: "channel to post in instead of the webhook's own" },
    { name: 'username', required: false, description: 'name to post as' },
    { name: 'iconUrl', required: false, description: 'avatar URL to post with' },
  ],
  secretKeys: ['url'],
  privateValues: (target) => [target.url],
  render(message, target): RenderedRequest {
    return { type: 'http', url: target.url, method: 'POST', headers: baseHeaders(message.idempotencyKey), body: JSON.stringify(mattermostBody(message, target)) };
  },
  async send(request, target, options) {
    if (request.type !== 'http') return { ok: false, answer: 'not an HTTP request', retryable: false };
    return sendHttp(request, options, { redact: [target.url] });
  },
};

function mattermostBody(message: OutgoingMessage, target: MattermostTarget) {
  const worst = worstSeverity(message.events);
  const shown = message.events.slice(0, MATTERMOST_LIMITS.maxAttachments);
  const hidden = message.events.length - shown.length;
  const perAttachment = Math.floor(MATTERMOST_LIMITS.attachments / Math.max(1, shown.length));
  const text = `**${SEVERITY_WORDS[worst]}: ${escapeMarkdown(headline(message))}**${hidden > 0 ? ` (…and ${hidden} more not shown)` : ''}`;
  return {
    text: truncate(text, MATTERMOST_LIMITS.text),
    ...(target.channel === undefined ? {} : { channel: target.channel }),
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.iconUrl === undefined ? {} : { icon_url: target.iconUrl }),
    attachments: shown.map((event) => attachment(event, message, perAttachment)),
  };
}

function attachment(event: NotifyEvent, message: OutgoingMessage, budget: number) {
  const url = eventUrl(event, message);
  // Title and fallback are plain text (no Markdown), but may still be read for mentions.
  const title = defuseMentions(truncate(`${SEVERITY_WORDS[event.severity]}: ${oneLine(event.title)}`, Math.min(MATTERMOST_LIMITS.title, Math.floor(budget / 4))));
  const lines = [...componentLines(event), ...checkLines(event)].map((line) => `- ${escapeMarkdown(line)}`);
  const body = [`Since ${utcWords(event.at)}.`, escapeMarkdown(event.text.trim()), ...lines].filter(Boolean).join('\n');
  return {
    fallback: title,
    color: SEVERITY_COLOURS[event.severity],
    title,
    ...(url === undefined ? {} : { title_link: url }),
    text: truncate(body, budget - title.length * 2),
    footer: message.site.name,
    ts: Math.floor(event.at / 1000),
  };
}

/** Markdown that would change the words (emphasis, links, headings, mentions) is shown as written. */
export const escapeMarkdown = (text: string) => defuseMentions(text.replace(/([\\`*_[\]|~])/g, '\\$1').replace(/^(\s*)([#>+-])/gm, '$1\\$2'));
/** "@channel", "@all", "@here" in our words must not notify a whole channel. */
export const defuseMentions = (text: string) => text.replace(/@(?=(all|channel|here)\b)/gi, '@\u200b');
