// The demo's past: a simulation of the chat cluster over the days before the demo first ran, so a
// fresh demo shows 90 days of uptime instead of one. It replays the outages of the example incidents
// (their components, statuses and durations, at the same time of day) on fixed days in the window,
// and otherwise keeps every check up with a seeded scatter of latencies and lone failed probes (which
// confirmation absorbs). The simulated results go through the same roll-up and component-day code as
// real ones; only the roll-ups and component days are stored, never the simulated raw results.
// Documented in docs/demo-data.md; the site says which days are simulated.
import type { Config } from '../config/load.ts';
import type { Incident, Post } from '../posts/types.ts';
import type { CheckResult } from '../probes/types.ts';
import { computeComponentDay, zoneDays } from '../status/component-days.ts';
import { rollupDay } from '../store/rollup.ts';
import { DAY_MS, type ComponentDay, type DailyRollup, type Store, type StoredResult } from '../store/types.ts';

/** How often the simulation samples each check: coarser than real probing, so 90 days take a second. */
export const SIMULATED_INTERVAL_MS = 5 * 60_000;
/** Days ago on which the example incidents are replayed, newest incident first. */
export const REPLAY_DAYS_AGO = [9, 23, 41, 58, 76];

export interface SimulatedOutage {
  componentId: string;
  status: 'degraded_performance' | 'partial_outage' | 'major_outage';
  from: number;
  to: number;
  /** The example incident it replays. */
  slug: string;
}

/** The example incidents' outages moved onto the replay days, at the same local time of day. */
export function replayedOutages(posts: readonly Post[], zone: string, now: number): SimulatedOutage[] {
  const days = zoneDays(zone);
  const today = days.dayOf(now);
  const incidents = posts
    .filter((post): post is Incident => post.kind === 'incident' && post.resolvedAt !== null)
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, REPLAY_DAYS_AGO.length);
  return incidents.flatMap((incident, i) => {
    const shift = days.startOf(today - REPLAY_DAYS_AGO[i]!) - days.startOf(days.dayOf(incident.startedAt));
    return Object.entries(incident.components).flatMap(([componentId, status]) =>
      status === 'operational' || status === 'under_maintenance'
        ? []
        : [{ componentId, status, from: incident.startedAt + shift, to: incident.resolvedAt! + shift, slug: incident.slug }],
    );
  });
}

/** A small deterministic generator (mulberry32), so every demo shows the same simulated past. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** What one check reports at `at`: a partial outage takes down the first check of a component only. */
function simulatedStatus(check: Config['checks'][number], checkIndex: number, outages: readonly SimulatedOutage[], at: number, random: () => number): CheckResult['status'] {
  for (const outage of outages) {
    if (outage.componentId !== check.component || at < outage.from || at >= outage.to) continue;
    if (outage.status === 'major_outage') return 'down';
    if (outage.status === 'partial_outage' && checkIndex === 0) return 'down';
    if (outage.status === 'degraded_performance') return 'degraded';
  }
  return random() < 0.002 ? 'down' : 'up'; // a lone failed probe now and then; confirmation absorbs it
}

export interface SimulationResult {
  /** The first day not simulated (site-zone day number): real data starts here. */
  untilDay: number;
  days: number;
  outages: SimulatedOutage[];
}

/**
 * Fills the days of the window before the first real result (or before today) that have no stored
 * component day. Days already stored are never overwritten, so running it again changes nothing.
 */
export async function simulateHistory(options: { store: Store; config: Config; posts: readonly Post[]; now: number; windowDays?: number; seed?: number }): Promise<SimulationResult> {
  const { store, config, posts, now, windowDays = 90, seed = 2016 } = options;
  const location = config.site.location;
  const days = zoneDays(config.site.timezone);
  const today = days.dayOf(now);
  const firsts = await Promise.all(config.checks.map((check) => store.firstResultAt({ checkId: check.id, location })));
  const firstReal = Math.min(now, ...firsts.filter((t): t is number => t !== undefined));
  const untilDay = Math.min(today, days.dayOf(firstReal));
  const fromDay = today - windowDays + 1;
  const stored = new Set((await store.componentDays({ location, sinceDay: fromDay, untilDay: untilDay - 1 })).map((d) => `${d.componentId}/${d.day}`));
  const outages = replayedOutages(posts, config.site.timezone, now);
  const random = seededRandom(seed);
  // Simulated checks are sampled every five minutes; their gap limits and confirmation follow.
  const simulatedChecks = config.checks.map((check) => ({ ...check, schedule: { ...check.schedule, intervalMs: SIMULATED_INTERVAL_MS } }));

  // Each check's whole simulated series, sampled on one regular grid, so a day is a slice of it.
  const t0 = days.startOf(fromDay) - 4 * SIMULATED_INTERVAL_MS;
  const tEnd = days.startOf(untilDay);
  const series = new Map<string, StoredResult[]>();
  for (const check of simulatedChecks) {
    const index = simulatedChecks.filter((c) => c.component === check.component).indexOf(check);
    const base = check.kind === 'ntp' || check.kind === 'dns' ? 2 : check.kind === 'http' || check.kind === 'tls' ? 18 : 4;
    const results: StoredResult[] = [];
    for (let at = t0; at < tEnd; at += SIMULATED_INTERVAL_MS) {
      const status = simulatedStatus(check, index, outages, at, random);
      const latencyMs = status === 'down' ? null : Math.round(base * (1 + random() * random() * 3) * 10) / 10;
      results.push({ checkId: check.id, location, status, startedAt: at, latencyMs, message: `simulated: ${status}`, details: {} });
    }
    series.set(check.id, results);
  }
  const slice = (checkId: string, from: number, to: number) => {
    const all = series.get(checkId)!;
    const first = Math.max(0, Math.ceil((from - t0) / SIMULATED_INTERVAL_MS));
    const last = Math.max(0, Math.ceil((to - t0) / SIMULATED_INTERVAL_MS));
    return all.slice(first, last);
  };

  const componentDays: ComponentDay[] = [];
  const simulatedDays = new Set<number>();
  for (let day = fromDay; day < untilDay; day++) {
    const from = days.startOf(day);
    const to = days.startOf(day + 1);
    for (const component of config.components) {
      if (stored.has(`${component.id}/${day}`)) continue;
      const own = simulatedChecks.filter((check) => check.component === component.id);
      if (own.length === 0) continue;
      // A little before the day too, so an outage confirmed just after midnight is dated as it would be.
      const inputs = own.map((check) => ({ check, results: slice(check.id, from - 4 * SIMULATED_INTERVAL_MS, to) }));
      componentDays.push({ ...computeComponentDay(component, inputs, location, day, days, now), final: true });
      simulatedDays.add(day);
    }
  }
  // Roll-ups are per UTC day: every UTC day wholly inside the simulated span that has none stored.
  const rollups: DailyRollup[] = [];
  if (simulatedDays.size > 0) {
    const firstUtc = Math.ceil(days.startOf(Math.min(...simulatedDays)) / DAY_MS);
    const endUtc = Math.floor(tEnd / DAY_MS);
    const have = new Set((await store.rollups({ location, sinceDay: firstUtc, untilDay: endUtc })).map((r) => `${r.checkId}/${r.day}`));
    for (const check of simulatedChecks) {
      for (let utcDay = firstUtc; utcDay < endUtc; utcDay++) {
        if (have.has(`${check.id}/${utcDay}`)) continue;
        const results = slice(check.id, utcDay * DAY_MS, (utcDay + 1) * DAY_MS);
        const rollup = rollupDay({ series: { checkId: check.id, location }, day: utcDay, previous: undefined, results, gapLimitMs: 2 * SIMULATED_INTERVAL_MS + check.timeoutMs, now });
        rollups.push({ ...rollup, final: true });
      }
    }
  }
  await store.saveComponentDays(componentDays);
  await store.saveRollups(rollups);
  return { untilDay, days: simulatedDays.size, outages };
}
