// The demo's simulated past (docs/demo-data.md): the example incidents' outages replayed on the
// documented days, through the real roll-up and component-day code, never over real data.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { cp } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { REPLAY_DAYS_AGO, replayedOutages, simulateHistory } from '../../src/demo/simulate.ts';
import { loadPosts } from '../../src/posts/load.ts';
import { zoneDays } from '../../src/status/component-days.ts';
import { gatherSnapshotInput } from '../../src/status/gather.ts';
import { buildSnapshot } from '../../src/status/snapshot.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { dayKey } from '../../src/store/types.ts';
import { tempDir } from '../helpers/temp.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const NOW = Date.UTC(2026, 10, 23, 20, 0);

async function demo() {
  const root = await tempDir('statuspost-simulate-');
  await cp(join(repo, 'probes'), join(root, 'probes'), { recursive: true });
  await cp(join(repo, 'content'), join(root, 'content'), { recursive: true, filter: (src) => !src.endsWith('-chat-node-security-patching.md') });
  const { config } = await loadConfig(root);
  const { posts } = await loadPosts({ root, componentIds: config!.components.map((c) => c.id), siteTimezone: config!.site.timezone });
  const store = await openSqliteStore({ path: join(root, 'sim.db') });
  await store.migrate();
  return { config: config!, posts, store };
}

describe('the demo simulation', () => {
  it('replays each example incident on its documented day, same time of day and duration', async () => {
    const { config, posts } = await demo();
    const outages = replayedOutages(posts, config.site.timezone, NOW);
    const days = zoneDays(config.site.timezone);
    const newest = posts.filter((p) => p.kind === 'incident').sort((a, b) => (b as { startedAt: number }).startedAt - (a as { startedAt: number }).startedAt)[0]!;
    const replay = outages.filter((o) => o.slug === newest.slug);
    expect(replay.length).toBeGreaterThan(0);
    expect(days.dayOf(replay[0]!.from)).toBe(days.dayOf(NOW) - REPLAY_DAYS_AGO[0]!);
    if (newest.kind !== 'incident') throw new Error('expected an incident');
    expect(replay[0]!.to - replay[0]!.from).toBe(newest.resolvedAt! - newest.startedAt);
    expect(replay.map((o) => `${o.componentId}:${o.status}`).sort()).toEqual(Object.entries(newest.components).map(([c, s]) => `${c}:${s}`).sort());
  });

  it('fills 89 past days, shows the replayed outages in the uptime, and is deterministic', async () => {
    const { config, posts, store } = await demo();
    const result = await simulateHistory({ store, config, posts, now: NOW });
    expect(result.days).toBe(89); // the 89 days before today; today is left to real probes
    const snapshot = buildSnapshot(await gatherSnapshotInput(store, config, posts, NOW));
    const days = zoneDays(config.site.timezone);
    for (const outage of result.outages) {
      const component = snapshot.components.find((c) => c.id === outage.componentId)!;
      const day = component.days.find((d) => d.date === dayKey(days.dayOf(outage.from)))!;
      if (outage.status === 'degraded_performance') continue; // weighted 0 by default: no downtime minutes
      expect(day.downtimeMinutes, `${outage.slug} on ${outage.componentId}`).toBeGreaterThan(0);
    }
    const quiet = snapshot.components.find((c) => c.id === 'clock')!;
    expect(quiet.uptime.d90.percent).toBeGreaterThan(99.9);
    // A second store from the same seed holds the same numbers.
    const again = await demo();
    await simulateHistory({ store: again.store, config: again.config, posts: again.posts, now: NOW });
    const twin = buildSnapshot(await gatherSnapshotInput(again.store, again.config, again.posts, NOW));
    expect(twin.components.map((c) => c.uptime.d90.percent)).toEqual(snapshot.components.map((c) => c.uptime.d90.percent));
    await store.close();
    await again.store.close();
  });

  it('never overwrites a day that has data, and stops at the first real result', async () => {
    const { config, posts, store } = await demo();
    const check = config.checks.find((c) => c.component === 'clock')!;
    const firstReal = NOW - 3 * 86_400_000;
    await store.record([{ checkId: check.id, kind: check.kind, status: 'up', startedAt: firstReal, latencyMs: 1, message: 'offset 1 ms', details: {} }], config.site.location);
    const first = await simulateHistory({ store, config, posts, now: NOW });
    const days = zoneDays(config.site.timezone);
    expect(first.untilDay).toBe(days.dayOf(firstReal));
    expect(first.days).toBe(86);
    const second = await simulateHistory({ store, config, posts, now: NOW });
    expect(second.days).toBe(0);
    await store.close();
  });
});
