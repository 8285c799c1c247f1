// `statuspost run`: the daemon. Probes on schedule, records every result, and republishes the site
// when what it shows changes, until SIGTERM or SIGINT.
import { loadConfig, type Config } from '../../config/load.ts';
import { refreshAgreedComponentDays } from '../../status/agreed.ts';
import { startLocationRoles } from '../../locations/roles.ts';
import { idSchema } from '../../probes/types.ts';
import { acquireLock, type Lock } from '../../daemon/lock.ts';
import { createLogger, type LogFormat } from '../../daemon/log.ts';
import { restoreConfirmStates, startDaemon } from '../../daemon/daemon.ts';
import { writeHeartbeat } from '../../daemon/heartbeat.ts';
import { createMetrics, serveMetrics } from '../../daemon/metrics.ts';
import { startPublisher, type Publisher } from '../../daemon/publisher.ts';
import { ProblemsError, StatuspostError } from '../../errors.ts';
import { startDaemonAutoIncidents, type AutoIncidents } from '../../autodraft/writer.ts';
import { createAlerts, siteInfo } from '../../notify/alerts.ts';
import { closeProviders, providerForKind } from '../../notify/providers/index.ts';
import { startSubscriberNotifications, type SubscriberNotifications } from '../../notify/subscribers/index.ts';
import { startSender, type ResolvedTarget, type Sender } from '../../notify/sender.ts';
import { loadPosts } from '../../posts/load.ts';
import type { Post } from '../../posts/types.ts';
import { openStore } from '../../store/open.ts';
import { resolve } from 'node:path';
import { flagChoice, parseCommandArgs, wholeNumber } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../main.ts';
import { stopSignal } from '../stop-signal.ts';

export const runCommand: Command = {
  summary: 'the daemon: probe on schedule, record every result, republish the site on change',
  usage: `Usage: statuspost run [--location NAME] [--out DIR] [--no-publish] [--no-watch]
                      [--after-publish CMD] [--metrics HOST:PORT] [--heartbeat FILE] [--root DIR]
                      [--log-format text|json] [--json] [--verbose]

Schedules every check in probes/checks/*.yaml with its own schedule, runs them under the shared
concurrency limit, and records every result in the store of probes/site.yaml (SQLite by default).
Roll-ups are refreshed and raw results older than the retention are pruned every 10 minutes.
If the store is unreachable, results wait in memory (up to 100,000) and writes are retried.

It republishes the site (pages, feeds, API, banner) into DIR when a check's confirmed status
changes, when anything under content/ is added, edited, renamed or removed (however it is saved:
in place, by an editor's rename, git checkout, a whole content/ folder swapped in), when a
maintenance starts or ends, at each new day, and every 5 minutes; builds are debounced and never
overlap. The 5-minute refresh also re-reads the posts if any file under content/ changed since
they were read, so a change no watch reported is published by then. A post with problems is
logged with its file and line, and the site keeps the last good posts. A failed publish leaves the
published site as it was and is retried. On restart it resumes each check's confirmation state
from the store, so a component that was down stays down until checks say otherwise.
With probes/notify.yaml, alerts (a component's confirmed change and its resolution, reminders,
TLS certificates in their warning days, Redis/PostgreSQL near their connection limits, its own
trouble) are written to the store's outbox in the transaction of the result that caused them, then
sent: grouped per target, retried with backoff (honouring Retry-After), dead after notify.yaml's
deadAfter; silenced inside an announced maintenance window. A restart resends what a crash
interrupted, with the same idempotency key. See statuspost notify --help.
A confirmed partial or major outage of a component that no open incident (published or draft)
names is written as a draft incident under content/incidents/ (site.yaml autoIncidents: draft, the
default), dated from the measured start, marked source: probes, logged ("drafted incident …;
publish with \`statuspost publish SLUG\`") and alerted once. One per outage: flaps, a component
getting worse or another joining update it; once its components have worked for 5 minutes it gets
a "monitoring" update (never "resolved"). A deleted draft is not written again for that outage.
autoIncidents: publish writes it without draft: true; off writes nothing.
SIGTERM or SIGINT stops it gracefully: in-flight checks end, everything buffered is written.

Several machines, one PostgreSQL store: each run probes from its location (site.yaml location, or
--location) and records there. Without --no-publish a run is a publisher candidate: on PostgreSQL
the candidates share a lease ("lease gained (token N)" in the log); only its holder publishes.
The lease lasts 10 s and is renewed every 3 s, so another candidate takes over within about 12 s
of the holder's death or its loss of the database. The swap of the published folder is fenced by
the lease's token: a stale publisher never replaces a newer publish (the token is also in
\$STATUSPOST_FENCING_TOKEN for --after-publish). With site.yaml locations naming two or more, the
holder follows every location's results, believes a check's status when its quorum of fresh
locations agrees (thresholds apply per location first; "verdict: check api is down (2 of 3
locations: a, b)"), and alerts from those verdicts only: no daemon alerts from its own view then,
except its own trouble. With SQLite and one location none of this applies: one daemon.

  --location NAME       the location this daemon probes from, recorded with every result
                        (default: site.yaml location); lowercase letters, digits and dashes
  --out DIR             where the site is published (default: public-site under the project)
  --no-publish          probe and record only (a prober): never publishes, never takes the lease
  --no-watch            do not watch content/ (a file system that reports no changes, as NFS
                        does for other machines' writes); posts are re-read at each publish when
                        content/ changed, so an edit shows by the 5-minute refresh at the latest
  --after-publish CMD   run CMD with the new build folder as $1 after each publish (rsync, a sync
                        to object storage); its failure is logged, the daemon goes on
  --metrics HOST:PORT   serve Prometheus metrics at http://HOST:PORT/metrics (loopback advised)
  --heartbeat FILE      where the heartbeat is written every 30 s and after each publish attempt
                        (default: data/heartbeat.json); "status" is the status last computed,
                        "statusPublished" whether the site shows it, "lastPublishError" why not
  --root DIR            the project folder (default: the current folder)
  --log-format FORMAT   text (default) or json: one line per event on standard error
  --json                the same as --log-format json
  --verbose             also log every write and schedule detail

Exit codes: 0 stopped by a signal, 1 configuration problems, 2 bad usage, 3 the store cannot be
opened or is in use by another daemon, or results were still waiting for it when the daemon stopped.`,
  async run(argv) {
    const stop = stopSignal(); // first: a signal while starting stops it once started
    const args = parseCommandArgs('run', argv, {
      'log-format': { type: 'string' },
      location: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      'flush-interval': { type: 'string' }, // for tests: milliseconds between writes
      out: { type: 'string' },
      'no-publish': { type: 'boolean', default: false },
      'no-watch': { type: 'boolean', default: false },
      'after-publish': { type: 'string' },
      metrics: { type: 'string' },
      heartbeat: { type: 'string' },
      debounce: { type: 'string' }, // for tests and benchmarks: milliseconds of quiet before a build
      'publish-retry': { type: 'string' }, // for tests: milliseconds before a failed publish is retried
      refresh: { type: 'string' }, // for tests: milliseconds between refresh publishes (default 5 minutes)
      'notify-timeout': { type: 'string' }, // for tests and benchmarks: milliseconds one alert request may take
      'recovery-window': { type: 'string' }, // for tests: milliseconds an auto incident's components stay operational before "monitoring"
    });
    const format = flagChoice('run', 'log-format', String(args.values['log-format'] ?? (args.json ? 'json' : 'text')), ['text', 'json'] as const satisfies readonly LogFormat[]);
    if (args.json && format !== 'json') throw new StatuspostError('SP_USAGE', 'run: --json means --log-format json, not text', { hint: 'give one of them' });
    // For tests and benchmarks, not in --help; still checked, never silently ignored.
    const milliseconds = (flag: string) => (args.values[flag] === undefined ? undefined : wholeNumber('run', flag, args.values[flag], { min: 1, example: 100 }));
    const flush = milliseconds('flush-interval');
    const debounce = milliseconds('debounce');
    const publishRetry = milliseconds('publish-retry');
    const refresh = milliseconds('refresh');
    const notifyTimeout = milliseconds('notify-timeout');
    const recoveryWindow = milliseconds('recovery-window');
    if (typeof args.values.metrics === 'string') metricsAddress(args.values.metrics);
    const locationFlag = typeof args.values.location === 'string' ? locationName(args.values.location) : undefined;
    if (args.values['no-publish'] === true) {
      const publishing = ['out', 'after-publish', 'debounce', 'publish-retry', 'refresh'].find((flag) => args.values[flag] !== undefined) ?? (args.values['no-watch'] === true ? 'no-watch' : undefined);
      if (publishing) throw new StatuspostError('SP_USAGE', `run: --${publishing} has no effect with --no-publish`, { hint: 'drop one of them' });
    }
    const logger = createLogger({ format, debug: args.values.verbose === true });
    const loaded = await loadConfig(args.root);
    if (!loaded.config) throw new ProblemsError(loaded.problems);
    // --location overrides site.yaml's for everything this run does: its results, its kept state, its roles.
    const config: Config = locationFlag === undefined ? loaded.config : { ...loaded.config, site: { ...loaded.config.site, location: locationFlag } };

    let lock: Lock | undefined;
    if (config.site.store.engine === 'sqlite') {
      lock = await acquireLock(`${resolve(args.root, config.site.store.path)}.lock`, args.root);
    }
    try {
      const store = await openStore(config.site.store, args.root);
      try {
        await store.migrate();
      } catch (error) {
        // A server that is down now may be up soon: keep probing and buffer. A file that cannot be opened will not.
        if (!(error instanceof StatuspostError) || error.code !== 'SP_STORE_UNAVAILABLE' || store.engine !== 'postgres') throw error;
        logger.warn('store-down', `store unavailable at start: ${error.message}; results wait in memory`);
      }
      const metrics = createMetrics();
      let publisher: Publisher | undefined;
      const initialStates = await restoreConfirmStates(store, config.checks, config.site.location, Date.now()).catch(() => undefined);
      let lastResultAt: number | null = null;
      // Alerts (probes/notify.yaml): events are written to the outbox with the results that cause them;
      // the sender delivers them. Maintenance windows come from the posts the publisher reads (or, with
      // --no-publish, read here every minute).
      const notify = config.notify ?? null;
      let sender: Sender | undefined;
      let subscriberNotes: SubscriberNotifications | undefined;
      let ownPosts: readonly Post[] = [];
      let postsTimer: NodeJS.Timeout | undefined;
      const alerts = notify
        ? createAlerts({ config, notify, posts: () => publisher?.posts() ?? ownPosts })
        : undefined;
      if (notify) {
        const targets = new Map<string, ResolvedTarget>();
        for (const target of notify.targets) {
          const provider = providerForKind(target.kind);
          if (provider) targets.set(target.name, { provider: provider as ResolvedTarget['provider'], config: target.config });
        }
        // Subscribers (configured and signed up through serve) are targets named "subscriber:<id>";
        // new feed items become their notifications after each good publish.
        subscriberNotes = await startSubscriberNotifications({ config, notify, store, logger, onEnqueued: () => sender?.wake() });
        const notes = subscriberNotes;
        sender = startSender({
          store,
          notify,
          target: (name) => targets.get(name) ?? notes.target(name),
          site: { name: config.site.title, url: config.site.baseUrl },
          logger,
          ...(notifyTimeout !== undefined ? { sendTimeoutMs: notifyTimeout } : {}),
        });
        logger.info('notify', `alerts on: ${notify.targets.length} targets, ${notify.routes.length} routes`, { targets: notify.targets.length, routes: notify.routes.length });
        if (args.values['no-publish']) {
          const readPosts = async () => {
            const loaded = await loadPosts({ root: config.root, componentIds: config.components.map((c) => c.id), siteTimezone: config.site.timezone }).catch(() => undefined);
            if (loaded && loaded.problems.length === 0) ownPosts = loaded.posts;
          };
          await readPosts();
          postsTimer = setInterval(() => void readPosts(), 60_000);
          postsTimer.unref();
        }
      }
      let autoIncidents: AutoIncidents | undefined;
      // The roles (src/locations/roles.ts): the publisher lease, and with several locations the
      // follower of the others and the verdicts, which alone alert about checks then.
      const roles = await startLocationRoles({
        config,
        store,
        logger,
        publishes: args.values['no-publish'] !== true,
        ...(alerts ? { alerts } : {}),
        onGained: () => {
          publisher?.request('lease gained');
          void beat(); // the heartbeat says who publishes at once, not 30 s later
        },
        onVerdict: (check, state) => {
          publisher?.request(`check ${check.id} is ${state.status} (agreed)`);
          // A standby hears of agreed changes too (its standby build follows them); it drafts nothing.
          if (roles.lease?.token() != null) autoIncidents?.request(`check ${check.id} is ${state.status} (agreed)`);
        },
        // The page shows each location's view: one location's change republishes (debounced, builds never overlap).
        onLocationChange: (check, location, status) => publisher?.request(`location ${location} sees check ${check.id} ${status}`),
        ...(sender ? { onOutbox: () => sender.wake() } : {}),
      });
      const ownLive = roles.byLocation?.location(config.site.location);
      const daemon = startDaemon({
        config,
        store,
        logger,
        ...(flush !== undefined ? { flushIntervalMs: flush } : {}),
        ...(initialStates ? { initialStates } : {}),
        keepToday: !args.values['no-publish'],
        ...(ownLive ? { live: ownLive } : {}),
        ownViewAlerts: !roles.votes,
        // The lease holder keeps the agreed days (location '*') up to date; every location keeps its own.
        refreshMore: async (now) => {
          const kept = roles.byLocation;
          if (!kept) return;
          try {
            if (roles.lease?.token() != null) {
              await refreshAgreedComponentDays(store, config.components, config.checks, config.site.locations!, config.site.timezone, now, kept);
            }
          } finally {
            kept.history.changed();
          }
        },
        observe: (check, result) => {
          metrics.observe(check, result);
          roles.observe(check, result);
          lastResultAt = result.startedAt;
        },
        onStatusChange: (check, state) => {
          publisher?.request(`check ${check.id} is ${state.status}`);
          autoIncidents?.request(`check ${check.id} is ${state.status}`);
        },
        ...(alerts ? { alerts } : {}),
        ...(sender ? { onOutbox: () => sender.wake(), deliverDirect: (entry) => sender.deliverDirect(entry) } : {}),
      });
      // A confirmed outage no open incident covers: a draft incident (site.yaml autoIncidents), its alert to the outbox.
      autoIncidents = startDaemonAutoIncidents({
        config,
        site: siteInfo(config),
        // Voting over locations: drafted from the agreed statuses, not this location's view.
        daemon: roles.votes ? { stats: () => ({ statuses: roles.agreedStatuses() ?? {} }), enqueue: (entries) => daemon.enqueue(entries) } : daemon,
        alerts,
        logger,
        ledgerFile: resolve(config.root, 'data/auto-incidents.json'),
        ...(recoveryWindow !== undefined ? { recoveryWindowMs: recoveryWindow } : {}),
      });
      const heartbeatPath = resolve(args.root, typeof args.values.heartbeat === 'string' ? args.values.heartbeat : 'data/heartbeat.json');
      const startedAt = new Date().toISOString();
      // One write at a time: the 30-second beat and a publish's may coincide, and share a temporary file.
      let beating: Promise<unknown> = Promise.resolve();
      const beat = () => (beating = beating.then(() => writeBeat()));
      const writeBeat = () => {
        const p = publisher?.stats();
        return writeHeartbeat(heartbeatPath, {
          pid: process.pid,
          startedAt,
          writtenAt: new Date().toISOString(),
          lastResultAt: lastResultAt === null ? null : new Date(lastResultAt).toISOString(),
          lastPublishAt: p?.lastPublishAt ? new Date(p.lastPublishAt).toISOString() : null,
          lastPublishError: p?.lastError ?? null,
          status: p?.lastSnapshot?.overall.description ?? null,
          statusPublished: p?.lastSnapshotPublished ?? false,
          buffered: daemon.stats().buffered,
          ...(roles.lease ? { lease: { holder: roles.lease.holder, token: roles.lease.token() } } : {}),
        }).catch((error: Error) => logger.warn('heartbeat-failed', `the heartbeat file could not be written: ${error.message}`));
      };
      if (!args.values['no-publish']) {
        publisher = startPublisher({
          config,
          store,
          logger,
          out: resolve(args.root, typeof args.values.out === 'string' ? args.values.out : 'public-site'),
          beforeBuild: async () => {
            await roles.beforeBuild();
            return daemon.flush();
          },
          // Several locations: every location's kept state (the daemon feeds its own into it).
          ...(roles.byLocation ? { live: roles.byLocation } : daemon.live ? { live: daemon.live } : {}),
          ...(roles.publisherLease ? { lease: roles.publisherLease } : {}),
          ...(typeof args.values['after-publish'] === 'string' ? { afterPublish: args.values['after-publish'] } : {}),
          ...(debounce !== undefined ? { debounceMs: debounce } : {}),
          ...(publishRetry !== undefined ? { retryMs: publishRetry } : {}),
          ...(refresh !== undefined ? { refreshMs: refresh } : {}),
          watchContent: args.values['no-watch'] !== true,
          afterAttempt: () => void beat(),
          ...(subscriberNotes ? { onPublished: subscriberNotes.onPublished } : {}),
          onOutcome: ({ published, error, postsProblem }) => {
            daemon.trouble('publish', !published, error ?? '');
            daemon.trouble('posts', postsProblem !== null, postsProblem ?? '');
          },
        });
      }
      const metricsServer = typeof args.values.metrics === 'string'
        ? await serveMetrics(args.values.metrics, () => {
            const p = publisher?.stats();
            return metrics.render({ buffered: daemon.stats().buffered, published: p?.published ?? 0, publishFailed: p?.failed ?? 0, lastPublishSeconds: p?.lastDurationMs == null ? null : p.lastDurationMs / 1000, lastPublishAt: p?.lastPublishAt ?? null, notify: sender?.stats() });
          })
        : undefined;
      if (metricsServer) logger.info('metrics', `metrics at ${metricsServer.url}`, { url: metricsServer.url });
      const heartbeat = setInterval(beat, 30_000);
      void beat();
      await stop;
      logger.info('stopping', 'stopping: waiting for running checks, then writing what is buffered');
      clearInterval(heartbeat);
      // Both at once: the stop takes as long as the longest running check or the build under way.
      await autoIncidents?.stop();
      const [, stats] = await Promise.all([publisher?.stop(), daemon.stop()]);
      // After the publisher: no build can start any more when the lease is given up.
      await roles.stop();
      // After the daemon: its last results (and their alerts) are written; then what is in flight ends.
      clearInterval(postsTimer);
      await sender?.stop();
      if (notify) await closeProviders();
      await metricsServer?.close();
      await beat();
      await store.close();
      return stats.buffered === 0 ? ExitCode.ok : ExitCode.unavailable;
    } finally {
      await lock?.release();
    }
  },
};

/** --location NAME: an id as site.yaml's location is (it is stored with every result and compared with site.locations). */
function locationName(text: string): string {
  const parsed = idSchema.safeParse(text);
  if (!parsed.success) throw new StatuspostError('SP_USAGE', `run: --location must be lowercase letters, digits and dashes, not "${text}"`, { hint: 'e.g. --location eu-west-1' });
  return parsed.data;
}

/** HOST:PORT for --metrics, checked before anything starts (serveMetrics would only find out after the lock and the store). */
function metricsAddress(text: string): void {
  const match = /^(.+):(\d+)$/.exec(text);
  if (!match || Number(match[2]) > 65_535) {
    throw new StatuspostError('SP_USAGE', `run: --metrics must be HOST:PORT with a port from 0 to 65535, not "${text}"`, { hint: 'e.g. --metrics 127.0.0.1:9464' });
  }
}
