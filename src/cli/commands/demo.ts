// `statuspost demo`: start the simulated chat cluster on loopback, probe every part of it once, print.
import { join, resolve } from 'node:path';
import { acquireLock } from '../../daemon/lock.ts';
import { createLogger } from '../../daemon/log.ts';
import { startDaemon } from '../../daemon/daemon.ts';
import { startPublisher, type Publisher } from '../../daemon/publisher.ts';
import { openStore } from '../../store/open.ts';
import { loadConfig } from '../../config/load.ts';
import { ProblemsError } from '../../errors.ts';
import { runChecksOnce } from '../../runner/run-all.ts';
import { startDemoCluster } from '../../demo/cluster.ts';
import { loadPosts } from '../../posts/load.ts';
import { buildAndPublish } from '../../publish/build-site.ts';
import { startStaticServer } from '../../serve/static-server.ts';
import { gatherSnapshotInput } from '../../status/gather.ts';
import { buildSnapshot } from '../../status/snapshot.ts';
import { ensureUpcomingMaintenance } from '../../demo/upcoming.ts';
import { simulateHistory } from '../../demo/simulate.ts';
import { refreshRollups } from '../../store/refresh.ts';
import { dayKey } from '../../store/types.ts';
import { parseCommandArgs, wholeNumber } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput, plural, table } from '../output.ts';

export const demoCommand: Command = {
  summary: 'start a simulated chat cluster on loopback and probe every part of it',
  usage: `Usage: statuspost demo [--once] [--stop-node N] [--root DIR] [--json]

Starts a simulated chat cluster on loopback (a TLS balancer with cookie affinity over three chat
nodes, a DNS server, an NTP server, a canary folder standing in for the NFS share), then runs every
check in probes/ against it and the machine's own PostgreSQL and Redis, prints the results and
records them in the store of probes/site.yaml (an embedded SQLite file, data/demo/statuspost.db),
builds the status site into public-site/ and serves it on loopback.

  --once         probe, record and build the site once, then stop (without it, the demo serves the
                 site on http://127.0.0.1:4321/ and keeps the cluster, the daemon and the site going
                 until Ctrl-C)
  --stop-node N  stop chat node N (1-3) before probing, to see an outage
  --root DIR     the project holding probes/ (default: the current folder); data goes in DIR/data/demo
  --json         print each check's result as a JSON line; without --once, then one more line,
                 {"url": …, "env": {…}}, once the site is served (the daemon's log on standard
                 error is JSON lines too)

Exit codes: 0 when the demo ran (whatever the checks found), 1 when the configuration has problems,
2 bad usage, 3 the demo's store cannot be opened or is in use by another statuspost.`,
  async run(argv) {
    const args = parseCommandArgs('demo', argv, {
      once: { type: 'boolean', default: false },
      'stop-node': { type: 'string' },
    });
    const output = createOutput(args.json);
    const stopNode = args.values['stop-node'] === undefined ? undefined : wholeNumber('demo', 'stop-node', args.values['stop-node'], { min: 1, max: 3, example: 2 });
    const cluster = await startDemoCluster(join(args.root, 'data', 'demo'));
    try {
      if (stopNode !== undefined) await cluster.stopNode(stopNode - 1);
      for (const note of cluster.notes) output.error(`note: ${note}`);
      if (!args.json) output.line(`Simulated chat cluster up: balancer ${cluster.env.DEMO_LB_URL}, 3 chat nodes, DNS, NTP.`);

      const { config, problems } = await loadConfig(args.root, { ...process.env, ...cluster.env });
      if (!config) throw new ProblemsError(problems);
      const scheduled = await ensureUpcomingMaintenance(config, Date.now());
      if (scheduled && !args.json) output.line(`No maintenance was upcoming, so the demo scheduled one: ${scheduled}`);
      const results = await runChecksOnce(config.checks, config.site.concurrency, { stop: new AbortController().signal });
      const lock = config.site.store.engine === 'sqlite' ? await acquireLock(`${resolve(args.root, config.site.store.path)}.lock`, args.root) : undefined;
      const store = await openStore(config.site.store, args.root);
      if (args.json) {
        for (const result of results) output.data(result);
      } else {
        const rows = [['COMPONENT', 'CHECK', 'KIND', 'STATUS', 'LATENCY', 'MESSAGE']];
        results.forEach((result, i) =>
          rows.push([
            config.checks[i]!.component,
            result.checkId,
            result.kind,
            result.status.toUpperCase(),
            result.latencyMs === null ? '-' : `${Math.round(result.latencyMs)} ms`,
            result.message,
          ]),
        );
        output.line(table(rows));
        const kinds = new Set(results.map((r) => r.kind));
        output.line(`\n${plural(results.length, 'check')} of ${plural(kinds.size, 'kind')}: ${['up', 'degraded', 'down'].map((s) => `${results.filter((r) => r.status === s).length} ${s}`).join(', ')}`);
      }
      try {
        await store.migrate();
        await store.record(results, config.site.location);
        if (!args.json) output.line(`Recorded in the ${store.engine} store (${config.site.store.engine === 'sqlite' ? config.site.store.path : 'PostgreSQL'}).`);
        const loaded = await loadPosts({ root: args.root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone });
        // The days before the demo first ran are a documented simulation (docs/demo-data.md); the site says so.
        const simulation = await simulateHistory({ store, config, posts: loaded.posts, now: Date.now() });
        if (simulation.days > 0 && !args.json) output.line(`Simulated ${plural(simulation.days, 'past day')} of the cluster, replaying the example incidents (docs/demo-data.md).`);
        // The real days' roll-ups (latency by day), as the daemon keeps them; the simulated days have theirs.
        await refreshRollups(store, config.checks, config.site.location, Date.now());
        const notice = `Demo data: a simulated chat cluster on loopback. Days before ${dayKey(simulation.untilDay)} are a simulation that replays the example incidents' outages; later days are real probes of the simulated cluster.`;
        const publishSite = async () => {
          const posts = await loadPosts({ root: args.root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone });
          if (posts.problems.length > 0) throw new ProblemsError(posts.problems);
          const now = Date.now();
          const snapshot = buildSnapshot(await gatherSnapshotInput(store, config, posts.posts, now));
          await buildAndPublish({ config, snapshot, posts: posts.posts, out: join(args.root, 'public-site'), now, notice });
          return snapshot;
        };
        const snapshot = await publishSite();
        if (!args.json) output.line(`Status site built in public-site/: ${snapshot.overall.description}.`);
        if (args.values.once) return ExitCode.ok;

        const server = await startStaticServer({ folder: join(args.root, 'public-site'), port: 4321 }).catch(() =>
          startStaticServer({ folder: join(args.root, 'public-site') }), // 4321 is taken: any free port
        );
        if (args.json) {
          output.data({ url: server.url, env: cluster.env });
        } else {
          output.line(`\nThe status site: ${server.url}`);
          output.line('The cluster keeps running; the daemon records every check on its schedule and republishes the site when a status changes.');
          output.line('To probe the cluster from another shell (the defaults in probes/ match these ports):');
          for (const [name, value] of Object.entries(cluster.env)) output.line(`  export ${name}=${value}`);
          output.line('  statuspost probe --once\nPress Ctrl-C to stop.');
        }
        const logger = createLogger({ format: args.json ? 'json' : 'text' });
        // As `statuspost run` does: republish when a check's status changes, a post is edited, a
        // window starts or ends, and every 5 minutes.
        let publisher: Publisher | undefined;
        const daemon = startDaemon({ config, store, logger, onStatusChange: (check, state) => publisher?.request(`check ${check.id} is ${state.status}`) });
        publisher = startPublisher({ config, store, logger, out: join(args.root, 'public-site'), beforeBuild: () => daemon.flush(), notice });
        await new Promise<void>((resolveStop) => {
          process.once('SIGINT', resolveStop);
          process.once('SIGTERM', resolveStop);
        });
        await Promise.all([publisher.stop(), daemon.stop()]);
        await server.close();
      } finally {
        await store.close();
        await lock?.release();
      }
      return ExitCode.ok;
    } finally {
      await cluster.close();
    }
  },
};
