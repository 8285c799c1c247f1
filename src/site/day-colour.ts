// One day of the uptime strip: its colour and its words, from the same minutes, so they always agree
// (a day that says "310 min partial outage" is the partial-outage colour, never the major one).
// The mapping is documented in docs/uptime.md ("A day's colour"), which the site shows at /about/uptime/.
import type { DayFigure } from '../status/snapshot.ts';
import { words, type Words } from '../i18n/messages.ts';

/** The fixed phrases of the strip, its legend and its axis, in the site's language (src/i18n). */
export function stripText(w: Words) {
  let text = stripTexts.get(w);
  if (!text) stripTexts.set(w, (text = makeStripText(w)));
  return text;
}

function makeStripText(w: Words) {
  return {
    colour: {
      ok: w.t('strip.colour.ok'),
      degraded: w.t('strip.colour.degraded'),
      partial: w.t('strip.colour.partial'),
      major: w.t('strip.colour.major'),
      maintenance: w.t('strip.colour.maintenance'),
      nodata: w.t('strip.colour.nodata'),
    },
    legendLabel: w.t('strip.legendLabel'),
    howColoured: w.t('strip.howColoured'),
    noData: w.t('number.noData'),
    uptime: (figure: string) => w.t('strip.uptime', { percent: figure }),
    majorMinutes: (n: number) => w.t('bars.majorMinutes', { minutes: n }),
    partialMinutes: (n: number) => w.t('bars.partialMinutes', { minutes: n }),
    degradedMinutes: (n: number) => w.t('bars.degradedMinutes', { minutes: n }),
    maintenanceMinutes: (n: number) => w.t('bars.maintenanceMinutes', { minutes: n }),
    measuredShare: (share: number) => w.t('bars.dayMeasured', { percent: w.wholePercent(share) }),
    axisStart: (days: number) => w.plural('common.daysAgo', days),
    axisToday: w.t('common.today'),
    uptimeHeading: w.t('component.uptime'),
    stripLabel: (name: string, days: number) => w.t('strip.label', { name, days }),
  } as const;
}

// Every bar of every strip says its day in words: the phrases are made once per language.
const stripTexts = new Map<Words, ReturnType<typeof makeStripText>>();

/** The English phrases, as the tests written before other languages read them. */
export const STRIP_TEXT = stripText(words());

export type DayColour = keyof ReturnType<typeof stripText>['colour'];

/** The legend's order: from fine to worst, then the two that are not about the service's health. */
export const DAY_COLOURS: readonly DayColour[] = ['ok', 'degraded', 'partial', 'major', 'maintenance', 'nodata'];

type DayMinutes = Pick<DayFigure, 'coverage' | 'minutes'>;

/**
 * A day's colour is the worst status it spent any time in, as its words list them: major outage,
 * else partial outage, else degraded performance, else maintenance, else operational. A day with
 * nothing measured is "no data". A status counts only once confirmed (docs/uptime.md, part 1), so
 * one missed check paints nothing.
 */
export function dayColour(day: DayMinutes): DayColour {
  if (day.coverage === 0) return 'nodata';
  if (day.minutes.major > 0) return 'major';
  if (day.minutes.partial > 0) return 'partial';
  if (day.minutes.degraded > 0) return 'degraded';
  if (day.minutes.maintenance > 0) return 'maintenance';
  return 'ok';
}

/** The day in words, as its tooltip and its accessible name say it. */
export function describeDay(day: Pick<DayFigure, 'date' | 'percent' | 'coverage' | 'minutes'>, w: Words = words()): string {
  const t = stripText(w);
  const parts = [`${w.day(day.date)}: ${day.coverage === 0 ? t.noData : t.uptime(w.percent(day.percent))}`];
  if (day.minutes.major) parts.push(t.majorMinutes(day.minutes.major));
  if (day.minutes.partial) parts.push(t.partialMinutes(day.minutes.partial));
  if (day.minutes.degraded) parts.push(t.degradedMinutes(day.minutes.degraded));
  if (day.minutes.maintenance) parts.push(t.maintenanceMinutes(day.minutes.maintenance));
  if (day.coverage > 0 && day.coverage < 1) parts.push(t.measuredShare(Math.round(day.coverage * 100)));
  return parts.join(', ');
}
