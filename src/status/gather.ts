// The I/O half of the status model: reads what buildSnapshot needs from the store. Past days come
// from stored component days and roll-ups; today's day and each check's current status come from
// the daemon's kept state when it is given one (src/live), otherwise from today's raw results. Both
// are one replay of the same results: the check's status and its timeline come from the same pass.
import type { Config } from '../config/load.ts';
import type { Post } from '../posts/types.ts';
import { CheckDay } from '../live/check-day.ts';
import { checkDayOptions, type LiveStatus } from '../live/live-status.ts';
import type { ConfirmedStatus } from '../runner/confirm.ts';
import { gapLimitFor } from '../store/rollup.ts';
import type { ComponentDay, Store } from '../store/types.ts';
import { LiveByLocation } from '../locations/live.ts';
import { agreeCheck, AGREED_LOCATION, locationDay, quorumFor, votingLocations } from './agreed.ts';
import { componentDayFrom, resultsForDay, zoneDays } from './component-days.ts';
import type { SnapshotInput } from './snapshot.ts';

export const WINDOW_DAYS = 90;

/**
 * `live`: the daemon's kept state, of its own location (LiveStatus) or of every location it follows
 * (LiveByLocation). With site.locations of two or more, see gatherAgreed; otherwise the own location only.
 */
export async function gatherSnapshotInput(store: Store, config: Config, posts: readonly Post[], now: number, live?: LiveStatus | LiveByLocation): Promise<SnapshotInput> {
  const locations = votingLocations(config.site);
  if (locations) return gatherAgreed(store, config, posts, now, locations, live instanceof LiveByLocation ? live : undefined);
  return gatherOwn(store, config, posts, now, live instanceof LiveByLocation ? live.location(config.site.location) : live, live?.history);
}

async function gatherOwn(store: Store, config: Config, posts: readonly Post[], now: number, live: LiveStatus | undefined, history: LiveStatus['history'] | undefined): Promise<SnapshotInput> {
  const location = config.site.location;
  const days = zoneDays(config.site.timezone);
  const today = days.dayOf(now);
  const firstDay = today - WINDOW_DAYS + 1;
  const todayStart = days.startOf(today);
  const todayEnd = days.startOf(today + 1);

  // Kept by the daemon between its refreshes (src/live), or read.
  const daysQuery = { location, sinceDay: firstDay, untilDay: today - 1 };
  const stored = (await (history ? history.componentDays(store, daysQuery) : store.componentDays(daysQuery))).filter((d) => d.day < today);
  // Roll-ups are per UTC day; read a day more on each side of the zone's window.
  const rollupsQuery = { location, sinceDay: Math.floor(days.startOf(firstDay) / 86_400_000) - 1 };
  const rollups = await (history ? history.rollups(store, rollupsQuery) : store.rollups(rollupsQuery));

  const current: SnapshotInput['current'] = new Map();
  const todayDays = [];
  const to = Math.max(todayStart, Math.min(todayEnd, now));
  for (const component of config.components) {
    const own = config.checks.filter((check) => check.component === component.id);
    if (own.length === 0) continue;
    const timelines = [];
    for (const check of own) {
      // What the daemon kept as results arrived (src/live); the store's rows of today otherwise.
      let day = live?.day(check, todayStart, todayEnd, now);
      if (!day) {
        const results = await resultsForDay(store, check, location, todayStart, now + 1);
        day = live?.adopt(check, todayStart, todayEnd, results) && live.day(check, todayStart, todayEnd, now);
        day ??= CheckDay.replay(todayStart, todayEnd, checkDayOptions(check), results);
      }
      const last = day.last;
      const fresh = last !== undefined && now - last.startedAt <= gapLimitFor(check);
      (current as Map<string, unknown>).set(
        check.id,
        last && { status: fresh ? day.state.status : 'unknown', message: last.message, latencyMs: last.latencyMs, at: last.startedAt },
      );
      timelines.push(day.timeline(to));
    }
    todayDays.push(componentDayFrom(component, timelines, own, location, today, { from: todayStart, dayEnd: todayEnd }, now));
  }

  return inputOf(config, posts, now, days, current, [...stored, ...todayDays], rollups);
}

/**
 * Several locations: past days are the agreed component days (location '*', written by the
 * publisher's refresh); today, each check's day at each location (kept in `live`, or replayed from
 * that location's rows), voted per check (src/status/agreed.ts); roll-ups of every location, for
 * per-location latency.
 */
async function gatherAgreed(store: Store, config: Config, posts: readonly Post[], now: number, locations: readonly string[], live: LiveByLocation | undefined): Promise<SnapshotInput> {
  const days = zoneDays(config.site.timezone);
  const today = days.dayOf(now);
  const firstDay = today - WINDOW_DAYS + 1;
  const todayStart = days.startOf(today);
  const todayEnd = days.startOf(today + 1);

  const daysQuery = { location: AGREED_LOCATION, sinceDay: firstDay, untilDay: today - 1 };
  const stored = (await (live ? live.history.componentDays(store, daysQuery) : store.componentDays(daysQuery))).filter((d) => d.day < today);
  const rollupsQuery = { sinceDay: Math.floor(days.startOf(firstDay) / 86_400_000) - 1 };
  const rollups = (await (live ? live.history.rollups(store, rollupsQuery) : store.rollups(rollupsQuery))).filter((r) => locations.includes(r.location));

  const current: SnapshotInput['current'] = new Map();
  const byLocation = new Map<string, Array<{ location: string; status: ConfirmedStatus }>>();
  const todayDays: ComponentDay[] = [];
  const to = Math.max(todayStart, Math.min(todayEnd, now));
  for (const component of config.components) {
    const own = config.checks.filter((check) => check.component === component.id);
    if (own.length === 0) continue;
    const timelines = [];
    for (const check of own) {
      const perLocation = [];
      for (const location of locations) perLocation.push({ location, day: await locationDay(store, check, location, todayStart, todayEnd, now, live) });
      const agreed = agreeCheck(check, quorumFor(check, component), perLocation, to, now);
      // The latest result of a location that sees what was agreed (its message fits the status), else the latest of any.
      const latest = (views: typeof agreed.views) => views.reduce<(typeof views)[number] | undefined>((best, v) => (v.last && (!best?.last || v.last.startedAt > best.last.startedAt) ? v : best), undefined)?.last;
      const last = latest(agreed.views.filter((v) => v.status === agreed.status)) ?? latest(agreed.views);
      (current as Map<string, unknown>).set(check.id, last && { status: agreed.status, message: last.message, latencyMs: last.latencyMs, at: last.startedAt });
      byLocation.set(check.id, agreed.views.map((v) => ({ location: v.location, status: v.status })));
      timelines.push(agreed.timeline);
    }
    todayDays.push(componentDayFrom(component, timelines, own, AGREED_LOCATION, today, { from: todayStart, dayEnd: todayEnd }, now));
  }
  const own = config.site.location;
  return {
    ...inputOf(config, posts, now, days, current, [...stored, ...todayDays], rollups),
    locations: { names: [...locations], latencyFrom: locations.includes(own) ? own : locations[0]!, checks: byLocation },
  };
}

function inputOf(
  config: Config,
  posts: readonly Post[],
  now: number,
  days: SnapshotInput['days'],
  current: SnapshotInput['current'],
  componentDays: ComponentDay[],
  rollups: SnapshotInput['rollups'],
): SnapshotInput {
  return {
    now,
    site: { title: config.site.title, description: config.site.description, baseUrl: config.site.baseUrl, timezone: config.site.timezone, language: config.site.language },
    groups: config.groups,
    components: config.components,
    checks: config.checks.map((check) => ({ id: check.id, name: check.name, kind: check.kind, component: check.component })),
    current,
    componentDays,
    rollups,
    posts,
    days,
    window: WINDOW_DAYS,
    weights: {
      major_outage: config.site.uptimeWeights.majorOutage,
      partial_outage: config.site.uptimeWeights.partialOutage,
      degraded_performance: config.site.uptimeWeights.degradedPerformance,
    },
  };
}

