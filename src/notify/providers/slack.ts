// slack: a Slack incoming webhook (https://api.slack.com/messaging/webhooks), Block Kit with a
// fallback `text` (shown in notifications and by clients without blocks).
//
// Documented limits (https://api.slack.com/reference/block-kit/blocks): at most 50 blocks a message;
// a header block's plain_text at most 150 characters; a section's text at most 3000 characters; a
// context block at most 10 elements. `text` is truncated by Slack past 40,000 characters; we keep it
// to one line. Slack answers 200 "ok", or 400/403/404/410 with a word ("invalid_payload",
// "no_service", "channel_is_archived"), and 429 with Retry-After when rate limited (one message a
// second per webhook). mrkdwn needs &, < and > escaped, or "<!channel>" in a title would ping everyone.
//
// YAML keys:
//   url   the webhook URL (https://hooks.slack.com/services/...); required; private, from ${ENV} (secretKeys).
import { z } from 'zod/v4';
import type { NotifyEvent, OutgoingMessage, Provider, RenderedRequest, Severity } from '../types.ts';
import { sendHttp } from './http-send.ts';
import { baseHeaders, httpUrlSchema } from './target-schema.ts';
import { checkLines, componentLines, eventUrl, headline, oneLine, SEVERITY_WORDS, truncate, utcWords, worstSeverity } from './text.ts';

export const SLACK_LIMITS = { blocks: 50, header: 150, section: 3000, text: 3000 } as const;
/** Sections for events; the rest of a big group is counted in one line. */
const MAX_EVENT_SECTIONS = 40;

export const slackTargetSchema = z.strictObject({ url: httpUrlSchema });
export type SlackTarget = z.output<typeof slackTargetSchema>;

export const SLACK_EMOJI: Readonly<Record<Severity, string>> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
  resolved: ':large_green_circle:',
};

/** Slack's mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A link in mrkdwn: <url|label>; "|" and ">" cannot appear raw inside it. */
export const mrkdwnLink = (url: string, label: string) =>
  `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C')}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;

export const slackProvider: Provider<SlackTarget> = {
  kind: 'slack',
  schema: slackTargetSchema,
  keys: [{ name: 'url', required: true, description: 'incoming webhook URL, https://hooks.slack.com/services/...' }],
  secretKeys: ['url'],
  privateValues: (target) => [target.url],
  render(message, target): RenderedRequest {
    return { type: 'http', url: target.url, method: 'POST', headers: baseHeaders(message.idempotencyKey), body: JSON.stringify(slackBody(message)) };
  },
  async send(request, target, options) {
    if (request.type !== 'http') return { ok: false, answer: 'not an HTTP request', retryable: false };
    return sendHttp(request, options, { redact: [target.url] });
  },
};

/** Also the body of Slack subscribers' messages. */
export function slackBody(message: OutgoingMessage) {
  const worst = worstSeverity(message.events);
  const shown = message.events.slice(0, MAX_EVENT_SECTIONS);
  const hidden = message.events.length - shown.length;
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${SEVERITY_WORDS[worst]}: ${headline(message)}`, SLACK_LIMITS.header), emoji: true } },
    ...shown.map((event) => ({ type: 'section', text: { type: 'mrkdwn', text: sectionText(event, message) } })),
  ];
  if (hidden > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${hidden} more` }] });
  const latest = Math.max(...message.events.map((event) => event.at));
  const site = message.site.url ? mrkdwnLink(message.site.url, message.site.name) : escapeMrkdwn(message.site.name);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncate(`${site} · ${utcWords(latest)}`, SLACK_LIMITS.section) }] });
  return {
    // Top-level text is mrkdwn too (and what notifications show): escaped like the sections.
    text: truncateEscaped(escapeMrkdwn(`${SEVERITY_WORDS[worst]}: ${headline(message)} (${message.site.name})`), SLACK_LIMITS.text),
    blocks,
  };
}

function sectionText(event: NotifyEvent, message: OutgoingMessage): string {
  const url = eventUrl(event, message);
  const head = `${SLACK_EMOJI[event.severity]} *${escapeMrkdwn(oneLine(event.title))}*`;
  const tail = [
    `_since ${utcWords(event.at)}_`,
    ...componentLines(event).map((line) => `• ${escapeMrkdwn(line)}`),
    ...checkLines(event).map((line) => `• ${escapeMrkdwn(line)}`),
    ...(url ? [mrkdwnLink(url, 'Details')] : []),
  ].join('\n');
  // The free text gives way first: title, time, components and link stay whole where they fit.
  const room = SLACK_LIMITS.section - head.length - tail.length - 2;
  const text = event.text.trim() ? escapeMrkdwn(event.text.trim()) : '';
  const body = text && room > 20 ? `\n${truncateEscaped(text, room)}` : '';
  return truncate(`${head}${body}\n${tail}`, SLACK_LIMITS.section);
}

/** Truncating escaped text must not cut an entity ("&am…"). */
function truncateEscaped(text: string, max: number): string {
  const cut = truncate(text, max);
  return cut.replace(/&[a-z]{0,3}…$/, '…');
}
