// The I/O half of the status model: reads what buildSnapshot needs from the store. Past days come
// from stored component days and roll-ups; today's day and each check's current status are
// computed from raw results.
import type { Config } from '../config/load.ts';
import type { Post } from '../posts/types.ts';
import { confirmNext, initialConfirmState } from '../runner/confirm.ts';
import { gapLimitFor } from '../store/rollup.ts';
import type { Store } from '../store/types.ts';
import { computeComponentDay, resultsForDay, zoneDays } from './component-days.ts';
import type { SnapshotInput } from './snapshot.ts';

export const WINDOW_DAYS = 90;

export async function gatherSnapshotInput(store: Store, config: Config, posts: readonly Post[], now: number): Promise<SnapshotInput> {
  const location = config.site.location;
  const days = zoneDays(config.site.timezone);
  const today = days.dayOf(now);
  const firstDay = today - WINDOW_DAYS + 1;
  const todayStart = days.startOf(today);

  const stored = (await store.componentDays({ location, sinceDay: firstDay, untilDay: today - 1 })).filter((d) => d.day < today);
  // Roll-ups are per UTC day; read a day more on each side of the zone's window.
  const rollups = await store.rollups({ location, sinceDay: Math.floor(days.startOf(firstDay) / 86_400_000) - 1 });

  const current: SnapshotInput['current'] = new Map();
  const todayDays = [];
  for (const component of config.components) {
    const own = config.checks.filter((check) => check.component === component.id);
    if (own.length === 0) continue;
    const inputs = [];
    for (const check of own) {
      const results = await resultsForDay(store, check, location, todayStart, now + 1);
      let state = initialConfirmState;
      for (const result of results) state = confirmNext(state, result, check.confirm);
      const last = results.at(-1);
      const fresh = last !== undefined && now - last.startedAt <= gapLimitFor(check);
      (current as Map<string, unknown>).set(
        check.id,
        last && { status: fresh ? state.status : 'unknown', message: last.message, latencyMs: last.latencyMs, at: last.startedAt },
      );
      inputs.push({ check, results });
    }
    todayDays.push(computeComponentDay(component, inputs, location, today, days, now));
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
