// Brings every series' daily roll-ups up to date: from the day after its last final roll-up
// (or its first result) through today. Days already final are never recomputed.
import { yieldToLoop } from '../event-loop.ts';
import { gapLimitFor, rollupDay } from './rollup.ts';
import { DAY_MS, dayStart, toEpochDay, type DailyRollup, type EpochDay, type Series, type Store, type StoredResult } from './types.ts';

export interface RollupCheck {
  id: string;
  schedule: { intervalMs: number };
  timeoutMs: number;
}

/** What the daemon keeps of today's roll-ups as results arrive (src/live/live-status.ts). */
export interface KeptRollups {
  rollup(check: RollupCheck, day: EpochDay, now: number): DailyRollup | undefined;
  adoptRollup(check: RollupCheck, series: Series, day: EpochDay, previous: StoredResult | undefined, stored: readonly StoredResult[]): void;
}

/** With `kept`, today's roll-ups come from it, and today's rows are read only for a check it does not keep yet. */
export async function refreshRollups(store: Store, checks: readonly RollupCheck[], location: string, now: number, kept?: KeptRollups): Promise<number> {
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
      const known = day === today ? kept?.rollup(check, day, now) : undefined;
      if (known) {
        rollups.push(known);
        continue;
      }
      await yieldToLoop(); // one series' day of rows at a time (src/event-loop.ts)
      const results = await store.results({ ...series, since: dayStart(day), until: dayStart(day) + DAY_MS });
      rollups.push(rollupDay({ series, day, previous, results, gapLimitMs, now }));
      if (day === today) kept?.adoptRollup(check, series, day, previous, results);
      previous = results.at(-1) ?? previous;
    }
    await store.saveRollups(rollups);
    computed += rollups.length;
  }
  return computed;
}
