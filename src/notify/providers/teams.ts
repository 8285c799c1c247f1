// teams: Microsoft Teams through a Workflows (Power Automate) webhook, the "Send webhook alerts to a
// channel" template or any flow started by "When a Teams webhook request is received". Office 365
// connectors (and their MessageCard format) are retired; Workflows take Adaptive Cards only
// (https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using).
//
// Body: a message with one Adaptive Card attachment, the shape the template posts as is:
//   { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive",
//     contentUrl: null, content: { $schema, type: "AdaptiveCard", version: "1.4", body: [...] } }] }
// (https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#adaptive-card).
// Teams refuses messages over about 28 KB, so events beyond 20 are counted, not shown, and each
// event's text is cut at 1500 characters. A Workflows trigger answers 202 Accepted.
//
// YAML keys:
//   url   the workflow's webhook URL (https://...powerautomate.com/... or ...logic.azure.com/...); required; private.
import { z } from 'zod/v4';
import type { NotifyEvent, OutgoingMessage, Provider, RenderedRequest, Severity } from '../types.ts';
import { sendHttp } from './http-send.ts';
import { baseHeaders, httpUrlSchema } from './target-schema.ts';
import { checkLines, componentLines, eventUrl, headline, oneLine, SEVERITY_WORDS, truncate, utcWords, worstSeverity } from './text.ts';

export const TEAMS_LIMITS = { events: 20, text: 1500, title: 250, bytes: 28_000 } as const;
export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

export const teamsTargetSchema = z.strictObject({ url: httpUrlSchema });
export type TeamsTarget = z.output<typeof teamsTargetSchema>;

/** Adaptive Card text colours by severity. */
const COLOUR: Readonly<Record<Severity, string>> = { critical: 'Attention', warning: 'Warning', info: 'Accent', resolved: 'Good' };

export const teamsProvider: Provider<TeamsTarget> = {
  kind: 'teams',
  schema: teamsTargetSchema,
  keys: [{ name: 'url', required: true, description: 'Workflows webhook URL from "Send webhook alerts to a channel" (write it as ${ENV_VAR})' }],
  privateValues: (target) => [target.url],
  render(message, target): RenderedRequest {
    return { type: 'http', url: target.url, method: 'POST', headers: baseHeaders(message.idempotencyKey), body: JSON.stringify(teamsBody(message)) };
  },
  async send(request, target, options) {
    if (request.type !== 'http') return { ok: false, answer: 'not an HTTP request', retryable: false };
    return sendHttp(request, options, { redact: [target.url] });
  },
};

function teamsBody(message: OutgoingMessage) {
  const worst = worstSeverity(message.events);
  const shown = message.events.slice(0, TEAMS_LIMITS.events);
  const hidden = message.events.length - shown.length;
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
    ...shown.flatMap((event, index) => eventBlocks(event, message, index > 0)),
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

function eventBlocks(event: NotifyEvent, message: OutgoingMessage, separator: boolean): object[] {
  const url = eventUrl(event, message);
  const title = truncate(`${SEVERITY_WORDS[event.severity]}: ${oneLine(event.title)}`, TEAMS_LIMITS.title);
  const facts = [
    { title: 'Since', value: utcWords(event.at) },
    ...componentLines(event).map((line) => ({ title: 'Component', value: truncate(line, TEAMS_LIMITS.title) })),
    ...checkLines(event).map((line) => ({ title: 'Check', value: truncate(line, TEAMS_LIMITS.title) })),
  ];
  return [
    {
      type: 'TextBlock',
      text: url ? `[${escapeCardMarkdown(title)}](${url})` : escapeCardMarkdown(title),
      weight: 'Bolder',
      color: COLOUR[event.severity],
      wrap: true,
      ...(separator ? { separator: true, spacing: 'Medium' } : {}),
    },
    ...(event.text.trim() ? [{ type: 'TextBlock', text: escapeCardMarkdown(truncate(event.text.trim(), TEAMS_LIMITS.text)), wrap: true }] : []),
    { type: 'FactSet', facts },
  ];
}

/** Adaptive Card TextBlocks read a little Markdown: keep brackets and emphasis as written. */
const escapeCardMarkdown = (text: string) => text.replace(/([\\*_[\]])/g, '\\$1');
