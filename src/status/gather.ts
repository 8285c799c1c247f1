// The I/O half of the status model: reads what buildSnapshot needs from the store. Past days come
// from stored component days and roll-ups; today's day and each check's current status come from
// the daemon's kept state when it is given one (src/live), otherwise from today's raw results. Both
// are one replay of the same results: the check's status and its timeline come from the same pass.
import type { Config } from '../config/load.ts';
import type { Post } from '../posts/types.ts';
import { CheckDay } from '../live/check-day.ts';
import { checkDayOptions, type LiveStatus } from '../live/live-status.ts';
import { gapLimitFor } from '../store/rollup.ts';
import type { Store } from '../store/types.ts';
import { componentDayFrom, resultsForDay, zoneDays } from './component-days.ts';
import type { SnapshotInput } from './snapshot.ts';

export const WINDOW_DAYS = 90;

export async function gatherSnapshotInput(store: Store, config: Config, posts: readonly Post[], now: number, live?: LiveStatus): Promise<SnapshotInput> {
  const location = config.site.location;
  const days = zoneDays(config.site.timezone);
  const today = days.dayOf(now);
  const firstDay = today - WINDOW_DAYS + 1;
  const todayStart = days.startOf(today);
  const todayEnd = days.startOf(today + 1);

  // Kept by the daemon between its refreshes (src/live), or read.
  const daysQuery = { location, sinceDay: firstDay, untilDay: today - 1 };
  const stored = (await (live ? live.history.componentDays(store, daysQuery) : store.componentDays(daysQuery))).filter((d) => d.day < today);
  // Roll-ups are per UTC day; read a day more on each side of the zone's window.
  const rollupsQuery = { location, sinceDay: Math.floor(days.startOf(firstDay) / 86_400_000) - 1 };
  const rollups = await (live ? live.history.rollups(store, rollupsQuery) : store.rollups(rollupsQuery));

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

  return {
    now,
    site: { title: config.site.title, description: config.site.description, baseUrl: config.site.baseUrl, timezone: config.site.timezone, language: config.site.language },
    groups: config.groups,
    components: config.components,
    checks: config.checks.map((check) => ({ id: check.id, name: check.name, kind: check.kind, component: check.component })),
    current,
    componentDays: [...stored, ...todayDays],
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

