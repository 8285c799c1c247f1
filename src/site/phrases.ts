// The fixed phrases of the history archive and the subscribe page, in the site's language: the
// words are in src/i18n/<language>.ts; these functions give them the shape the pages use. Functions
// where a phrase carries a number or a name.
import { words, type Words } from '../i18n/messages.ts';
import type { HistoryEntry } from './history.ts';

/** "45 min", "2 h 5 min", "3 d 4 h": the two largest units, never "0 min" for a short one. */
export function durationWords(ms: number, w: Words = words()): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? w.t('duration.daysHours', { days, hours }) : w.t('duration.days', { days });
  if (hours > 0) return rest > 0 ? w.t('duration.hoursMinutes', { hours, minutes: rest }) : w.t('duration.hours', { hours });
  return w.t('duration.minutes', { minutes: rest });
}

/** An impact in words (a window's is "maintenance"), for the history and the home page's past days alike. */
export function impactLabels(w: Words): Record<HistoryEntry['impact'], string> {
  return {
    none: w.t('impactLabel.none'),
    minor: w.t('impactLabel.minor'),
    major: w.t('impactLabel.major'),
    critical: w.t('impactLabel.critical'),
    maintenance: w.t('impactLabel.maintenance'),
  };
}

export function historyText(w: Words) {
  return {
    title: w.t('history.title'),
    intro: w.t('history.intro'),
    empty: w.t('history.empty'),
    filterHeading: w.t('history.filterHeading'),
    filterAll: w.t('history.filterAll'),
    otherMonths: w.t('history.otherMonths'),
    newer: (month: string) => w.t('history.newer', { month }),
    older: (month: string) => w.t('history.older', { month }),
    monthTitle: (month: string) => w.t('history.monthTitle', { month }),
    componentTitle: (name: string) => w.t('history.componentTitle', { name }),
    componentIntro: (name: string) => w.t('history.componentIntro', { name }),
    componentEmpty: (name: string) => w.t('history.componentEmpty', { name }),
    counts: (entries: readonly HistoryEntry[]) => {
      const incidents = entries.filter((e) => e.kind === 'incident').length;
      const windows = entries.length - incidents;
      return [incidents > 0 && w.plural('history.incidentCount', incidents), windows > 0 && w.plural('history.windowCount', windows)].filter(Boolean).join(', ');
    },
    more: (n: number, month: string) => w.t('history.more', { count: n, month }),
    impact: impactLabels(w),
    duration: (entry: HistoryEntry) => {
      const took = durationWords(entry.durationMs, w);
      switch (entry.state) {
        case 'ongoing':
          return w.t('history.ongoing', { took });
        case 'in_progress':
          return w.t('history.inProgress', { took });
        case 'overrunning':
          return w.t('history.overrunning', { planned: durationWords(entry.plannedMs ?? 0, w), took });
        default:
          return w.t('history.lasted', { took });
      }
    },
    affected: w.t('common.affected'),
    noComponents: w.t('history.noComponents'),
  } as const;
}

export function subscribeText(w: Words) {
  return {
    title: w.t('subscribe.title'),
    intro: w.t('subscribe.intro'),
    feedsHeading: w.t('subscribe.feedsHeading'),
    feedsIntro: w.t('subscribe.feedsIntro'),
    rss: w.t('subscribe.rss'),
    atom: w.t('subscribe.atom'),
    json: w.t('subscribe.json'),
    siteFeeds: w.t('subscribe.siteFeeds'),
    calendarHeading: w.t('subscribe.calendarHeading'),
    calendarIntro: w.t('subscribe.calendarIntro'),
    calendarOpen: w.t('subscribe.calendarOpen'),
    calendarAddress: w.t('subscribe.calendarAddress'),
    componentsHeading: w.t('subscribe.componentsHeading'),
    componentsIntro: w.t('subscribe.componentsIntro'),
    calendar: w.t('subscribe.calendar'),
    badge: w.t('subscribe.badge'),
    emailHeading: w.t('signup.heading'),
    emailStatic: w.t('subscribe.emailStatic'),
    chatHeading: w.t('subscribe.chatHeading'),
    chatIntro: w.t('subscribe.chatIntro'),
    apiHeading: w.t('subscribe.apiHeading'),
    apiIntro: w.t('subscribe.apiIntro'),
    apiSummary: w.t('subscribe.apiSummary'),
    apiOthers: w.t('subscribe.apiOthers'),
    bannerHeading: w.t('subscribe.bannerHeading'),
    bannerIntro: w.t('subscribe.bannerIntro'),
    bannerFeed: w.t('subscribe.bannerFeed'),
    bannerSchema: w.t('subscribe.bannerSchema'),
    bannerDocs: w.t('subscribe.bannerDocs'),
    bannerDocsTitle: w.t('subscribe.bannerDocsTitle'),
    bannerSdk: w.t('subscribe.bannerSdk'),
    badgesHeading: w.t('subscribe.badgesHeading'),
    badgesIntro: w.t('subscribe.badgesIntro'),
    badgeSite: w.t('subscribe.badgeSite'),
    badgeComponents: w.t('subscribe.badgeComponents'),
    badgeComponent: (name: string) => `${name}:`,
    badgeAlt: (name: string) => w.t('subscribe.badgeAlt', { name }),
    shields: w.t('subscribe.shields'),
  } as const;
}

/** The English phrases, as the tests written before other languages read them. */
export const historyPhrases = historyText(words());
export const subscribePhrases = subscribeText(words());
