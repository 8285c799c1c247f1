// discord: a Discord channel webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook).
//
// Body: `content` (at most 2000 characters) and up to 10 `embeds`; an embed's title at most 256,
// description at most 4096, footer 2048, up to 25 fields of name 256 / value 1024, and all embeds
// of a message at most 6000 characters together
// (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). A message over
// any limit is refused with 400 and code 50035 "Invalid Form Body". `allowed_mentions: { parse: [] }`
// keeps a title like "@everyone" from pinging anyone. Discord answers 204 No Content, and 429 with
// Retry-After (seconds) when rate limited.
//
// One embed per message: its colour is the worst severity's, its description lists the events.
//
// YAML keys:
//   url        the webhook URL (https://discord.com/api/webhooks/<id>/<token>); required; private, from ${ENV} (secretKeys).
//   username   name to post as instead of the webhook's; optional.
import { z } from 'zod/v4';
import type { NotifyEvent, OutgoingMessage, Provider, RenderedRequest } from '../types.ts';
import { sendHttp } from './http-send.ts';
import { baseHeaders, httpUrlSchema } from './target-schema.ts';
import { checkLines, eventUrl, headline, isoSeconds, oneLine, SEVERITY_COLOURS, SEVERITY_WORDS, STATUS_WORDS, truncate, utcWords, worstSeverity } from './text.ts';

export const DISCORD_LIMITS = { content: 2000, title: 256, description: 4096, footer: 2048, fields: 25, fieldName: 256, fieldValue: 1024, total: 6000 } as const;

export const discordTargetSchema = z.strictObject({
  url: httpUrlSchema,
  username: z.string().min(1).max(80).optional(),
});
export type DiscordTarget = z.output<typeof discordTargetSchema>;

export const discordProvider: Provider<DiscordTarget> = {
  kind: 'discord',
  schema: discordTargetSchema,
  keys: [
    { name: 'url', required: true, description: 'channel webhook URL, https://discord.com/api/webhooks/<id>/<token>' },
    { name: 'username', required: false, description: "name to post as instead of the webhook's" },
  ],
  secretKeys: ['url'],
  privateValues: (target) => [target.url],
  render(message, target): RenderedRequest {
    return { type: 'http', url: target.url, method: 'POST', headers: baseHeaders(message.idempotencyKey), body: JSON.stringify(discordBody(message, target)) };
  },
  async send(request, target, options) {
    if (request.type !== 'http') return { ok: false, answer: 'not an HTTP request', retryable: false };
    return sendHttp(request, options, { redact: [target.url] });
  },
};

const colour = (hex: string) => Number.parseInt(hex.slice(1), 16);

function discordBody(message: OutgoingMessage, target: DiscordTarget) {
  const worst = worstSeverity(message.events);
  const title = truncate(`${SEVERITY_WORDS[worst]}: ${headline(message)}`, DISCORD_LIMITS.title);
  const footer = truncate(message.site.name, DISCORD_LIMITS.footer);
  // Fields: the components named in the message, each once with its latest status.
  const components = new Map<string, { name: string; value: string }>();
  for (const event of message.events) {
    for (const c of event.components) {
      const value = c.previous && c.previous !== c.status ? `${STATUS_WORDS[c.previous]} → ${STATUS_WORDS[c.status]}` : STATUS_WORDS[c.status];
      components.set(c.id, { name: c.name, value });
    }
  }
  const fields = [...components.values()].slice(0, DISCORD_LIMITS.fields).map(({ name, value }) => ({
    name: truncate(name, DISCORD_LIMITS.fieldName),
    value: truncate(value, DISCORD_LIMITS.fieldValue),
    inline: true,
  }));
  const fieldsSize = fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  const room = Math.min(DISCORD_LIMITS.description, DISCORD_LIMITS.total - title.length - footer.length - fieldsSize);
  const latest = Math.max(...message.events.map((event) => event.at));
  const url = message.events.length === 1 ? eventUrl(message.events[0]!, message) : (message.site.url ?? undefined);
  return {
    content: truncate(`${SEVERITY_WORDS[worst]}: ${headline(message)}`, DISCORD_LIMITS.content),
    ...(target.username === undefined ? {} : { username: target.username }),
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title,
        ...(url === undefined ? {} : { url }),
        description: describe(message, room),
        color: colour(SEVERITY_COLOURS[worst]),
        timestamp: isoSeconds(latest),
        ...(fields.length > 0 ? { fields } : {}),
        footer: { text: footer },
      },
    ],
  };
}

/** The events, one paragraph each, in at most `room` characters: later events give way to a count. */
function describe(message: OutgoingMessage, room: number): string {
  const paragraphs = message.events.map((event) => paragraph(event, message));
  let out = '';
  for (let index = 0; index < paragraphs.length; index++) {
    const rest = paragraphs.length - index - 1;
    const more = rest > 0 ? `\n\n…and ${rest} more` : '';
    const next = `${out}${out ? '\n\n' : ''}${paragraphs[index]}`;
    if (next.length + more.length <= room) {
      out = next;
      continue;
    }
    const left = paragraphs.length - index;
    const counted = `${out ? '\n\n' : ''}…and ${left} more`;
    if (out && out.length + counted.length <= room) return `${out}${counted}`;
    return truncate(next, room); // the first event alone is too long: cut it
  }
  return out;
}

function paragraph(event: NotifyEvent, message: OutgoingMessage): string {
  const url = eventUrl(event, message);
  const head = url ? `**[${escapeDiscord(oneLine(event.title))}](${url})**` : `**${escapeDiscord(oneLine(event.title))}**`;
  const lines = [head, `Since ${utcWords(event.at)}.`];
  if (event.text.trim()) lines.push(escapeDiscord(event.text.trim()));
  lines.push(...checkLines(event).map((line) => `- ${escapeDiscord(line)}`));
  return lines.join('\n');
}

/** Discord Markdown that would change the words is shown as written. */
const escapeDiscord = (text: string) => text.replace(/([\\*_~`|[\]])/g, '\\$1').replace(/^(\s*)([#>-])/gm, '$1\\$2');
