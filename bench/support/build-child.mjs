// One measured build, in its own process so its peak memory is its own, running the compiled code
// (dist/, as the `statuspost` command does) under plain node. Prints one JSON line.
//   full ROOT OUT       what `statuspost build` does: config, posts, snapshot, Astro, checks, publish
//   republish ROOT OUT  what the daemon does when only a status changed: posts stay loaded, one
//                       component goes down in the store, the snapshot is recomputed and the site
//                       republished over the previous build (only the second build is timed)
//   reference DIR OUT POSTS_JSON  the minimal reference Astro site on the same posts
import { loadConfig } from '../../dist/config/load.js';
import { loadPosts } from '../../dist/posts/load.js';
import { buildAndPublish } from '../../dist/publish/build-site.js';
import { gatherSnapshotInput } from '../../dist/status/gather.js';
import { buildSnapshot } from '../../dist/status/snapshot.js';
import { openStore } from '../../dist/store/open.js';

const [mode, root, out, extra] = process.argv.slice(2);
const peakMb = () => process.resourceUsage().maxRSS / 1024;

if (mode === 'reference') {
  process.env.REFERENCE_POSTS = extra;
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  const t0 = performance.now();
  const { build } = await import('astro');
  await build({ root, outDir: out, logLevel: 'error' });
  console.log(JSON.stringify({ ms: performance.now() - t0, peakMb: peakMb() }));
} else {
  const t0 = performance.now();
  const { config } = await loadConfig(root);
  if (!config) throw new Error('the bench project has configuration problems');
  const { posts, problems } = await loadPosts({ root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone });
  if (problems.length > 0) throw new Error(`${problems.length} problems in the generated posts`);
  const loaded = performance.now() - t0;
  const store = await openStore(config.site.store, root);
  const publishNow = async () => {
    const now = Date.now();
    const t = performance.now();
    const snapshot = buildSnapshot(await gatherSnapshotInput(store, config, posts, now));
    const snapshotMs = performance.now() - t;
    const result = await buildAndPublish({ config, snapshot, posts, out, now });
    return { snapshot, result, snapshotMs };
  };
  let { snapshot, result, snapshotMs } = await publishNow();
  // Where the time went: config and posts (loaded, validated), the Snapshot, then the build's own steps.
  let phases = { 'config+posts': loaded, snapshot: snapshotMs, ...result.phases };
  let timed = performance.now() - t0;
  if (mode === 'republish') {
    // The bench runs this several times on one store, so the first chat node may still be down from
    // the last round (its failures are fresh for a minute or more): flip it whichever way it is now,
    // so every round republishes a real status change, on any day and at any time.
    const check = config.checks.find((c) => c.component === 'chat-nodes');
    const before = snapshot.components.find((c) => c.id === 'chat-nodes').checks.find((c) => c.id === check.id).status;
    const status = before === 'down' ? 'up' : 'down';
    const needed = status === 'down' ? check.confirm.down : check.confirm.up;
    const now = Date.now();
    // Enough results, a second apart, to confirm the new status.
    await store.record(
      Array.from({ length: needed + 1 }, (_, i) => ({ checkId: check.id, kind: check.kind, status, startedAt: now - (needed - i) * 1000, latencyMs: status === 'up' ? 12 : null, message: status === 'up' ? '200 OK in 12 ms' : 'connection refused', details: {} })),
      config.site.location,
    );
    const t1 = performance.now();
    ({ snapshot, result, snapshotMs } = await publishNow());
    timed = performance.now() - t1;
    phases = { snapshot: snapshotMs, ...result.phases };
    const after = snapshot.components.find((c) => c.id === 'chat-nodes').checks.find((c) => c.id === check.id).status;
    if (after === before) throw new Error(`the republish did not change ${check.id} (still ${after})`);
  }
  await store.close();
  console.log(JSON.stringify({ ms: timed, peakMb: peakMb(), rendered: result.rendered, reused: result.reused, files: result.files, posts: posts.length, phases }));
}
