// A postmortem with its action items, as one Markdown text: what the Statuspage API carries as the
// postmortem body (the items live in front matter, so they are appended here). Names are escaped,
// so an item's title can never become a link or markup.
import type { Incident } from '../posts/types.ts';
import { md } from './render.ts';

export function actionItemsMarkdown(items: Incident['actionItems']): string {
  if (!items || items.length === 0) return '';
  const lines = items.map((item) => `- ${item.done ? '[done] ' : ''}${md(item.title)}: ${md(item.owner)}, due ${item.due}`);
  return ['## Action items', '', ...lines].join('\n');
}

/** The postmortem body followed by its action items (the body alone when there are none). */
export function postmortemWithActionItems(incident: Pick<Incident, 'body' | 'actionItems'>): string {
  const items = actionItemsMarkdown(incident.actionItems);
  return items === '' ? incident.body : `${incident.body.trimEnd()}\n\n${items}\n`;
}
