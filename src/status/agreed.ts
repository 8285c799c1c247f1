// The status model over several locations (site.locations of two or more): each location's view of a
// check, replayed as on a single machine (thresholds applied there), then the vote of
// src/locations/quorum.ts per check. Shared by gather (today, current status) and the lease holder's
// refresh of the agreed component days, stored under AGREED_LOCATION.
import type { Config } from '../config/load.ts';
import type { Check } from '../probes/registry.ts';
import { agreeTimelines, vote, type QuorumRule, type Vote } from '../locations/quorum.ts';
import { CheckDay } from '../live/check-day.ts';
import { checkDayOptions, lookbackFor } from '../live/live-status.ts';
import type { LiveByLocation } from '../locations/live.ts';
import type { ConfirmedStatus } from '../runner/confirm.ts';
import { gapLimitFor } from '../store/rollup.ts';
import type { ComponentDay, Store } from '../store/types.ts';
import { componentDayFrom, firstDayToRefresh, resultsForDay, zoneDays, type ComponentInput } from './component-days.ts';
import { checkTimeline, type Segment } from './timeline.ts';

/** The location of the agreed component days: no prober's, since location ids are [a-z0-9-]. */
export const AGREED_LOCATION = '*';

/** The locations a publisher votes over, or undefined on a single location (today's behaviour). */
export function votingLocations(site: Pick<Config['site'], 'locations'>): readonly string[] | undefined {
  const unique = [...new Set(site.locations ?? [])];
  return unique.length >= 2 ? unique : undefined;
}

/** A check's rule: its own, else its component's, else majority. */
export function quorumFor(check: Pick<Check, 'quorum'>, component: { quorum?: QuorumRule | undefined } | undefined): QuorumRule {
  return check.quorum ?? component?.quorum ?? 'majority';
}

/** One location's view of a check now. */
export interface LocationView {
  location: string;
  /** Confirmed there; 'unknown' when its last result is older than the check's gap limit (no data, never up or down). */
  status: ConfirmedStatus;
  since: number | null;
  last: CheckDay['last'];
}

/** A check over several locations today: each one's day and view, the vote now and the agreed timeline. */
export interface AgreedCheck {
  views: LocationView[];
  vote: Vote;
  /** The vote's status; while no quorum forms, the agreed timeline's last (held); 'unknown' if nobody reports. */
  status: ConfirmedStatus;
  timeline: Segment<ConfirmedStatus>[];
}

/** Each location's day of a check: what `live` keeps for that location, else replayed from its rows (and kept from then on). */
export async function locationDay(store: Store, check: Check, location: string, dayStart: number, dayEnd: number, now: number, live?: LiveByLocation): Promise<CheckDay> {
  const kept = live?.location(location);
  let day = kept?.day(check, dayStart, dayEnd, now);
  if (!day) {
    const results = await resultsForDay(store, check, location, dayStart, now + 1);
    day = kept?.adopt(check, dayStart, dayEnd, results) && kept.day(check, dayStart, dayEnd, now);
    day ??= CheckDay.replay(dayStart, dayEnd, checkDayOptions(check), results);
  }
  return day;
}

/** The vote over each location's day of a check at `now`, and the agreed timeline over [dayStart, to). */
export function agreeCheck(check: Check, rule: QuorumRule, days: ReadonlyArray<{ location: string; day: CheckDay }>, to: number, now: number): AgreedCheck {
  const views: LocationView[] = days.map(({ location, day }) => {
    const fresh = day.last !== undefined && now - day.last.startedAt <= gapLimitFor(check);
    return { location, status: fresh ? day.state.status : 'unknown', since: fresh ? day.state.since : null, last: day.last };
  });
  const dayStart = days[0]?.day.dayStart ?? to;
  const timeline = agreeTimelines(days.map(({ location, day }) => ({ location, timeline: day.timeline(to) })), rule, dayStart, to, { datingSpanMs: lookbackFor(check) });
  const v = vote(views, rule, { datingSpanMs: lookbackFor(check) });
  const status: ConfirmedStatus = v.status ?? (v.reporting === 0 ? 'unknown' : (timeline.at(-1)?.status ?? 'unknown'));
  return { views, vote: v, status, timeline };
}

/**
 * Brings the agreed component days (location '*') up to date from every location's rows, from the
 * day after the last final one (or the first result anywhere) through today: per check, each
 * location's timeline as on a single machine, then agreeTimelines with the check's rule. The
 * publisher (lease holder) calls it in its maintenance; probers do not. With `kept`, today's days
 * come from what it keeps per location when it keeps them. Returns how many days were written.
 */
export async function refreshAgreedComponentDays(
  store: Store,
  components: ReadonlyArray<ComponentInput & { quorum?: QuorumRule | undefined }>,
  checks: readonly Check[],
  locations: readonly string[],
  zone: string,
  now: number,
  kept?: LiveByLocation,
): Promise<number> {
  const days = zoneDays(zone);
  const today = days.dayOf(now);
  let computed = 0;
  for (const component of components) {
    const own = checks.filter((check) => check.component === component.id);
    if (own.length === 0) continue;
    const series = own.flatMap((check) => locations.map((location) => ({ checkId: check.id, location })));
    const fromDay = await firstDayToRefresh(store, component.id, AGREED_LOCATION, series, days);
    if (fromDay === undefined) continue;
    const out: ComponentDay[] = [];
    for (let day = fromDay; day <= today; day++) {
      const start = days.startOf(day);
      const end = days.startOf(day + 1);
      const to = Math.max(start, Math.min(end, now));
      const timelines: Segment<ConfirmedStatus>[][] = [];
      for (const check of own) {
        const perLocation = [];
        for (const location of locations) {
          const keptDay = day === today ? kept?.location(location).day(check, start, end, now) : undefined;
          if (keptDay) {
            perLocation.push({ location, timeline: keptDay.timeline(to) });
            continue;
          }
          const results = await resultsForDay(store, check, location, start, end);
          perLocation.push({ location, timeline: checkTimeline(results, { confirm: check.confirm, gapLimitMs: gapLimitFor(check) }, start, to) });
        }
        timelines.push(agreeTimelines(perLocation, quorumFor(check, component), start, to, { datingSpanMs: lookbackFor(check) }));
      }
      out.push(componentDayFrom(component, timelines, own, AGREED_LOCATION, day, { from: start, dayEnd: end }, now));
    }
    await store.saveComponentDays(out);
    computed += out.length;
  }
  return computed;
}
