// Brings every series' daily roll-ups up to date: from the day after its last final roll-up
// (or its first result) through today. Days already final are never recomputed.
import { yieldToLoop } from '../event-loop.ts';
import { gapLimitFor, rollupDay } from './rollup.ts';
import { DAY_MS, dayStart, toEpochDay, type DailyRollup, type Series, type Store } from './types.ts';

export interface RollupCheck {
  id: string;
  schedule: { intervalMs: number };
  timeoutMs: number;
}

export async function refreshRollups(store: Store, checks: readonly RollupCheck[], location: string, now: number): Promise<number> {
  let computed = 0;
  for (const check of checks) {
    const series: Series = { checkId: check.id, location };
    const lastFinal = await store.lastFinalDay(series);
    const first = lastFinal === undefined ? await store.firstResultAt(series) : undefined;
    if (lastFinal === undefined && first === undefined) continue;
    const fromDay = lastFinal !== undefined ? lastFinal + 1 : toEpochDay(first!);
    const today = toEpochDay(now);
    const gapLimitMs = gapLimitFor(check);
    let previous = await store.lastResultBefore(series, dayStart(fromDay));
    const rollups: DailyRollup[] = [];
    for (let day = fromDay; day <= today; day++) {
      await yieldToLoop(); // one series' day of rows at a time (src/event-loop.ts)
      const results = await store.results({ ...series, since: dayStart(day), until: dayStart(day) + DAY_MS });
      rollups.push(rollupDay({ series, day, previous, results, gapLimitMs, now }));
      previous = results.at(-1) ?? previous;
    }
    await store.saveRollups(rollups);
    computed += rollups.length;
  }
  return computed;
}
