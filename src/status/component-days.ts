// Component days: each component's check-derived status timeline, one calendar day (in the site's
// zone) at a time, computed from raw results and kept for good, so 90 days of uptime never need
// 90 days of raw results. Posts are laid over them when the site is built, never stored in them.
import type { Check } from '../probes/registry.ts';
import { gapLimitFor, SETTLE_MS } from '../store/rollup.ts';
import type { ComponentDay, EpochDay, Series, Store } from '../store/types.ts';
import { yieldToLoop } from '../event-loop.ts';
import type { OutageRule } from './component-status.ts';
import { checkTimeline, componentTimeline, type Segment } from './timeline.ts';
import type { ConfirmedStatus } from '../runner/confirm.ts';
import { zonedParts, zonedToUtc } from '../posts/time.ts';
import { lookbackFor, type LiveStatus } from '../live/live-status.ts';

/** Calendar days in a zone, numbered like UTC epoch days: the local date's days since 1970-01-01. */
export interface ZoneDays {
  dayOf(instant: number): EpochDay;
  startOf(day: EpochDay): number;
}

export function zoneDays(zone: string): ZoneDays {
  return {
    dayOf(instant) {
      const { year, month, day } = zonedParts(instant, zone);
      return Date.UTC(year, month - 1, day) / 86_400_000;
    },
    startOf(day) {
      const date = new Date(day * 86_400_000);
      const wall = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), minute: 0, second: 0 };
      const midnight = zonedToUtc({ ...wall, hour: 0 }, zone);
      // Where a zone skips midnight itself, the day starts at the first instant that exists: 01:00.
      return typeof midnight === 'number' ? midnight : (zonedToUtc({ ...wall, hour: 1 }, zone) as number);
    },
  };
}

export interface ComponentInput {
  id: string;
  outage: OutageRule;
}

/** One component's day from its checks' results (which may start before the day, for confirmation). */
export function computeComponentDay(
  component: ComponentInput,
  checks: ReadonlyArray<{ check: Pick<Check, 'confirm' | 'schedule' | 'timeoutMs'>; results: ReadonlyArray<{ status: 'up' | 'degraded' | 'down'; startedAt: number }> }>,
  location: string,
  day: EpochDay,
  days: ZoneDays,
  now: number,
): ComponentDay {
  const from = days.startOf(day);
  const dayEnd = days.startOf(day + 1);
  const to = Math.max(from, Math.min(dayEnd, now));
  const timelines = checks.map(({ check, results }) => checkTimeline(results, { confirm: check.confirm, gapLimitMs: gapLimitFor(check) }, from, to));
  return componentDayFrom(component, timelines, checks.map(({ check }) => check), location, day, { from, dayEnd }, now);
}

/**
 * One component's day from its checks' timelines over [from, min(dayEnd, now)): what
 * computeComponentDay makes of raw results, and what the daemon's kept state (src/live) gives directly.
 */
export function componentDayFrom(
  component: ComponentInput,
  timelines: ReadonlyArray<Segment<ConfirmedStatus>[]>,
  checks: ReadonlyArray<Pick<Check, 'schedule' | 'timeoutMs'>>,
  location: string,
  day: EpochDay,
  { from, dayEnd }: { from: number; dayEnd: number },
  now: number,
): ComponentDay {
  const to = Math.max(from, Math.min(dayEnd, now));
  const segments = to > from ? componentTimeline(timelines, component.outage, from, to) : [];
  const settleMs = Math.max(SETTLE_MS, ...checks.map((check) => gapLimitFor(check)));
  return {
    componentId: component.id,
    location,
    day,
    segments: segments.map((s) => ({ from: s.from, to: s.to, status: s.status === 'under_maintenance' ? 'operational' : s.status })),
    final: now >= dayEnd + settleMs,
  };
}

/**
 * Brings every component's days up to date, from the day after its last final one (or its checks'
 * first result) through today. Results from a little before each day are read too, so a streak that
 * confirms an outage just after midnight is dated correctly. With `kept` (the daemon's), today's day
 * comes from it, and today's rows are read only for checks it does not keep yet.
 */
export async function refreshComponentDays(
  store: Store,
  components: ReadonlyArray<ComponentInput>,
  checks: readonly Check[],
  location: string,
  zone: string,
  now: number,
  kept?: LiveStatus,
): Promise<number> {
  const days = zoneDays(zone);
  const today = days.dayOf(now);
  let computed = 0;
  for (const component of components) {
    const own = checks.filter((check) => check.component === component.id);
    if (own.length === 0) continue;
    const fromDay = await firstDayToRefresh(store, component.id, location, own.map((check) => ({ checkId: check.id, location })), days);
    if (fromDay === undefined) continue;
    const out: ComponentDay[] = [];
    for (let day = fromDay; day <= today; day++) {
      const start = days.startOf(day);
      const end = days.startOf(day + 1);
      // Today, from what the daemon keeps (src/live) when it keeps every check of the component.
      const keptDays = day === today && kept ? own.map((check) => kept.day(check, start, end, now)) : [];
      if (keptDays.length > 0 && keptDays.every((kept) => kept !== undefined)) {
        const to = Math.max(start, Math.min(end, now));
        out.push(componentDayFrom(component, keptDays.map((kept) => kept!.timeline(to)), own, location, day, { from: start, dayEnd: end }, now));
        continue;
      }
      const inputs = [];
      for (const [i, check] of own.entries()) {
        const results = await resultsForDay(store, check, location, start, end);
        if (day === today && !keptDays[i]) kept?.adopt(check, start, end, results);
        inputs.push({ check, results });
      }
      out.push(computeComponentDay(component, inputs, location, day, days, now));
    }
    await store.saveComponentDays(out);
    computed += out.length;
  }
  return computed;
}

/**
 * The first day of a component's days (stored under `key`: a location, or '*' for the agreed ones)
 * that is not final yet: the day after the last final one, or the day of the first result of any of
 * `series`; undefined when there is nothing to compute.
 */
export async function firstDayToRefresh(store: Store, componentId: string, key: string, series: readonly Series[], days: ZoneDays): Promise<number | undefined> {
  const lastFinal = await store.lastFinalComponentDay(componentId, key);
  if (lastFinal !== undefined) return lastFinal + 1;
  const firsts = await Promise.all(series.map((one) => store.firstResultAt(one)));
  const known = firsts.filter((t): t is number => t !== undefined);
  return known.length === 0 ? undefined : days.dayOf(Math.min(...known));
}

/**
 * A check's results from `from` until `until`, and from enough before `from` for its confirmation
 * state and gap rule to be known at `from`. A loop turn first: one check's day of rows at a time
 * (src/event-loop.ts).
 */
export async function resultsForDay(store: Store, check: Check, location: string, from: number, until: number) {
  await yieldToLoop();
  return store.results({ checkId: check.id, location, since: from - lookbackFor(check), until });
}
