// Text shared by the providers: grapheme-safe truncation to each service's limits, the words for
// severities and statuses, and the one-line summaries a grouped message starts with. Pure.
import type { ComponentStatus, NotifyEvent, OutgoingMessage, Severity } from '../types.ts';

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const encoder = new TextEncoder();

/**
 * How a service counts its limit. 'utf16' (JavaScript's length) is never below the count in code
 * points, so a text within it is within a limit in "characters" however the service counts them;
 * 'utf8' is for limits in bytes (ntfy).
 */
export type Measure = 'utf16' | 'utf8';

const sizeOf = (text: string, measure: Measure): number => (measure === 'utf16' ? text.length : encoder.encode(text).length);

export const ELLIPSIS = '…';

/**
 * At most `max` units of `text`: cut between grapheme clusters (never inside an emoji, a flag or a
 * letter with its accents, never leaving half a surrogate pair) and ending in "…" when cut.
 */
export function truncate(text: string, max: number, measure: Measure = 'utf16'): string {
  if (sizeOf(text, measure) <= max) return text;
  const room = max - sizeOf(ELLIPSIS, measure);
  if (room < 0) return '';
  // Segmenting a long text is slow in V8 (each step costs more the longer the string), and only the
  // start is kept: `room` units in either measure span at most `room` UTF-16 code units. The window's
  // last segment may be a cluster cut by the window itself, so it is never kept.
  const window = text.slice(0, room + 256);
  const segments = Array.from(segmenter.segment(window), ({ segment }) => segment);
  if (window.length < text.length) segments.pop();
  let kept = '';
  let used = 0;
  for (const segment of segments) {
    const size = sizeOf(segment, measure);
    if (used + size > room) break;
    kept += segment;
    used += size;
  }
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

/** One line: newlines and runs of spaces become one space (titles, summaries, fallbacks). */
export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { resolved: 0, info: 1, warning: 2, critical: 3 };

/** The most urgent severity among the events; "resolved" only when every event is a resolution. */
export function worstSeverity(events: readonly NotifyEvent[]): Severity {
  let worst: Severity = 'resolved';
  for (const event of events) if (SEVERITY_RANK[event.severity] > SEVERITY_RANK[worst]) worst = event.severity;
  return worst;
}

export const SEVERITY_WORDS: Readonly<Record<Severity, string>> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
  resolved: 'Resolved',
};

/** Colours by severity (red, amber, blue, green), as #rrggbb. */
export const SEVERITY_COLOURS: Readonly<Record<Severity, string>> = {
  critical: '#d92d20',
  warning: '#f79009',
  info: '#2e90fa',
  resolved: '#12b76a',
};

export const STATUS_WORDS: Readonly<Record<ComponentStatus, string>> = {
  operational: 'operational',
  degraded_performance: 'degraded performance',
  partial_outage: 'partial outage',
  major_outage: 'major outage',
  under_maintenance: 'under maintenance',
};

/** "2026-01-15 09:30 UTC": unambiguous for readers in every time zone. */
export const utcWords = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** ISO 8601 to the second, as services expect ("2026-01-15T09:30:00Z"). */
export const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The message's one-line headline: the event's title, or the first one's and how many more. */
export function headline(message: OutgoingMessage): string {
  const [first, ...rest] = message.events;
  if (!first) return `${message.site.name}: no events`;
  if (rest.length === 0) return oneLine(first.title);
  return `${oneLine(first.title)} (+${rest.length} more)`;
}

/** "Chat nodes: operational → major outage", one line per component of the event. */
export function componentLines(event: NotifyEvent): string[] {
  return event.components.map((c) =>
    c.previous && c.previous !== c.status
      ? `${c.name}: ${STATUS_WORDS[c.previous]} → ${STATUS_WORDS[c.status]}`
      : `${c.name}: ${STATUS_WORDS[c.status]}`,
  );
}

/** Checks named in an event, for operators only: subscriber events never carry them. */
export function checkLines(event: NotifyEvent): string[] {
  if (event.audience !== 'operators') return [];
  return (event.checks ?? []).map((check) => `${check.id}: ${check.status} (${oneLine(check.message)})`);
}

/** The link for an event: its own, else its first component's, else the site's. */
export function eventUrl(event: NotifyEvent, message: OutgoingMessage): string | undefined {
  return event.url ?? event.components.find((c) => c.url)?.url ?? message.site.url ?? undefined;
}

/** Plain text of a whole message (fallbacks, PagerDuty details, ntfy): one paragraph per event. */
export function plainText(message: OutgoingMessage): string {
  return message.events
    .map((event) => {
      const lines = [`[${SEVERITY_WORDS[event.severity]}] ${oneLine(event.title)}`, `Since ${utcWords(event.at)}.`];
      if (event.text.trim()) lines.push(event.text.trim());
      lines.push(...componentLines(event), ...checkLines(event));
      const url = event.url;
      if (url) lines.push(url);
      return lines.join('\n');
    })
    .join('\n\n');
}
