// `statuspost demo`: start the simulated chat cluster on loopback, probe every part of it once, print.
import { join, resolve } from 'node:path';
import { acquireLock, lockOwner } from '../../daemon/lock.ts';
import { createLogger } from '../../daemon/log.ts';
import { startDaemon } from '../../daemon/daemon.ts';
import { startPublisher, type Publisher } from '../../daemon/publisher.ts';
import { openStore } from '../../store/open.ts';
import { loadConfig } from '../../config/load.ts';
import { ProblemsError, StatuspostError } from '../../errors.ts';
import { runChecksOnce } from '../../runner/run-all.ts';
import { preferredEnv, startDemoCluster } from '../../demo/cluster.ts';
import { controlSocketPath, parseNodeNumber, sendDemoControl, sendDemoLocationControl, startDemoControl, type LocationAction, type NodeAction } from '../../demo/control.ts';
import { DEFAULT_DEMO_DATABASE_URL, parseLocationCount, requireDemoDatabase, startLocationsDemo } from '../../demo/locations.ts';
import { loadPosts } from '../../posts/load.ts';
import { buildAndPublish } from '../../publish/build-site.ts';
import { startStaticServer } from '../../serve/static-server.ts';
import { gatherSnapshotInput } from '../../status/gather.ts';
import { incidentCharts } from '../../postmortem/gather.ts';
import { buildSnapshot } from '../../status/snapshot.ts';
import { ensureUpcomingMaintenance } from '../../demo/upcoming.ts';
import { DEMO_TARGET, demoNotifyConfig, startAlertReceiver } from '../../demo/alert-receiver.ts';
import { startDaemonAutoIncidents, type AutoIncidents } from '../../autodraft/writer.ts';
import { createAlerts, siteInfo } from '../../notify/alerts.ts';
import { closeProviders, providerForKind } from '../../notify/providers/index.ts';
import { startSender, type ResolvedTarget } from '../../notify/sender.ts';
import { simulateHistory } from '../../demo/simulate.ts';
import { refreshRollups } from '../../store/refresh.ts';
import { dayKey } from '../../store/types.ts';
import { languageFlag, parseCommandArgs } from '../args.ts';
import { words } from '../../i18n/messages.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { createOutput, plural, table } from '../output.ts';
import { stopSignal } from '../stop-signal.ts';

export const demoCommand: Command = {
  summary: 'start a simulated chat cluster on loopback and probe every part of it',
  usage: `Usage: statuspost demo [--once] [--stop-node N] [--language LANG] [--root DIR] [--json]
       statuspost demo --locations 3 [--stop-node N] [--language LANG] [--root DIR] [--json]
       statuspost demo node stop N | node start N [--root DIR]
       statuspost demo location cut NAME | location restore NAME [--root DIR]

Starts a simulated chat cluster on loopback (a TLS balancer with cookie affinity over three chat
nodes, a DNS server, an NTP server, a canary folder standing in for the NFS share), then runs every
check in probes/ against it and the machine's own PostgreSQL and Redis, prints the results and
records them in the store of probes/site.yaml (an embedded SQLite file, data/demo/statuspost.db),
builds the status site into public-site/ and serves it on loopback.

  --once             probe, record and build the site once, then stop (without it, the demo
                     serves the site on http://127.0.0.1:4321/ and keeps the cluster, the daemon
                     and the site going until Ctrl-C)
  --stop-node N      stop chat node N (1, 2 or 3) before probing, to see an outage
  --language LANG    build the site in this language: en (English) or de (German); default:
                     site.yaml's \`language:\`, or en (the example posts stay in English)
  --root DIR         the project holding probes/ (default: the current folder); data goes in
                     DIR/data/demo
  --locations N      probe the cluster from N locations (a, b, c, …; 2 to 5) as several machines
                     would: each location reaches the cluster through its own links and runs as
                     its own \`statuspost run\` (a publishes, voting over them all;
                     the others only probe), on one PostgreSQL store: 127.0.0.1:5432, user postgres,
                     no password, schema statuspost_demo (or DEMO_DATABASE_URL); no simulated past
                     days. Press a, b, c to cut a location from the cluster and restore it, or from
                     another shell: \`statuspost demo location cut b\` / \`location restore b\`.
                     What a cut cuts: the balancer and the chat nodes (TCP); DNS, NTP, the share,
                     PostgreSQL and Redis are reached directly.
  --json             print each check's result as a JSON line; without --once, then one more
                     line, {"url": …, "env": {…}}, once the site is served (the daemon's log on
                     standard error is JSON lines too)

While the demo runs, from another shell in the same project:
  statuspost demo node stop N    stop chat node N (1, 2 or 3): the page shows the outage once its
                                 check has failed twice in a row, and republishes by itself
  statuspost demo node start N   start it again: the page clears after its next good check
They talk to the running demo through a socket in data/demo/ that only this user can open.

Alerts: without --once, the daemon sends its alerts (a component's confirmed change, a reminder every
2 minutes while it stays down, the resolution, statuspost's own trouble, an incident it drafted for
an outage under content/incidents/: publish it with \`statuspost publish SLUG\`) to a signed webhook receiver
the demo starts on loopback, which prints each one in the log: "alert received: Chat nodes: partial
outage (critical)". Nothing to configure; probes/notify.yaml is for \`statuspost run\`.

One demo runs per project: a second one (even --once) refuses before it changes anything.

Exit codes: 0 when the demo ran (whatever the checks found) or the node was stopped or started,
1 when the configuration has problems, 2 bad usage (a wrong flag or node number), 3 when a demo
already runs in this project or its store cannot be opened (or, for \`node\`, when none runs).`,
  async run(argv) {
    const stop = stopSignal(); // first: a signal while starting stops it once started
    const args = parseCommandArgs(
      'demo',
      argv,
      {
        once: { type: 'boolean', default: false },
        'stop-node': { type: 'string' },
        language: { type: 'string' },
        locations: { type: 'string' },
      },
      true,
    );
    const output = createOutput(args.json);
    const dataDir = join(args.root, 'data', 'demo');
    if (args.positionals[0] === 'location') return controlLocation(args.positionals, dataDir, args.root, output);
    if (args.positionals.length > 0) return controlNode(args.positionals, dataDir, args.root, output);
    const locationCount = args.values.locations === undefined ? 1 : parseLocationCount(String(args.values.locations));
    if (locationCount > 1) return locationsDemo(args, locationCount, dataDir, output, stop);
    // Everything that can refuse comes before anything is written: the flags, the configuration (with
    // the ports the cluster will ask for), and the lock a running demo holds. A second demo used to
    // make a new balancer certificate over the running one's before it found the lock.
    const stopNode = args.values['stop-node'] === undefined ? undefined : parseNodeNumber(String(args.values['stop-node']), '--stop-node');
    const language = languageFlag('demo', args.values.language);
    const planned = await loadConfig(args.root, { ...process.env, ...preferredEnv(dataDir) });
    if (!planned.config) throw new ProblemsError(planned.problems);
    const demoLock = await acquireLock(join(dataDir, 'demo.lock'), args.root, {
      refusal: (pid) => `a statuspost demo (pid ${pid}) is already running in this project; nothing was changed`,
      hint: 'use that one (its page, and `npx statuspost demo node stop N` / `node start N` from another shell), or stop it with Ctrl-C first',
    });
    let lock: Awaited<ReturnType<typeof acquireLock>> | undefined;
    let cluster: Awaited<ReturnType<typeof startDemoCluster>> | undefined;
    try {
      const plannedStore = planned.config.site.store;
      lock = plannedStore.engine === 'sqlite' ? await acquireLock(`${resolve(args.root, plannedStore.path)}.lock`, args.root) : undefined;
      cluster = await startDemoCluster(dataDir);
      if (stopNode !== undefined) await cluster.stopNode(stopNode - 1);
      for (const note of cluster.notes) output.error(`note: ${note}`);
      if (!args.json) output.line(`Simulated chat cluster up: balancer ${cluster.env.DEMO_LB_URL}, 3 chat nodes, DNS, NTP.`);

      const { config, problems } = await loadConfig(args.root, { ...process.env, ...cluster.env });
      if (!config) throw new ProblemsError(problems);
      if (language) config.site.language = language;
      const scheduled = await ensureUpcomingMaintenance(config, Date.now());
      if (scheduled && !args.json) output.line(`No maintenance was upcoming, so the demo scheduled one: ${scheduled}`);
      const results = await runChecksOnce(config.checks, config.site.concurrency, { stop: new AbortController().signal });
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
        const siteWords = words(config.site.language);
        const notice = siteWords.t('demo.notice', { day: siteWords.day(dayKey(simulation.untilDay)) });
        const publishSite = async () => {
          const posts = await loadPosts({ root: args.root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone });
          if (posts.problems.length > 0) throw new ProblemsError(posts.problems);
          const now = Date.now();
          const snapshot = buildSnapshot(await gatherSnapshotInput(store, config, posts.posts, now));
          const charts = await incidentCharts(store, config, posts.posts, now);
          await buildAndPublish({ config, snapshot, posts: posts.posts, out: join(args.root, 'public-site'), now, notice, incidentCharts: charts });
          return snapshot;
        };
        const snapshot = await publishSite();
        if (!args.json) output.line(`Status site built in public-site/: ${snapshot.overall.description}.`);
        if (args.values.once) return ExitCode.ok;

        const server = await startStaticServer({ folder: join(args.root, 'public-site'), port: 4321 }).catch(() =>
          startStaticServer({ folder: join(args.root, 'public-site') }), // 4321 is taken: any free port
        );
        if (args.json) output.data({ url: server.url, env: cluster.env });
        else {
          output.line(`\nThe status site: ${server.url}`);
          output.line('The cluster keeps running; the daemon records every check on its schedule and republishes the site when a status changes.');
          output.line('To probe the cluster from another shell (the defaults in probes/ match these ports):');
          for (const [name, value] of Object.entries(cluster.env)) output.line(`  export ${name}=${value}`);
          output.line('  npx statuspost probe --once');
        }
        const logger = createLogger({ format: args.json ? 'json' : 'text' });
        const running = cluster;
        const control = await startDemoControl(controlSocketPath(dataDir), async (action, number) => {
          const index = number - 1;
          const name = `chat-${number}`;
          const wasRunning = running.nodeRunning(index);
          if (action === 'stop') await running.stopNode(index);
          else await running.startNode(index);
          logger.info('demo-node', `${name} ${action === 'stop' ? 'stopped' : 'started'} from \`statuspost demo node ${action} ${number}\``, { node: name, action });
          const check = config.checks.find((c) => c.id === name);
          const every = check ? `every ${Math.round(check.schedule.intervalMs / 1000)} s` : 'on its schedule';
          if (action === 'stop') {
            const before = wasRunning ? `${name} stopped.` : `${name} was already stopped.`;
            return `${before} Its check runs ${every}; the page shows the outage once ${check?.confirm.down ?? 2} runs in a row have failed, and republishes by itself.`;
          }
          const before = wasRunning ? `${name} was already running.` : `${name} started.`;
          return `${before} Its check runs ${every}; the page clears after ${check?.confirm.up ?? 1} good run${(check?.confirm.up ?? 1) === 1 ? '' : 's'}.`;
        }).catch((error: Error) => {
          // The demo works without it; only stopping nodes from another shell does not.
          output.error(`note: nodes cannot be stopped and started from another shell: ${error.message}`);
          return undefined;
        });
        const rootFlag = args.root === process.cwd() ? '' : ` --root ${args.root}`;
        if (!args.json) {
          if (control) output.line(`To watch an outage appear on the page and clear, from another shell in this folder:\n  npx statuspost demo node stop 2${rootFlag}\n  npx statuspost demo node start 2${rootFlag}`);
          output.line('Press Ctrl-C to stop.');
        }
        // Alerts, as `statuspost run` sends them with probes/notify.yaml, go to a receiver of the
        // demo's own, which prints each one in this log: the loop, with nothing to configure.
        const receiver = await startAlertReceiver((alert) =>
          logger.info('alert-received', `alert received: ${alert.title} (${alert.severity})`, { kind: alert.kind, severity: alert.severity, key: alert.key, components: alert.components.join(',') }),
        );
        const notify = demoNotifyConfig(receiver);
        if (config.notify) output.error(`note: the demo sends its alerts to its own receiver only; probes/notify.yaml's targets are for \`statuspost run\``);
        if (!args.json) output.line(`Alerts go to the demo's own webhook receiver (${receiver.url}); each one shows in this log as "alert received: …", with a reminder every ${notify.routes[0]!.remindEveryMs! / 60_000} minutes while a component is down.`);
        const webhook: ResolvedTarget = { provider: providerForKind('webhook') as ResolvedTarget['provider'], config: notify.targets[0]!.config };
        // As `statuspost run` does: republish when a check's status changes, a post is edited, a
        // window starts or ends, and every 5 minutes.
        let publisher: Publisher | undefined;
        const alerts = createAlerts({ config, notify, posts: () => publisher?.posts() ?? [] });
        const sender = startSender({ store, notify, target: (name) => (name === DEMO_TARGET ? webhook : undefined), site: { name: config.site.title, url: config.site.baseUrl }, logger });
        let autoIncidents: AutoIncidents | undefined;
        const daemon = startDaemon({
          config,
          store,
          logger,
          onStatusChange: (check, state) => {
            publisher?.request(`check ${check.id} is ${state.status}`);
            autoIncidents?.request(`check ${check.id} is ${state.status}`);
          },
          alerts,
          onOutbox: () => sender.wake(),
          deliverDirect: (entry) => sender.deliverDirect(entry),
        });
        // As `statuspost run` does (site.yaml autoIncidents): a node's outage becomes a draft incident.
        autoIncidents = startDaemonAutoIncidents({ config, site: siteInfo(config), daemon, alerts, logger, ledgerFile: resolve(dataDir, 'auto-incidents.json') });
        publisher = startPublisher({ config, store, logger, out: join(args.root, 'public-site'), beforeBuild: () => daemon.flush(), ...(daemon.live ? { live: daemon.live } : {}), notice });
        await stop;
        await control?.close();
        await autoIncidents?.stop();
        await Promise.all([publisher.stop(), daemon.stop()]);
        await sender.stop();
        await closeProviders();
        await receiver.close();
        await server.close();
      } finally {
        await store.close();
      }
      return ExitCode.ok;
    } finally {
      await cluster?.close();
      await lock?.release();
      await demoLock.release();
    }
  },
};

type DemoArgs = ReturnType<typeof parseCommandArgs> & { values: Record<string, unknown> };

/**
 * `demo --locations N`: the cluster once, then one `statuspost run` per location through its own
 * links, on the shared PostgreSQL (src/demo/locations.ts), the site served, keys and the control
 * socket to cut a location, until Ctrl-C.
 */
async function locationsDemo(args: DemoArgs, count: number, dataDir: string, output: ReturnType<typeof createOutput>, stop: Promise<NodeJS.Signals>): Promise<number> {
  if (args.values.once) throw new StatuspostError('SP_USAGE', 'demo: --locations runs until Ctrl-C; --once is for the one-location demo', { hint: 'drop --once' });
  const stopNode = args.values['stop-node'] === undefined ? undefined : parseNodeNumber(String(args.values['stop-node']), '--stop-node');
  const language = languageFlag('demo', args.values.language);
  const planned = await loadConfig(args.root, { ...process.env, ...preferredEnv(dataDir) });
  if (!planned.config) throw new ProblemsError(planned.problems);
  const databaseUrl = process.env.DEMO_DATABASE_URL ?? DEFAULT_DEMO_DATABASE_URL;
  await requireDemoDatabase(databaseUrl);
  const demoLock = await acquireLock(join(dataDir, 'demo.lock'), args.root, {
    refusal: (pid) => `a statuspost demo (pid ${pid}) is already running in this project; nothing was changed`,
    hint: 'use that one, or stop it with Ctrl-C first',
  });
  let cluster: Awaited<ReturnType<typeof startDemoCluster>> | undefined;
  try {
    cluster = await startDemoCluster(dataDir);
    if (stopNode !== undefined) await cluster.stopNode(stopNode - 1);
    for (const note of cluster.notes) output.error(`note: ${note}`);
    const scheduled = await ensureUpcomingMaintenance(planned.config, Date.now());
    if (scheduled && !args.json) output.line(`No maintenance was upcoming, so the demo scheduled one: ${scheduled}`);
    if (!args.json) output.line(`Simulated chat cluster up: balancer ${cluster.env.DEMO_LB_URL}, 3 chat nodes, DNS, NTP. Starting ${count} locations on PostgreSQL; the first publish takes a moment.`);
    const demo = await startLocationsDemo({ root: args.root, dataDir, count, cluster, databaseUrl, json: args.json, output, ...(language ? { language } : {}) });
    const running = cluster;
    const control = await startDemoControl(
      controlSocketPath(dataDir),
      async (action, number) => {
        if (action === 'stop') await running.stopNode(number - 1);
        else await running.startNode(number - 1);
        return `chat-${number} ${action === 'stop' ? 'stopped' : 'started'}: every location sees it; the page follows once they agree.`;
      },
      (action, name) => demo.control(action, name),
    ).catch((error: Error) => {
      output.error(`note: locations cannot be cut from another shell: ${error.message}`);
      return undefined;
    });
    const rootFlag = args.root === process.cwd() ? '' : ` --root ${args.root}`;
    if (args.json) output.data({ url: demo.url, locations: demo.names, publisher: demo.publisher });
    else {
      output.line(`\nThe status site: ${demo.url}`);
      output.line(`Locations ${demo.names.join(', ')} probe the cluster, each through its own links; ${demo.publisher} also publishes, voting over all ${demo.names.length}.`);
      output.line(`To cut a location from the cluster and restore it: press ${demo.names.join(', ')} here, or from another shell in this folder:\n  npx statuspost demo location cut b${rootFlag}\n  npx statuspost demo location restore b${rootFlag}`);
      output.line('Press Ctrl-C to stop.');
    }
    // Keys: a letter toggles that location's links. Raw mode only on a terminal (a pipe has no keys).
    const keys = process.stdin.isTTY && !args.json;
    const onKey = (data: Buffer) => {
      const key = data.toString();
      if (key === '\u0003') return void process.kill(process.pid, 'SIGINT'); // raw mode swallows Ctrl-C
      if (demo.names.includes(key)) demo.toggle(key).then((message) => output.line(message), (error: Error) => output.error(error.message));
    };
    if (keys) {
      process.stdin.setRawMode(true);
      process.stdin.on('data', onKey);
    }
    await stop;
    if (keys) {
      process.stdin.off('data', onKey);
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
    await control?.close();
    await demo.stop();
    return ExitCode.ok;
  } finally {
    await cluster?.close();
    await demoLock.release();
  }
}

/** `statuspost demo location cut NAME` / `location restore NAME`: asks the demo running with --locations. */
async function controlLocation(positionals: readonly string[], dataDir: string, root: string, output: ReturnType<typeof createOutput>): Promise<number> {
  const [, action, name, ...extra] = positionals;
  if ((action !== 'cut' && action !== 'restore') || !name || extra.length > 0) {
    throw new StatuspostError('SP_USAGE', `demo: unexpected ${JSON.stringify(positionals.join(' '))}`, {
      hint: 'while `statuspost demo --locations 3` runs: `statuspost demo location cut b` or `statuspost demo location restore b`',
    });
  }
  const answer = await sendDemoLocationControl(controlSocketPath(dataDir), action as LocationAction, name, root);
  if (output.json) output.data({ location: name, action, message: answer });
  else output.line(answer);
  return ExitCode.ok;
}

/** `statuspost demo node stop N` / `node start N`: asks the demo running in this project. */
async function controlNode(positionals: readonly string[], dataDir: string, root: string, output: ReturnType<typeof createOutput>): Promise<number> {
  const [noun, action, number, ...extra] = positionals;
  if (noun !== 'node' || (action !== 'stop' && action !== 'start') || extra.length > 0) {
    throw new StatuspostError('SP_USAGE', `demo: unexpected ${JSON.stringify(positionals.join(' '))}`, {
      hint: 'while a demo runs: `statuspost demo node stop N` or `statuspost demo node start N`, with N 1, 2 or 3',
    });
  }
  const node = parseNodeNumber(number, `node ${action}`);
  const answer = await sendDemoControl(controlSocketPath(dataDir), action as NodeAction, node, root).catch(async (error: unknown) => {
    // No socket yet, but a demo holds the lock: it is still probing and building its first site.
    const starting = error instanceof StatuspostError && error.code === 'SP_DEMO_NOT_RUNNING' ? await lockOwner(join(dataDir, 'demo.lock')) : undefined;
    if (starting === undefined) throw error;
    throw new StatuspostError('SP_DEMO_NOT_RUNNING', `the demo (pid ${starting}) is still starting and cannot stop or start nodes yet`, {
      hint: 'try again once it prints "Press Ctrl-C to stop."',
    });
  });
  if (output.json) output.data({ node: `chat-${node}`, action, message: answer });
  else output.line(answer);
  return ExitCode.ok;
}
