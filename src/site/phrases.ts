// The fixed English phrases of the history archive and the subscribe page, in one place, so they can
// move into a messages file per language whole. Functions where a phrase carries a number or a name.
import type { HistoryEntry } from './history.ts';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "45 min", "2 h 5 min", "3 d 4 h": the two largest units, never "0 min" for a short one. */
export function durationWords(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}

export const historyPhrases = {
  title: 'History',
  intro: 'Incidents and maintenance windows that have happened, newest first. Upcoming maintenance is on the home page and the maintenance list.',
  empty: 'Nothing has happened yet.',
  filterHeading: 'Filter by component',
  filterAll: 'All components',
  otherMonths: 'Other months',
  newer: (month: string) => `Newer: ${month}`,
  older: (month: string) => `Older: ${month}`,
  monthTitle: (month: string) => `History: ${month}`,
  componentTitle: (name: string) => `History: ${name}`,
  componentIntro: (name: string) => `Incidents and maintenance windows that touched ${name}, newest first.`,
  componentEmpty: (name: string) => `Nothing has touched ${name} yet.`,
  counts: (entries: readonly HistoryEntry[]) => {
    const incidents = entries.filter((e) => e.kind === 'incident').length;
    const windows = entries.length - incidents;
    return [incidents > 0 && plural(incidents, 'incident', 'incidents'), windows > 0 && plural(windows, 'maintenance window', 'maintenance windows')].filter(Boolean).join(', ');
  },
  more: (n: number, month: string) => `and ${n} more in ${month}`,
  impact: { none: 'No impact', minor: 'Minor impact', major: 'Major impact', critical: 'Critical impact', maintenance: 'Maintenance' } satisfies Record<HistoryEntry['impact'], string>,
  duration: (entry: HistoryEntry) => {
    const took = durationWords(entry.durationMs);
    switch (entry.state) {
      case 'ongoing':
        return `ongoing, ${took} so far`;
      case 'in_progress':
        return `in progress, ${took} so far`;
      case 'overrunning':
        return `overrunning: planned for ${durationWords(entry.plannedMs ?? 0)}, ${took} so far`;
      default:
        return `lasted ${took}`;
    }
  },
  affected: 'Affected:',
  noComponents: 'no component named',
} as const;

export const subscribePhrases = {
  title: 'Subscribe to updates',
  intro: 'Every incident update, postmortem and maintenance announcement, move, start, completion or cancellation is published in each of these. Pick the one you already use.',
  feedsHeading: 'Feed reader',
  feedsIntro: 'A feed reader (or a chat app that reads feeds) shows every update as it is published. The three formats carry the same items; take whichever your reader asks for.',
  rss: 'RSS',
  atom: 'Atom',
  json: 'JSON Feed',
  siteFeeds: 'The whole service:',
  calendarHeading: 'Calendar of maintenance',
  calendarIntro: 'Planned maintenance windows in your calendar app, updated when a window moves or is cancelled.',
  calendarOpen: 'Open in your calendar app',
  calendarAddress: 'or copy this address into one (Google Calendar: Other calendars, From URL):',
  componentsHeading: 'Only one component',
  componentsIntro: 'The same feeds and calendar, with only what touches one part of the service.',
  calendar: 'Calendar',
  badge: 'Badge',
  emailHeading: 'Email',
  emailStatic: 'Email notifications are not offered here: this copy of the site is served as plain files, which cannot keep addresses or send mail. Follow one of the feeds above instead.',
  chatHeading: 'Chat and webhooks',
  chatIntro:
    'The team that runs this page can send every update to a Slack channel or to a webhook of yours (in statuspost\'s JSON, or in the format of Statuspage\'s webhooks): ask them, with the address to send to. Slack, Teams and most chat apps can also follow the RSS feed above by themselves.',
  apiHeading: 'For developers: the status API',
  apiIntro: 'The current status, components, incidents and maintenance as JSON, in the same format as Statuspage\'s public API (v2), so tools and widgets written for Statuspage read it unchanged.',
  apiSummary: 'Summary: status, components, open incidents and maintenance',
  apiOthers: 'Also:',
  bannerHeading: 'For app developers: the banner feed',
  bannerIntro: 'A small JSON file that apps poll to show "maintenance Saturday 22:00", "sign-in is blocked" or "please update", even while the service itself is down. The statuspost package\'s client SDK (statuspost/client, for browsers and Node) polls it politely: conditional requests, the server\'s pacing obeyed, backoff with jitter on errors.',
  bannerFeed: 'Banner feed',
  bannerSchema: 'its JSON Schema',
  bannerDocs: 'How to read it, with or without the SDK',
  bannerDocsTitle: 'The banner feed for apps',
  bannerSdk: 'With the SDK:',
  badgesHeading: 'Badges',
  badgesIntro: 'An image of the current status for a README or a dashboard. Copy the Markdown below; each image is refreshed at every build.',
  badgeSite: 'The whole service:',
  badgeComponents: 'Badges for one component',
  badgeComponent: (name: string) => `${name}:`,
  badgeAlt: (name: string) => `${name} status`,
  shields: 'For shields.io, the same status as endpoint JSON:',
} as const;
