// One day of the uptime strip: its colour and its words, from the same minutes, so they always agree
// (a day that says "310 min partial outage" is the partial-outage colour, never the major one).
// The mapping is documented in docs/uptime.md ("A day's colour"), which the site shows at /about/uptime/.
import type { DayFigure } from '../status/snapshot.ts';
import { percent } from './format.ts';

/** Every fixed English phrase of the strip, its legend and its axis, in one place for translation. */
export const STRIP_TEXT = {
  colour: {
    ok: 'Operational',
    degraded: 'Degraded',
    partial: 'Partial outage',
    major: 'Major outage',
    maintenance: 'Maintenance',
    nodata: 'No data',
  },
  legendLabel: 'What the colours of a day mean',
  howColoured: 'How a day is coloured',
  noData: 'no data',
  uptime: (figure: string) => `${figure} uptime`,
  majorMinutes: (n: number) => `${n} min major outage`,
  partialMinutes: (n: number) => `${n} min partial outage`,
  degradedMinutes: (n: number) => `${n} min degraded`,
  maintenanceMinutes: (n: number) => `${n} min maintenance`,
  measuredShare: (share: number) => `${share}% of the day measured`,
  axisStart: (days: number) => `${days} days ago`,
  axisToday: 'Today',
  uptimeHeading: 'Uptime',
  stripLabel: (name: string, days: number) => `${name}: uptime, day by day, for ${days} days`,
} as const;

export type DayColour = keyof typeof STRIP_TEXT.colour;

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
export function describeDay(day: Pick<DayFigure, 'date' | 'percent' | 'coverage' | 'minutes'>): string {
  const t = STRIP_TEXT;
  const parts = [`${day.date}: ${day.coverage === 0 ? t.noData : t.uptime(percent(day.percent))}`];
  if (day.minutes.major) parts.push(t.majorMinutes(day.minutes.major));
  if (day.minutes.partial) parts.push(t.partialMinutes(day.minutes.partial));
  if (day.minutes.degraded) parts.push(t.degradedMinutes(day.minutes.degraded));
  if (day.minutes.maintenance) parts.push(t.maintenanceMinutes(day.minutes.maintenance));
  if (day.coverage > 0 && day.coverage < 1) parts.push(t.measuredShare(Math.round(day.coverage * 100)));
  return parts.join(', ');
}
