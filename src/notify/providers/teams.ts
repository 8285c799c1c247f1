// teams: Microsoft Teams through a Workflows (Power Automate) webhook, the "Send webhook alerts to a
// channel" template or any flow started by "When a Teams webhook request is received". Office 365
// connectors (and their MessageCard format) are retired; Workflows take Adaptive Cards only
// (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using).
//
// Body: a message with one Adaptive Card attachment, the shape the template posts as is:
//   { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive",
//     contentUrl: null, content: { $schema, type: "AdaptiveCard", version: "1.4", body: [...] } }] }
// (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#adaptive-card).
// Teams refuses messages over about 28 KB, so events beyond 20 are counted, not shown, each event's
// text is cut at 1500 characters, and a card still too large shows fewer events. A Workflows trigger answers 202 Accepted.
//
// YAML keys:
//   url   the workflow's webhook URL (https://...powerautomate.com/... or ...logic.azure.com/...); required; private, from ${ENV} (secretKeys).
import { z } from 'zod/v4';
import type { NotifyEvent, OutgoingMessage, Provider, RenderedRequest, Severity } from '../types.ts';
import { sendHttp } from './http-send.ts';
import { baseHeaders, httpUrlSchema } from './target-schema.ts';
import { checkLines, componentLines, eventUrl, headline, oneLine, SEVERITY_WORDS, truncate, utcWords, worstSeverity } from './text.ts';

export const TEAMS_LIMITS = { events: 20, text: 1500, title: 250, facts: 12, bytes: 28_000 } as const;
export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

export const teamsTargetSchema = z.strictObject({ url: httpUrlSchema });
export type TeamsTarget = z.output<typeof teamsTargetSchema>;

/** Adaptive Card text colours by severity. */
const COLOUR: Readonly<Record<Severity, string>> = { critical: 'Attention', warning: 'Warning', info: 'Accent', resolved: 'Good' };

export const teamsProvider: Provider<TeamsTarget> = {
  kind: 'teams',
  schema: teamsTargetSchema,
  keys: [{ name: 'url', required: true, description: 'Workflows webhook URL from "Send webhook alerts to a channel"' }],
  secretKeys: ['url'],
  privateValues: (target) => [target.url],
  render(message, target): RenderedRequest {
    return { type: 'http', url: target.url, method: 'POST', headers: baseHeaders(message.idempotencyKey), body: JSON.stringify(teamsBody(message)) };
  },
  async send(request, target, options) {
    if (request.type !== 'http') return { ok: false, answer: 'not an HTTP request', retryable: false };
    return sendHttp(request, options, { redact: [target.url] });
  },
};

/**
 * The card, with fewer events shown (and shorter texts) until it fits Teams' size limit: each event's
 * share of the budget bounds its text and facts, and the byte count has the last word.
 */
function teamsBody(message: OutgoingMessage) {
  for (let count = Math.min(TEAMS_LIMITS.events, message.events.length); ; count--) {
    const card = teamsCard(message, count);
    if (count <= 1 || Buffer.byteLength(JSON.stringify(card)) <= TEAMS_LIMITS.bytes) return card;
  }
}

function teamsCard(message: OutgoingMessage, count: number) {
  const worst = worstSeverity(message.events);
  const shown = message.events.slice(0, count);
  const hidden = message.events.length - shown.length;
  // Characters per event; UTF-8 may need up to three bytes for one, hence the margin.
  const share = Math.floor(TEAMS_LIMITS.bytes / 3 / Math.max(1, shown.length));
  const body: object[] = [
    {
      type: 'TextBlock',
      text: truncate(`${SEVERITY_WORDS[worst]}: ${headline(message)}`, TEAMS_LIMITS.title),
      size: 'Large',
      weight: 'Bolder',
      color: COLOUR[worst],
      wrap: true,
      style: 'heading',
    },
    ...shown.flatMap((event, index) => eventBlocks(event, message, index > 0, share)),
  ];
  if (hidden > 0) body.push({ type: 'TextBlock', text: `…and ${hidden} more`, isSubtle: true, wrap: true });
  body.push({ type: 'TextBlock', text: message.site.name, isSubtle: true, size: 'Small', wrap: true, spacing: 'Medium' });
  const actions = message.site.url ? [{ type: 'Action.OpenUrl', title: 'Open the status page', url: message.site.url }] : [];
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD_TYPE,
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
          ...(actions.length > 0 ? { actions } : {}),
        },
      },
    ],
  };
}

function eventBlocks(event: NotifyEvent, message: OutgoingMessage, separator: boolean, share: number): object[] {
  const url = eventUrl(event, message);
  const title = truncate(`${SEVERITY_WORDS[event.severity]}: ${oneLine(event.title)}`, Math.min(TEAMS_LIMITS.title, Math.floor(share / 5)));
  const lines = [
    ...componentLines(event).map((line) => ({ title: 'Component', line })),
    ...checkLines(event).map((line) => ({ title: 'Check', line })),
  ].slice(0, TEAMS_LIMITS.facts);
  const factRoom = Math.max(20, Math.min(TEAMS_LIMITS.title, Math.floor(share / 3 / Math.max(1, lines.length))));
  const facts = [{ title: 'Since', value: utcWords(event.at) }, ...lines.map(({ title, line }) => ({ title, value: truncate(line, factRoom) }))];
  return [
    {
      type: 'TextBlock',
      text: url ? `[${escapeCardMarkdown(title)}](${url})` : escapeCardMarkdown(title),
      weight: 'Bolder',
      color: COLOUR[event.severity],
      wrap: true,
      ...(separator ? { separator: true, spacing: 'Medium' } : {}),
    },
    ...(event.text.trim() ? [{ type: 'TextBlock', text: escapeCardMarkdown(truncate(event.text.trim(), Math.min(TEAMS_LIMITS.text, Math.floor(share / 3)))), wrap: true }] : []),
    { type: 'FactSet', facts },
  ];
}

/** Adaptive Card TextBlocks read a little Markdown: keep brackets and emphasis as written. */
const escapeCardMarkdown = (text: string) => text.replace(/([\\*_[\]])/g, '\\$1');
